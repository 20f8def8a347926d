/**
 * The few git plumbing calls the source fingerprint and staging need, run with `execFileSync` (no shell).
 */
import { execFileSync } from "child_process";
import * as path from "path";

class GitError extends Error {
    constructor(
        message: string,
        readonly args: readonly string[],
        readonly stderr: string,
    ) {
        super(message);
        this.name = "GitError";
    }
}

// Variables a parent git process (a hook, `git rebase --exec`) exports would point our calls at its
// repository instead of the checkout we were given.
const INHERITED_GIT_VARIABLES = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_CEILING_DIRECTORIES",
];

function gitEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of INHERITED_GIT_VARIABLES) delete env[name];
    // Fingerprinting runs during `pulumi preview`, possibly while someone uses git in the same checkout:
    // never take the index lock to write back refreshed stat data (as IDEs do; see git-status(1)).
    env.GIT_OPTIONAL_LOCKS = "0";
    // Stable, parseable messages ("not a git repository") whatever the user's locale.
    env.LC_ALL = "C";
    env.LANGUAGE = "C";
    return env;
}

/** Runs git in `cwd` and returns stdout; throws GitError with git's own stderr on a non-zero exit. */
export function runGit(cwd: string, args: readonly string[]): Buffer {
    try {
        return execFileSync("git", args, {
            cwd,
            env: gitEnv(),
            stdio: ["ignore", "pipe", "pipe"],
            // `ls-files -s` on a large monorepo is several MB; the 1 MB default would truncate it.
            maxBuffer: 512 * 1024 * 1024,
        });
    } catch (err) {
        const e = err as NodeJS.ErrnoException & { stderr?: Buffer; status?: number };
        if (e.code === "ENOENT") {
            throw new GitError(`git is not installed or not on PATH (needed to fingerprint the source checkout ${cwd})`, args, "");
        }
        const stderr = e.stderr ? e.stderr.toString("utf8").trim() : "";
        throw new GitError(`git ${args.join(" ")} failed in ${cwd} (exit ${e.status ?? "?"}): ${stderr || e.message}`, args, stderr);
    }
}

/** Splits NUL-terminated git output (`-z`), dropping the final empty field. */
export function splitNul(output: Buffer): string[] {
    const fields = output.toString("utf8").split("\0");
    if (fields.length > 0 && fields[fields.length - 1] === "") fields.pop();
    return fields;
}

export interface GitWorktree {
    /** Absolute top-level directory of the work tree. */
    top: string;
    /** `dir` relative to `top`, POSIX, with a trailing `/`; "" when `dir` is the top level. */
    prefix: string;
    /** `sha1` or `sha256`: the hash git names blobs with in this repository. */
    objectFormat: "sha1" | "sha256";
}

/**
 * The git work tree `dir` belongs to, or undefined when `dir` is not inside one. Other failures (a repo
 * git refuses as "dubious ownership", a corrupt `.git`) are thrown: silently treating such a checkout as
 * a plain directory would fingerprint its untracked build junk too.
 */
export function findWorktree(dir: string): GitWorktree | undefined {
    let out: string[];
    try {
        out = runGit(dir, ["rev-parse", "--is-inside-work-tree", "--show-toplevel", "--show-prefix"]).toString("utf8").split("\n");
    } catch (err) {
        if (err instanceof GitError && /not a git repository/i.test(err.stderr)) return undefined;
        throw err;
    }
    if (out[0] !== "true") return undefined; // inside a .git directory or a bare repository
    let objectFormat: GitWorktree["objectFormat"] = "sha1";
    try {
        const format = runGit(dir, ["rev-parse", "--show-object-format"]).toString("utf8").trim();
        if (format === "sha256") objectFormat = "sha256";
    } catch {
        // git older than 2.29 has no --show-object-format and only knows sha1.
    }
    return { top: path.resolve(out[1]), prefix: out[2] ?? "", objectFormat };
}

/** The branch checked out in the work tree at `dir`, or undefined for a detached HEAD. */
export function currentBranch(dir: string): string | undefined {
    try {
        return runGit(dir, ["symbolic-ref", "--quiet", "--short", "HEAD"]).toString("utf8").trim();
    } catch (err) {
        if (err instanceof GitError) return undefined; // exit 1: HEAD is not a symbolic ref
        throw err;
    }
}

/**
 * Paths that differ between `base` and `head` (a commit, branch or tag), or between `base` and the work
 * tree (including untracked, non-ignored files) when `head` is omitted. Relative to `checkoutDir`, limited
 * to files below it; a rename is reported as its old and its new path, so both can trigger a rebuild.
 * Feed the result to `planRebuilds`.
 */
export function changedPathsSince(checkoutDir: string, base: string, head?: string): string[] {
    if (base.startsWith("-") || (head !== undefined && head.startsWith("-"))) {
        throw new Error(`invalid revision ${JSON.stringify(head?.startsWith("-") ? head : base)}: expected a commit, branch or tag`);
    }
    const args = ["-c", "core.fileMode=true", "diff", "--name-only", "-z", "--no-renames", "--relative", base];
    if (head !== undefined) args.push(head);
    args.push("--");
    const changed = new Set(splitNul(runGit(checkoutDir, args)));
    if (head === undefined) {
        for (const p of splitNul(runGit(checkoutDir, ["ls-files", "-z", "--others", "--exclude-standard"]))) changed.add(p);
    }
    return [...changed].sort();
}

/** Where a ref of an image's `refs` is looked for, in this order: a local branch, a tag, a branch of `origin`. */
const REF_NAMESPACES = ["refs/heads/", "refs/tags/", "refs/remotes/origin/"] as const;

export interface ResolvedRef {
    /** The commit the ref names. */
    commit: string;
    /** The full ref it was found as (`refs/tags/v3.0.2`). */
    fullName: string;
    /** Found under refs/tags: a release tag, which does not move. */
    isTag: boolean;
}

/** Where `resolveRef` looks for `ref`, for an error naming them. */
export function refCandidates(ref: string): string[] {
    return REF_NAMESPACES.map((ns) => `${ns}${ref}`);
}

/** The commit `ref` names in the repository at `checkout` (see REF_NAMESPACES), or undefined when none does. */
export function resolveRef(checkout: string, ref: string): ResolvedRef | undefined {
    for (const fullName of refCandidates(ref)) {
        let out: string;
        try {
            out = runGit(checkout, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${fullName}^{commit}`])
                .toString("utf8")
                .trim();
        } catch (err) {
            // exit 1 with nothing on stderr: no such ref. Anything else (not a repository) is thrown.
            if (err instanceof GitError && err.stderr === "") continue;
            throw err;
        }
        if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(out)) return { commit: out, fullName, isTag: fullName.startsWith("refs/tags/") };
    }
    return undefined;
}

export interface TreeEntry {
    /** POSIX path relative to the directory git ran in. */
    path: string;
    mode: string;
    /** Object id: a blob, or the commit of a submodule. */
    oid: string;
}

/** Every file of `commit`'s tree below `dir` (relative to it, as `ls-files` lists the work tree), from git's objects. */
export function treeEntries(dir: string, commit: string): TreeEntry[] {
    return splitNul(runGit(dir, ["ls-tree", "-r", "-z", "--end-of-options", commit, "--", "."])).map((record) => {
        const tab = record.indexOf("\t");
        const [mode, , oid] = record.slice(0, tab).split(" ");
        return { path: record.slice(tab + 1), mode, oid };
    });
}

/** The most bytes of blobs one `readBlobs` reads: a build context of sources, not a data set. */
const MAX_BLOB_BYTES = 256 * 1024 * 1024;

/** The contents of the blobs `oids` names, by oid, read from git's objects (one `cat-file --batch`). */
export function readBlobs(dir: string, oids: readonly string[]): Map<string, Buffer> {
    const unique = [...new Set(oids)];
    const blobs = new Map<string, Buffer>();
    if (unique.length === 0) return blobs;
    let out: Buffer;
    try {
        out = execFileSync("git", ["cat-file", "--batch"], {
            cwd: dir,
            env: gitEnv(),
            input: `${unique.join("\n")}\n`,
            maxBuffer: MAX_BLOB_BYTES + unique.length * 100,
        });
    } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === "ENOBUFS")
            throw new Error(`the files to read from git in ${dir} are over ${MAX_BLOB_BYTES} bytes; expected a build context of sources`, { cause: err });
        throw err;
    }
    let at = 0;
    for (const oid of unique) {
        const newline = out.indexOf(10, at);
        const header = out.subarray(at, newline).toString("utf8").split(" ");
        if (header[0] !== oid || header[1] !== "blob") throw new Error(`git cat-file in ${dir}: expected blob ${oid}, found ${header.join(" ")}`);
        const size = Number(header[2]);
        blobs.set(oid, out.subarray(newline + 1, newline + 1 + size));
        at = newline + 1 + size + 1;
    }
    return blobs;
}
