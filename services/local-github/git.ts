import { spawn } from "child_process";
import { randomBytes } from "crypto";
import { promises as fs } from "fs";
import * as path from "path";

/** Most a git command may print before it is stopped: the largest blob the server serves, and then some. */
const OUTPUT_LIMIT = 64 * 1024 * 1024;

class GitError extends Error {
    constructor(
        message: string,
        readonly exitCode: number | null,
    ) {
        super(message);
    }
}

interface RunOptions {
    input?: Buffer | string;
    env?: Record<string, string>;
}

/** Runs `git` on a bare repository (no shell; arguments passed as they are) and returns its stdout. */
function runGit(gitDir: string, args: string[], options: RunOptions = {}): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const child = spawn("git", args, {
            env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: gitDir, GIT_DIR: gitDir, GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C", ...options.env },
            stdio: ["pipe", "pipe", "pipe"],
        });
        const out: Buffer[] = [];
        let outSize = 0;
        let err = "";
        child.stdout.on("data", (chunk: Buffer) => {
            outSize += chunk.length;
            if (outSize > OUTPUT_LIMIT) child.kill();
            else out.push(chunk);
        });
        child.stderr.on("data", (chunk: Buffer) => {
            if (err.length < 4096) err += chunk.toString();
        });
        child.stdin.on("error", () => undefined);
        child.on("error", (e) => reject(new GitError(`git ${args[0]}: ${e.message}`, null)));
        child.on("close", (code) => {
            if (outSize > OUTPUT_LIMIT) reject(new GitError(`git ${args[0]}: output over ${OUTPUT_LIMIT} bytes`, code));
            else if (code === 0) resolve(Buffer.concat(out));
            else reject(new GitError(`git ${args.join(" ")}: ${err.trim()}`, code));
        });
        child.stdin.end(options.input ?? "");
    });
}

export interface Person {
    name: string;
    email: string;
    /** Unix seconds. */
    time: number;
}

export interface CommitInfo {
    sha: string;
    tree: string;
    parents: string[];
    author: Person;
    committer: Person;
    message: string;
}

export interface TreeEntry {
    mode: string;
    type: "blob" | "tree" | "commit";
    sha: string;
    size: number;
}

/** What a write needs besides the file: who, when, why. */
export interface CommitRequest {
    message: string;
    author: Person;
    committer: Person;
}

function parsePerson(line: string): Person {
    const m = /^(.*) <(.*)> (\d+) [+-]\d{4}$/.exec(line);
    if (!m) throw new GitError(`unreadable person line: ${line}`, null);
    return { name: m[1], email: m[2], time: Number(m[3]) };
}

function personEnv(role: "AUTHOR" | "COMMITTER", p: Person): Record<string, string> {
    return { [`GIT_${role}_NAME`]: p.name, [`GIT_${role}_EMAIL`]: p.email, [`GIT_${role}_DATE`]: `@${p.time} +0000` };
}

/**
 * One bare repository on disk. Every write is a commit made with plumbing on a private index, and lands with
 * `update-ref NEW OLD`: git moves the branch only if it still points where the write started, so of two writes
 * racing on one branch exactly one lands and the other is told so (`undefined`).
 */
export class BareRepository {
    constructor(readonly gitDir: string) {}

    run(args: string[], options?: RunOptions): Promise<Buffer> {
        return runGit(this.gitDir, args, options);
    }

    async text(args: string[], options?: RunOptions): Promise<string> {
        return (await this.run(args, options)).toString("utf8").trim();
    }

    static async init(gitDir: string, defaultBranch: string): Promise<BareRepository> {
        await fs.mkdir(gitDir, { recursive: true });
        const repo = new BareRepository(gitDir);
        await repo.run(["init", "--quiet", "--bare", `--initial-branch=${defaultBranch}`, gitDir]);
        // Smart HTTP serves the repository as it is; `git http-backend` asks for this file (or GIT_HTTP_EXPORT_ALL).
        await fs.writeFile(path.join(gitDir, "git-daemon-export-ok"), "");
        return repo;
    }

    /** The commit a branch points at, or undefined. */
    async branchHead(branch: string): Promise<string | undefined> {
        try {
            return await this.text(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`]);
        } catch (e) {
            if (e instanceof GitError && e.exitCode === 1) return undefined;
            throw e;
        }
    }

    async branches(): Promise<string[]> {
        const out = await this.text(["for-each-ref", "--format=%(refname:strip=2)", "refs/heads/"]);
        return out ? out.split("\n") : [];
    }

    /** The full name of a commit, or undefined when there is none by that name. */
    async commitSha(name: string): Promise<string | undefined> {
        try {
            return await this.text(["rev-parse", "--verify", "--quiet", `${name}^{commit}`]);
        } catch (e) {
            if (e instanceof GitError && e.exitCode === 1) return undefined;
            throw e;
        }
    }

    async commit(sha: string): Promise<CommitInfo> {
        const raw = (await this.run(["cat-file", "commit", sha])).toString("utf8");
        const split = raw.indexOf("\n\n");
        const header = raw.slice(0, split < 0 ? raw.length : split).split("\n");
        const message = split < 0 ? "" : raw.slice(split + 2);
        const info: CommitInfo = { sha, tree: "", parents: [], author: { name: "", email: "", time: 0 }, committer: { name: "", email: "", time: 0 }, message };
        for (const line of header) {
            const space = line.indexOf(" ");
            const key = line.slice(0, space);
            const value = line.slice(space + 1);
            if (key === "tree") info.tree = value;
            else if (key === "parent") info.parents.push(value);
            else if (key === "author") info.author = parsePerson(value);
            else if (key === "committer") info.committer = parsePerson(value);
        }
        return info;
    }

    /** The entry at `file` in a commit's tree, or undefined. */
    async entry(commit: string, file: string): Promise<TreeEntry | undefined> {
        const out = await this.text(["ls-tree", "--long", "-z", commit, "--", file]);
        const line = out.replace(/\0$/, "");
        if (!line) return undefined;
        const m = /^(\d+) (blob|tree|commit) ([0-9a-f]{40}) +(\S+)\t/.exec(line);
        if (!m) throw new GitError(`unreadable ls-tree line for ${file}`, null);
        return { mode: m[1], type: m[2] as TreeEntry["type"], sha: m[3], size: m[4] === "-" ? 0 : Number(m[4]) };
    }

    blob(sha: string): Promise<Buffer> {
        return this.run(["cat-file", "blob", sha]);
    }

    /** Paths changed by a commit against its first parent (all its files for a root commit). */
    async changedFiles(info: CommitInfo): Promise<{ status: string; path: string }[]> {
        const args = info.parents.length
            ? ["diff-tree", "-r", "-z", "--name-status", "--no-renames", info.parents[0], info.sha]
            : ["ls-tree", "-r", "-z", "--name-only", info.sha];
        const parts = (await this.text(args)).split("\0").filter((p) => p.length > 0);
        if (!info.parents.length) return parts.map((p) => ({ status: "A", path: p }));
        const files: { status: string; path: string }[] = [];
        for (let i = 0; i + 1 < parts.length; i += 2) files.push({ status: parts[i], path: parts[i + 1] });
        return files;
    }

    /**
     * Commits `content` at `file` (or removes it, with `null`) on top of `parent` and moves `branch` from `parent`
     * to the new commit. Returns the new commit, or undefined when the branch moved meanwhile (nothing landed).
     * With no `parent`, makes a root commit and creates the branch, which must not exist.
     */
    async commitFile(branch: string, parent: string | undefined, file: string, content: Buffer | null, request: CommitRequest): Promise<string | undefined> {
        const index = path.join(this.gitDir, `index-${process.pid}-${randomBytes(6).toString("hex")}`);
        const env = { GIT_INDEX_FILE: index };
        try {
            if (parent) await this.run(["read-tree", parent], { env });
            else await this.run(["read-tree", "--empty"], { env });
            // `--index-info` works without a work tree (a bare repository has none); mode 0 removes the path.
            const entry = content === null ? `0 ${"0".repeat(40)}` : `100644 ${await this.text(["hash-object", "-w", "--stdin"], { input: content })}`;
            await this.run(["update-index", "--index-info"], { env, input: `${entry}\t${file}\n` });
            const tree = await this.text(["write-tree"], { env });
            const parents = parent ? ["-p", parent] : [];
            const commit = await this.text(["commit-tree", tree, ...parents, "-F", "-"], {
                input: request.message,
                env: { ...personEnv("AUTHOR", request.author), ...personEnv("COMMITTER", request.committer) },
            });
            return (await this.moveRef(`refs/heads/${branch}`, commit, parent)) ? commit : undefined;
        } finally {
            await fs.rm(index, { force: true });
            await fs.rm(`${index}.lock`, { force: true });
        }
    }

    /**
     * Sets `ref` to `to` only if it is at `from` now (undefined `from`: only if it does not exist; `to` empty: delete).
     * False when the ref was elsewhere.
     */
    async moveRef(ref: string, to: string, from: string | undefined): Promise<boolean> {
        const args = to === "" ? ["update-ref", "-d", ref, from ?? ""] : ["update-ref", ref, to, from ?? ""];
        try {
            await this.run(args);
            return true;
        } catch (e) {
            if (e instanceof GitError && e.exitCode === 128) return false;
            throw e;
        }
    }
}
