/**
 * The local GitHub `scripts/services.sh start` runs (services/local-github, http://127.0.0.1:5080), as the
 * e2e suites see it: its tokens from `$UW3_BINDER_SERVICES_DIR/local-github.env`, its control API, and its
 * repositories over git smart HTTP (read with the git CLI, as a maintainer would).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalGitHubClient } from "../../services/local-github/client";
import { run, servicesDir } from "../integration/harness";

export interface LocalGitHub {
    /** `http://127.0.0.1:5080` */
    origin: string;
    /** The organisation its account is a member of (owner of the demo's source repository). */
    owner: string;
    /** Its account's token: what the demo's GitHub provider writes with (GITHUB_TOKEN from `services.sh env`). */
    token: string;
    client: LocalGitHubClient;
}

/** The running local GitHub, or why there is none. */
export async function localGitHub(): Promise<{ github?: LocalGitHub; problem?: string }> {
    const file = path.join(servicesDir(), "local-github.env");
    let text: string;
    try {
        text = await fs.promises.readFile(file, "utf8");
    } catch {
        return { problem: `local-github is not running (${file} missing: run scripts/services.sh start after npm ci)` };
    }
    const value = (name: string) => new RegExp(`^${name}=(.+)$`, "m").exec(text)?.[1]?.trim() ?? "";
    const github: LocalGitHub = {
        origin: value("LOCAL_GITHUB_URL"),
        owner: value("LOCAL_GITHUB_ORG"),
        token: value("LOCAL_GITHUB_TOKEN"),
        client: new LocalGitHubClient(value("LOCAL_GITHUB_URL"), value("LOCAL_GITHUB_TOKEN")),
    };
    if (!/^http:\/\/127\.\d+\.\d+\.\d+:\d+$/.test(github.origin) || !github.owner || !github.token) {
        return { problem: `${file} does not name a loopback local-github with its tokens (run scripts/services.sh stop, then start)` };
    }
    try {
        const res = await fetch(`${github.origin}/_local/health`, { headers: { Authorization: `token ${github.token}` }, signal: AbortSignal.timeout(5000) });
        if (res.status !== 200) return { problem: `local-github at ${github.origin} answered its health check with HTTP ${res.status}` };
    } catch (err) {
        return { problem: `local-github at ${github.origin} does not answer (${(err as Error).message})` };
    }
    return { github };
}

/** In a `before` hook: the local GitHub, or a skip with the reason (a failure under CI=true). */
export async function requireLocalGitHub(context: Mocha.Context, what: string): Promise<LocalGitHub> {
    const { github, problem } = await localGitHub();
    if (github) return github;
    if (process.env.CI === "true") throw new Error(`local GitHub missing under CI=true: ${problem}`);
    console.log(`    skipping "${what}": ${problem}`);
    context.skip();
}

/** A REST call to the local GitHub with uw3-bot's token; the answer's status and JSON body. */
export async function githubApi(github: LocalGitHub, method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${github.origin}/api/v3${apiPath}`, {
        method,
        headers: {
            Authorization: `token ${github.token}`,
            Accept: "application/vnd.github+json",
            ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The clone URL of a repository on the local GitHub, as a launcher's users (and repo2docker) clone it. */
export function cloneUrl(github: LocalGitHub, repository: string): string {
    return `${github.origin}/${github.owner}/${repository}.git`;
}

async function git(args: string[], cwd?: string): Promise<string> {
    const result = await run("git", args, { ...(cwd ? { cwd } : {}), timeoutMs: 120000, env: { GIT_TERMINAL_PROMPT: "0" } });
    if (result.code !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr.trim()}`);
    return result.stdout;
}

/** Every branch's head commit, read over git smart HTTP (`git ls-remote`). */
export async function branchHeads(github: LocalGitHub, repository: string): Promise<Record<string, string>> {
    const out = await git(["ls-remote", "--heads", cloneUrl(github, repository)]);
    return Object.fromEntries(
        out
            .trim()
            .split("\n")
            .filter((l) => l)
            .map((l) => {
                const [sha, ref] = l.split("\t");
                return [ref.replace(/^refs\/heads\//, ""), sha];
            }),
    );
}

/** A fresh clone of one branch in a temporary directory; `remove()` deletes it. */
export async function cloneBranch(
    github: LocalGitHub,
    repository: string,
    branch: string,
): Promise<{ dir: string; read: (file: string) => Promise<string>; log: () => Promise<string[]>; remove: () => Promise<void> }> {
    const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), "uw3-binder-e2e-clone-"));
    const dir = path.join(root, "launcher");
    await git(["clone", "-q", "--branch", branch, "--single-branch", cloneUrl(github, repository), dir]);
    return {
        dir,
        read: (file) => fs.promises.readFile(path.join(dir, file), "utf8"),
        // One line per commit, newest first: sha and subject.
        log: async () =>
            (await git(["log", "--format=%H %s"], dir))
                .trim()
                .split("\n")
                .filter((l) => l),
        remove: () => fs.promises.rm(root, { recursive: true, force: true }),
    };
}
