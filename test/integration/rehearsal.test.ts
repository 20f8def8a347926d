/**
 * `uw3-binder rehearse` end to end: the real CLI, a real Docker engine and the open loopback registry, on an
 * image shaped like uw3-base's Jupyter side (a real Python with JupyterLab 4.5 and Jupyter Server 2.17 and no
 * `notebook`, its own ENTRYPOINT and CMD, USER 1000: test/fixtures/jupyter, made by scripts/jupyter-fixture.sh).
 * It launches as mybinder.org launches it and reports its time to the user's HTTP 200; the same image without
 * any Jupyter server, a start script that ignores mybinder.org's command, one that needs more memory than the
 * limit, and a launcher whose FROM digest is not in the registry each fail with their own detail. No run
 * leaves a container or an image behind.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as path from "node:path";
import { RehearsalReport } from "../../src/rehearsal/launch";
import { PushedImage, RunResult, describeIntegration, docker, run, skipWithoutServices } from "./harness";
import { jupyterFixtureContext, jupyterImageSpec, jupyterVariantSpec } from "./fixtureImages";

const CLI = path.join(__dirname, "..", "..", "bin", "uw3-binder.js");
const TARGET = ["--branch", "development", "--uw3-branch", "development", "--release", "2025.01"];
const LAUNCH_COMMAND =
    "python3 -c <BinderHub's start script: jupyter-lab if jupyterlab>=3 imports, else jupyter-notebook> --ip=0.0.0.0 --port=8888 " +
    "--NotebookApp.base_url=/user/<name>/ --NotebookApp.token=<token> --NotebookApp.trust_xheaders=True --NotebookApp.allow_origin=* " +
    "--NotebookApp.allow_origin_pat=.* (and each --NotebookApp. option as --ServerApp.)";
/** The user BinderHub would name for the rehearsal: /user/<repository>-<8 of a-z0-9>/. */
const PREFIX = String.raw`/user/uw3-binder-rehearsal-[a-z0-9]{8}/`;

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

/** The report of a rehearsal whose build passed and whose launch failed (exit 1), asserted as such. */
function failedLaunch(result: RunResult): RehearsalReport {
    assert.equal(result.code, 1, `exit ${result.code}; stderr: ${result.stderr}`);
    const report = parseReport(result);
    assert.deepEqual(
        report.checks.map((c) => [c.name, c.ok]),
        [
            ["build", true],
            ["launch", false],
        ],
    );
    return report;
}

describeIntegration("uw3-binder rehearse (real CLI, Docker and registry)", (ctx) => {
    const images = new Map<string, PushedImage>();
    /** `<repository>:fixture@sha256:...`: the launcher's FROM names the tag and the digest. */
    const pinned = (name: string) => {
        const image = images.get(name)!;
        return `${image.localTag}@${image.digest}`;
    };

    before(async function () {
        // A cold cache installs JupyterLab from PyPI (about a minute); .ci/run makes it warm before the tests.
        this.timeout(900000);
        const fixture = await jupyterFixtureContext();
        if (!fixture.dir) return skipWithoutServices(this, "uw3-binder rehearse on a Jupyter image", [fixture.problem!]);
        const target = (name: string) => `${ctx.env.registry}/${ctx.uniqueRepository(`rehearse-${name}`)}:fixture`;
        const good = await ctx.buildAndPush(jupyterImageSpec(fixture.dir), target("good"));
        images.set("good", good);
        for (const variant of ["no-jupyter", "rehearsal-own-command", "rehearsal-memory"]) {
            images.set(variant, await ctx.buildAndPush(jupyterVariantSpec(good.localTag, variant), target(variant)));
        }
    });

    it("the good image is shaped like uw3-base: jupyterlab 4.5, jupyter_server 2.17, no notebook, its own ENTRYPOINT and CMD, USER jovyan", async function () {
        this.timeout(60000);
        const image = images.get("good")!.localTag;
        const versions = await docker(
            [
                "run",
                "--rm",
                "--network=none",
                image,
                "python3",
                "-c",
                "import jupyterlab, jupyter_server, importlib.util as u; print(jupyterlab.__version__, jupyter_server.__version__, u.find_spec('notebook'))",
            ],
            { timeoutMs: 60000 },
        );
        assert.match(versions.trim(), /^4\.5\.\d+ 2\.17\.\d+ None$/);
        const config = JSON.parse(await docker(["image", "inspect", "--format", "{{json .Config}}", image])) as {
            Entrypoint: string[];
            Cmd: string[];
            User: string;
        };
        assert.deepEqual(config.Entrypoint, ["/home/jovyan/start"]);
        assert.deepEqual(config.Cmd, ["jupyter", "lab", "--ip=0.0.0.0", "--no-browser"]);
        assert.equal(config.User, "jovyan");
    });

    it("launches the good image as mybinder.org does and reports its time to the user's HTTP 200, exit 0", async function () {
        this.timeout(120000);
        const reference = pinned("good");
        // The hub's 30 s is pinned in test/mybinder/facts.test.ts; on a loaded CI machine JupyterLab may need longer.
        const result = await rehearse([reference, ...TARGET, "--json", "--start-timeout-s", "300"]);
        assert.equal(result.code, 0, `exit ${result.code}; stderr: ${result.stderr}\n${result.stdout}`);
        const report = parseReport(result);
        assert.deepEqual(Object.keys(report), ["reference", "branch", "ok", "secondsToHttp200", "checks"]);
        assert.equal(report.reference, reference);
        assert.equal(report.branch, "development");
        assert.equal(report.ok, true);
        assert.equal(typeof report.secondsToHttp200, "number");
        assert.ok(report.secondsToHttp200! >= 0 && report.secondsToHttp200! < 310, `time to HTTP 200: ${report.secondsToHttp200}`);
        assert.equal(
            detailOf(report, "build"),
            `built .binder/Dockerfile (FROM ${reference}, ENV UW3_BRANCH=development) as repo2docker does, NB_USER=jovyan NB_UID=1000`,
        );
        const launch = new RegExp(
            String.raw`^the hub's GET ${PREFIX}api on 127\.0\.0\.1:8888 had HTTP 200 (\d+\.\d) s after start \(limit 300 s\), ` +
                String.raw`${PREFIX}\?token=<token> HTTP 200 at (\d+\.\d) s \(UID 1000, 1 CPU, 2g memory, no network\)$`,
        ).exec(detailOf(report, "launch"));
        assert.ok(launch, detailOf(report, "launch"));
        assert.equal(launch[2], report.secondsToHttp200!.toFixed(1));
        assert.ok(Number(launch[1]) <= Number(launch[2]));
        assert.equal(result.stderr, "");
    });

    it("fails the same image without any Jupyter server, naming what is missing in one line", async function () {
        this.timeout(120000);
        const result = await rehearse([pinned("no-jupyter"), ...TARGET, "--json"]);
        const report = failedLaunch(result);
        const [cause, ...rest] = detailOf(report, "launch").split("\n");
        assert.match(
            cause,
            /^no Jupyter server in the image: jupyterlab 3 or later does not import in its python3 and there is no jupyter-notebook on its PATH \(BinderHub's start command runs jupyter-lab when jupyterlab>=3 imports, else jupyter-notebook\) \(exit 1 \d+\.\d s after start; ENTRYPOINT \/home\/jovyan\/start\); last log lines:$/,
        );
        assert.ok(rest.includes("  jupyter-lab not found, launching jupyter-notebook"), rest.join("\n"));
        assert.match(rest[rest.length - 1], /^ {2}FileNotFoundError: \[Errno 2\] No such file or directory/);
    });

    it("--print-ref prints only the reference on stdout and the table on stderr", async function () {
        this.timeout(120000);
        const reference = pinned("good");
        const result = await rehearse([reference, ...TARGET, "--print-ref", "--memory", "512m", "--cpus", "1.5", "--start-timeout-s", "300"]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, `${reference}\n`);
        const lines = result.stderr.split("\n");
        assert.equal(lines[0], `launcher branch development: ${reference}`);
        assert.match(lines[1], /^CHECK +RESULT +TIME +DETAIL$/);
        assert.match(lines[2], /^build +PASS +\d+\.\d s {2}built \.binder\/Dockerfile /);
        // JupyterLab's start fits in 512m: the memory failure below is the hog's own.
        assert.match(
            lines[3],
            new RegExp(
                String.raw`^launch +PASS +\d+\.\d s {2}the hub's GET ${PREFIX}api .* HTTP 200 at \d+\.\d s \(UID 1000, 1\.5 CPU, 512m memory, no network\)$`,
            ),
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
        const [first] = detailOf(report, "launch").split("\n");
        assert.equal(
            first.replace(/\/user\/uw3-binder-rehearsal-[a-z0-9]{8}\//, "/user/<name>/").replace(/; (last log lines:|the container wrote no log lines)$/, ""),
            `no answer under HTTP 500 to the hub's GET /user/<name>/api on 127.0.0.1:8888 within 3 s (last: no answer); mybinder.org passes "${LAUNCH_COMMAND}" to the entrypoint ` +
                "/home/jovyan/start, which must exec it so the server listens on port 8888",
        );
    });

    it("fails an image whose start needs more than the memory limit, saying it was killed for memory", async function () {
        this.timeout(120000);
        const result = await rehearse([pinned("rehearsal-memory"), ...TARGET, "--json", "--memory", "64m"]);
        const report = failedLaunch(result);
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
            [
                [pinned("good"), "--branch", "development", "--uw3-branch", "development"],
                "missing --release, e.g. --release 2025.01 (or --frozen for a frozen release branch, --follows <ref> for a following branch of a build per ref)",
            ],
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
