/**
 * `uw3-binder rehearse` end to end: the real CLI, a real Docker engine and the open loopback registry.
 * The good fixture image launches as mybinder.org launches it and reports its time to HTTP 200; a start
 * script that ignores mybinder.org's command, one that needs more memory than the limit, and a launcher
 * whose FROM digest is not in the registry each fail with their own detail. No run leaves a container or
 * an image behind.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as path from "node:path";
import { RehearsalReport } from "../../src/rehearsal/launch";
import { PushedImage, RunResult, describeIntegration, run } from "./harness";
import { fixtureSpec } from "./fixtureImages";

const CLI = path.join(__dirname, "..", "..", "bin", "uw3-binder.js");
const TARGET = ["--branch", "development", "--uw3-branch", "development", "--release", "2025.01"];
const LAUNCH_COMMAND = "jupyter notebook --ip=0.0.0.0 --port=8888 --NotebookApp.token=<token> --NotebookApp.base_url=/";

/** What a `docker` listing printed; no stdin (a listing that exits first would make writing it fail with EPIPE). */
async function dockerListing(args: string[]): Promise<string> {
    const { stdout } = await promisify(execFile)("docker", args, { timeout: 30000 });
    return stdout;
}

/** Runs `node bin/uw3-binder.js rehearse ...`, then asserts it left no container and no image behind. */
async function rehearse(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    const result = await run(process.execPath, [CLI, "rehearse", ...args], {
        // run() sets DOCKER_BUILDKIT=0 for the harness's own builds; the CLI builds as the caller's docker would.
        env: { DOCKER_BUILDKIT: process.env.DOCKER_BUILDKIT, ...env },
        timeoutMs: 120000,
        killSignal: "SIGTERM",
    });
    const mine = (listing: string) => listing.split("\n").filter((l) => l.includes(`-${result.pid}-`));
    const containers = await dockerListing(["ps", "--all", "--filter", "name=uw3-binder-rehearsal-", "--format", "{{.Names}}"]);
    assert.deepEqual(mine(containers), [], `uw3-binder rehearse ${args.join(" ")} left containers behind`);
    const images = await dockerListing(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "uw3-binder-rehearsal"]);
    assert.deepEqual(mine(images), [], `uw3-binder rehearse ${args.join(" ")} left images behind`);
    return result;
}

function parseReport(result: RunResult): RehearsalReport {
    try {
        return JSON.parse(result.stdout) as RehearsalReport;
    } catch {
        throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
    }
}

function detailOf(report: RehearsalReport, name: "build" | "launch"): string {
    const step = report.checks.find((c) => c.name === name);
    assert.ok(step, `no "${name}" step in ${JSON.stringify(report)}`);
    return step.detail;
}

describeIntegration("uw3-binder rehearse (real CLI, Docker and registry)", (ctx) => {
    const images = new Map<string, PushedImage>();
    /** `<repository>:fixture@sha256:...`: the launcher's FROM names the tag and the digest. */
    const pinned = (name: string) => {
        const image = images.get(name)!;
        return `${image.localTag}@${image.digest}`;
    };

    before(async function () {
        this.timeout(240000);
        for (const variant of [undefined, "rehearsal-own-command", "rehearsal-memory"]) {
            const name = variant ?? "good";
            images.set(name, await ctx.buildAndPush(fixtureSpec(variant), `${ctx.env.registry}/${ctx.uniqueRepository(`rehearse-${name}`)}:fixture`));
        }
    });

    it("launches the good image as mybinder.org does and reports its time to HTTP 200, exit 0", async function () {
        this.timeout(120000);
        const reference = pinned("good");
        const result = await rehearse([reference, ...TARGET, "--json"]);
        assert.equal(result.code, 0, `exit ${result.code}; stderr: ${result.stderr}\n${result.stdout}`);
        const report = parseReport(result);
        assert.deepEqual(Object.keys(report), ["reference", "branch", "ok", "secondsToHttp200", "checks"]);
        assert.equal(report.reference, reference);
        assert.equal(report.branch, "development");
        assert.equal(report.ok, true);
        assert.equal(typeof report.secondsToHttp200, "number");
        assert.ok(report.secondsToHttp200! >= 0 && report.secondsToHttp200! < 30, `time to HTTP 200: ${report.secondsToHttp200}`);
        assert.equal(
            detailOf(report, "build"),
            `built .binder/Dockerfile (FROM ${reference}, ENV UW3_BRANCH=development) as repo2docker does, NB_USER=jovyan NB_UID=1000`,
        );
        assert.equal(
            detailOf(report, "launch"),
            `HTTP 200 on 127.0.0.1:8888 ${report.secondsToHttp200!.toFixed(1)} s after start (limit 30 s; UID 1000, 1 CPU, 2g memory, no network)`,
        );
        assert.equal(result.stderr, "");
    });

    it("--print-ref prints only the reference on stdout and the table on stderr", async function () {
        this.timeout(120000);
        const reference = pinned("good");
        const result = await rehearse([reference, ...TARGET, "--print-ref", "--memory", "64m", "--cpus", "0.5"]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, `${reference}\n`);
        const lines = result.stderr.split("\n");
        assert.equal(lines[0], `launcher branch development: ${reference}`);
        assert.match(lines[1], /^CHECK +RESULT +TIME +DETAIL$/);
        assert.match(lines[2], /^build +PASS +\d+\.\d s {2}built \.binder\/Dockerfile /);
        // The good image's start fits in 64m: the memory failure below is the hog's own.
        assert.match(
            lines[3],
            /^launch +PASS +\d+\.\d s {2}HTTP 200 on 127\.0\.0\.1:8888 \d+\.\d s after start \(limit 30 s; UID 1000, 0\.5 CPU, 64m memory, no network\)$/,
        );
        assert.equal(lines[4], "all 2 checks passed");
    });

    it("fails a start script that ignores mybinder.org's command, naming the command and quoting the logs", async function () {
        this.timeout(120000);
        const result = await rehearse([pinned("rehearsal-own-command"), ...TARGET, "--json", "--start-timeout-s", "3"]);
        assert.equal(result.code, 1, `exit ${result.code}; stderr: ${result.stderr}`);
        const report = parseReport(result);
        assert.equal(report.ok, false);
        assert.equal(report.secondsToHttp200, null);
        assert.deepEqual(
            report.checks.map((c) => [c.name, c.ok]),
            [
                ["build", true],
                ["launch", false],
            ],
        );
        assert.equal(
            detailOf(report, "launch"),
            `no HTTP 200 on 127.0.0.1:8888 within 3 s (last: no answer); mybinder.org passes "${LAUNCH_COMMAND}" to the entrypoint ` +
                "/home/jovyan/start, which must exec it so the server listens on port 8888; last log lines:\n" +
                "  [I ServerApp] fixture jupyter lab starting (port 9999)\n" +
                "  [I ServerApp] Jupyter Server is running at: http://127.0.0.1:9999/lab",
        );
    });

    it("fails an image whose start needs more than the memory limit, saying it was killed for memory", async function () {
        this.timeout(120000);
        const result = await rehearse([pinned("rehearsal-memory"), ...TARGET, "--json", "--memory", "64m"]);
        assert.equal(result.code, 1, `exit ${result.code}; stderr: ${result.stderr}`);
        const report = parseReport(result);
        assert.deepEqual(
            report.checks.map((c) => [c.name, c.ok]),
            [
                ["build", true],
                ["launch", false],
            ],
        );
        assert.match(
            detailOf(report, "launch"),
            /^out of memory: the kernel killed the container's process at the 64m memory limit within \d+\.\d s of start \(exit 137\); mybinder\.org gives each user 2g, so the start script and the server must stay under it; last log lines:\n {2}start: preloading 300 MB of tutorial data$/,
        );
    });

    it("fails a launcher whose FROM digest is not in the registry at the build, without launching", async function () {
        this.timeout(120000);
        const missing = `${images.get("good")!.localTag}@sha256:${"0".repeat(64)}`;
        const result = await rehearse([missing, ...TARGET, "--json"]);
        assert.equal(result.code, 1, `exit ${result.code}; stderr: ${result.stderr}`);
        const report = parseReport(result);
        assert.deepEqual(report.checks, [
            {
                name: "build",
                ok: false,
                detail:
                    `docker build of .binder/Dockerfile failed (exit 1) at "Step 1/2 : FROM ${missing}": ` +
                    `manifest for ${missing} not found: manifest unknown: manifest unknown; a mybinder.org node pulls the base image ` +
                    `anonymously and could not build this launcher either: check that ${missing} exists in its registry, is public and has linux/amd64`,
            },
            { name: "launch", ok: false, detail: "not run: the launcher did not build" },
        ]);
    });

    it("says the rehearsal was not run when the Docker engine is unreachable, exit 1", async function () {
        this.timeout(60000);
        const result = await rehearse([pinned("good"), ...TARGET, "--json"], { DOCKER_HOST: "unix:///nonexistent/docker.sock" });
        assert.equal(result.code, 1);
        for (const step of parseReport(result).checks) {
            assert.equal(step.ok, false);
            assert.match(step.detail, /^not run: Docker engine unreachable: Cannot connect to the Docker daemon at unix:\/\/\/nonexistent\/docker\.sock/);
        }
    });

    it("exits 2 on a usage error, naming the problem, before touching Docker", async function () {
        this.timeout(30000);
        const cases: [string[], string][] = [
            [[pinned("good"), "--branch", "development", "--uw3-branch", "development"], "missing --release, e.g. --release 2025.01"],
            [
                [pinned("good"), ...TARGET, "--memory", "2 GB"],
                '--memory: expected a whole number with a unit k, m or g (for example "2g" or "512m"), found "2 GB"',
            ],
            [
                [images.get("good")!.reference, ...TARGET],
                `expected a pinned image reference <repository>:<tag>@sha256:<64 hex>, found "${images.get("good")!.reference}"`,
            ],
        ];
        for (const [args, message] of cases) {
            const result = await rehearse(args);
            assert.equal(result.code, 2, `${args.join(" ")}: exit ${result.code}`);
            assert.equal(result.stderr.split("\n")[0], `uw3-binder rehearse: ${message}`);
            assert.equal(result.stdout, "");
        }
    });
});
