/**
 * OCI names: image references (`host/namespace/repo:tag@sha256:...`), parsed and rendered, the digest,
 * tag and repository patterns, registry hosts, Dockerfile build arg names and buildx builder names.
 */
import { shown } from "../text/quotedValue";

export interface ImageReference {
    /** Registry host (with port), e.g. `ghcr.io`, `127.0.0.1:5000`, `docker.io`. */
    registry: string;
    /** Repository path below the host, e.g. `underworldcode/uw3-base`. */
    repository: string;
    tag?: string;
    /** `sha256:<64 hex>` */
    digest?: string;
}

export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
/**
 * Text that claims to be a digest: a digest algorithm's name (`sha256`, `SHA512`, `sha384`, in any case)
 * and a colon, with no `/` or `@`. Docker would read `sha256:8cbaba94226c` (the short id `docker images`
 * shows) as the tag `8cbaba94226c` of `docker.io/library/sha256`; this project never does.
 */
const DIGEST_CLAIM = /^sha\d+:[^/@]*$/i;

/**
 * A digest argument: `{ digest }` when `text` is exactly `sha256:<64 lowercase hex>`, `{ problem }` (one
 * line, naming what was found) when it claims to be a digest but is not that, undefined when it does not
 * claim to be one (it may be a reference or a tag).
 */
export function parseDigestArgument(text: string): { digest: string } | { problem: string } | undefined {
    if (DIGEST_PATTERN.test(text)) return { digest: text };
    if (!DIGEST_CLAIM.test(text)) return undefined;
    const colon = text.indexOf(":");
    const algorithm = text.slice(0, colon);
    const hex = text.slice(colon + 1);
    let found: string;
    if (algorithm.toLowerCase() !== "sha256") found = `the algorithm ${shown(algorithm)}`;
    else if (algorithm !== "sha256") found = `the algorithm written ${shown(algorithm)}`;
    else if (/^[0-9a-fA-F]*$/.test(hex) && hex.length < 64)
        found = `${hex.length} hex digits (a short id, as \`docker images\` shows; \`docker images --digests\` shows the digest)`;
    else if (/^[0-9a-fA-F]*$/.test(hex) && hex.length > 64) found = `${hex.length} hex digits`;
    else if (/^[0-9a-fA-F]*$/.test(hex)) found = "uppercase hex digits";
    else found = "characters that are not hex digits";
    return { problem: `${shown(text)} is not a digest: expected sha256:<64 lowercase hex>, found ${found}` };
}
/** What a registry accepts as a tag (OCI distribution spec). */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** The longest name (host and repository path) Docker's reference grammar accepts. */
const NAME_MAX_CHARS = 255;
/** A repository path component (OCI distribution spec, lowercase only). */
const REPOSITORY_COMPONENT_PATTERN = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

/** Why a registry host's port is not one a connection can use (1-65535), or undefined (also when it names none). */
function registryPortProblem(registry: string): string | undefined {
    const port = /:(\d+)$/.exec(registry)?.[1];
    if (port === undefined) return undefined;
    const value = Number(port);
    return value >= 1 && value <= 65535 ? undefined : `port ${port} is not a TCP port (1-65535)`;
}

/**
 * Parses a reference as Docker does: the first component is a registry host when it has a `.` or `:`
 * or is `localhost`; otherwise the host is `docker.io` (and a one-component name gets `library/`).
 */
export function parseImageReference(text: string): ImageReference {
    const input = text.trim();
    if (input === "" || /\s/.test(input)) {
        throw new Error(`invalid image reference ${shown(text)}: expected [host/]namespace/repository[:tag][@sha256:<64 hex>]`);
    }
    // A digest (or what claims to be one) is never read as a repository `sha256` with a tag.
    const claimed = parseDigestArgument(input);
    if (claimed) {
        const why = "problem" in claimed ? claimed.problem : `${claimed.digest} is a digest`;
        throw new Error(`invalid image reference ${shown(text)}: ${why}; a reference is [host/]namespace/repository[:tag][@sha256:<64 hex>]`);
    }
    let rest = input;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!DIGEST_PATTERN.test(digest)) {
            throw new Error(`invalid image reference ${shown(text)}: the digest must be sha256:<64 lowercase hex>, found ${shown(digest)}`);
        }
    }
    const parts = rest.split("/");
    let registry = "docker.io";
    if (parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost")) {
        registry = parts.shift()!;
        const portProblem = registryPortProblem(registry);
        if (portProblem) throw new Error(`invalid image reference ${shown(text)}: registry ${shown(registry)}: ${portProblem}`);
    }
    let last = parts[parts.length - 1];
    let tag: string | undefined;
    const colon = last.lastIndexOf(":");
    if (colon >= 0) {
        tag = last.slice(colon + 1);
        last = last.slice(0, colon);
        parts[parts.length - 1] = last;
        if (!TAG_PATTERN.test(tag)) {
            throw new Error(`invalid image reference ${shown(text)}: tag ${shown(tag)} is not a valid tag`);
        }
    }
    if (registry === "docker.io" && parts.length === 1) parts.unshift("library");
    for (const part of parts) {
        if (!REPOSITORY_COMPONENT_PATTERN.test(part)) {
            throw new Error(`invalid image reference ${shown(text)}: repository component ${shown(part)} must be lowercase letters, digits and separators`);
        }
    }
    // Docker's reference grammar caps a name (host and path) at 255 characters (NameTotalLengthMax).
    const name = `${registry}/${parts.join("/")}`;
    if (name.length > NAME_MAX_CHARS) {
        throw new Error(`invalid image reference ${shown(text)}: the name is ${name.length} characters; a registry accepts at most ${NAME_MAX_CHARS}`);
    }
    if (!tag && !digest) tag = "latest";
    return { registry, repository: parts.join("/"), tag, digest };
}

/** `host/repo[:tag][@digest]` */
export function formatImageReference(ref: ImageReference): string {
    return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/** A tag as the OCI distribution spec accepts it: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export function tagProblem(tag: string): string | undefined {
    return TAG_PATTERN.test(tag) ? undefined : "a registry accepts only [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
}

/** A buildx builder's name, as `docker buildx create --name` makes it (bounded here at 63 characters). */
const BUILDER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** A buildx builder's name: what docker-build's `builder.name` and `docker buildx --builder` take. */
export function builderNameProblem(name: string): string | undefined {
    return BUILDER_NAME_PATTERN.test(name) ? undefined : "expected a buildx builder name: [A-Za-z0-9][A-Za-z0-9_.-]{0,62}";
}

/** A repository path (`uw3-base`, `underworldcode/uw3-base`): lowercase components, as registries require. */
export function repositoryPathProblem(path: string): string | undefined {
    const parts = path.split("/");
    for (const part of parts) {
        if (!REPOSITORY_COMPONENT_PATTERN.test(part)) {
            return `"${part}" is not a lowercase registry path component ([a-z0-9] with . _ __ - separators)`;
        }
    }
    return undefined;
}

/** A registry host, optionally with a port (`ghcr.io`, `docker.io`, `127.0.0.1:5000`). */
export function registryServerProblem(server: string): string | undefined {
    if (/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\d{1,5})?$/.test(server)) {
        return registryPortProblem(server);
    }
    return "expected a host name with an optional port, without a scheme or path";
}

/** A Dockerfile `ARG` name. */
export function buildArgProblem(name: string): string | undefined {
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? undefined : "a build arg name is letters, digits and '_', not starting with a digit";
}
