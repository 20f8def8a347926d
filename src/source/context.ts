/**
 * Build-context staging: copies exactly the source files an image needs into a directory of their own.
 *
 * Why: docker-build's `Image` hashes every file of its build context — path, permission
 * bits and content, `.git` included unless dockerignored — to decide whether to rebuild. With the
 * underworld3 checkout as the deps image's context, every commit (new objects under `.git`, a docs
 * edit) would rebuild a multi-GB image that depends only on pixi.toml, pixi.lock and its Dockerfile.
 * A staged context holds just those files, so its hash changes exactly when they do.
 *
 * The staged tree is deterministic: permissions normalised to 0644/0755 (the provider hashes the full
 * mode, so the umask must not leak in), and every mtime fixed (the provider's hash ignores mtimes, but
 * they travel in the context tarball docker receives, so fixing them makes the upload reproducible).
 */
import * as fs from "fs";
import * as path from "path";
import { GitFileMode, listSourceFiles, unmatchedPatterns } from "./fingerprint";
import { readBlobs } from "../git/commands";

export interface StagedContext {
    /** Absolute path of the staged build context. */
    dir: string;
    /** The staged files, POSIX paths relative to `dir`, sorted (the marker file is not listed). */
    files: string[];
    /** Bytes of content staged (file sizes; a symbolic link counts the length of its target). */
    bytes: number;
    /** Patterns that matched no file. */
    unmatchedPatterns: string[];
}

/**
 * Name of the file that marks a directory as ours. Staging replaces the whole directory, so it refuses to
 * replace a non-empty one without this marker: a mistyped staging path must not wipe someone's files.
 * It is part of the context, with fixed content, so it never changes the context hash.
 */
export const STAGING_MARKER = ".uw3-binder-staged-context";
const MARKER_CONTENT = "Build context staged by uw3-binder from the source checkout; replaced on every run.\n";

/** 1980-01-01T00:00:00Z, the oldest time a zip or tar tool reliably round-trips (seconds). */
export const STAGED_MTIME = 315532800;

/** Resolves symbolic links of the longest existing prefix of `p`, so containment checks see real paths. */
function realpathOfNearestExisting(p: string): string {
    const missing: string[] = [];
    let current = path.resolve(p);
    for (;;) {
        try {
            return path.join(fs.realpathSync(current), ...missing.reverse());
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
            const parent = path.dirname(current);
            if (parent === current) return path.resolve(p);
            missing.push(path.basename(current));
            current = parent;
        }
    }
}

function isInside(child: string, parent: string): boolean {
    const rel = path.relative(parent, child);
    return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

function ensureReplaceable(stagingDir: string): boolean {
    let stat: fs.Stats;
    try {
        stat = fs.lstatSync(stagingDir);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
        throw err;
    }
    if (!stat.isDirectory()) throw new Error(`cannot stage a build context at ${stagingDir}: it exists and is not a directory`);
    const entries = fs.readdirSync(stagingDir);
    if (entries.length > 0 && !entries.includes(STAGING_MARKER)) {
        throw new Error(
            `refusing to replace ${stagingDir}: it is not empty and has no ${STAGING_MARKER} marker, so it was not staged by uw3-binder; choose an empty or new directory for the staged build context`,
        );
    }
    return true;
}

/** Writes a blob as git checks it out (a link for 120000, 0755 for 100755), with the fixed mtime; its byte count. */
function writeBlob(destination: string, content: Buffer, mode: GitFileMode): number {
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    if (mode === "120000") {
        fs.symlinkSync(content, destination);
        fs.lutimesSync(destination, STAGED_MTIME, STAGED_MTIME);
    } else {
        fs.writeFileSync(destination, content);
        fs.chmodSync(destination, mode === "100755" ? 0o755 : 0o644);
        fs.utimesSync(destination, STAGED_MTIME, STAGED_MTIME);
    }
    return content.length;
}

/**
 * Stages the files of `checkoutDir` matching `patterns` (the same files `fingerprintSources` lists) into
 * `stagingDir`, replacing whatever an earlier run staged there. Relative paths and the executable bit are
 * kept; symbolic links are copied as links. With `at` (a commit), the files of that commit's tree, read from
 * git's objects. `stagingDir` must not be inside the checkout (the staged copy
 * would then be part of the source it copies, and of its fingerprint) nor contain it.
 */
export function stageBuildContext(checkoutDir: string, patterns: readonly string[], stagingDir: string, at?: string): StagedContext {
    const listing = listSourceFiles(checkoutDir, patterns, at);
    const checkout = fs.realpathSync(listing.checkout);
    const target = path.resolve(stagingDir);
    const realTarget = realpathOfNearestExisting(target);
    if (isInside(realTarget, checkout)) {
        throw new Error(
            `the build-context staging directory ${target} is inside the source checkout ${checkout}; stage outside it (e.g. in the project's .uw3-binder/ directory)`,
        );
    }
    if (isInside(checkout, realTarget)) {
        throw new Error(`the build-context staging directory ${target} contains the source checkout ${checkout}; replacing it would delete the checkout`);
    }
    const exists = ensureReplaceable(target);

    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Build next to the target and swap it in with renames, so an interrupted run never leaves a
    // half-copied context that a later build would silently use.
    const building = fs.mkdtempSync(`${target}.tmp-`);
    const files: string[] = [];
    let bytes = 0;
    try {
        const dirs = new Set<string>([""]);
        // A commit's files come from git's objects (`at`): the work tree may hold another branch.
        const blobs =
            listing.origin === "commit"
                ? readBlobs(
                      listing.checkout,
                      listing.files.filter((f) => f.mode !== "160000").map((f) => f.oid!),
                  )
                : undefined;
        for (const file of listing.files) {
            if (blobs) {
                if (file.mode === "160000") {
                    throw new Error(`cannot stage ${file.path}: it is a git submodule; build contexts hold files, so narrow the pattern that matches it`);
                }
                bytes += writeBlob(path.join(building, file.path), blobs.get(file.oid!)!, file.mode!);
                for (let dir = path.posix.dirname(file.path); dir !== "." && !dirs.has(dir); dir = path.posix.dirname(dir)) dirs.add(dir);
                files.push(file.path);
                continue;
            }
            const source = path.join(listing.checkout, file.path);
            let stat: fs.Stats;
            try {
                stat = fs.lstatSync(source);
            } catch (err) {
                const code = (err as NodeJS.ErrnoException).code;
                if (code === "ENOENT" || code === "ENOTDIR") continue; // deleted in the work tree
                throw err;
            }
            if (file.mode === "160000") {
                throw new Error(`cannot stage ${file.path}: it is a git submodule; build contexts hold files, so narrow the pattern that matches it`);
            }
            if (!stat.isFile() && !stat.isSymbolicLink()) continue; // replaced by a directory, or a FIFO/socket
            const destination = path.join(building, file.path);
            for (let dir = path.posix.dirname(file.path); dir !== "." && !dirs.has(dir); dir = path.posix.dirname(dir)) dirs.add(dir);
            fs.mkdirSync(path.dirname(destination), { recursive: true });
            if (stat.isSymbolicLink()) {
                const linkTarget = fs.readlinkSync(source, { encoding: "buffer" });
                fs.symlinkSync(linkTarget, destination);
                fs.lutimesSync(destination, STAGED_MTIME, STAGED_MTIME);
                bytes += linkTarget.length;
            } else {
                fs.copyFileSync(source, destination);
                fs.chmodSync(destination, stat.mode & fs.constants.S_IXUSR ? 0o755 : 0o644);
                fs.utimesSync(destination, STAGED_MTIME, STAGED_MTIME);
                bytes += fs.statSync(destination).size;
            }
            files.push(file.path);
        }
        if (files.length === 0) {
            // An empty context would only fail later, inside docker, as a COPY with no source files.
            throw new Error(`no file in the source checkout ${checkout} matches the build-context patterns ${JSON.stringify(patterns)}`);
        }
        const marker = path.join(building, STAGING_MARKER);
        fs.writeFileSync(marker, MARKER_CONTENT, { mode: 0o644 });
        fs.chmodSync(marker, 0o644);
        fs.utimesSync(marker, STAGED_MTIME, STAGED_MTIME);
        // Deepest directories first: creating an entry updates its parent's mtime.
        for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
            const absolute = dir === "" ? building : path.join(building, dir);
            fs.chmodSync(absolute, 0o755);
            fs.utimesSync(absolute, STAGED_MTIME, STAGED_MTIME);
        }
        if (exists) {
            const previous = fs.mkdtempSync(`${target}.old-`);
            fs.renameSync(target, path.join(previous, "context"));
            fs.renameSync(building, target);
            fs.rmSync(previous, { recursive: true, force: true });
        } else {
            fs.renameSync(building, target);
        }
    } catch (err) {
        fs.rmSync(building, { recursive: true, force: true });
        throw err;
    }
    const staged = files.sort();
    return { dir: target, files: staged, bytes, unmatchedPatterns: unmatchedPatterns(patterns, staged) };
}

/**
 * Total bytes of the files below `dir` (not following symbolic links; a link counts its own size), for
 * reports such as "deps context 1.1 MB instead of the 240 MB checkout". Includes `.git` and everything else.
 */
export function contextBytes(dir: string): number {
    let total = 0;
    const visit = (absolute: string): void => {
        for (const dirent of fs.readdirSync(absolute, { withFileTypes: true })) {
            const child = path.join(absolute, dirent.name);
            if (dirent.isDirectory()) visit(child);
            else if (dirent.isFile() || dirent.isSymbolicLink()) total += fs.lstatSync(child).size;
        }
    };
    visit(path.resolve(dir));
    return total;
}
