import * as docker from "@pulumi/docker";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { ImageConfig } from "../src/config/schema";
import { PreparedBuild, FINGERPRINT_ARG } from "../src/images/builds";
import { digestOf, parentBuildArg, pinnedReference, platformTag } from "../src/images/pins";

export interface BinderImageArgs {
    /** The validated image config (tags already expanded). */
    readonly image: ImageConfig;
    /** The staged build context, Dockerfile and source fingerprint for this image. */
    readonly build: PreparedBuild;
    /** The images this one is built FROM, by image name; each one's digest becomes its `from.arg` build arg. */
    readonly parents: Record<string, BinderImage>;
    /** Registry login for this image's server, or undefined to push without one (a local registry). */
    readonly login?: { username: string; password: pulumi.Output<string> };
}

/**
 * One configured image: a `docker.Image` per platform and tag, and for more than one platform a
 * manifest list per tag (`docker-build` `Index`). Its `reference` (first tag plus digest) is what
 * children build FROM and gates check.
 */
export class BinderImage extends pulumi.ComponentResource {
    /** `<repositoryUrl>:<tag>@sha256:<hex>` for the first tag. */
    public readonly reference: pulumi.Output<string>;
    /** `<repositoryUrl>@sha256:<hex>`: what children receive as their build arg. */
    public readonly digestReference: pulumi.Output<string>;
    /** The pinned reference of every tag. */
    public readonly references: pulumi.Output<string[]>;
    public readonly repositoryUrl: string;

    constructor(name: string, args: BinderImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("uw3-binder:index:BinderImage", name, {}, opts);
        const { image, build, login } = args;
        for (const p of image.parents) {
            if (!args.parents[p.image]) throw new pulumi.ResourceError(`image "${image.name}" is built FROM "${p.image}", which was not given as its parent`, this);
        }
        this.repositoryUrl = image.repositoryUrl;

        const buildArgs: Record<string, pulumi.Input<string>> = { ...image.args, [FINGERPRINT_ARG]: build.fingerprint };
        for (const p of image.parents) buildArgs[p.arg] = args.parents[p.image].digestReference;
        const registry = {
            server: image.registry.server,
            username: login?.username,
            password: login ? pulumi.secret(login.password) : undefined,
        };
        const dockerImage = (resourceName: string, tag: string, platform: string) =>
            new docker.Image(
                resourceName,
                {
                    imageName: `${image.repositoryUrl}:${tag}`,
                    build: {
                        context: build.contextDir,
                        // docker.Image resolves `dockerfile` against the program's directory, not the context: pass it absolute.
                        dockerfile: build.dockerfile,
                        platform,
                        args: buildArgs,
                        target: image.target,
                    },
                    registry,
                },
                { parent: this },
            );

        const digests: pulumi.Output<string>[] = [];
        if (image.platforms.length === 1) {
            // A single platform stays a plain image: every tag is its own push of the same build (a cache hit).
            image.tags.forEach((tag, i) => {
                const built = dockerImage(i === 0 ? `${name}-image` : `${name}-image-${tag}`, tag, image.platforms[0]);
                digests.push(built.repoDigest.apply(digestOf));
            });
        } else {
            const members = image.platforms.map((platform) => {
                const tag = platformTag(image.tags[0], platform);
                return dockerImage(`${name}-image-${platform.replace(/\//g, "-")}`, tag, platform);
            });
            for (const tag of image.tags) {
                const index = new dockerBuild.Index(
                    `${name}-index-${tag}`,
                    {
                        tag: `${image.repositoryUrl}:${tag}`,
                        sources: members.map((m) => m.repoDigest),
                        push: true,
                        registry: { address: image.registry.server, username: login?.username, password: registry.password },
                    },
                    { parent: this },
                );
                digests.push(index.ref.apply(digestOf));
            }
        }
        this.references = pulumi.all(digests).apply((ds) => ds.map((d, i) => pinnedReference(image.repositoryUrl, image.tags[i], d)));
        this.reference = digests[0].apply((d) => pinnedReference(image.repositoryUrl, image.tags[0], d));
        this.digestReference = digests[0].apply((d) => parentBuildArg(image.repositoryUrl, d));
        this.registerOutputs({ reference: this.reference, references: this.references, digestReference: this.digestReference });
    }
}
