/**
 * What is wrong with an image's sources before anything is built, from the checkout's file list and the
 * image's Dockerfile (./dockerfile.ts). Pure. Each problem is one line naming the key or the Dockerfile line:
 *   - a `context` or `rebuildOn` pattern that matches no file (a typo or a moved tree: the context would
 *     miss what the build needs, the trigger would never fire), with the nearest directories that exist;
 *   - a COPY/ADD of a path the staged context lacks (the build would fail after minutes);
 *   - a build arg the Dockerfile never declares with ARG (it would set, or pin, nothing).
 * And what is reported but not refused: a Dockerfile reaching, by tag, an image this stack builds (the
 * digest pin does not reach it; the build takes whatever the tag names when it runs).
 */
import { KEYS } from "../config/keys";
import type { ImageConfig } from "../config/binderConfig";
import { compileGlobs } from "../names/globs";
import { shown } from "../text/quotedValue";
import { DockerfileFacts, isDigestReference, missingCopies, repositoryOf } from "./dockerfile";

/** An image's key under `uw3-binder:images` (a ref build's is its image's), which a problem names. */
type Keyed = Partial<Pick<ImageConfig, "key">>;
const keyOf = (image: Pick<ImageConfig, "name"> & Keyed): string => image.key ?? image.name;

/** How many directories a problem suggests. */
const SUGGESTED = 4;

/** BuildKit's predefined build args: accepted without an ARG (the proxies reach every RUN). */
const PREDEFINED_ARGS = new Set(["HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY"].flatMap((a) => [a, a.toLowerCase()]));

/** The directories holding `files`, each once, sorted. */
function directoriesOf(files: readonly string[]): string[] {
    const dirs = new Set<string>();
    for (const file of files) {
        const parts = file.split("/");
        for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
    }
    return [...dirs].sort();
}

/**
 * The directories of the checkout nearest to what `pattern` names: those named as its first missing
 * directory is, wherever they are (`underworld/**` -> `src/underworld`); else the subdirectories of the
 * deepest directory of the pattern that exists.
 */
export function nearestDirectories(pattern: string, files: readonly string[]): string[] {
    const dirs = directoriesOf(files);
    const existing = new Set(dirs);
    const segments = pattern.split("/");
    const literal: string[] = [];
    for (const segment of segments.slice(0, -1)) {
        if (/[*?{}[\]\\]/.test(segment)) break;
        literal.push(segment);
    }
    let depth = 0;
    while (depth < literal.length && existing.has(literal.slice(0, depth + 1).join("/"))) depth++;
    const missing = literal[depth];
    if (missing !== undefined) {
        const rest = literal.slice(depth).join("/");
        const named = dirs.filter((d) => d === rest || d.endsWith(`/${rest}`) || d.split("/").pop() === missing);
        if (named.length > 0) return named.slice(0, SUGGESTED);
    }
    const parent = literal.slice(0, depth).join("/");
    const children = dirs.filter((d) => (parent === "" ? !d.includes("/") : d.startsWith(`${parent}/`) && !d.slice(parent.length + 1).includes("/")));
    return children.slice(0, SUGGESTED);
}

/** A `context`/`rebuildOn` pattern of `image` matching none of `files` (the whole checkout), one line each. */
export function unmatchedPatternProblems(image: Pick<ImageConfig, "name" | "context" | "rebuildOn"> & Keyed, files: readonly string[]): string[] {
    const problems: string[] = [];
    for (const field of ["context", "rebuildOn"] as const) {
        image[field].forEach((pattern, i) => {
            const glob = compileGlobs([pattern]);
            if (files.some((f) => glob.matches(f))) return;
            const near = nearestDirectories(pattern, files);
            const where = near.length > 0 ? `; nearest existing directories: ${near.join(", ")}` : "";
            problems.push(`\`${KEYS.images}.${keyOf(image)}.${field}[${i}]\`: the pattern ${shown(pattern)} matches no file of the source checkout${where}`);
        });
    }
    return problems;
}

/** Each COPY/ADD source the staged context lacks, naming the image, the Dockerfile line and the path. */
export function missingCopyProblems(image: Pick<ImageConfig, "name" | "dockerfile"> & Keyed, facts: DockerfileFacts, staged: readonly string[]): string[] {
    return missingCopies(facts, staged).map(
        (copy) =>
            `image ${shown(image.name)}: ${image.dockerfile}:${copy.line} ${copy.instruction} ${shown(copy.source)}: the staged build context has no such path; add it to \`${KEYS.images}.${keyOf(image)}.context\``,
    );
}

/** Each build arg given to `image` (its `args`, its parents' `from.arg`) that its Dockerfile never declares. */
export function undeclaredArgProblems(image: Pick<ImageConfig, "name" | "dockerfile" | "args" | "parents"> & Keyed, facts: DockerfileFacts): string[] {
    const problems: string[] = [];
    for (const arg of Object.keys(image.args)) {
        if (facts.args.has(arg) || PREDEFINED_ARGS.has(arg)) continue;
        problems.push(`\`${KEYS.images}.${keyOf(image)}.args.${arg}\`: ${image.dockerfile} never declares \`ARG ${arg}\`, so this build arg would set nothing`);
    }
    image.parents.forEach((parent) => {
        if (facts.args.has(parent.arg)) return;
        problems.push(
            `\`${KEYS.images}.${keyOf(image)}.from\`: ${image.dockerfile} never declares \`ARG ${parent.arg}\`, so the digest of ${shown(parent.image)} would pin nothing; name an ARG its FROM or COPY --from uses`,
        );
    });
    return problems;
}

/**
 * Each place `image`'s Dockerfile reaches, by tag, an image of `stack` (a FROM or COPY --from naming its
 * repository, directly or through an ARG default no parent overrides): the digest pin does not reach it.
 */
export function parentByTagReports(
    image: Pick<ImageConfig, "name" | "dockerfile" | "args" | "parents">,
    facts: DockerfileFacts,
    stack: readonly Pick<ImageConfig, "name" | "repositoryUrl">[],
): string[] {
    const pinnedArgs = new Set(image.parents.map((p) => p.arg));
    const reports: string[] = [];
    for (const reach of facts.reaches) {
        if (reach.args.some((a) => pinnedArgs.has(a))) continue;
        // A build arg the config gives replaces the default: judge what the build will use.
        const given = reach.args.length === 1 && image.args[reach.args[0]] !== undefined && reach.written.replace(/[${}]/g, "") === reach.args[0];
        const reference = given ? image.args[reach.args[0]] : reach.resolved;
        if (reference === "" || isDigestReference(reference)) continue;
        const repository = repositoryOf(reference);
        // Several images may share a repository (petsc-ompi and petsc-mpich push to petsc): name them all.
        const built = stack.filter((other) => repositoryOf(other.repositoryUrl) === repository).map((other) => shown(other.name));
        if (built.length === 0) continue;
        const via = reach.args.length > 0 ? ` (through ARG ${reach.args.join(", ")})` : "";
        reports.push(
            `image ${shown(image.name)}: ${image.dockerfile}:${reach.line} ${reach.instruction} ${shown(reference)}${via} reaches ${built.join(" or ")} by tag, which this stack builds: the digest pin does not reach it`,
        );
    }
    return reports;
}
