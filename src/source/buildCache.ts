/**
 * An image's registry build cache: the one place its reference is derived, and what docker-build is
 * given to read and write it (BuildKit's registry cache, `mode=max`: every stage's layers, so a build on an
 * empty builder after a code-only change rebuilds only the steps that change). No Pulumi import.
 */
import type { BuildCache } from "../config/binderConfig";
import { platformTag } from "../launcher/pins";

/**
 * The cache's reference for one platform's build: `<repositoryUrl>:<tag>`, and with several platforms
 * `<tag>-<arch>` (as each member build's own tag), so the platforms' caches never overwrite each other.
 */
function buildCacheRef(cache: BuildCache, platform: string, platformCount: number): string {
    return `${cache.repositoryUrl}:${platformCount > 1 ? platformTag(cache.tag, platform) : cache.tag}`;
}

/**
 * docker-build's `cacheFrom`/`cacheTo` for one platform's build: read and write the same reference. Without
 * a cache, neither is set (an image with `cache: false` has the inputs it had before caches existed).
 */
export function cacheOptions(
    cache: BuildCache | undefined,
    platform: string,
    platformCount: number,
): { cacheFrom?: { registry: { ref: string } }[]; cacheTo?: { registry: { ref: string; mode: "max" } }[] } {
    if (!cache) return {};
    const ref = buildCacheRef(cache, platform, platformCount);
    return { cacheFrom: [{ registry: { ref } }], cacheTo: [{ registry: { ref, mode: "max" } }] };
}
