/**
 * A fingerprint of exactly the source files an image depends on: the files of the checkout matching a
 * pattern list, by path, content and executable bit. Independent of mtimes, of the order patterns or files
 * are listed in, and of files matching no pattern.
 *
 * In a git work tree the files are what git sees: tracked files plus untracked, non-ignored ones. Ignored
 * files are left out on purpose: Cython writes its generated `.c` next to each `.pyx` (matching
 * `src/**\/*.c`) and pixi its multi-GB `.pixi/`, both git-ignored, and neither is source of the image.
 * Unmodified tracked files are named by their blob id from the index (`git ls-files -s`), so a checkout of
 * thousands of files costs two git calls; only files git reports as modified or untracked are read and
 * hashed here, in the format of `git hash-object`, so a staged and an unstaged copy of the same content
 * fingerprint the same, and so does a plain copy of the tree without `.git`.
 *
 * Not a git work tree (a tarball, an `rsync` copy): every matching file is read from disk, skipping
 * `.git` entries. A missing checkout is an error naming the path: fingerprinting nothing would make every
 * image look unchanged.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { compileGlobs, GlobSet } from "../names/globs";
import { findWorktree, runGit, splitNul, treeEntries } from "../git/commands";

/** The modes git records: regular, executable, symbolic link, submodule commit. */
export type GitFileMode = "100644" | "100755" | "120000" | "160000";

export interface SourceEntry {
    /** POSIX path relative to the checkout. */
    path: string;
    mode: GitFileMode;
    /** Git object id of the content (a blob, or the commit of a submodule). */
    oid: string;
}

export interface SourceFingerprint {
    /** `sha256:<64 hex>` over the sorted (path, mode, content id) of every matching file. */
    fingerprint: string;
    /** The matching files, sorted. */
    files: string[];
    entries: SourceEntry[];
    /** `git` when the checkout is a git work tree, `directory` when files were read from disk, `commit` from a commit's tree. */
    origin: SourceListing["origin"];
    /** Patterns that matched no file: often a typo or a renamed file, worth a warning. */
    unmatchedPatterns: string[];
}

/** One file of a listing; `mode` and `oid` are set when git vouches for the content on disk. */
export interface ListedFile {
    path: string;
    mode?: GitFileMode;
    oid?: string;
}

export interface SourceListing {
    /** Absolute path of the checkout. */
    checkout: string;
    /** `commit`: the files of one commit's tree (`at`), from git's objects, whatever the work tree holds. */
    origin: "git" | "directory" | "commit";
    objectFormat: "sha1" | "sha256";
    /** Candidates, sorted by path. Those without `oid` may have been deleted or turned into a directory. */
    files: ListedFile[];
}

// Bumped whenever what goes into the hash changes, so old and new fingerprints never collide.
const FINGERPRINT_HEADER = "uw3-binder source fingerprint v1\0";

/** Resolves `checkoutDir` to an absolute directory, or throws an error naming it. */
function resolveCheckout(checkoutDir: string): string {
    const absolute = path.resolve(checkoutDir);
    let stat: fs.Stats;
    try {
        stat = fs.statSync(absolute);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") {
            throw new Error(
                `source checkout ${absolute} does not exist (from ${JSON.stringify(checkoutDir)}); expected a clone of underworld3 there — check uw3-binder:source.path`,
                { cause: err },
            );
        }
        throw err;
    }
    if (!stat.isDirectory())
        throw new Error(`source checkout ${absolute} is not a directory (from ${JSON.stringify(checkoutDir)}); expected a clone of underworld3`);
    return absolute;
}

function byPath(a: { path: string }, b: { path: string }): number {
    return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * The files of the checkout that match `patterns` (see the module comment for which files count), or with
 * `at` (a commit) the files of that commit's tree below the checkout, each with the mode and blob git records.
 * Shared by the fingerprint and the build-context staging, so both always agree on the file list.
 */
export function listSourceFiles(checkoutDir: string, patterns: readonly string[] | GlobSet, at?: string): SourceListing {
    const globs = patterns instanceof GlobSet ? patterns : compileGlobs(patterns);
    const checkout = resolveCheckout(checkoutDir);
    const worktree = findWorktree(checkout);
    if (at !== undefined) {
        if (!worktree) throw new Error(`source checkout ${checkout} is not a git work tree; an image built per ref reads its files from git`);
        const files = treeEntries(checkout, at)
            .filter((e) => globs.matches(e.path))
            .map((e) => ({ path: e.path, mode: e.mode as GitFileMode, oid: e.oid }));
        return { checkout, origin: "commit", objectFormat: worktree.objectFormat, files: files.sort(byPath) };
    }
    if (!worktree) {
        return { checkout, origin: "directory", objectFormat: "sha1", files: walkDirectory(checkout, globs) };
    }

    const files = new Map<string, ListedFile>();
    // Run in the checkout itself: ls-files then lists only files below it, relative to it, which is what
    // we want when the checkout is a subdirectory of a larger repository.
    for (const record of splitNul(runGit(checkout, ["ls-files", "--stage", "-z"]))) {
        const tab = record.indexOf("\t");
        const [mode, oid, stage] = record.slice(0, tab).split(" ");
        const file = record.slice(tab + 1);
        if (!globs.matches(file)) continue;
        // Stages 1-3 are the sides of a merge conflict: the work tree file is what counts.
        files.set(file, stage === "0" ? { path: file, mode: mode as GitFileMode, oid } : { path: file });
    }

    // core.fileMode=true: the executable bit is part of the fingerprint and is copied into the staged
    // context, so a chmod must show as a modification even where the repository ignores modes.
    // --ignore-submodules=all: a submodule counts by the commit the index records for it.
    const status = splitNul(
        runGit(checkout, [
            "-c",
            "core.fileMode=true",
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--no-renames",
            "--ignore-submodules=all",
            "--",
            ".",
        ]),
    );
    for (let i = 0; i < status.length; i++) {
        const record = status[i];
        const x = record[0];
        const y = record[1];
        // Porcelain paths are relative to the top level, unlike ls-files'.
        let file = record.slice(3);
        if (x === "R" || x === "C") i++; // the rename source follows; --no-renames should prevent this
        if (!file.startsWith(worktree.prefix)) continue;
        file = file.slice(worktree.prefix.length);
        // An untracked nested repository is listed as "dir/"; git does not look inside, nor do we.
        if (file === "" || file.endsWith("/")) continue;
        if (!globs.matches(file)) continue;
        // "??" untracked; Y is the work tree against the index: M modified (content or mode), D deleted,
        // T type changed, A intent-to-add, U unmerged. X alone (staged, work tree as staged) keeps the
        // index blob id, which is the content on disk.
        if ((x === "?" && y === "?") || y !== " ") files.set(file, { path: file });
    }
    return { checkout, origin: "git", objectFormat: worktree.objectFormat, files: [...files.values()].sort(byPath) };
}

/** All matching files below `checkout`, without following symbolic links, skipping `.git`. */
function walkDirectory(checkout: string, globs: GlobSet): ListedFile[] {
    const found: ListedFile[] = [];
    const visit = (relDir: string): void => {
        const absDir = relDir === "" ? checkout : path.join(checkout, relDir);
        for (const dirent of fs.readdirSync(absDir, { withFileTypes: true })) {
            if (dirent.name === ".git") continue;
            const rel = relDir === "" ? dirent.name : `${relDir}/${dirent.name}`;
            if (dirent.isDirectory()) {
                if (globs.mightMatchInside(rel)) visit(rel);
            } else if ((dirent.isFile() || dirent.isSymbolicLink()) && globs.matches(rel)) {
                found.push({ path: rel });
            }
        }
    };
    if (globs.mightMatchInside("")) visit("");
    return found.sort(byPath);
}

/** The git object id of a blob with `content`: what `git hash-object` prints. */
export function gitBlobId(content: Buffer, objectFormat: "sha1" | "sha256" = "sha1"): string {
    return createHash(objectFormat).update(`blob ${content.length}\0`).update(content).digest("hex");
}

/**
 * Mode and blob id of the file at `absolute`, as `git add` would record them (owner-executable regular
 * files are 100755, the rest 100644; a symbolic link is a blob of its target). Undefined when there is
 * no such file, or it is a directory, FIFO, socket or device (which git would not record either).
 */
export function hashWorktreeFile(absolute: string, objectFormat: "sha1" | "sha256" = "sha1"): { mode: GitFileMode; oid: string } | undefined {
    let stat: fs.Stats;
    try {
        stat = fs.lstatSync(absolute);
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return undefined;
        throw err;
    }
    if (stat.isSymbolicLink()) {
        return { mode: "120000", oid: gitBlobId(fs.readlinkSync(absolute, { encoding: "buffer" }), objectFormat) };
    }
    if (!stat.isFile()) return undefined;
    // Streamed in chunks: a matching pixi.lock or an untracked data file may be large.
    const hash = createHash(objectFormat);
    const fd = fs.openSync(absolute, "r");
    try {
        const size = fs.fstatSync(fd).size;
        hash.update(`blob ${size}\0`);
        const buffer = Buffer.allocUnsafe(Math.min(Math.max(size, 1), 1 << 20));
        let remaining = size;
        while (remaining > 0) {
            const n = fs.readSync(fd, buffer, 0, Math.min(buffer.length, remaining), null);
            if (n === 0) throw new Error(`${absolute} shrank while it was being hashed; run again once it is no longer being written`);
            hash.update(buffer.subarray(0, n));
            remaining -= n;
        }
    } finally {
        fs.closeSync(fd);
    }
    return { mode: stat.mode & fs.constants.S_IXUSR ? "100755" : "100644", oid: hash.digest("hex") };
}

/** Completes a listing: hashes the files git could not vouch for, drops those that no longer exist. */
function resolveEntries(listing: SourceListing): SourceEntry[] {
    const entries: SourceEntry[] = [];
    for (const file of listing.files) {
        if (file.mode && file.oid) {
            entries.push({ path: file.path, mode: file.mode, oid: file.oid });
            continue;
        }
        const hashed = hashWorktreeFile(path.join(listing.checkout, file.path), listing.objectFormat);
        if (hashed) entries.push({ path: file.path, ...hashed });
    }
    return entries;
}

/** The fingerprint of a set of entries; independent of their order. */
function fingerprintEntries(entries: readonly SourceEntry[]): string {
    const hash = createHash("sha256").update(FINGERPRINT_HEADER);
    for (const entry of [...entries].sort(byPath)) {
        // NUL-terminated: the one byte a path cannot contain.
        hash.update(`${entry.mode} ${entry.oid} ${entry.path}\0`);
    }
    return `sha256:${hash.digest("hex")}`;
}

/** Patterns (as written) that match none of `files`. */
export function unmatchedPatterns(patterns: readonly string[], files: readonly string[]): string[] {
    return patterns.filter((pattern) => {
        const glob = compileGlobs([pattern]);
        return !files.some((file) => glob.matches(file));
    });
}

/**
 * Fingerprints the files of `checkoutDir` matching `patterns` (with `at`, those of that commit's tree): same
 * files with the same content and executable bits give the same `sha256:…`, on any machine, whatever the mtimes.
 */
export function fingerprintSources(checkoutDir: string, patterns: readonly string[], at?: string): SourceFingerprint {
    const listing = listSourceFiles(checkoutDir, patterns, at);
    const entries = resolveEntries(listing);
    const files = entries.map((e) => e.path);
    return {
        fingerprint: fingerprintEntries(entries),
        files,
        entries,
        origin: listing.origin,
        unmatchedPatterns: unmatchedPatterns(patterns, files),
    };
}

/**
 * The paths whose presence, content or mode differ between two fingerprints' entries, sorted: what
 * changed since the fingerprint a published image was built from, for `planRebuilds`.
 */
export function changedEntries(before: readonly SourceEntry[], after: readonly SourceEntry[]): string[] {
    const old = new Map(before.map((e) => [e.path, `${e.mode} ${e.oid}`]));
    const changed = new Set<string>();
    for (const e of after) {
        if (old.get(e.path) !== `${e.mode} ${e.oid}`) changed.add(e.path);
        old.delete(e.path);
    }
    for (const p of old.keys()) changed.add(p);
    return [...changed].sort();
}
