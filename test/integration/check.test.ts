/**
 * `uw3-binder check` end to end: the real CLI (bin/uw3-binder.js), a real Docker engine and the loopback
 * registries of scripts/services.sh. The images are test/fixtures/images: the GOOD one passes every check
 * (layers and visibility included, after a push to 127.0.0.1:5000), and each bad variant fails exactly
 * its own check with its own detail while every other check passes.
 */
import * as assert from "node:assert/strict";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { CHECK_NAMES, CheckName, CheckReport } from "../../src/check/types";
import { PushedImage, RunResult, describeIntegration, run } from "./harness";
import { fixtureSpec } from "./fixtureImages";

const ROOT = path.join(__dirname, "..", "..");
const CLI = path.join(ROOT, "bin", "uw3-binder.js");
const PREFIX = "/home/jovyan/underworld3/.pixi/envs/runtime";
const SITE = `${PREFIX}/lib/python3.12/site-packages`;

/** A port nothing listens on right now (on the host: the jupyter check no longer cares, see the isolation test). */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/**
 * Runs `node bin/uw3-binder.js check ...` and then asserts that it left no container behind (the checks
 * name theirs `uw3-binder-check-<check>-<pid>-<random>`, so other runs on the engine do not interfere).
 */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    // The credential variables of the caller's shell must not leak into a run that expects none.
    const result = await run(process.execPath, [CLI, "check", ...args], {
        // run() sets DOCKER_BUILDKIT=0 for the harness's own builds; the CLI gets the caller's.
        env: { DOCKER_BUILDKIT: process.env.DOCKER_BUILDKIT, UW3_BINDER_REGISTRY_USERNAME: "", UW3_BINDER_REGISTRY_PASSWORD: "", ...env },
        timeoutMs: 120000,
        killSignal: "SIGTERM",
    });
    const left = await run("docker", ["ps", "--all", "--filter", `name=uw3-binder-check-.*-${result.pid}-`, "--format", "{{.Names}}"]);
    assert.equal(left.stdout.trim(), "", `uw3-binder check ${args.join(" ")} left containers behind`);
    return result;
}

function parseReport(result: RunResult): CheckReport {
    try {
        return JSON.parse(result.stdout) as CheckReport;
    } catch {
        throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
    }
}

function detailOf(report: CheckReport, name: CheckName): string {
    const check = report.checks.find((c) => c.name === name);
    assert.ok(check, `no "${name}" check in ${JSON.stringify(report)}`);
    return check.detail;
}

/** The details the good image gets for the checks it owns (jupyter's carries a timing). */
const GOOD_DETAILS: Partial<Record<CheckName, string>> = {
    user: 'runs as UID 1000 (Config.User "jovyan")',
    kernel: 'kernelspec "python3" found; kernels: python3',
    jit: `cc1 at ${PREFIX}/libexec/gcc/x86_64-conda-linux-gnu/13.3.0/cc1; include/ at ${PREFIX}/include`,
    import: "python imported underworld3, nbgitpuller",
};
const BYPASS_NOTE = "; checked bypassing the entrypoint, since /home/jovyan/start did not run its arguments (see jupyter)";

interface BadCase {
    variant: string;
    check: CheckName;
    /** Extra CLI arguments. */
    args?: string[];
    /** The failing check's exact detail, given the jupyter port. */
    detail: (port: number) => string;
    /** Suffix the passing runtime checks' details carry. */
    note?: string;
}

const BAD_CASES: BadCase[] = [
    {
        variant: "bad-uid",
        check: "user",
        detail: () => 'runs as UID 0, expected 1000 (Config.User "root"); mybinder.org runs notebooks as jovyan, UID 1000',
    },
    {
        // mybinder gives 30 s; the test gives 3 s to a server that listens after 6 s.
        variant: "bad-jupyter",
        check: "jupyter",
        args: ["--start-timeout-s", "3"],
        detail: (port) =>
            `no HTTP answer on 127.0.0.1:${port} within 3 s; last log lines:\n` +
            `  [I ServerApp] fixture jupyter lab starting (port ${port})\n` +
            "  [I ServerApp] fixture: waiting 6 s before listening",
    },
    {
        variant: "bad-kernel",
        check: "kernel",
        detail: () => 'no kernelspec named "python3"; kernels found: pixi-kernel-python3 (notebooks ask for "python3" by name)',
    },
    {
        variant: "bad-jit",
        check: "jit",
        detail: () =>
            `gcc -print-prog-name=cc1 printed "cc1", so gcc cannot find cc1 (JIT fails with "cannot execute 'cc1'"): keep the toolchain's libexec/ in the image`,
    },
    {
        variant: "bad-import",
        check: "import",
        detail: () =>
            `underworld3: ImportError: ${SITE}/underworld3/function/_dminterp_wrapper.cpython-312-x86_64-linux-gnu.so: undefined symbol: DMInterpolationEvaluate_UW`,
    },
    {
        variant: "bad-entrypoint",
        check: "jupyter",
        detail: () => "(checked by pattern below)",
        note: BYPASS_NOTE,
    },
];

describeIntegration("uw3-binder check (real CLI, Docker and registry)", (ctx) => {
    const images = new Map<string, PushedImage>();

    before(async function () {
        this.timeout(240000);
        // The good image first: the variants then reuse its layers from the build cache.
        for (const variant of [undefined, ...BAD_CASES.map((c) => c.variant)]) {
            const name = variant ?? "good";
            const target = `${ctx.env.registry}/${ctx.uniqueRepository(`check-${name}`)}:fixture`;
            images.set(name, await ctx.buildAndPush(fixtureSpec(variant), target));
        }
    });

    it("passes every check on the good image: exact --json shape, exit 0", async function () {
        this.timeout(120000);
        const ref = images.get("good")!.reference;
        const port = await freePort();
        const result = await cli([ref, "--json", "--jupyter-port", String(port)]);
        const report = parseReport(result);
        assert.equal(result.code, 0, `exit ${result.code}; stderr: ${result.stderr}\n${result.stdout}`);

        assert.deepEqual(Object.keys(report), ["version", "image", "ok", "reference", "checks"]);
        assert.equal(report.version, 1);
        assert.equal(report.image, ref);
        assert.equal(report.reference, ref);
        assert.equal(report.ok, true);
        assert.deepEqual(
            report.checks.map((c) => c.name),
            [...CHECK_NAMES],
        );
        for (const check of report.checks) {
            assert.deepEqual(Object.keys(check), ["name", "ok", "detail", "seconds", ...(check.name === "layers" ? ["figures"] : [])]);
            assert.equal(check.ok, true, `${check.name}: ${check.detail}`);
        }
        for (const [name, detail] of Object.entries(GOOD_DETAILS)) assert.equal(detailOf(report, name as CheckName), detail);
        assert.match(detailOf(report, "jupyter"), new RegExp(`^HTTP 200 on 127\\.0\\.0\\.1:${port} \\d+\\.\\d s after start \\(limit 30 s\\)$`));
        assert.match(detailOf(report, "layers"), /^largest layers: .*; total .* over \d+ layers$/);
        assert.equal(detailOf(report, "visibility"), `${ref} can be pulled anonymously (linux/amd64)`);
        assert.equal(result.stderr, "");
    });

    it("--print-ref prints only the pin on stdout and the table on stderr", async function () {
        this.timeout(120000);
        const ref = images.get("good")!.reference;
        const result = await cli([ref, "--print-ref", "--jupyter-port", String(await freePort())]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, `${ref}\n`);
        assert.match(result.stderr, /^image: .*\nCHECK +RESULT +TIME +DETAIL\n/);
        for (const name of CHECK_NAMES) assert.match(result.stderr, new RegExp(`^${name} +PASS +\\d+\\.\\d s  `, "m"));
        assert.match(result.stderr, /^all 10 checks passed$/m);
    });

    it("--print-ref resolves a tag to the pushed digest", async function () {
        this.timeout(60000);
        const good = images.get("good")!;
        const result = await cli([good.localTag, "--print-ref", "--only", "user"]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, `${good.localTag}@${good.digest}\n`);
    });

    for (const bad of BAD_CASES) {
        it(`${bad.variant}: fails only the ${bad.check} check, exit 1`, async function () {
            this.timeout(120000);
            const ref = images.get(bad.variant)!.reference;
            const port = await freePort();
            const result = await cli([ref, "--json", "--jupyter-port", String(port), ...(bad.args ?? [])]);
            const report = parseReport(result);
            assert.equal(result.code, 1, `exit ${result.code}; stderr: ${result.stderr}`);
            assert.equal(report.ok, false);
            assert.deepEqual(
                report.checks.map((c) => [c.name, c.ok]),
                CHECK_NAMES.map((n) => [n, n !== bad.check]),
                JSON.stringify(report, null, 2),
            );
            const detail = detailOf(report, bad.check);
            if (bad.variant === "bad-entrypoint") {
                assert.match(
                    detail,
                    /^the container exited \(code 0\) \d+\.\d s after start without running jupyter: the entrypoint \/home\/jovyan\/start does not run its arguments; it must end with exec "\$@", since mybinder\.org passes its start command \(python3 -c \.\.\., then jupyter-lab\) as arguments; last log lines:\n {2}start: workspace ready$/,
                );
            } else {
                assert.equal(detail, bad.detail(port));
            }
            for (const [name, expected] of Object.entries(GOOD_DETAILS)) {
                if (name !== bad.check) assert.equal(detailOf(report, name as CheckName), expected + (bad.note ?? ""));
            }
        });
    }

    it("jupyter runs with no network: the image cannot reach the host, and the time to HTTP 200 is honest", async function () {
        this.timeout(180000);
        // A service on the host's loopback, as the Pulumi engine's ports are during `pulumi up`.
        const hits: string[] = [];
        const host = http.createServer((req, res) => {
            hits.push(req.url ?? "");
            res.end("host service");
        });
        await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
        try {
            const { port: hostPort } = host.address() as net.AddressInfo;
            const spec = fixtureSpec();
            spec.dockerfile += `\nENV UW3_FIXTURE_CALL_HOME=http://127.0.0.1:${hostPort}/ UW3_FIXTURE_JUPYTER_DELAY_S=2\n`;
            const pushed = await ctx.buildAndPush(spec, `${ctx.env.registry}/${ctx.uniqueRepository("check-call-home")}:fixture`);
            // The same port the host service holds: inside the container's own namespace it is free.
            const result = await cli([pushed.reference, "--json", "--only", "jupyter", "--jupyter-port", String(hostPort)]);
            const detail = detailOf(parseReport(result), "jupyter");
            assert.equal(result.code, 0, detail);
            assert.deepEqual(hits, [], "the image under test reached a service on the host");
            const m = new RegExp(`^HTTP 200 on 127\\.0\\.0\\.1:${hostPort} (\\d+\\.\\d) s after start \\(limit 30 s\\)$`).exec(detail);
            assert.ok(m, detail);
            // The server listens after 2 s (plus the failed call home); a probe that answered sooner would be lying.
            assert.ok(Number(m[1]) >= 2 && Number(m[1]) < 8, `took ${m[1]} s`);
        } finally {
            host.closeAllConnections();
            await new Promise((resolve) => host.close(resolve));
        }
    });

    it("the table names the failing check and its detail", async function () {
        this.timeout(120000);
        const result = await cli([images.get("bad-kernel")!.reference, "--only", "kernel,jit"]);
        assert.equal(result.code, 1);
        const lines = result.stdout.split("\n");
        assert.equal(lines[0], `image: ${images.get("bad-kernel")!.reference}`);
        assert.match(lines[1], /^CHECK +RESULT +TIME +DETAIL$/);
        assert.match(lines[2], /^kernel +FAIL +\d+\.\d s {2}no kernelspec named "python3"; kernels found: pixi-kernel-python3 /);
        assert.match(lines[3], /^jit +PASS +\d+\.\d s {2}cc1 at /);
        assert.equal(lines[4], "1 of 2 checks failed: kernel");
    });

    it("says the runtime checks were not run when the image is neither local nor pullable", async function () {
        this.timeout(60000);
        const good = images.get("good")!;
        const missing = `${good.localTag.replace(/:fixture$/, "")}@sha256:${"0".repeat(64)}`;
        const result = await cli([missing, "--json", "--skip", "withdrawn,layers,visibility,platform,env"]);
        assert.equal(result.code, 1);
        const checks = parseReport(result).checks;
        assert.deepEqual(
            checks.map((c) => c.name),
            ["user", "jupyter", "kernel", "jit", "import"],
        );
        for (const check of checks) {
            assert.equal(check.ok, false);
            assert.match(
                check.detail,
                new RegExp(
                    `^not run: image ${missing.replace(/[.]/g, "\\.")} is not in the local Docker engine and pulling it failed \\(without credentials; exit 1: .*manifest unknown.*\\)$`,
                ),
            );
        }
        assert.equal(parseReport(result).pulled, undefined);

        const tagOnly = `${good.localTag.replace(/:fixture$/, "")}:not-local`;
        const byTag = parseReport(await cli([tagOnly, "--json", "--only", "user"]));
        assert.equal(
            byTag.checks[0].detail,
            `not run: image ${tagOnly} is not in the local Docker engine (the runtime checks run it locally): ` +
                "build or push it from this engine, `docker pull` it first, or pass it by digest (<repository>@sha256:<hex>) so check pulls it",
        );
    });

    it("pulls an image given by digest that is not local, with the credentials from its environment, and says so", async function () {
        this.timeout(240000);
        const { authRegistry, authCredentials } = ctx.env;
        const spec = fixtureSpec();
        // Its own image ID, so removing it here cannot be undone by another test's tag of the same image.
        spec.dockerfile += `\nLABEL uw3-binder-test-pull=${ctx.uniqueRepository("pull")}\n`;
        const pushed = await ctx.buildAndPush(spec, `${authRegistry}/${ctx.uniqueRepository("check-pull")}:fixture`, authCredentials);
        const gateRef = `${pushed.localTag}@${pushed.digest}`;
        await run("docker", ["rmi", "--force", pushed.localTag, pushed.reference]);
        assert.notEqual((await run("docker", ["image", "inspect", pushed.reference])).code, 0, "the image must be gone before the check");
        const env = { UW3_BINDER_REGISTRY_USERNAME: authCredentials.username, UW3_BINDER_REGISTRY_PASSWORD: authCredentials.password };
        try {
            // Exactly as a gate runs it: --print-ref on <repo>:<tag>@<digest>, credentials in the environment.
            const result = await cli([gateRef, "--print-ref", "--skip", "visibility"], env);
            assert.equal(result.code, 0, result.stderr);
            assert.equal(result.stdout, `${gateRef}\n`);
            assert.equal(result.stderr.split("\n")[1], `pulled: ${pushed.reference} (it was not in the local Docker engine)`);
            assert.match(result.stderr, /^all \d+ checks passed$/m);
            assert.ok(!result.stderr.includes(authCredentials.password), "the password must not appear in the output");
            // Now local: a second run pulls nothing.
            const again = await cli([gateRef, "--json", "--only", "user"], env);
            assert.equal(again.code, 0);
            assert.equal(parseReport(again).pulled, undefined);
        } finally {
            await run("docker", ["rmi", "--force", pushed.reference]);
        }
    });

    it("says the runtime checks were not run when the Docker engine is unreachable", async function () {
        this.timeout(60000);
        const result = await cli([images.get("good")!.reference, "--json", "--only", "user,jupyter"], {
            DOCKER_HOST: "unix:///nonexistent/docker.sock",
        });
        assert.equal(result.code, 1);
        for (const check of parseReport(result).checks) {
            assert.equal(check.ok, false);
            assert.match(check.detail, /^not run: Docker engine unreachable: Cannot connect to the Docker daemon at unix:\/\/\/nonexistent\/docker\.sock/);
        }
    });

    it("hands the registry credentials from the environment to the layers check", async function () {
        this.timeout(120000);
        const { authRegistry, authCredentials } = ctx.env;
        const pushed = await ctx.buildAndPush(fixtureSpec(), `${authRegistry}/${ctx.uniqueRepository("check-private")}:fixture`, authCredentials);
        const withCreds = await cli([pushed.reference, "--json", "--only", "layers,visibility"], {
            UW3_BINDER_REGISTRY_USERNAME: authCredentials.username,
            UW3_BINDER_REGISTRY_PASSWORD: authCredentials.password,
        });
        const report = parseReport(withCreds);
        assert.equal(withCreds.code, 1);
        assert.deepEqual(
            report.checks.map((c) => [c.name, c.ok]),
            [
                ["layers", true],
                ["visibility", false],
            ],
        );
        assert.ok(!withCreds.stdout.includes(authCredentials.password), "the password must not appear in the output");

        const halfPair = await cli([pushed.reference, "--only", "layers"], { UW3_BINDER_REGISTRY_USERNAME: authCredentials.username });
        assert.equal(halfPair.code, 2);
        assert.match(halfPair.stderr, /UW3_BINDER_REGISTRY_USERNAME is set but UW3_BINDER_REGISTRY_PASSWORD is not; set both or neither/);
    });

    it("exits 2 on a usage error, naming the problem", async function () {
        this.timeout(30000);
        const result = await cli([images.get("good")!.reference, "--skip", "gpu"]);
        assert.equal(result.code, 2);
        assert.match(
            result.stderr,
            /^uw3-binder check: --skip: unknown check "gpu"; expected names from withdrawn, layers, visibility, platform, env, user, jupyter, kernel, jit, import\n/m,
        );
        assert.equal(result.stdout, "");
    });
});
