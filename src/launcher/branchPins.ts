/**
 * Which reference each launcher branch pins: the gate-verified build of its image, or, with `pin:`,
 * a published digest (rollback, or holding one branch back while the others move); and what a build
 * that came out as a withdrawn digest is replaced with. The caller supplies how a
 * built or pinned reference becomes a verified one.
 */
import { CheckOptions, REGISTRY_CHECKS } from "../check/options";
import { ImageConfig, LauncherConfig, WithdrawnRelease } from "../config/schema";
import { branchSlug } from "../names/git";
import { digestOf, pinnedReference } from "./pins";

function pinOverrideReference(image: ImageConfig, pin: { digest: string; tag?: string }): string {
    return pinnedReference(image.repositoryUrl, pin.tag ?? image.tags[0], pin.digest);
}

/**
 * A pinned digest was published (and gated) earlier and may not be in the local engine: re-check what
 * the registry serves (layers, visibility, platform, env, as enabled). `layers` always runs, so a
 * mistyped digest fails on its missing manifest. No baseline: a pin holds (or rolls back to) an image
 * published earlier, and the size budgets judge a new release, never a rollback.
 */
export function registryOnlyChecks(checks: CheckOptions): CheckOptions {
    return { ...checks, baseline: "", enabled: REGISTRY_CHECKS.filter((n) => n === "layers" || n === "withdrawn" || checks.enabled.includes(n)) };
}

/**
 * A build whose digest is withdrawn with a `replacement` (the same bytes rebuilt by a commit that
 * changed nothing of the image) is replaced by that earlier release, checked as a `pin:` is: what the
 * registry serves, with the registry checks. Undefined when `reference` is not withdrawn, or is
 * withdrawn without a replacement (then its gate's `withdrawn` check fails, naming the reason).
 */
export function withdrawnReplacement(
    image: ImageConfig,
    withdrawn: readonly WithdrawnRelease[],
    reference: string,
): { reference: string; checks: CheckOptions; withdrawn: Pick<WithdrawnRelease, "digest" | "reason" | "date"> } | undefined {
    const digest = digestOf(reference);
    const release = withdrawn.find((w) => w.digest === digest);
    if (!release?.replacement) return undefined;
    return {
        reference: pinOverrideReference(image, release.replacement),
        checks: registryOnlyChecks(image.checks),
        withdrawn: { digest: release.digest, reason: release.reason, date: release.date },
    };
}

export function launcherPins<T>(
    launcher: LauncherConfig,
    images: ImageConfig[],
    verify: { built: (image: string) => T; pinned: (branch: string, reference: string, image: ImageConfig) => T },
): Record<string, T> {
    const pins: Record<string, T> = {};
    for (const branch of launcher.branches) {
        const image = images.find((i) => i.name === branch.image)!;
        pins[branch.name] = branch.pin ? verify.pinned(branchSlug(branch.name), pinOverrideReference(image, branch.pin), image) : verify.built(image.name);
    }
    return pins;
}
