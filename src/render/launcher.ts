/**
 * The files uw3-binder writes to each launcher branch, and their commit messages.
 * Pure functions: the same inputs give byte-identical text, so a no-change `pulumi up` commits nothing.
 * Every text here depends only on that branch's own pin and the branch list, so repinning one branch
 * never commits to another (mybinder.org caches a launcher by its commit). A frozen branch's texts depend
 * only on its own pin, name and Underworld3 branch and on the following branches: never on the stack's
 * release or on the other frozen branches, so no later release commits to it. A following branch of a
 * build per ref names the ref it follows instead of the release, so a new release commits to it only when
 * its image changed. The default branch's badge table lists the following branches only, as the real
 * launcher's does: a new frozen release changes no other branch's files (issue 18).
 */
import { badgeMarkdown, contentLaunchUrl, contentLinkTemplate, launchUrl, releaseLaunchUrlTemplate } from "../links/binder";
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
    /** A frozen release branch: its files leave out `release` and `size` (see the module comment). */
    frozen?: boolean;
    /**
     * A following branch of a build per ref (an image with `refs`): the ref it follows, which its files
     * name in place of `release` (see the module comment).
     */
    follows?: string;
}

/** A launcher branch as the READMEs list it. */
export interface BranchListing {
    name: string;
    uw3Branch: string;
    frozen?: boolean;
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

/** What a following branch's Dockerfile comment and commit messages name: `release v3.0.2`, or `follows main` for a build per ref. */
function releaseOrRef(pin: LauncherPin): string {
    return pin.follows === undefined ? `release ${pin.release}` : `follows ${pin.follows}`;
}

/** `.binder/Dockerfile`: mybinder.org requires a tag; the digest makes the pin exact (and Renovate reads `tag@sha256:`). */
export function launcherDockerfile(pin: LauncherPin): string {
    splitPinnedReference(pin.reference);
    // The config refuses these already; a value that slipped past must not reach the file.
    const problem = uw3BranchProblem(pin.uw3Branch);
    if (problem) throw new Error(`launcher branch ${shown(pin.branch)}: uw3Branch ${shown(pin.uw3Branch)}: ${problem}`);
    const refProblem = pin.follows === undefined ? undefined : uw3BranchProblem(pin.follows);
    if (refProblem) throw new Error(`launcher branch ${shown(pin.branch)}: the ref it follows, ${shown(pin.follows)}: ${refProblem}`);
    return [
        pin.frozen
            ? `# Binder launcher for Underworld3 - ${pin.branch}, a frozen release: its image never changes`
            : `# Binder launcher for Underworld3 - ${pin.branch} branch (${releaseOrRef(pin)})`,
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

/** The example content repository the README's nbgitpuller section opens (the real launcher's example). */
const EXAMPLE_CONTENT = { owner: "myuser", repository: "geodynamics-course", branch: "main", path: "tutorials/intro.ipynb" };

/** "Launch your own notebooks": nbgitpuller, with the link `uw3-binder link` makes for this branch. */
function ownNotebooksSection(repo: LauncherRepo, branch: string): string[] {
    const launcher = { owner: repo.owner, repository: repo.repository, branch };
    const example = contentLaunchUrl({ launcher, content: EXAMPLE_CONTENT, app: "lab" });
    const { owner, repository, branch: contentBranch, path } = EXAMPLE_CONTENT;
    return [
        "## Launch your own notebooks",
        "",
        "This launcher opens **any public GitHub repository** in the Underworld3 environment with",
        "[nbgitpuller](https://nbgitpuller.readthedocs.io/): the repository needs no `.binder/` directory, Dockerfile",
        "or other configuration. nbgitpuller clones it into the session on each launch, so its updates are picked up.",
        "",
        `To open \`${owner}/${repository}\` (branch \`${contentBranch}\`) at \`${path}\` on this branch:`,
        "",
        "```",
        example,
        "```",
        "",
        "`uw3-binder link` (in the uw3-binder repository) makes these links and their badges, encoded exactly:",
        "",
        "```bash",
        `uw3-binder link ${owner}/${repository} --branch ${contentBranch} --path ${path} --launcher ${repo.owner}/${repo.repository} --launcher-branch ${branch}`,
        "uw3-binder link YOUR_USER/YOUR_REPO --format markdown   # a badge for your README",
        "```",
        "",
        "The link with the parts to fill in (a plain owner, repository, branch and path):",
        "",
        "```",
        contentLinkTemplate(launcher),
        "```",
        "",
        "When someone clicks such a link:",
        "",
        "1. mybinder.org starts the pre-built Underworld3 image this branch pins (cached, fast);",
        "2. nbgitpuller clones the repository into the JupyterLab workspace (or pulls it, keeping local changes);",
        "3. JupyterLab opens at the given notebook or folder.",
        "",
        "Your repository must be public on GitHub; notebooks use the `python3` kernel and `import underworld3 as uw`.",
        "",
    ];
}

/**
 * The badge table of the default branch's README: one row per following branch, branch names only, never
 * digests. Frozen releases have no row (a new release would otherwise commit to the default branch); the
 * README's "Pinning to a release" section says how to launch one.
 */
function badgeTable(repo: LauncherRepo, branches: readonly BranchListing[]): string[] {
    const lines = ["## Launch badges", "", "| Launcher branch | Underworld3 branch | Launch |", "|---|---|---|"];
    for (const b of branches.filter((b) => !b.frozen)) {
        lines.push(`| \`${b.name}\` | \`${b.uw3Branch}\` (follows it) | ${badgeFor(repo, b.name).badge} |`);
    }
    lines.push("", "Each release also has its own frozen launcher branch: see [Pinning to a release](#pinning-to-a-release).", "");
    return lines;
}

/**
 * `README.md`. Every branch states what it runs and how to launch your own repository on it; the default
 * branch also has one badge row per following branch (the rows name branches only, never digests, so
 * repinning another branch leaves it alone). No README names a frozen branch other than its own, so
 * adding a frozen release leaves every other branch's README alone.
 */
export function launcherReadme(repo: LauncherRepo, pin: LauncherPin, branches: readonly BranchListing[]): string {
    const own = badgeFor(repo, pin.branch);
    const following = branches.filter((b) => !b.frozen && b.name !== pin.branch);
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
        ...(pin.frozen
            ? []
            : [pin.follows === undefined ? `- Release: ${pin.release}` : `- Follows: \`${pin.follows}\` (repinned to each verified build of that ref)`]),
        `- Image: \`${pin.reference}\``,
        ...(pin.size && !pin.frozen ? [`- Size: ${sizeLine(pin.size)}`] : []),
        "",
    ];
    if (pin.frozen) {
        lines.push(
            "## A frozen release",
            "",
            `This branch is a frozen release: it launches the image above, by its digest, and the Underworld3 code`,
            `built into it (\`${pin.uw3Branch}\`), on every launch and for good. Link to it from teaching material and`,
            "published notebooks that must keep working as they are.",
            ...(following.length > 0
                ? ["", `For the latest Underworld3, launch ${following.map((b) => `[\`${b.name}\`](${badgeFor(repo, b.name).url})`).join(" or ")}.`]
                : []),
            "",
        );
    }
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
    if (pin.branch === repo.defaultBranch) lines.push(...badgeTable(repo, branches));
    lines.push(...ownNotebooksSection(repo, pin.branch));
    lines.push(
        "## Pinning to a release",
        "",
        "Each Underworld3 release has a launcher branch named after its tag (such as `v3.0.1`): a frozen release,",
        "pinned to the digest of the image built and checked for that release. Its files never change again, so",
        "mybinder.org keeps its build cached. The following branches (such as `main` and `development`) are",
        "repinned to each new verified build of their Underworld3 branch.",
        "",
        "Launch a release by its tag:",
        "",
        "```",
        releaseLaunchUrlTemplate(repo.owner, repo.repository),
        "```",
        "",
        "## How this repository is updated",
        "",
        "uw3-binder (a Pulumi program run by the Underworld3 maintainers) builds each image, checks it, rehearses",
        "its launch as mybinder.org starts it, and only then commits the pinned `.binder/Dockerfile` and this README.",
        `It also writes \`${UPDATE_WORKFLOW_FILE}\`, which no longer edits anything: the old workflow rewrote the`,
        "`FROM` line to a mutable tag, which lost the digest pin.",
        "",
    );
    return lines.join("\n");
}

/**
 * The launcher's old `repository_dispatch` workflow rewrote `.binder/Dockerfile` FROM to a mutable tag
 * with sed, stripping every pin; uw3-binder writes this in its place on every branch, so a dispatch that
 * still arrives does nothing but say why.
 */
export const UPDATE_WORKFLOW_FILE = ".github/workflows/update-image.yml";

export function updateWorkflow(): string {
    return [
        "# Managed by uw3-binder; edits by hand are overwritten by the next `pulumi up`.",
        "# This workflow used to rewrite .binder/Dockerfile's FROM to a mutable tag on each image-updated dispatch,",
        "# which stripped the digest pin. uw3-binder now pins every branch itself, after checking and rehearsing",
        "# the image; a dispatch that still arrives changes nothing.",
        "name: Update Image Reference",
        "",
        "on:",
        "  repository_dispatch:",
        "    types: [image-updated]",
        "",
        "permissions: {}",
        "",
        "jobs:",
        "  managed-by-uw3-binder:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        '      - run: echo "uw3-binder pins this launcher\'s branches; the image-updated dispatch is no longer used."',
        "",
    ].join("\n");
}

/** `3.3 GB compressed; this repin added 57.0 MB that 2025.01 did not have`. */
export function sizeLine(size: PinSize): string {
    const added =
        size.newBytes === undefined || size.previousRelease === undefined
            ? ""
            : `; this repin added ${formatSize(size.newBytes)} that ${markdownText(size.previousRelease)} did not have`;
    return `${formatSize(size.imageBytes)} compressed${added}`;
}

/**
 * Names the release (or the ref a build per ref follows) and the short digest; depends on nothing the
 * file's content does not, so it never changes alone. A frozen branch's name no release (its files name none).
 */
export function launcherCommitMessage(file: "Dockerfile" | "README" | "workflow", pin: LauncherPin): string {
    if (file === "workflow") return `Replace ${UPDATE_WORKFLOW_FILE}: uw3-binder pins ${pin.branch}`;
    const short = shortReference(pin.reference);
    const release = pin.frozen ? "frozen release" : releaseOrRef(pin);
    return file === "Dockerfile" ? `Pin ${pin.branch} to ${short} (${release})` : `Update ${pin.branch} README for ${short} (${release})`;
}
