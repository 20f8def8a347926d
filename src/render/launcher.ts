/**
 * The files uw3-binder writes to each launcher branch, and their commit messages.
 * Pure functions: the same inputs give byte-identical text, so a no-change `pulumi up` commits nothing.
 * Every text here depends only on that branch's own pin and the branch list, so repinning one branch
 * never commits to another (mybinder.org caches a launcher by its commit).
 */
import { badgeMarkdown, launchUrl } from "../links/binder";
import { ImageReference, parseImageReference } from "../names/oci";
import { uw3BranchProblem } from "../names/git";
import { shown } from "../text/quotedValue";
// Resource names of a branch (the components take it from here with the renderers).
export { branchSlug } from "../names/git";
import { formatSize } from "../registry/layerSizes";

/** What one launcher branch runs. */
export interface LauncherPin {
    branch: string;
    uw3Branch: string;
    release: string;
    /** `<server>/<namespace>/<repository>:<tag>@sha256:<64 hex>` */
    reference: string;
    /** The image's compressed size and what this repin added, when its gate measured them (README only). */
    size?: PinSize;
    /** The withdrawn release this branch was repinned from (its `pin:` named it, or its build came out as it). */
    withdrawn?: { digest: string; reason: string; date: string };
}

/** What `check --baseline` measured for a pin: what a mybinder.org node pulls. */
export interface PinSize {
    /** Compressed bytes of the image (its linux/amd64 manifest). */
    imageBytes: number;
    /** Compressed bytes of layers the previous release lacked; undefined when there was none to compare. */
    newBytes?: number;
    /** What it was compared with, as the README names it: the baseline's `repository:tag` (the previous release's tag). */
    previousRelease?: string;
}

/** A gate's measurement as the README's figures: the baseline named by its last path segment, `uw3-base:2025.01-slim`. */
export function pinSize(measured: { imageBytes: number; newBytes?: number; baseline?: string }): PinSize {
    if (measured.newBytes === undefined || measured.baseline === undefined) return { imageBytes: measured.imageBytes };
    return { imageBytes: measured.imageBytes, newBytes: measured.newBytes, previousRelease: measured.baseline.split("/").pop() };
}

/** A maintainer's free-text reason as one line of Markdown text: no line breaks, no markup of its own. */
function markdownText(text: string): string {
    return text
        .replace(/\s+/g, " ")
        .trim()
        .replace(/[\\`*_[\]<>#|!]/g, (c) => `\\${c}`);
}

export interface LauncherRepo {
    owner: string;
    repository: string;
    defaultBranch: string;
}

/** Splits `<repository>:<tag>@sha256:<hex>`; anything else is a programming error worth a clear message. */
export function splitPinnedReference(reference: string): { repository: string; tag: string; digest: string } {
    let parsed: ImageReference | undefined;
    try {
        parsed = parseImageReference(reference);
    } catch {
        parsed = undefined;
    }
    if (!parsed?.tag || !parsed.digest || !reference.includes(`:${parsed.tag}@`)) {
        throw new Error(`expected a pinned image reference <repository>:<tag>@sha256:<64 hex>, found ${shown(reference)}`);
    }
    return { repository: `${parsed.registry}/${parsed.repository}`, tag: parsed.tag, digest: parsed.digest };
}

/** `uw3-base:2025.01-slim@sha256:6d3894260f28`: the short form commit messages use. */
export function shortReference(reference: string): string {
    const { repository, tag, digest } = splitPinnedReference(reference);
    return `${repository.split("/").pop()}:${tag}@${digest.slice(0, "sha256:".length + 12)}`;
}

/** `.binder/Dockerfile`: mybinder.org requires a tag; the digest makes the pin exact (and Renovate reads `tag@sha256:`). */
export function launcherDockerfile(pin: LauncherPin): string {
    splitPinnedReference(pin.reference);
    // The config refuses these already; a value that slipped past must not reach the file.
    const problem = uw3BranchProblem(pin.uw3Branch);
    if (problem) throw new Error(`launcher branch ${shown(pin.branch)}: uw3Branch ${shown(pin.uw3Branch)}: ${problem}`);
    return [
        `# Binder launcher for Underworld3 - ${pin.branch} branch (release ${pin.release})`,
        "# Managed by uw3-binder; edits by hand are overwritten by the next `pulumi up`.",
        `FROM ${pin.reference}`,
        `ENV UW3_BRANCH=${pin.uw3Branch}`,
        "",
    ].join("\n");
}

function badgeFor(repo: LauncherRepo, branch: string): { url: string; badge: string } {
    const url = launchUrl({ owner: repo.owner, repository: repo.repository, ref: branch });
    return { url, badge: badgeMarkdown(url) };
}

/**
 * `README.md`. Every branch states what it runs; the default branch also has one badge row per launcher
 * branch (the rows name branches only, never digests, so repinning another branch leaves it alone).
 */
export function launcherReadme(repo: LauncherRepo, pin: LauncherPin, branches: { name: string; uw3Branch: string }[]): string {
    const own = badgeFor(repo, pin.branch);
    const lines = [
        `# ${repo.repository}`,
        "",
        "<!-- Managed by uw3-binder; edits by hand are overwritten by the next `pulumi up`. -->",
        "",
        `Launches Underworld3 on mybinder.org from a pre-built image. This is the \`${pin.branch}\` branch.`,
        "",
        own.badge,
        "",
        `- Launch: ${own.url}`,
        `- Underworld3 branch: \`${pin.uw3Branch}\``,
        `- Release: ${pin.release}`,
        `- Image: \`${pin.reference}\``,
        ...(pin.size ? [`- Size: ${sizeLine(pin.size)}`] : []),
        "",
    ];
    if (pin.withdrawn) {
        lines.push(
            "## Withdrawn release",
            "",
            `\`${pin.withdrawn.digest}\` was withdrawn on ${pin.withdrawn.date}: ${markdownText(pin.withdrawn.reason)}`,
            "",
            "This branch no longer launches it; it was repinned to the image above.",
            "",
        );
    }
    if (pin.branch === repo.defaultBranch) {
        lines.push("## Launch badges", "", "| Launcher branch | Underworld3 branch | Launch |", "|---|---|---|");
        for (const b of branches) {
            lines.push(`| \`${b.name}\` | \`${b.uw3Branch}\` | ${badgeFor(repo, b.name).badge} |`);
        }
        lines.push("");
    }
    return lines.join("\n");
}

/** `3.3 GB compressed; this repin added 57.0 MB that 2025.01 did not have`. */
export function sizeLine(size: PinSize): string {
    const added =
        size.newBytes === undefined || size.previousRelease === undefined
            ? ""
            : `; this repin added ${formatSize(size.newBytes)} that ${markdownText(size.previousRelease)} did not have`;
    return `${formatSize(size.imageBytes)} compressed${added}`;
}

/** Names the release and the short digest; depends on nothing the file's content does not, so it never changes alone. */
export function launcherCommitMessage(file: "Dockerfile" | "README", pin: LauncherPin): string {
    const short = shortReference(pin.reference);
    return file === "Dockerfile"
        ? `Pin ${pin.branch} to ${short} (release ${pin.release})`
        : `Update ${pin.branch} README for ${short} (release ${pin.release})`;
}
