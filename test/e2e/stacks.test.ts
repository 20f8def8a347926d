/**
 * `pulumi preview` of every committed stack file on the real engine: each gets past the engine's own
 * config validation and runs the program to the end, the GitHub and command providers included (the
 * stacks with a launcher are pointed at the local GitHub by config edits only), and a bad config fails
 * with the program's message.
 */
import * as assert from "assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { describeEngine, EngineProject, RUN_ID } from "./engine";
import { githubApi, LocalGitHub, requireLocalGitHub } from "./github";
import { writeUnderworld3Files } from "../source/checkout";
import { writeUnderworld2Files } from "../source/underworld2";

/** Every stack file committed at the repository root. */
const STACKS = fs
    .readdirSync(path.resolve(__dirname, "..", ".."))
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();

/**
 * The checkout a stack builds from, laid out as the real repository is: the program refuses context patterns
 * that match nothing, COPYs of paths its context lacks and build args no ARG declares (issue 19).
 */
function fakeCheckout(project: EngineProject, name: "underworld2" | "underworld3"): void {
    const dir = path.join(project.root, name);
    if (name === "underworld2") writeUnderworld2Files(dir);
    else writeUnderworld3Files(dir);
}

/** A Dockerfile as the real container/Dockerfile.base.optimized starts: the ref it clones is a build arg. */
const BASE_OPTIMIZED =
    "FROM ubuntu:24.04 AS builder\nARG UW3_BRANCH=main\nRUN git clone --branch ${UW3_BRANCH} --depth 1 https://github.com/underworldcode/underworld3.git\n";

/**
 * The checkout of a stack built per ref (v3.0.1): a git repository with the refs the stack builds (main,
 * development and the release's tag), since each image is read from its ref's commit, never the work tree.
 */
function refsCheckout(project: EngineProject, release: string): void {
    const dir = path.join(project.root, "underworld3");
    writeUnderworld3Files(dir);
    fs.writeFileSync(path.join(dir, "container", "Dockerfile.base.optimized"), BASE_OPTIMIZED);
    const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_AUTHOR_NAME: "T", GIT_AUTHOR_EMAIL: "t@example.invalid" };
    const git = (...args: string[]) =>
        execFileSync("git", args, { cwd: dir, env: { ...env, GIT_COMMITTER_NAME: "T", GIT_COMMITTER_EMAIL: "t@example.invalid" } });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "underworld3");
    git("branch", "development");
    git("tag", release);
}

/**
 * The launcher a stack with frozen branches adopts: its own repository on the local GitHub, with the frozen
 * branches this stack neither pins nor builds, each FROM its release's image by digest (as `up` leaves them),
 * so adopting reads GitHub and no registry.
 */
async function seedLauncher(github: LocalGitHub, repository: string, frozen: string[]): Promise<void> {
    const made = await githubApi(github, "POST", `/orgs/${github.owner}/repos`, { name: repository, auto_init: false });
    assert.strictEqual(made.status, 201, JSON.stringify(made.body));
    const put = async (branch: string, content: string) => {
        const r = await githubApi(github, "PUT", `/repos/${github.owner}/${repository}/contents/.binder/Dockerfile`, {
            message: "Pin",
            content: Buffer.from(content).toString("base64"),
            branch,
            ...(branch === "main"
                ? {}
                : { sha: (await githubApi(github, "GET", `/repos/${github.owner}/${repository}/contents/.binder/Dockerfile?ref=${branch}`)).body.sha }),
        });
        assert.ok(r.status === 200 || r.status === 201, `PUT on ${branch}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    };
    await put("main", "FROM ghcr.io/underworldcode/uw3-base:main-slim\n");
    const main = await githubApi(github, "GET", `/repos/${github.owner}/${repository}/branches/main`);
    for (const [i, branch] of frozen.entries()) {
        const created = await githubApi(github, "POST", `/repos/${github.owner}/${repository}/git/refs`, {
            ref: `refs/heads/${branch}`,
            sha: main.body.commit.sha,
        });
        assert.strictEqual(created.status, 201, JSON.stringify(created.body));
        await put(branch, `FROM ghcr.io/underworldcode/uw3-base:${branch}-slim@sha256:${String(i + 1).repeat(64)}\n`);
    }
}

/**
 * A stack with a launcher, pointed at the local GitHub by config alone (`github:baseUrl`, its organisation as
 * `github:owner` and as the source repository's owner); nothing else of the stack file changes.
 */
function atLocalGitHub(github: LocalGitHub): (config: Record<string, any>) => void {
    return (config) => {
        if (!config["uw3-binder:launcher"]) return;
        config["github:baseUrl"] = `${github.origin}/`;
        config["github:owner"] = github.owner;
        const [, name] = String(config["uw3-binder:source"].repository).split("/");
        config["uw3-binder:source"] = { ...config["uw3-binder:source"], repository: `${github.owner}/${name}` };
    };
}

/** A preview, and each resource it plans as "<type> <name>" (its result, or the error it failed with). */
async function previewEvents(project: EngineProject): Promise<{ result: unknown; events: string[] }> {
    const events: string[] = [];
    const result = await project
        .preview({
            onEvent: (e) => e.resourcePreEvent && events.push(`${e.resourcePreEvent.metadata.type} ${e.resourcePreEvent.metadata.urn.split("::").pop()}`),
        })
        .catch((err: Error) => err);
    return { result, events };
}

/** Sets every secret the stack file's header asks for, as `pulumi config set --secret` would. */
async function setSecrets(project: EngineProject, stack: string, github: LocalGitHub): Promise<void> {
    const config = (await project.stack.getAllConfig()) as Record<string, { value: string }>;
    const source = JSON.parse(config["uw3-binder:source"]?.value ?? "{}") as { launcherPatSecret?: boolean };
    const registry = JSON.parse(config["uw3-binder:registry"]?.value ?? "{}") as { username?: string; server?: string };
    if (source.launcherPatSecret !== false) await project.stack.setConfig("uw3-binder:launcherPat", { value: `pat-${stack}`, secret: true });
    if (stack === "uw2") {
        await project.stack.setConfig('uw3-binder:registryPasswords["docker.io"]', { value: "hub-token", secret: true }, true);
    } else if (registry.username) {
        await project.stack.setConfig("uw3-binder:registryPassword", { value: `password-${stack}`, secret: true });
    }
    if (config["uw3-binder:launcher"]) await project.stack.setConfig("github:token", { value: github.token, secret: true });
}

describeEngine("engine: preview of every committed stack", (engine) => {
    let github: LocalGitHub;
    before(async function () {
        github = await requireLocalGitHub(this, "engine: preview of every committed stack");
    });

    it("finds the committed stacks", () => {
        assert.deepStrictEqual(STACKS, ["2025-01", "demo", "dev", "uw2", "v3.0.1"]);
    });

    it("v3.0.1: one image per ref, main and development following, v0.99 and v3.0.0 adopted from the launcher, v3.0.1 built and frozen", async function () {
        this.timeout(180000);
        const repository = `uw3-binder-launcher-stacks-${RUN_ID}`;
        await seedLauncher(github, repository, ["v0.99", "v3.0.0"]);
        const project = await EngineProject.create(engine(), {
            stack: "v3.0.1",
            edit: (config: Record<string, any>) => {
                atLocalGitHub(github)(config);
                config["uw3-binder:launcher"] = { ...config["uw3-binder:launcher"], repository };
            },
        });
        try {
            refsCheckout(project, "v3.0.1");
            await setSecrets(project, "v3.0.1", github);
            const { result, events } = await previewEvents(project);
            assert.ok(!(result instanceof Error), `v3.0.1 preview failed: ${result instanceof Error ? result.message : ""}`);
            const planned = events.sort().join("\n");
            for (const ref of ["main", "development", "v3-0-1"]) {
                assert.ok(planned.includes(`docker-build:index:Image base-${ref}-image`), `base-${ref}-image missing from:\n${planned}`);
            }
            // Frozen releases this stack does not build get no image of their own; their launcher files are still declared.
            assert.ok(!/Image base-v0-99|Image base-v3-0-0/.test(planned), planned);
            for (const b of ["main", "development", "v0.99", "v3.0.0", "v3.0.1"]) {
                assert.ok(
                    planned.includes(`github:index/repositoryFile:RepositoryFile launcher-dockerfile-${b.replaceAll(".", "-")}`) ||
                        planned.includes(`launcher-dockerfile-${b}`),
                    `${b}'s Dockerfile missing from:\n${planned}`,
                );
            }
        } finally {
            await project.remove();
        }
    });

    for (const stack of STACKS.filter((s) => s !== "demo" && s !== "v3.0.1")) {
        it(`${stack}: gets past config and runs the program to the end, the GitHub and command providers included`, async function () {
            this.timeout(180000);
            const project = await EngineProject.create(engine(), { stack, edit: atLocalGitHub(github) });
            try {
                fakeCheckout(project, stack === "uw2" ? "underworld2" : "underworld3");
                await setSecrets(project, stack, github);
                const { result, events } = await previewEvents(project);
                const planned = events.sort().join("\n");
                if (stack === "uw2") {
                    // No launcher: nothing needs GitHub, and the whole preview succeeds: 7 images built every
                    // run (lavavu for amd64 and arm64, joined by a manifest list), a gate each; base and the
                    // release images are built only on request.
                    assert.ok(!(result instanceof Error), `uw2 preview failed: ${result instanceof Error ? result.message : ""}`);
                    const count = (type: string) => events.filter((e) => e.startsWith(`${type} `)).length;
                    assert.deepStrictEqual(
                        [count("docker-build:index:Image"), count("docker-build:index:Index"), count("pulumi-nodejs:dynamic/uw3-binder:Gate")],
                        [8, 1, 7],
                    );
                    assert.match(planned, /docker-build:index:Image lavavu-image-linux-arm64/);
                } else {
                    // The whole program, the GitHub and command providers included, to the end.
                    assert.ok(!(result instanceof Error), `${stack} preview failed: ${result instanceof Error ? result.message : ""}`);
                    for (const component of [
                        "BinderImage deps",
                        "BinderImage slim",
                        "BinderGate deps-gate",
                        "BinderGate slim-gate",
                        "Launcher launcher",
                        "LauncherPatSecret launcher-pat",
                    ]) {
                        assert.ok(planned.includes(`uw3-binder:index:${component}`), `${component} missing from:\n${planned}`);
                    }
                    const branches = stack === "dev" ? ["main", "development"] : ["main", "uw3-release-candidate", "development"];
                    for (const b of branches) {
                        for (const resource of [
                            `command:local:Command launcher-rehearse-${b}`,
                            `github:index/repositoryFile:RepositoryFile launcher-dockerfile-${b}`,
                            `github:index/repositoryFile:RepositoryFile launcher-readme-${b}`,
                        ]) {
                            assert.ok(planned.includes(resource), `${resource} missing from:\n${planned}`);
                        }
                    }
                    assert.ok(planned.includes("github:index/actionsSecret:ActionsSecret launcher-pat-actions-secret"), planned);
                    // dev makes its launcher repository; 2025-01's exists already (create: false).
                    assert.strictEqual(planned.includes("github:index/repository:Repository launcher-repository"), stack === "dev", planned);
                }
            } finally {
                await project.remove();
            }
        });
    }

    const badConfigs: { name: string; edit: (c: Record<string, any>) => void; message: RegExp }[] = [
        {
            name: "a release that is neither a month YYYY.MM nor a version",
            edit: (c) => (c["uw3-binder:release"] = "2025-13"),
            message:
                /invalid uw3-binder stack config \(1 problem\):\n\s+- `uw3-binder:release`: expected a release: a month YYYY\.MM \(for example "2025\.01"\) or a version such as "v3\.0\.2", found "2025-13"/,
        },
        {
            name: "a parent that is not an image",
            edit: (c) => (c["uw3-binder:images"].slim.from.image = "base"),
            message: /`uw3-binder:images\.slim\.from\.image`: expected the name of another image \("deps", "slim"\), found "base"/,
        },
        {
            name: "an unknown key",
            edit: (c) => (c["uw3-binder:imges"] = {}),
            message: /`uw3-binder:imges`: unknown key/,
        },
    ];
    for (const bad of badConfigs) {
        it(`demo with ${bad.name}: preview fails with the program's own message`, async function () {
            this.timeout(120000);
            const project = await EngineProject.create(engine(), { stack: "demo", edit: bad.edit });
            try {
                const err = await project.preview().then(
                    () => undefined,
                    (e: Error) => e,
                );
                assert.ok(err, "preview should fail");
                assert.match(err.message, bad.message);
                assert.ok(!/Stack 'demo' is missing configuration value/.test(err.message), "the engine must not be the one refusing");
            } finally {
                await project.remove();
            }
        });
    }
});
