/**
 * What each image is built from: a staged build context holding only the files the image needs, its
 * OCI labels (set by the build, docker-build's `labels`) and a fingerprint of the files that force a rebuild.
 * No Pulumi import.
 *
 * Why staging: docker-build's `Image` hashes its whole context directory to decide whether to rebuild, so a
 * context of the whole checkout (with `.git`) would rebuild and push gigabytes on every docs commit.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, ImageConfig, KEYS } from "../config/schema";
import { stageBuildContext } from "./context";
import { declareFingerprintArg, readDockerfile } from "./dockerfile";
import { fingerprintSources, listSourceFiles, unmatchedPatterns } from "./fingerprint";
import { missingCopyProblems, parentByTagReports, undeclaredArgProblems, unmatchedPatternProblems } from "./sourceChecks";
import { currentBranch, findWorktree, refCandidates, resolveRef, runGit } from "../git/commands";
import { shown } from "../text/quotedValue";
import { toGitPathspecs } from "../names/globs";

/** The build arg that carries the source fingerprint, so a changed trigger file busts Docker's layer cache. */
export const FINGERPRINT_ARG = "UW3_SOURCE_FINGERPRINT";

/** A Dockerfile is read whole to check it; a larger file is not one. */
const MAX_DOCKERFILE_BYTES = 1024 * 1024;

export interface PreparedBuild {
    /** The build context directory, relative to the program's directory. */
    contextDir: string;
    /** The staged Dockerfile: docker-build resolves it against the program's directory, not the context. */
    dockerfile: string;
    /**
     * For a ref build whose args carry `{ref}`: the Dockerfile to hand BuildKit instead (inline), the staged one
     * with FINGERPRINT_ARG declared before the first use of such an arg in each stage (`declareFingerprintArg`).
     */
    inlineDockerfile?: string;
    /** `sha256:<hex>` over the image's `rebuildOn` files. */
    fingerprint: string;
    /** `sha256:<hex>` over the files of its staged context (what docker-build hashes to decide a rebuild). */
    contextFingerprint: string;
    /** The OCI labels the build sets on the image (`docker build --label`). */
    labels: Record<string, string>;
    /** What the Dockerfile does that the stack cannot vouch for (a parent reached by tag), one line each. */
    warnings: string[];
}

/**
 * OCI labels. `revision` and `created` come from the last commit that touched the image's own
 * inputs, not HEAD: a label that changed on every commit would change the build's inputs and rebuild the image.
 */
function ociLabels(args: { sourceUrl: string; release: string; revision: string; created: string }): Record<string, string> {
    return {
        // Also what links a GHCR package to its repository.
        "org.opencontainers.image.source": args.sourceUrl,
        "org.opencontainers.image.revision": args.revision,
        "org.opencontainers.image.version": args.release,
        "org.opencontainers.image.created": args.created,
    };
}

/** The newest commit (up to `at`, HEAD by default) touching any of the patterns: `{revision, created}`, or "unknown" outside git. */
function lastCommitTouching(checkout: string, patterns: readonly string[], at?: string): { revision: string; created: string } {
    if (!findWorktree(checkout)) return { revision: "unknown", created: "1970-01-01T00:00:00Z" };
    const out = runGit(checkout, ["log", "-1", "--format=%H%x00%cI", ...(at !== undefined ? ["--end-of-options", at] : []), "--", ...toGitPathspecs(patterns)])
        .toString("utf8")
        .trim();
    if (!out) return { revision: "unknown", created: "1970-01-01T00:00:00Z" };
    const [revision, created] = out.split("\0");
    return { revision, created };
}

/**
 * The commit a ref build is made from: its ref in the checkout (a local branch, a tag, a branch of `origin`).
 * A missing ref, and a written-once build of a ref that is not a tag, are one line naming the image and ref.
 */
function refCommit(image: ImageConfig, ref: string, checkout: string): string {
    const found = resolveRef(checkout, ref);
    if (!found) {
        throw new Error(
            `\`${KEYS.images}.${image.key}.refs\`: image ${shown(image.key)} is built from ref ${shown(ref)}, which the checkout ${checkout} does not have (looked for ${refCandidates(ref).join(", ")}); fetch it (git fetch origin ${ref}) or remove it from \`refs\``,
        );
    }
    // A tag does not move, so its build is decided once; a branch moves, and each move would be refused.
    if (image.writeOnce && image.build === "always" && !found.isTag) {
        throw new Error(
            `\`${KEYS.images}.${image.key}.refs\`: ref ${shown(ref)} of image ${shown(image.key)} is written once and built on every run, which only a tag allows (it does not move); found ${found.fullName}`,
        );
    }
    return found.commit;
}

/** Where an image's sources come from and where they are staged: plain values from the config. */
export interface BuildSource {
    /** The program's directory: `path` and `stagingRoot` are relative to it. */
    programDir: string;
    /** `source.path` as configured: the checkout. */
    path: string;
    /** `owner/name` on GitHub: the labels' source URL, and the error for a missing checkout names it. */
    repository: string;
    release: string;
    /** Where staged contexts go (one subdirectory per image), relative to the program's directory. */
    stagingRoot: string;
    /** `source.branch`: the branch a git checkout must be on, when set. */
    branch?: string;
}

/**
 * The directory an image's context is staged in, named for its content: `<image>-<12 hex of the context
 * fingerprint>`. BuildKit keeps a client's last upload of a context directory under a key made of the
 * directory's base name (buildx: `filepath.Base` of the context, plus the client's node id) and sends only
 * files whose size, mode or mtime differ. Staged files all carry one fixed mtime, so under a fixed name an
 * edit that keeps a file's size (`a = 1` to `a = 2`) was not sent, and a persistent builder built the old
 * bytes. Named for its content, a context that differs has a key of its own; the same content, the same key.
 */
function stagedContextDir(source: BuildSource, imageName: string, contextFingerprint: string): string {
    return path.join(source.stagingRoot, `${imageName}-${contextFingerprint.replace(/^sha256:/, "").slice(0, 12)}`);
}

/** Removes an image's contexts staged for other content (and nothing else) from `stagingRoot`. */
function removeOtherStagings(stagingRoot: string, imageName: string, keep: string): void {
    const earlier = (entry: string) => entry.startsWith(`${imageName}-`) && /^[0-9a-f]{12}$/.test(entry.slice(imageName.length + 1));
    for (const entry of fs.readdirSync(stagingRoot)) {
        if (entry !== keep && earlier(entry)) fs.rmSync(path.join(stagingRoot, entry), { recursive: true, force: true });
    }
}

/** Throws a ConfigError listing every pattern of `image` that matches no file of the checkout (of commit `at`). */
function checkPatternsMatch(image: ImageConfig, checkout: string, rebuildOnUnmatched: readonly string[], at?: string): void {
    const contextFiles = listSourceFiles(checkout, image.context, at).files.map((f) => f.path);
    if (unmatchedPatterns(image.context, contextFiles).length === 0 && rebuildOnUnmatched.length === 0) return;
    // Only now the whole tree: the problem names the directories that do exist.
    const all = listSourceFiles(checkout, ["**"], at).files.map((f) => f.path);
    throw new ConfigError(unmatchedPatternProblems(image, all));
}

/**
 * Stages one image's context and reads its labels. Without a checkout, `required` decides: a run
 * that builds needs one (a one-line error naming the path), a dry run (preview, `uw3-binder plan`) shows
 * its absence in the fingerprint and stages nothing. With one, every run (plan, preview, up) refuses
 * patterns that match nothing, COPY sources the staged context lacks and build args no ARG declares.
 * `stack` is every image of the stack: a Dockerfile reaching one of them by tag is a warning.
 */
export function prepareBuild(image: ImageConfig, source: BuildSource, required: boolean, stack: readonly ImageConfig[] = []): PreparedBuild {
    const checkout = path.resolve(source.programDir, source.path);
    // A build per ref is a version of its ref, whichever release's stack builds it: a new release must not
    // change (and so rebuild and repin) a following branch's image.
    const version = image.ref ?? source.release;
    const sourceUrl = `https://github.com/${source.repository}`;
    if (!(fs.existsSync(checkout) && fs.statSync(checkout).isDirectory())) {
        const contextDir = path.join(source.stagingRoot, image.name);
        const dockerfile = path.join(contextDir, image.dockerfile);
        if (required) {
            throw new Error(`\`${KEYS.source}.path\`: expected a checkout of ${source.repository} at ${checkout} (resolved from "${source.path}"), found none`);
        }
        return {
            contextDir,
            dockerfile,
            fingerprint: `(no checkout at ${source.path})`,
            contextFingerprint: `(no checkout at ${source.path})`,
            labels: ociLabels({ sourceUrl, release: version, revision: "unknown", created: "unknown" }),
            warnings: [],
        };
    }
    // An image built per ref reads its ref's commit from git, whatever the work tree holds.
    const at = image.ref === undefined ? undefined : refCommit(image, image.ref, checkout);
    if (source.branch !== undefined && at === undefined && findWorktree(checkout)) {
        const found = currentBranch(checkout);
        if (found !== source.branch) {
            throw new ConfigError([
                `\`${KEYS.source}.branch\`: expected the checkout ${checkout} on ${source.branch}, found ${found === undefined ? "a detached HEAD" : found}; its images' tags say they hold ${source.branch}`,
            ]);
        }
    }
    const { fingerprint, unmatchedPatterns: rebuildOnUnmatched } = fingerprintSources(checkout, image.rebuildOn, at);
    checkPatternsMatch(image, checkout, rebuildOnUnmatched, at);
    const labels = ociLabels({ sourceUrl, release: version, ...lastCommitTouching(checkout, [...image.context, ...image.rebuildOn], at) });
    // What is staged: the context at the ref's commit (or the work tree).
    const contextFingerprint = fingerprintSources(checkout, image.context, at).fingerprint;
    const contextDir = stagedContextDir(source, image.name, contextFingerprint);
    const dockerfile = path.join(contextDir, image.dockerfile);
    const staged = stageBuildContext(checkout, image.context, path.resolve(source.programDir, contextDir), at);
    removeOtherStagings(path.resolve(source.programDir, source.stagingRoot), image.name, path.basename(contextDir));
    if (!staged.files.includes(image.dockerfile)) {
        const where = image.ref === undefined ? checkout : `ref ${shown(image.ref)} of ${checkout}`;
        throw new Error(`\`${KEYS.images}.${image.key}.dockerfile\`: expected ${image.dockerfile} in ${where}, found none`);
    }
    const stagedDockerfile = path.join(staged.dir, image.dockerfile);
    if (fs.statSync(stagedDockerfile).size > MAX_DOCKERFILE_BYTES) {
        throw new Error(`\`${KEYS.images}.${image.key}.dockerfile\`: ${image.dockerfile} is over ${MAX_DOCKERFILE_BYTES} bytes; expected a Dockerfile`);
    }
    const dockerfileText = fs.readFileSync(stagedDockerfile, "utf8");
    const facts = readDockerfile(dockerfileText);
    const problems = [...missingCopyProblems(image, facts, staged.files), ...undeclaredArgProblems(image, facts)];
    if (problems.length > 0) throw new ConfigError(problems);
    // A Dockerfile that fetches the ref inside the build (`git clone --branch ${UW3_BRANCH}`) never sees the
    // fingerprint unless it declares it: BuildKit would reuse the fetching layer and ship the old code.
    const inlineDockerfile = image.refArgs.length > 0 ? declareFingerprintArg(dockerfileText, FINGERPRINT_ARG, image.refArgs).text : undefined;
    return {
        contextDir,
        dockerfile,
        ...(inlineDockerfile !== undefined ? { inlineDockerfile } : {}),
        fingerprint,
        contextFingerprint,
        labels,
        warnings: parentByTagReports(image, facts, stack),
    };
}
