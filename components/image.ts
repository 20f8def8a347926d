import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { RegistryLoginSecret } from "../config";
import { ImageConfig } from "../src/config/schema";
import { BuildSource, FINGERPRINT_ARG, prepareBuild } from "../src/source/builds";
import { checkedDigest, digestOf, parentBuildArg, pinnedReference, platformTag } from "../src/launcher/pins";

export interface BinderImageArgs {
    /** The validated image config (tags already expanded). */
    readonly image: ImageConfig;
    /** Where the image's sources are read and staged: the component stages its build context when constructed. */
    readonly source: BuildSource;
    /**
     * The digest reference (`<repo>@sha256:<hex>`) of each image this one is built FROM, by image name;
     * each becomes its `from.arg` build arg.
     */
    readonly parents: Record<string, pulumi.Input<string>>;
    /** Registry login for this image's server, or undefined to push without one (a local registry). */
    readonly login?: RegistryLoginSecret;
}

/**
 * One configured image: a `docker-build` `Image` per platform, pushed under every tag, and for more
 * than one platform a manifest list per tag (`docker-build` `Index`). Its `reference` (first tag plus digest) is what
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
        // A run that builds needs the checkout; a dry run (preview, `uw3-binder plan`) builds nothing
        // (`buildOnPreview: false`), so it stages what it can and only shows a missing checkout.
        const prepared = prepareBuild(args.image, args.source, !pulumi.runtime.isDryRun());
        super("uw3-binder:index:BinderImage", name, {}, opts);
        const { image, login } = args;
        for (const p of image.parents) {
            if (args.parents[p.image] === undefined)
                throw new pulumi.ResourceError(`image "${image.name}" is built FROM "${p.image}", which was not given as its parent`, this);
        }
        this.repositoryUrl = image.repositoryUrl;

        const buildArgs: Record<string, pulumi.Input<string>> = { ...image.args, [FINGERPRINT_ARG]: prepared.fingerprint };
        for (const p of image.parents) buildArgs[p.arg] = args.parents[p.image];
        const registry = login ? { address: image.registry.server, username: login.username, password: pulumi.secret(login.password) } : undefined;
        const registries = registry ? [registry] : undefined;
        // One build per platform: the daemon's own BuildKit (the `docker` driver) builds one platform at a
        // time and needs no builder image pulled; several platforms are joined by a manifest list below.
        const build = (resourceName: string, tags: string[], platform: string) =>
            new dockerBuild.Image(
                resourceName,
                {
                    tags: tags.map((tag) => `${image.repositoryUrl}:${tag}`),
                    context: { location: prepared.contextDir },
                    dockerfile: { location: prepared.dockerfile },
                    platforms: [platform as dockerBuild.Platform],
                    buildArgs,
                    target: image.target,
                    push: true,
                    registries,
                    // A preview shows what would be built; it never builds or pushes.
                    buildOnPreview: false,
                },
                // docker-build deletes an image's pushed digests from the registry when the resource is deleted:
                // an old month's `destroy` must not take away what launchers (or a rollback) pin.
                { parent: this, retainOnDelete: true },
            );

        const digests: pulumi.Output<string>[] = [];
        if (image.platforms.length === 1) {
            // Every tag is pushed from the one build, so every tag has the same digest.
            const built = build(`${name}-image`, image.tags, image.platforms[0]);
            image.tags.forEach(() => digests.push(built.digest.apply(checkedDigest)));
        } else {
            const members = image.platforms.map((platform) =>
                build(`${name}-image-${platform.replace(/\//g, "-")}`, [platformTag(image.tags[0], platform)], platform),
            );
            for (const tag of image.tags) {
                const index = new dockerBuild.Index(
                    `${name}-index-${tag}`,
                    {
                        tag: `${image.repositoryUrl}:${tag}`,
                        sources: members.map((m) => m.ref),
                        push: true,
                        registry,
                    },
                    // The manifest list is shared with every other month that pushed this tag: destroying an
                    // old month's stack must not delete it from the registry.
                    { parent: this, retainOnDelete: true },
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
