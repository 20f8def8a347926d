/**
 * A release month, `YYYY.MM`: the config's `release` and `previousRelease`, `rehearse --release`, and the
 * stack a release lives in (`Pulumi.YYYY-MM.yaml`).
 */

export const RELEASE_PATTERN = /^(\d{4})\.(0[1-9]|1[0-2])$/;

/** Why a release is refused, as "expected ..." (the config) or after the flag (a command line), or undefined. */
export function releaseProblem(release: unknown): string | undefined {
    return typeof release === "string" && RELEASE_PATTERN.test(release) ? undefined : 'expected a release month YYYY.MM (for example "2025.01")';
}
