/**
 * The validated, normalised stack config, as the program, the plan and the stack-file commands read it.
 * Types only, importing nothing of the config, so the key schemas (./keySchemas.ts) and the rules across
 * keys (./schema.ts) both build on it without importing each other.
 */
import type { CheckOptions } from "../check/options";
import type { RehearsalOptions } from "../rehearsal/options";

export interface RegistryConfig {
    server: string;
    namespace: string;
    username?: string;
}

export interface ImageConfig {
    /**
     * The build's name, for its resources and outputs: the key under `uw3-binder:images`, or for an image with
     * `refs` its build of one ref (`refImageName` in ./refs.ts: `base-main`).
     */
    name: string;
    /** The key under `uw3-binder:images` (problems name it): `name`, or the image a ref build is of. */
    key: string;
    /** For a build of an image with `refs`: the branch or tag of the source repository it is built from. */
    ref?: string;
    registry: RegistryConfig;
    repository: string;
    /** `<server>/<namespace>/<repository>` */
    repositoryUrl: string;
    /** Tags with `{release}` (and a ref build's `{ref}`) expanded; the first is the primary one. */
    tags: string[];
    /** `<repositoryUrl>:<tags[0]>` */
    imageName: string;
    dockerfile: string;
    /** Source paths (globs) copied into the build context. */
    context: string[];
    /** Source paths (globs) whose fingerprint is a build arg: a change to them forces a rebuild. */
    rebuildOn: string[];
    /** The builds this one is built FROM (a ref build: its parents' builds of the same ref), each by digest through its build arg. */
    parents: { image: string; arg: string }[];
    args: Record<string, string>;
    /**
     * The build args whose configured value carries `{ref}` (a ref build's source fetched inside the build):
     * the Dockerfile BuildKit gets declares the fingerprint arg before their first use (src/source/builds.ts).
     */
    refArgs: string[];
    platforms: string[];
    target?: string;
    checks: CheckOptions;
    /** `always`, `on-request` (not built in this run: the program declares nothing for it) or `requested`. */
    build: "always" | "on-request" | "requested";
    /** Its tags are written once: a build is refused when the registry already holds any of them. */
    writeOnce: boolean;
    /**
     * The tags a written-once build checks: all of them, but for a ref build only those naming its ref or the
     * release (`{ref}-slim`); a tag naming neither (`latest-slim`) moves to each new release. [] when not written once.
     */
    writeOnceTags: string[];
    /** Its registry build cache (`cache`), in its own registry; undefined with `cache: false`. */
    buildCache?: BuildCache;
    /** The buildx builder that builds it (`builder`, else `uw3-binder:builder`); undefined: docker-build's default. */
    builder?: string;
}

/** Where an image's registry build cache is read and written: `<repositoryUrl>:<tag>` (per platform: src/source/buildCache.ts). */
export interface BuildCache {
    repositoryUrl: string;
    tag: string;
}

export interface PinConfig {
    digest: string;
    /** The tag that digest was published under, when the pin names one. */
    tag?: string;
}

export interface LauncherBranchConfig {
    name: string;
    uw3Branch: string;
    image: string;
    pin?: PinConfig;
    /**
     * A frozen branch keeps its pin across releases: its `pin:`, else this stack's build of its ref, else
     * the digest its `.binder/Dockerfile` already names (adopted). Its files never name the stack's release.
     */
    frozen: boolean;
    /** Set when the branch's `pin:` was withdrawn: `pin` is then the withdrawal's replacement. */
    withdrawn?: WithdrawnRelease;
}

/** An entry of `uw3-binder:withdrawn`: a published digest no gate passes again, and why. */
export interface WithdrawnRelease {
    digest: string;
    reason: string;
    /** YYYY-MM-DD */
    date: string;
    /** `<tag>@sha256:<hex>` (a `pin:`): what a branch pinned to the withdrawn digest is repinned to. */
    replacement?: PinConfig;
}

export interface LauncherConfig {
    owner: string;
    repository: string;
    create: boolean;
    defaultBranch: string;
    branches: LauncherBranchConfig[];
    warmup: boolean;
    /** How long `pulumi up` waits for mybinder.org's build of each repinned branch. */
    warmupTimeoutS: number;
    binderUrl: string;
    /** The BinderHubs `warmup` asks to build each repinned branch: every federation member by default. */
    binderHubs: string[];
    commitAuthor: { name: string; email: string };
    /** Each branch's launch is rehearsed (`uw3-binder rehearse`) before it is repinned, unless disabled. */
    rehearsal: RehearsalOptions & { enabled: boolean };
}

export interface RegistryLogin {
    server: string;
    username: string;
    /**
     * The secret config key, and the map key inside it when the key holds a map; or `env`, the environment
     * variable that stands in for the key (UW3_BINDER_REGISTRY_PASSWORD).
     */
    secret: { key: string; entry?: string; env?: string };
}

export interface BinderConfig {
    githubOwner: string;
    release: string;
    /** The release this stack was copied from (`new-release`), whose tags are each image's baseline. */
    previousRelease?: string;
    registry: RegistryConfig;
    /** `branch`: the branch the checkout must be on (the images' tags say what it holds, e.g. `dev` = development). */
    source: { repository: string; owner: string; name: string; path: string; branch?: string; launcherPatSecret: boolean };
    /** In dependency order: every parent before its children. */
    images: ImageConfig[];
    /** Undefined when the stack publishes images only. */
    launcher?: LauncherConfig;
    /** One login per registry server that has a username. */
    logins: RegistryLogin[];
    /** `uw3-binder:withdrawn`: every gate refuses these digests. */
    withdrawn: WithdrawnRelease[];
}

/** Which secrets exist; their values are never needed to validate. */
export interface SecretPresence {
    keys: string[];
    /** Map keys present under `uw3-binder:registryPasswords`. */
    registryPasswordServers: string[];
    /** `GITHUB_TOKEN` in the environment stands in for `github:token`, as the provider accepts it. */
    githubTokenFromEnv: boolean;
    /** `UW3_BINDER_LAUNCHER_PAT` in the environment stands in for `uw3-binder:launcherPat`. */
    launcherPatFromEnv?: boolean;
    /**
     * UW3_BINDER_REGISTRY_PASSWORD is set: it stands in for `uw3-binder:registryPassword`, paired with
     * UW3_BINDER_REGISTRY_USERNAME (`username`, as the environment gave it) or else `registry.username`.
     */
    registryLoginFromEnv?: { username?: string };
}
