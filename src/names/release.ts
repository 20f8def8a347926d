/**
 * A release month and the stack it lives in: `YYYY.MM` (the config's `release` and `previousRelease`,
 * `rehearse --release`) and `YYYY-MM` (its stack, `Pulumi.YYYY-MM.yaml`), both from one pattern of months.
 */

/** Year and month, with the separator left to fill in. */
const yearMonth = (separator: string) => String.raw`(\d{4})${separator}(0[1-9]|1[0-2])`;

export const RELEASE_PATTERN = new RegExp(`^${yearMonth(String.raw`\.`)}$`);
/** A monthly stack's name, `YYYY-MM`: the stack of release `YYYY.MM`. */
export const MONTHLY_STACK_PATTERN = new RegExp(`^${yearMonth("-")}$`);
/** A monthly stack's file; group 1 is the stack. */
export const MONTHLY_STACK_FILE_PATTERN = new RegExp(String.raw`^Pulumi\.(${yearMonth("-")})\.yaml$`);

/** Why a release is refused, as "expected ..." (the config) or after the flag (a command line), or undefined. */
export function releaseProblem(release: unknown): string | undefined {
    return typeof release === "string" && RELEASE_PATTERN.test(release) ? undefined : 'expected a release month YYYY.MM (for example "2025.01")';
}

/** Release `2025.02`'s stack, `2025-02` (the release is not checked here). */
export function stackOfRelease(release: string): string {
    return release.replace(".", "-");
}

/** Monthly stack `2025-02`'s release, `2025.02`. */
export function releaseOfStack(stack: string): string {
    return stack.replace("-", ".");
}
