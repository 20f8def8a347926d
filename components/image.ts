import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { BuildCache } from "../src/config/binderConfig";
import { checkedDigest, digestOf, parentBuildArg, pinnedReference, platformTag } from "../src/launcher/pins";
import { cacheOptions } from "../src/source/buildCache";
import { TagVacancy } from "./tagVacancy";

/** A registry login as docker-build takes it; the password is made a secret again here. */
export interface RegistryLogin {
    readonly address: pulumi.Input<string>;
    readonly username: pulumi.Input<string>;
    readonly password: pulumi.Input<string>;
}

export interface BinderImageArgs {
    /** `<server>/<namespace>/<repository>`: every tag is pushed there (plain, as the tags: it names what is built). */
    readonly repositoryUrl: string;
    /** The tags to push; the first is the image's `reference`. With several platforms, a manifest list per tag. */
    readonly tags: readonly string[];
    /** One build per platform (their names are part of the resources' names). */
    readonly platforms: readonly string[];
    /** The staged build context and its Dockerfile, relative to the program's directory (docker-build resolves both from there). */
    readonly context: pulumi.Input<string>;
    readonly dockerfile: pulumi.Input<string>;
    /** The Dockerfile's text to build instead of the file (docker-build's inline Dockerfile), when set. */
    readonly inlineDockerfile?: string;
    /** The Dockerfile stage to build; its last one when undefined. */
    readonly target?: pulumi.Input<string>;
    /** Build args: the image's own, its source fingerprint and each parent's digest reference. */
    readonly buildArgs: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Labels on the built image (the OCI labels), as `docker build --label` sets them. */
    readonly labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** The registry login, or undefined to push without one (a local registry). */
    readonly registry?: RegistryLogin;
    /**
     * Set for a written-once image: what its build is made from (its staged context's fingerprint). Before
     * each build the registry is asked whether a tag already exists, and the build is refused if one does.
     */
    readonly writeOnce?: { readonly contextFingerprint: string; /** The tags checked (default: every tag). */ readonly tags?: readonly string[] };
    /** The registry build cache each build reads and writes (`mode: max`), or undefined for none. */
    readonly buildCache?: BuildCache;
    /** The buildx builder that builds it, by name; docker-build's default (the current builder) when undefined. */
    readonly builder?: string;
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

    constructor(name: string, args: BinderImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("uw3-binder:index:BinderImage", name, {}, opts);
        if (args.tags.length === 0 || args.platforms.length === 0) throw new pulumi.ResourceError(`image "${name}" needs a tag and a platform`, this);
        const tagged = (tag: string) => `${args.repositoryUrl}:${tag}`;
        const registry = args.registry
            ? { address: args.registry.address, username: args.registry.username, password: pulumi.secret(args.registry.password) }
            : undefined;
        const registries = registry ? [registry] : undefined;
        const vacancy = args.writeOnce
            ? new TagVacancy(
                  `${name}-tags-vacant`,
                  {
                      // With several platforms, each member build also pushes its own `<tag>-<arch>` tag.
                      references: writtenOnce(args.tags, args.writeOnce.tags ?? args.tags, args.platforms).map(tagged),
                      build: pulumi
                          .all([
                              args.writeOnce.contextFingerprint,
                              args.dockerfile,
                              args.target,
                              args.platforms,
                              args.buildArgs,
                              // docker-build rebuilds (and pushes) for a new cache too; without one, what it was before caches existed.
                              ...(args.buildCache ? [args.buildCache] : []),
                          ])
                          .apply((parts) => JSON.stringify(parts)),
                      registry: registry?.address,
                      username: registry?.username,
                      password: registry?.password,
                  },
                  { parent: this },
              )
            : undefined;
        // One build per platform: the daemon's own BuildKit (the `docker` driver) builds one platform at a
        // time and needs no builder image pulled; several platforms are joined by a manifest list below.
        const build = (resourceName: string, tags: readonly string[], platform: string) =>
            new dockerBuild.Image(
                resourceName,
                {
                    tags: tags.map(tagged),
                    context: { location: args.context },
                    dockerfile: args.inlineDockerfile !== undefined ? { inline: args.inlineDockerfile } : { location: args.dockerfile },
                    platforms: [platform as dockerBuild.Platform],
                    buildArgs: args.buildArgs,
                    labels: args.labels,
                    target: args.target,
                    push: true,
                    registries,
                    // In the image's own registry: `registries` (its login, no other) reads and writes it.
                    ...cacheOptions(args.buildCache, platform, args.platforms.length),
                    builder: args.builder === undefined ? undefined : { name: args.builder },
                    // A preview shows what would be built; it never builds or pushes.
                    buildOnPreview: false,
                },
                // docker-build deletes an image's pushed digests from the registry when the resource is deleted:
                // an old month's `destroy` must not take away what launchers (or a rollback) pin.
                { parent: this, retainOnDelete: true, dependsOn: vacancy ? [vacancy] : [] },
            );

        const digests: pulumi.Output<string>[] = [];
        if (args.platforms.length === 1) {
            // Every tag is pushed from the one build, so every tag has the same digest.
            const built = build(`${name}-image`, args.tags, args.platforms[0]);
            args.tags.forEach(() => digests.push(built.digest.apply(pushedDigest)));
        } else {
            const members = args.platforms.map((platform) =>
                build(`${name}-image-${platform.replace(/\//g, "-")}`, [platformTag(args.tags[0], platform)], platform),
            );
            for (const tag of args.tags) {
                const index = new dockerBuild.Index(
                    `${name}-index-${tag}`,
                    {
                        tag: tagged(tag),
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
        this.references = pulumi.all(digests).apply((ds) => ds.map((d, i) => pinnedReference(args.repositoryUrl, args.tags[i], d)));
        this.reference = digests[0].apply((d) => pinnedReference(args.repositoryUrl, args.tags[0], d));
        this.digestReference = digests[0].apply((d) => parentBuildArg(args.repositoryUrl, d));
        this.registerOutputs({ reference: this.reference, references: this.references, digestReference: this.digestReference });
    }
}

/** The tags a written-once build checks: `checked`, and with several platforms each member's `<tag>-<arch>` of a checked first tag. */
function writtenOnce(tags: readonly string[], checked: readonly string[], platforms: readonly string[]): string[] {
    const members = platforms.length > 1 && checked.includes(tags[0]) ? platforms.map((p) => platformTag(tags[0], p)) : [];
    return [...checked, ...members];
}

/**
 * The digest docker-build reports for a pushed build. A preview of an image it would rebuild reports an empty
 * digest (it builds nothing on preview): that is "not known until the build", so the digest, and everything
 * derived from it (children's build args, gates, launcher files), shows as computed instead of failing the preview.
 */
function pushedDigest(digest: string): string {
    if (digest === "" && pulumi.runtime.isDryRun()) return pulumi.unknown as unknown as string;
    return checkedDigest(digest);
}
