/**
 * The demo's launcher on the real engine, written to the local GitHub (scripts/services.sh): the GitHub and
 * command providers, the rehearsals, LAUNCHER_PAT and the warm-up, from the first `up` to `destroy`. One
 * stack, in order: each step starts from the state the previous one left (stepsInOrder, stopAfterFailure).
 *
 * The stack is Pulumi.demo.yaml with its own registry namespace, launcher repository and source repository
 * (so reruns never meet an earlier run's), the warm-up pointed at a BinderHub stand-in on loopback, and its
 * LAUNCHER_PAT set with `pulumi config set --secret`. GitHub's token comes, as in the README's demo line, from
 * GITHUB_TOKEN (`services.sh env`).
 */
import * as assert from "assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineEvent, UpResult } from "@pulumi/pulumi/automation";
import YAML from "yaml";
import { launcherDockerfile, launcherReadme, LauncherPin, pinSize } from "../../src/render/launcher";
import { rehearseLaunch, rehearseStart } from "../../src/rehearsal/launch";
import { run } from "../integration/harness";
import { BUILD, hub, Hub, stream } from "../warmup/hub";
import { changes, describeEngine, EngineProject, RUN_ID, SourceRepo, splitPinned, stopAfterFailure, touched, warnings } from "./engine";
import { branchHeads, cloneBranch, cloneUrl, githubApi, LocalGitHub, requireLocalGitHub } from "./github";
import { stepsInOrder } from "./ordered";

const STEP_TIMEOUT = 900000;
const BRANCHES = [
    { name: "main", uw3Branch: "main" },
    { name: "development", uw3Branch: "development" },
];
/** mybinder.org's limits, the rehearsal's documented defaults. */
const BINDER_LIMITS = { memory: "2g", cpus: 1, startTimeoutS: 30 };

/** The repin commits on a branch (newest first), from its git log: "Pin <branch> to ..." and "Update <branch> README for ...". */
const pinCommits = (log: string[]) => log.filter((l) => /^[0-9a-f]{40} (Pin \S+ to|Update \S+ README for) /.test(l));

/** jupyter-repo2docker: UW3_BINDER_REPO2DOCKER, else on PATH, else where .ci/run installs it. */
function repo2docker(): string | undefined {
    const candidates = [
        process.env.UW3_BINDER_REPO2DOCKER,
        ...(process.env.PATH ?? "").split(":").map((d) => path.join(d, "repo2docker")),
        path.join(os.homedir(), ".cache", "uw3-binder-repo2docker", "bin", "repo2docker"),
    ];
    for (const c of candidates) if (c && fs.existsSync(c)) return c;
    return undefined;
}

describeEngine("engine: the demo's launcher on the local GitHub", (engine) => {
    const namespace = `e2e-launcher-${RUN_ID}`;
    const repository = `uw3-binder-launcher-e2e-${RUN_ID}`;
    const sourceName = `underworld3-e2e-${RUN_ID}`;
    const launcherPat = `pat-${randomBytes(16).toString("hex")}`;
    let github: LocalGitHub;
    let project: EngineProject | undefined;
    let source: SourceRepo;
    let warmHub: Hub | undefined;
    let first: UpResult;
    stepsInOrder();
    stopAfterFailure(() => project);

    async function up(): Promise<{ result: UpResult; events: EngineEvent[] }> {
        const events: EngineEvent[] = [];
        const result = await project!.up({ onEvent: (e) => events.push(e) });
        return { result, events };
    }

    /** What the stack says each branch pins. */
    async function pinned(): Promise<Record<string, string>> {
        const launchers = (await project!.stack.outputs()).launchers.value as Record<string, { pinnedReference: string }>;
        return Object.fromEntries(Object.entries(launchers).map(([b, o]) => [b, o.pinnedReference]));
    }

    before(async function () {
        this.timeout(180000);
        github = await requireLocalGitHub(this, "engine: the demo's launcher on the local GitHub");
        // The source repository LAUNCHER_PAT is stored on: one per run, as the demo's is made by services.sh.
        const made = await githubApi(github, "POST", `/orgs/${github.owner}/repos`, { name: sourceName, auto_init: true });
        assert.strictEqual(made.status, 201, JSON.stringify(made.body));
        warmHub = await hub(stream(BUILD));
        project = await EngineProject.create(engine(), {
            stack: "demo",
            edit: (config: Record<string, any>) => {
                config["uw3-binder:registry"] = { ...config["uw3-binder:registry"], namespace };
                config["uw3-binder:source"] = { ...config["uw3-binder:source"], repository: `${github.owner}/${sourceName}` };
                config["uw3-binder:launcher"] = { ...config["uw3-binder:launcher"], repository, warmup: true, binderHubs: [warmHub!.url], warmupTimeoutS: 120 };
                // The committed demo file points at the local GitHub already; the test reads where it runs.
                assert.strictEqual(config["github:baseUrl"], `${github.origin}/`);
                assert.strictEqual(config["github:owner"], github.owner);
            },
            // As `eval "$(scripts/services.sh env)"` gives the README's demo line (engine.services.trustEnv has it too).
            env: { GITHUB_TOKEN: github.token },
        });
        source = await project.useExampleSource();
        await project.stack.setConfig("uw3-binder:launcherPat", { value: launcherPat, secret: true });
    });

    after(async function () {
        this.timeout(STEP_TIMEOUT);
        await warmHub?.stop();
        if (!project) return;
        await project.discard();
    });

    it("up creates the launcher repository and branches, rehearses and pins each branch, stores LAUNCHER_PAT, warms, and prints no warning", async function () {
        this.timeout(STEP_TIMEOUT);
        const { result, events } = await up();
        first = result;
        assert.deepStrictEqual(warnings(events), []);
        assert.ok(!/\bwarning\b/i.test(result.stdout), `up printed a warning:\n${result.stdout}`);
        const created = touched(events)
            .filter((t) => t.startsWith("create "))
            .map((t) => t.slice("create ".length));
        for (const name of [
            "launcher-repository",
            "launcher-branch-development",
            "launcher-rehearse-main",
            "launcher-rehearse-development",
            "launcher-dockerfile-main",
            "launcher-readme-main",
            "launcher-dockerfile-development",
            "launcher-readme-development",
            "launcher-warmup-main",
            "launcher-warmup-development",
            "launcher-pat-actions-secret",
        ]) {
            assert.ok(created.includes(name), `${name} not created; created: ${created.join(", ")}`);
        }
        const repo = await githubApi(github, "GET", `/repos/${github.owner}/${repository}`);
        assert.strictEqual(repo.status, 200);
        assert.strictEqual(repo.body.visibility, "public");
        assert.deepStrictEqual(Object.keys(await branchHeads(github, repository)).sort(), ["development", "main"]);
        const verified = result.outputs.verifiedReferences.value as Record<string, string>;
        assert.deepStrictEqual(await pinned(), { main: verified.slim, development: verified.slim });
    });

    it("each branch's .binder/Dockerfile and README are byte-equal to what uw3-binder plan renders for the same digests", async function () {
        this.timeout(STEP_TIMEOUT);
        const pins = await pinned();
        // `plan` of this stack file with every branch pinned to the digest the engine pinned: the same renderers, offline.
        const stackFile = YAML.parse(await fs.promises.readFile(path.join(project!.programDir, "Pulumi.demo.yaml"), "utf8")) as { config: Record<string, any> };
        const launcher = stackFile.config["uw3-binder:launcher"];
        for (const b of launcher.branches) b.pin = pins[b.name].replace(/^.*:([^:@]+@sha256:[0-9a-f]{64})$/, "$1");
        const planFile = path.join(project!.programDir, "Pulumi.pinned.yaml");
        await fs.promises.writeFile(planFile, YAML.stringify(stackFile));
        const plan = await run(process.execPath, [path.join(project!.programDir, "bin", "uw3-binder.js"), "plan", "--config-file", planFile, "--json"], {
            cwd: project!.programDir,
        });
        assert.strictEqual(plan.code, 0, plan.stderr);
        const planned = Object.fromEntries(
            (JSON.parse(plan.stdout).resources as { name: string; inputs: Record<string, any> }[]).map((r) => [r.name, r.inputs]),
        );
        // The gate's measured size is in the README (plan, offline, measures nothing): from the gate's state.
        const state = (await project!.stack.exportStack()).deployment as { resources: { urn: string; outputs?: Record<string, any> }[] };
        const slimGate = state.resources.find((r) => r.urn.endsWith("::slim-gate-check"))!.outputs!;
        for (const b of BRANCHES) {
            const clone = await cloneBranch(github, repository, b.name);
            try {
                const dockerfile = await clone.read(".binder/Dockerfile");
                const readme = await clone.read("README.md");
                assert.strictEqual(dockerfile, planned[`launcher-dockerfile-${b.name}`].content, `${b.name}: .binder/Dockerfile differs from plan's`);
                const pin: LauncherPin = { branch: b.name, uw3Branch: b.uw3Branch, release: "2025.01", reference: pins[b.name] };
                assert.strictEqual(dockerfile, launcherDockerfile(pin));
                assert.strictEqual(
                    readme,
                    launcherReadme(
                        { owner: github.owner, repository, defaultBranch: "main" },
                        { ...pin, size: pinSize({ imageBytes: slimGate.imageBytes as number }) },
                        BRANCHES,
                    ),
                    `${b.name}: README.md differs from the rendered one`,
                );
                // ... and from plan's only by the size line plan cannot know.
                assert.strictEqual(
                    readme
                        .split("\n")
                        .filter((l) => !l.startsWith("- Size: "))
                        .join("\n"),
                    planned[`launcher-readme-${b.name}`].content,
                );
                assert.match(readme, /^- Size: \d+(\.\d)? [KM]B compressed$/m);
            } finally {
                await clone.remove();
            }
        }
    });

    it("the rehearsal builds the branch as committed (cloned from the local GitHub), and repo2docker builds the same clone into an image that starts as the rehearsal's does", async function () {
        this.timeout(STEP_TIMEOUT);
        const pins = await pinned();
        const heads = await branchHeads(github, repository);
        // In the up, the rehearsal printed back the very reference the committed Dockerfile is FROM.
        const state = (await project!.stack.exportStack()).deployment as { resources: { urn: string; outputs?: Record<string, any> }[] };
        const rehearsal = state.resources.find((r) => r.urn.endsWith("::launcher-rehearse-development"))!.outputs!;
        assert.strictEqual(String(rehearsal.stdout).trim(), pins.development);

        const clone = await cloneBranch(github, repository, "development");
        try {
            assert.ok((await clone.read(".binder/Dockerfile")).includes(`FROM ${pins.development}\n`));
            const rehearsed = await rehearseLaunch(
                pins.development,
                { branch: "development", uw3Branch: "development", release: "2025.01" },
                BINDER_LIMITS,
                clone.dir,
            );
            assert.ok(rehearsed.ok, JSON.stringify(rehearsed.steps));
            assert.deepStrictEqual(
                rehearsed.steps.map((s) => [s.name, s.ok]),
                [
                    ["build", true],
                    ["launch", true],
                ],
            );
        } finally {
            await clone.remove();
        }

        // The real builder, once: repo2docker clones the branch's commit from its URL and builds its .binder/Dockerfile.
        const r2d = repo2docker();
        if (!r2d) {
            if (process.env.CI === "true") throw new Error("jupyter-repo2docker is not installed (.ci/run installs it)");
            console.log("      repo2docker not installed (pip install jupyter-repo2docker==2024.7.0, or set UW3_BINDER_REPO2DOCKER): its half skipped");
            return;
        }
        const image = `uw3-binder-e2e-r2d:${RUN_ID}`;
        try {
            const built = await run(
                r2d,
                ["--no-run", "--user-id", "1000", "--user-name", "jovyan", "--image-name", image, "--ref", heads.development, cloneUrl(github, repository)],
                { timeoutMs: 900000 },
            );
            assert.strictEqual(built.code, 0, `repo2docker failed:\n${built.stderr.slice(-3000)}`);
            const started = await rehearseStart(image, "development", BINDER_LIMITS);
            assert.ok(started.ok, started.detail);
            assert.match(started.detail, /^the hub's GET \/user\/uw3-binder-rehearsal-[a-z0-9]{8}\/api on 127\.0\.0\.1:8888 had HTTP 200 /);
        } finally {
            await run("docker", ["image", "rm", "--force", image]);
        }
    });

    it("LAUNCHER_PAT opened by the local GitHub equals the configured secret, which is nowhere in state in plain text", async function () {
        this.timeout(STEP_TIMEOUT);
        const opened = await github.client.secret(github.owner, sourceName, "LAUNCHER_PAT");
        assert.strictEqual(opened.value, launcherPat);
        const pulumi = (args: string[]) => run(path.join(engine().binDir, "pulumi"), args, { cwd: project!.programDir, env: project!.stack.workspace.envVars });
        const exported = await pulumi(["stack", "export", "--stack", "demo"]);
        assert.strictEqual(exported.code, 0, exported.stderr);
        assert.ok(exported.stdout.includes("LAUNCHER_PAT"));
        assert.ok(!exported.stdout.includes(launcherPat), "LAUNCHER_PAT is in the state in plain text");
        assert.ok(!exported.stdout.includes(github.token), "the GitHub token is in the state in plain text");
        const outputs = await pulumi(["stack", "output", "--json", "--show-secrets=false", "--stack", "demo"]);
        assert.strictEqual(outputs.code, 0, outputs.stderr);
        assert.ok(!outputs.stdout.includes(launcherPat));
    });

    it("the warm-up asks the hub on loopback for each branch's new commit, and its per-member JSON is the stack output", async function () {
        this.timeout(STEP_TIMEOUT);
        const heads = await branchHeads(github, repository);
        const launchers = (await project!.stack.outputs()).launchers.value as Record<string, { warmup: string }>;
        for (const b of BRANCHES) {
            const warm = JSON.parse(launchers[b.name].warmup) as { repository: string; ref: string; members: { hub: string; url: string; outcome: string }[] };
            assert.strictEqual(warm.repository, `${github.owner}/${repository}`);
            // The README's commit, the branch's head: what mybinder.org would build on the first launch.
            assert.strictEqual(warm.ref, heads[b.name]);
            assert.deepStrictEqual(
                warm.members.map((m) => [m.hub, m.url, m.outcome]),
                [[warmHub!.url, `${warmHub!.url}/build/gh/${github.owner}/${repository}/${heads[b.name]}`, "built"]],
            );
            assert.ok(
                warmHub!.seen.some((s) => s.url === `/build/gh/${github.owner}/${repository}/${heads[b.name]}`),
                warmHub!.seen.map((s) => s.url).join("\n"),
            );
        }
    });

    it("a preview after it shows no change: every gate output is in the state, so no launcher file reads as computed", async function () {
        this.timeout(STEP_TIMEOUT);
        const preview = await project!.preview();
        assert.deepStrictEqual(changes(preview.changeSummary), {});
    });

    it("a no-change up makes no commit (the branches' git log) and runs no gate, rehearsal or warm-up", async function () {
        this.timeout(STEP_TIMEOUT);
        const before = await branchHeads(github, repository);
        const seenBefore = warmHub!.seen.length;
        // The local GitHub's request log is shared by every client (another test run may be writing to its own
        // repositories meanwhile): this step reads the requests after the last one logged now, to its two.
        const mark = Math.max(0, ...(await github.client.requests()).map((r) => r.seq));
        // REST (`/api/v3/repos/<owner>/<name>/...`) and git (`/<owner>/<name>.git/...`) requests; the names are [a-z0-9-].
        const ours = (p: string) => [repository, sourceName].some((name) => new RegExp(`^(/api/v3/repos)?/${github.owner}/${name}(\\.git)?(/|$)`).test(p));
        const { result, events } = await up();
        assert.deepStrictEqual(changes(result.summary.resourceChanges), {});
        assert.deepStrictEqual(touched(events), []);
        assert.deepStrictEqual(await branchHeads(github, repository), before);
        // Nothing was written to the launcher or the source repository: refresh read, nothing more.
        const requests = (await github.client.requests()).filter((r) => r.seq > mark && ours(r.path));
        assert.ok(
            requests.some((r) => r.method === "GET" && r.path.includes(`/repos/${github.owner}/${repository}/contents/`)),
            "the refresh read the launcher files",
        );
        const writes = requests.filter((r) => r.method !== "GET" && r.method !== "HEAD" && !r.path.endsWith("/git-upload-pack"));
        assert.deepStrictEqual(writes, []);
        assert.strictEqual(warmHub!.seen.length, seenBefore);
        assert.deepStrictEqual(result.outputs.launchers.value, first.outputs.launchers.value);
    });

    it("a README edited by hand on one branch is put back by the next up (refresh: always), with one commit on that branch only", async function () {
        this.timeout(STEP_TIMEOUT);
        const before = await branchHeads(github, repository);
        const current = await githubApi(github, "GET", `/repos/${github.owner}/${repository}/contents/README.md?ref=development`);
        assert.strictEqual(current.status, 200);
        const original = Buffer.from(current.body.content as string, "base64").toString("utf8");
        const edited = await githubApi(github, "PUT", `/repos/${github.owner}/${repository}/contents/README.md`, {
            message: "A hand edit",
            content: Buffer.from(original.replace(/^# .*$/m, "# Edited by hand")).toString("base64"),
            sha: current.body.sha,
            branch: "development",
        });
        assert.strictEqual(edited.status, 200);

        const { events } = await up();
        // The README put back, and its new commit warmed (the warm-up is triggered by the README's commit).
        assert.deepStrictEqual(touched(events), [
            "create-replacement launcher-warmup-development",
            "delete-replaced launcher-warmup-development",
            "replace launcher-warmup-development",
            "update launcher-readme-development",
        ]);
        const heads = await branchHeads(github, repository);
        assert.strictEqual(heads.main, before.main);
        assert.ok(
            warmHub!.seen.some((s) => s.url.endsWith(`/${heads.development}`)),
            "the restored commit was not warmed",
        );
        const clone = await cloneBranch(github, repository, "development");
        try {
            assert.strictEqual(await clone.read("README.md"), original);
            const log = await clone.log();
            assert.strictEqual(log[1].split(" ").slice(1).join(" "), "A hand edit");
            assert.strictEqual(log[2].split(" ")[0], before.development);
        } finally {
            await clone.remove();
        }
    });

    it("an up whose writes to one branch fail (502 past the provider's retries) fails naming it, leaves the other branch repinned whole, and the next up finishes with no duplicate commit", async function () {
        this.timeout(STEP_TIMEOUT);
        const before = await pinned();
        // A source change that rebuilds slim: every branch is repinned to its new digest.
        await source.append("src/underworld3/cython/kernels.pyx", "\ndef mul(double a, double b):\n    return a * b\n");
        await source.commitAll("kernels: mul");
        // Every write of development's files answers 502: more times than the provider retries (3 by default).
        const fault = await github.client.addFault({
            method: "PUT",
            path: `/api/v3/repos/${github.owner}/${repository}/contents/**`,
            branch: "development",
            count: 1000,
            status: 502,
        });
        const err = await up().then(
            () => undefined,
            (e: Error) => e,
        );
        assert.ok(err, "up should fail");
        assert.match(err.message, /launcher-dockerfile-development/);
        assert.match(err.message, /502/);
        const hits = (await github.client.faults()).find((f) => f.id === fault.id)!.hits;
        assert.ok(hits >= 4, `the provider gave up after ${hits} attempts, expected 1 + 3 retries`);
        await github.client.removeFault(fault.id);

        const rebuilt = splitPinned(
            (await project!.stack.exportStack()).deployment.resources.find((r: any) => r.urn.endsWith("::slim-gate-check")).outputs.verifiedReference,
        );
        assert.notStrictEqual(rebuilt.digest, splitPinned(before.main).digest);
        // main: both files on the new digest, one commit each; development: untouched, both files on the old one.
        const main = await cloneBranch(github, repository, "main");
        const development = await cloneBranch(github, repository, "development");
        try {
            assert.ok((await main.read(".binder/Dockerfile")).includes(`@${rebuilt.digest}\n`));
            assert.ok((await main.read("README.md")).includes(rebuilt.digest));
            assert.ok((await development.read(".binder/Dockerfile")).includes(`@${splitPinned(before.development).digest}\n`));
            assert.ok(!(await development.read("README.md")).includes(rebuilt.digest));
            const mainPins = pinCommits(await main.log());

            const { result } = await up();
            assert.deepStrictEqual(await pinned(), {
                main: result.outputs.verifiedReferences.value.slim,
                development: result.outputs.verifiedReferences.value.slim,
            });
            const mainAfter = await cloneBranch(github, repository, "main");
            const devAfter = await cloneBranch(github, repository, "development");
            try {
                // No second commit on main; development gets its Dockerfile and README commits once.
                assert.deepStrictEqual(pinCommits(await mainAfter.log()), mainPins);
                const devPins = pinCommits(await devAfter.log());
                const devBefore = pinCommits(await development.log());
                assert.deepStrictEqual(devPins.slice(2), devBefore, devPins.join("\n"));
                const short = rebuilt.digest.slice("sha256:".length, "sha256:".length + 12);
                for (const commit of devPins.slice(0, 2)) assert.ok(commit.includes(`@sha256:${short} `), commit);
                assert.ok((await devAfter.read(".binder/Dockerfile")).includes(`@${rebuilt.digest}\n`));
            } finally {
                await mainAfter.remove();
                await devAfter.remove();
            }
        } finally {
            await main.remove();
            await development.remove();
        }
    });

    it("destroy leaves every branch, file and the LAUNCHER_PAT secret in place", async function () {
        this.timeout(STEP_TIMEOUT);
        const heads = await branchHeads(github, repository);
        const result = await project!.destroy();
        assert.ok((result.summary.resourceChanges?.delete ?? 0) > 0);
        assert.deepStrictEqual(await branchHeads(github, repository), heads);
        for (const b of BRANCHES) {
            for (const file of [".binder/Dockerfile", "README.md"]) {
                const got = await githubApi(github, "GET", `/repos/${github.owner}/${repository}/contents/${file}?ref=${b.name}`);
                assert.strictEqual(got.status, 200, `${b.name}:${file} is gone after destroy`);
            }
        }
        assert.strictEqual((await github.client.secret(github.owner, sourceName, "LAUNCHER_PAT")).value, launcherPat);
    });
});
