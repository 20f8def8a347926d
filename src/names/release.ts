/**
 * A release and the stack it lives in: the one home of both kinds of release name.
 *
 * - A month `YYYY.MM` (`2025.01`): its stack is `YYYY-MM` (`2025-01`, file `Pulumi.2025-01.yaml`).
 * - A version `v3.0.2`, `3.0.2`, `v0.99` (an optional `v`, then two or three dot-separated numbers): its stack
 *   is the version itself (`v3.0.2`, file `Pulumi.v3.0.2.yaml`); Pulumi stack names allow dots.
 *
 * Several releases may fall in one month, so a version is never read as a date. Releases of one kind are
 * ordered (months by date, versions numerically); a month and a version are not comparable, and a stack may
 * switch from months to versions (a version's `previousRelease` may be a month).
 */

/** Year and month, with the separator left to fill in. */
const yearMonth = (separator: string) => String.raw`(\d{4})${separator}(0[1-9]|1[0-2])`;
/**
 * A version: an optional `v`, two or three numbers without leading zeros (`v3.0.2`, `v0.99`); the first of at
 * most 3 digits, so that no version reads like a month (`2025.13` is a bad month, not a version), the others
 * of at most 6. Bounded: a version is at most 18 characters.
 */
const NUMBER = (digits: number) => String.raw`(?:0|[1-9]\d{0,${digits - 1}})`;
const VERSION = String.raw`v?${NUMBER(3)}(?:\.${NUMBER(6)}){1,2}`;

const MONTH_PATTERN = new RegExp(`^${yearMonth(String.raw`\.`)}$`);
const MONTH_STACK_PATTERN = new RegExp(`^${yearMonth("-")}$`);
const VERSION_PATTERN = new RegExp(`^${VERSION}$`);
/** A month's stack `YYYY-MM`, or a version's stack (the version itself). */
const STACK_PATTERN = new RegExp(`^(?:${yearMonth("-")}|${VERSION})$`);
/** A release's stack file; group 1 is the stack. */
const STACK_FILE_PATTERN = new RegExp(String.raw`^Pulumi\.(${yearMonth("-")}|${VERSION})\.yaml$`);

/** What a release looks like, as the end of "expected ...". */
export const RELEASE_EXPECTED = 'a release: a month YYYY.MM (for example "2025.01") or a version such as "v3.0.2"';
/** What a release's stack looks like, as the end of "expected ...". */
export const RELEASE_STACK_EXPECTED = 'a release\'s stack: a month YYYY-MM (for example "2025-01") or a version such as "v3.0.2"';

type ReleaseKind = "month" | "version";

/** A release's kind, or undefined when `release` is not a release. */
export function releaseKind(release: unknown): ReleaseKind | undefined {
    if (typeof release !== "string") return undefined;
    return MONTH_PATTERN.test(release) ? "month" : VERSION_PATTERN.test(release) ? "version" : undefined;
}

/** Why a release is refused, as "expected ..." (the config) or after the flag (a command line), or undefined. */
export function releaseProblem(release: unknown): string | undefined {
    return releaseKind(release) === undefined ? `expected ${RELEASE_EXPECTED}` : undefined;
}

/** Whether `stack` is a release's stack (`2025-01`, `v3.0.2`). */
export function isReleaseStack(stack: string): boolean {
    return STACK_PATTERN.test(stack);
}

/** Release `2025.02`'s stack `2025-02`; version `v3.0.2`'s stack `v3.0.2` (the release is not checked here). */
export function stackOfRelease(release: string): string {
    return MONTH_PATTERN.test(release) ? release.replace(".", "-") : release;
}

/** Stack `2025-02`'s release `2025.02`; stack `v3.0.2`'s release `v3.0.2`. */
export function releaseOfStack(stack: string): string {
    return MONTH_STACK_PATTERN.test(stack) ? stack.replace("-", ".") : stack;
}

/** The release stacks among `fileNames` (`Pulumi.2025-01.yaml`, `Pulumi.v3.0.2.yaml`), as stack names. */
export function releaseStacksOfFiles(fileNames: string[]): string[] {
    return fileNames.map((f) => STACK_FILE_PATTERN.exec(f)?.[1]).filter((s): s is string => s !== undefined);
}

/** A version's numbers: `v3.0.2` -> [3, 0, 2]; a missing third number is 0 (`v0.99` = `0.99.0`). */
function versionNumbers(version: string): number[] {
    const numbers = version.replace(/^v/, "").split(".").map(Number);
    while (numbers.length < 3) numbers.push(0);
    return numbers;
}

/**
 * The order of two releases of one kind: negative when `a` is earlier, 0 when they are the same release
 * (`v3.0` and `3.0.0` are), positive when later; undefined for two kinds (a month and a version) or a
 * non-release.
 */
export function compareReleases(a: string, b: string): number | undefined {
    const kind = releaseKind(a);
    if (kind === undefined || kind !== releaseKind(b)) return undefined;
    if (kind === "month") return a < b ? -1 : a > b ? 1 : 0;
    const [x, y] = [versionNumbers(a), versionNumbers(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
}

/**
 * What may come before `release`, for "expected ...": "a month before 2025.02", or "a version before v3.0.2,
 * or a month (a switch from months to versions)".
 */
export function releasesBefore(release: string): string {
    return releaseKind(release) === "month" ? `a month before ${release}` : `a version before ${release}, or a month (a switch from months to versions)`;
}

/**
 * Why `previous` cannot be the release before `release` (as "expected ..."), or undefined: of one kind it
 * must be earlier; a month before a version is a switch of naming and allowed; a version before a month is not.
 */
export function previousReleaseProblem(previous: string, release: string): string | undefined {
    const order = compareReleases(previous, release);
    const allowed = order === undefined ? releaseKind(previous) === "month" && releaseKind(release) === "version" : order < 0;
    return allowed ? undefined : `expected ${releasesBefore(release)}`;
}

/** The latest release of `kind` among `stacks` (release stack names), before `before` when given, as its stack. */
function latestStack(stacks: string[], kind: ReleaseKind, before?: string): string | undefined {
    const latest = stacks
        .filter(isReleaseStack)
        .map(releaseOfStack)
        .filter((r) => releaseKind(r) === kind && (before === undefined || compareReleases(r, before)! < 0))
        .sort((a, b) => compareReleases(a, b)!)
        .at(-1);
    return latest === undefined ? undefined : stackOfRelease(latest);
}

/**
 * The latest of `stacks` (release stack names) of `release`'s kind that is before it; for a version with no
 * earlier version stack, the latest month (a switch from months to versions). Undefined when there is none.
 */
export function latestStackBeforeRelease(stacks: string[], release: string): string | undefined {
    const kind = releaseKind(release);
    if (kind === undefined) return undefined;
    return latestStack(stacks, kind, release) ?? (kind === "version" ? latestStack(stacks, "month") : undefined);
}

/**
 * The current release stack among `stacks`: the latest version when there is one (a stack that switched to
 * versions never goes back to months), else the latest month.
 */
export function latestReleaseStack(stacks: string[]): string | undefined {
    return latestStack(stacks, "version") ?? latestStack(stacks, "month");
}
