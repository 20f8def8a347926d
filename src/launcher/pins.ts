/**
 * From what a registry push reports to the references uw3-binder pins.
 */
import { DIGEST_PATTERN } from "../names/oci";
import { shown } from "../text/quotedValue";

/** The `sha256:<hex>` inside a `repo@sha256:<hex>` repoDigest or a `repo:tag@sha256:<hex>` ref. */
export function digestOf(pushed: string): string {
    const digest = pushed.slice(pushed.lastIndexOf("@") + 1);
    if (!pushed.includes("@") || !DIGEST_PATTERN.test(digest)) {
        throw new Error(`expected a pushed image reference ending in @sha256:<64 hex>, found ${shown(pushed)}`);
    }
    return digest;
}

/** The `sha256:<hex>` a build reports for what it pushed; anything else is refused before it is pinned. */
export function checkedDigest(digest: string): string {
    if (!DIGEST_PATTERN.test(digest)) throw new Error(`expected the pushed image's digest, sha256:<64 hex>, found "${digest.slice(0, 200)}"`);
    return digest;
}

/** `<repositoryUrl>:<tag>@sha256:<hex>`: mybinder.org needs the tag, the digest makes it exact. */
export function pinnedReference(repositoryUrl: string, tag: string, digest: string): string {
    if (!DIGEST_PATTERN.test(digest)) throw new Error(`expected sha256:<64 hex>, found ${shown(digest)}`);
    return `${repositoryUrl}:${tag}@${digest}`;
}

/** The build arg a child gets for its parent: `<repositoryUrl>@sha256:<hex>`, the digest and never the tag. */
export function parentBuildArg(repositoryUrl: string, digest: string): string {
    if (!DIGEST_PATTERN.test(digest)) throw new Error(`expected sha256:<64 hex>, found ${shown(digest)}`);
    return `${repositoryUrl}@${digest}`;
}

/** The per-platform tag of a multi-arch image's member: `2.5.0b-arm64`, `2025.01-arm-v7`. */
export function platformTag(tag: string, platform: string): string {
    return `${tag}-${platform.replace(/^linux\//, "").replace(/\//g, "-")}`;
}

/**
 * The reference a `--print-ref` command (a gate's `check`, a launcher branch's `rehearse`) vouched for: the
 * last line it printed, which must be the reference it was given. Anything else pins nothing.
 */
export function printedReference(stdout: string, expected: string, command: string): string {
    const printed = stdout.trim().split("\n").pop() ?? "";
    if (printed !== expected) {
        throw new Error(`${command} for ${expected} printed "${printed}" instead of the reference it verified; not pinning anything to it`);
    }
    return printed;
}
