/**
 * Which reference each launcher branch pins: the gate-verified build of its image, or, with `pin:`,
 * a published digest (rollback, or holding one branch back while the others move); and what a build
 * that came out as a withdrawn digest is replaced with. The caller supplies how a
 * built or pinned reference becomes a verified one.
 */
import { CheckOptions, REGISTRY_CHECKS } from "../check/options";
import { ImageConfig, LauncherBranchConfig, LauncherConfig, WithdrawnRelease } from "../config/schema";
import { branchSlug } from "../names/git";
import { pinnedReference } from "./pins";

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
 * What a build that comes out as a withdrawn digest is replaced with, for each withdrawn digest that has a
 * `replacement` (the same bytes rebuilt by a commit that changed nothing of the image): that earlier
 * release, checked as a `pin:` is, with the registry checks. A digest withdrawn without one is not listed:
 * a build that comes out as it fails its gate's `withdrawn` check, naming the reason.
 */
export function withdrawnReplacements(
    image: ImageConfig,
    withdrawn: readonly WithdrawnRelease[],
): { digest: string; reference: string; checks: CheckOptions; withdrawn: Pick<WithdrawnRelease, "digest" | "reason" | "date"> }[] {
    return withdrawn.flatMap((release) =>
        release.replacement
            ? [
                  {
                      digest: release.digest,
                      reference: pinOverrideReference(image, release.replacement),
                      checks: registryOnlyChecks(image.checks),
                      withdrawn: { digest: release.digest, reason: release.reason, date: release.date },
                  },
              ]
            : [],
    );
}

/**
 * The image build a launcher branch takes from this stack, or undefined when the stack builds none for it.
 * The one lookup of "the build for this branch": a following branch takes its image's build; a frozen
 * branch only the build of its own ref (an image built per ref: that ref's build; one built per release, no refs: the release's).
 */
function branchBuild(branch: LauncherBranchConfig, images: readonly ImageConfig[], release: string): string | undefined {
    const image = images.find((i) => i.name === branch.image);
    if (!image || image.build === "on-request") return undefined;
    if (!branch.frozen) return image.name;
    // An image built per ref: the build of the branch's own ref, if this stack makes one.
    if (image.ref !== undefined) return image.ref === branch.uw3Branch ? image.name : undefined;
    return branch.uw3Branch === release ? image.name : undefined;
}

/**
 * What each launcher branch pins, in order: its `pin:`; else the build of its image this stack makes
 * for it (branchBuild); else, for a frozen branch, the digest its launcher branch already names (adopted).
 */
export function launcherPins<T>(
    launcher: LauncherConfig,
    images: ImageConfig[],
    release: string,
    verify: {
        built: (image: string) => T;
        pinned: (branch: string, reference: string, image: ImageConfig) => T;
        adopted: (branch: LauncherBranchConfig, image: ImageConfig) => T;
    },
): Record<string, T> {
    const pins: Record<string, T> = {};
    for (const branch of launcher.branches) {
        const image = images.find((i) => i.name === branch.image)!;
        const build = branchBuild(branch, images, release);
        if (branch.pin) pins[branch.name] = verify.pinned(branchSlug(branch.name), pinOverrideReference(image, branch.pin), image);
        else if (build !== undefined) pins[branch.name] = verify.built(build);
        else if (branch.frozen) pins[branch.name] = verify.adopted(branch, image);
        else throw new Error(`launcher branch ${branch.name}: the stack builds no ${branch.image} for it (the config rules refuse this)`);
    }
    return pins;
}
