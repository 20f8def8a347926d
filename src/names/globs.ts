/**
 * Glob patterns over POSIX paths relative to the source checkout: the build-context and rebuild-trigger
 * lists of the config (`context: [pixi.toml, …]`, `rebuildOn: ["src/**\/*.pyx", …]`).
 *
 * Grammar (a deliberately small, explicit subset of what GitHub Actions `paths:` and gitignore accept):
 *   - `*`      any run of characters within one path segment (never `/`)
 *   - `?`      exactly one character within a segment
 *   - `**`     as a whole segment: zero or more segments (`src/**\/*.pyx` matches `src/a.pyx` and `src/a/b/c.pyx`)
 *   - `{a,b}`  alternatives, may nest and may be empty (`Dockerfile{,.deps}`)
 *   - `\x`     the literal character x, for x one of `* ? { } , [ ] \`
 *   - anything else is literal; matching is case-sensitive, as git and Linux are.
 * `*`, `?` and `**` also match names starting with `.`: a trigger list should err towards rebuilding, and
 * `.git` never reaches the matcher (git does not list it, the directory walk skips it).
 *
 * Rejected, with an error naming the pattern and what was expected: absolute paths, `..` segments (they
 * would reach outside the checkout, which is neither fingerprinted nor staged), `.` and empty segments
 * (`./a`, `a//b`, `a/`: one spelling per path keeps patterns comparable), `**` inside a segment, and
 * character classes `[...]` (not supported; escape a literal bracket as `\[`).
 *
 * Patterns are checked against this grammar here; the matching itself is picomatch's, one compiled
 * matcher per brace alternative with dot-files matched (`dot: true`) and its own extras (extglobs,
 * negation, braces, Windows paths) switched off, every literal character escaped.
 *
 * Node 20's `path.matchesGlob` is not used: it is experimental (prints an ExperimentalWarning), makes
 * `*` skip dot-files and accepts `..` — the opposite of what this project needs on all three counts.
 */
import picomatch from "picomatch";
import { shown } from "../text/quotedValue";

/** A pattern that cannot be used; the message names the pattern and the expected form. */
class GlobPatternError extends Error {
    constructor(
        readonly pattern: string,
        readonly problem: string,
    ) {
        super(`invalid glob pattern ${shown(pattern)}: ${problem}`);
        this.name = "GlobPatternError";
    }
}

/** A path handed to the matcher that is not a POSIX path relative to the checkout. */
class SourcePathError extends Error {
    constructor(
        readonly path: string,
        readonly problem: string,
    ) {
        super(
            `invalid source path ${shown(path)}: ${problem}; expected a POSIX path relative to the source checkout, e.g. "src/underworld3/cython/petsc_types.pyx"`,
        );
        this.name = "SourcePathError";
    }
}

/**
 * Files whose change means the Underworld3 slim image must be rebuilt, from the setup document's "When to
 * rebuild the base image" (Cython and C changes cannot be rebuilt by the start script inside mybinder's
 * 30-second launch window; pure-Python, docs and notebook changes are pulled at launch instead).
 */
export const DEFAULT_REBUILD_ON: readonly string[] = Object.freeze([
    // Extension definitions (which .pyx/.c are compiled, include dirs, the petsc_tools.c fix): a change
    // here changes which compiled modules exist in the image.
    "setup.py",
    // Cython sources: the image ships compiled .so files, and pip at launch sees those as newer than the
    // pulled .pyx, so an edited .pyx would silently keep running the old compiled code.
    "src/**/*.pyx",
    // Cython declaration files are cimported at compile time: editing one changes every module that
    // cimports it without touching any .pyx.
    "src/**/*.pxd",
    // Hand-written C compiled into the extensions (petsc_tools.c and friends); generated .c files from
    // Cython are git-ignored and so never fingerprinted.
    "src/**/*.c",
    // Headers included by those C files and by the Cython extensions.
    "src/**/*.h",
    // The environment definition: new packages or versions change the deps image everything is FROM.
    "pixi.toml",
    // The locked versions: a re-lock with the same pixi.toml still changes what is installed.
    "pixi.lock",
    // The recipes themselves (Dockerfile.deps, Dockerfile.branch, Dockerfile.base.optimized, …).
    "container/Dockerfile*",
]);

/** Alternatives one pattern may expand to; a guard against `{a,b}{c,d}{e,f}…` blow-ups. */
const MAX_ALTERNATIVES = 256;
const ESCAPABLE = new Set(["*", "?", "{", "}", ",", "[", "]", "\\"]);

/** Expands `{a,b}` groups (nesting allowed) into plain alternatives, keeping escapes as they are. */
function expandBraces(pattern: string): string[] {
    // Find the first top-level `{` and its matching `}`; recurse on the result.
    let depth = 0;
    let open = -1;
    const commas: number[] = [];
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "\\") {
            i++;
            continue;
        }
        if (c === "{") {
            if (depth === 0) open = i;
            depth++;
        } else if (c === "}") {
            if (depth === 0) throw new GlobPatternError(pattern, `unmatched "}" at offset ${i}; escape a literal brace as \\}`);
            depth--;
            if (depth === 0) {
                if (commas.length === 0) {
                    throw new GlobPatternError(
                        pattern,
                        `the brace group "${pattern.slice(open, i + 1)}" has no comma; write alternatives as {a,b} or escape literal braces as \\{ \\}`,
                    );
                }
                const prefix = pattern.slice(0, open);
                const suffix = pattern.slice(i + 1);
                const bounds = [open, ...commas, i];
                const out: string[] = [];
                for (let k = 0; k + 1 < bounds.length; k++) {
                    const alternative = pattern.slice(bounds[k] + 1, bounds[k + 1]);
                    for (const expanded of expandBraces(prefix + alternative + suffix)) {
                        out.push(expanded);
                        if (out.length > MAX_ALTERNATIVES) {
                            throw new GlobPatternError(pattern, `it expands to more than ${MAX_ALTERNATIVES} alternatives`);
                        }
                    }
                }
                return out;
            }
        } else if (c === "," && depth === 1) {
            commas.push(i);
        }
    }
    if (depth > 0) throw new GlobPatternError(pattern, `unmatched "{" at offset ${open}; escape a literal brace as \\{`);
    return [pattern];
}

/** Splits on unescaped `/`. */
function splitSegments(alternative: string): string[] {
    const segments: string[] = [];
    let current = "";
    for (let i = 0; i < alternative.length; i++) {
        const c = alternative[i];
        if (c === "\\" && i + 1 < alternative.length) {
            current += c + alternative[i + 1];
            i++;
        } else if (c === "/") {
            segments.push(current);
            current = "";
        } else {
            current += c;
        }
    }
    segments.push(current);
    return segments;
}

/** A literal character as picomatch reads it: ASCII punctuation but `_`, `.` and `-` escaped. */
function literal(c: string): string {
    return /[!-,/:-@[-^`{-~]/.test(c) ? `\\${c}` : c;
}

/**
 * One segment (not `**`), checked against this grammar and written as a picomatch glob with every literal
 * character escaped (picomatch would read `(a|b)`, `+(…)` or `!` as its own syntax); `original` is only for
 * error messages.
 */
function segmentGlob(segment: string, original: string): string {
    let glob = "";
    for (let i = 0; i < segment.length; i++) {
        const c = segment[i];
        if (c === "\\") {
            const next = segment[i + 1];
            if (next === undefined) throw new GlobPatternError(original, `it ends with a lone backslash`);
            if (!ESCAPABLE.has(next)) {
                throw new GlobPatternError(original, `"\\${next}" is not an escape (only \\* \\? \\{ \\} \\, \\[ \\] \\\\ are); use "/" as the path separator`);
            }
            glob += `\\${next}`;
            i++;
        } else if (c === "*") {
            if (segment[i + 1] === "*") {
                throw new GlobPatternError(original, `"**" must be a whole path segment (as in "src/**/*.pyx"), found it inside "${segment}"`);
            }
            glob += "*";
        } else if (c === "?") {
            glob += "?";
        } else if (c === "[" || c === "]") {
            throw new GlobPatternError(original, `character classes ("[...]") are not supported; use {a,b} alternatives or escape a literal bracket as \\${c}`);
        } else {
            glob += literal(c);
        }
    }
    return glob;
}

/**
 * picomatch as this grammar reads a checked alternative: POSIX paths only, `*`, `?` and `**` matching
 * dot-files too, and none of picomatch's extras (braces are expanded here, so the alternatives stay what
 * git is given; extglobs and negation are not part of the grammar).
 */
const PICOMATCH_OPTIONS: picomatch.PicomatchOptions = { dot: true, windows: false, nobrace: true, noextglob: true, nonegate: true };

interface CompiledAlternative {
    /** Segments, `**` kept as the literal string `**`, others as segment matchers. */
    segments: Array<"**" | picomatch.Matcher>;
    matches: picomatch.Matcher;
}

function compileAlternative(alternative: string, original: string): CompiledAlternative {
    if (alternative === "") throw new GlobPatternError(original, `it is empty (or expands to an empty alternative); name a file or use "**"`);
    if (alternative.startsWith("/")) throw new GlobPatternError(original, `it is absolute; patterns are relative to the source checkout, e.g. "src/**/*.pyx"`);
    if (/^[A-Za-z]:/.test(alternative))
        throw new GlobPatternError(original, `it looks like a Windows drive path; patterns are POSIX paths relative to the source checkout`);
    const raw = splitSegments(alternative);
    const segments: CompiledAlternative["segments"] = [];
    const globs: string[] = [];
    raw.forEach((segment, index) => {
        const last = index === raw.length - 1;
        if (segment === "..") throw new GlobPatternError(original, `".." would reach outside the source checkout; patterns must stay inside it`);
        if (segment === ".") throw new GlobPatternError(original, `"." segments are not allowed; write the path without "./"`);
        if (segment === "") {
            throw new GlobPatternError(
                original,
                last ? `it ends with "/"; to match everything under a directory write "dir/**"` : `it has an empty segment ("//")`,
            );
        }
        if (segment === "**") {
            segments.push("**");
            // Zero or more whole segments; at the end, at least one more (picomatch's `docs/**` would also
            // match `docs` itself, which is a directory, never a file of the checkout).
            globs.push(last ? "**/*" : "**");
        } else {
            const glob = segmentGlob(segment, original);
            segments.push(picomatch(glob, PICOMATCH_OPTIONS));
            globs.push(glob);
        }
    });
    return { segments, matches: picomatch(globs.join("/"), PICOMATCH_OPTIONS) };
}

/** A compiled pattern list: a path matches the set when it matches any pattern. */
export class GlobSet {
    private readonly alternatives: Array<{ pattern: string; compiled: CompiledAlternative }> = [];

    /** Throws GlobPatternError for the first bad pattern; use `globProblems` to collect them all. */
    constructor(readonly patterns: readonly string[]) {
        for (const pattern of patterns) {
            if (typeof pattern !== "string") throw new GlobPatternError(String(pattern), `expected a string, found ${typeof pattern}`);
            for (const alternative of expandBraces(pattern)) {
                this.alternatives.push({ pattern, compiled: compileAlternative(alternative, pattern) });
            }
        }
    }

    /** True when `path` (POSIX, relative to the checkout) matches any pattern. */
    matches(path: string): boolean {
        return this.matchingPattern(path) !== undefined;
    }

    /** The first pattern (as written) that matches `path`, for explaining a decision. */
    matchingPattern(path: string): string | undefined {
        for (const { pattern, compiled } of this.alternatives) {
            if (compiled.matches(path)) return pattern;
        }
        return undefined;
    }

    /**
     * False only when no path below directory `dir` can match, so a directory walk can skip it (and not
     * descend into a checkout's multi-GB `.pixi/`). `dir` is relative to the checkout, "" for its root.
     */
    mightMatchInside(dir: string): boolean {
        if (dir === "") return this.alternatives.length > 0;
        const parts = dir.split("/");
        return this.alternatives.some(({ compiled }) => {
            const segs = compiled.segments;
            for (let i = 0; i < parts.length; i++) {
                const seg = segs[i];
                if (seg === "**") return true;
                // A pattern's last segment names the file itself, so nothing inside a dir can match it.
                if (i >= segs.length - 1) return false;
                if (!seg(parts[i])) return false;
            }
            return true;
        });
    }
}

/** Compiles `patterns`, throwing GlobPatternError for the first bad one. */
export function compileGlobs(patterns: readonly string[]): GlobSet {
    return new GlobSet(patterns);
}

/** True when `path` matches `pattern` (one pattern; compile a GlobSet for repeated use). */
export function matchesGlob(path: string, pattern: string): boolean {
    return new GlobSet([pattern]).matches(path);
}

/**
 * The patterns as git pathspecs selecting the same files, for `git log -- <pathspecs>` and the like
 * (e.g. the last commit touching an image's inputs). Git's `:(glob)` magic has the same `*`, `?`, `**`
 * and backslash-escape rules as this grammar but no `{a,b}`, so braces are expanded here first. Run git
 * in the checkout directory: these pathspecs are relative to it.
 */
export function toGitPathspecs(patterns: readonly string[]): string[] {
    const pathspecs: string[] = [];
    for (const pattern of patterns) {
        for (const alternative of expandBraces(pattern)) {
            compileAlternative(alternative, pattern); // rejects what git would read differently
            const pathspec = `:(glob)${alternative}`;
            if (!pathspecs.includes(pathspec)) pathspecs.push(pathspec);
        }
    }
    return pathspecs;
}

/** Every problem in a pattern list, each naming the pattern's index, for config validation. */
export function globProblems(patterns: readonly unknown[]): string[] {
    const problems: string[] = [];
    patterns.forEach((pattern, index) => {
        if (typeof pattern !== "string") {
            problems.push(`[${index}]: expected a glob pattern string, found ${shown(pattern)}`);
            return;
        }
        try {
            new GlobSet([pattern]);
        } catch (err) {
            if (!(err instanceof GlobPatternError)) throw err;
            problems.push(`[${index}]: ${err.message}`);
        }
    });
    return problems;
}

/**
 * Checks that `path` is a POSIX path relative to the checkout (what `git diff --name-only` prints) and
 * returns it; throws SourcePathError otherwise. Paths are compared literally, so `./a` and `a//b` are
 * rejected rather than silently never matching.
 */
export function checkSourcePath(path: string): string {
    if (typeof path !== "string" || path === "") throw new SourcePathError(String(path), "it is empty");
    if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) throw new SourcePathError(path, "it is absolute");
    for (const segment of path.split("/")) {
        if (segment === "..") throw new SourcePathError(path, `it has a ".." segment (outside the checkout)`);
        if (segment === "." || segment === "") throw new SourcePathError(path, `it has an empty or "." segment`);
    }
    return path;
}
