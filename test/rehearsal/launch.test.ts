import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as http from "http";
import { AddressInfo } from "net";
import {
    binderLaunchCommand,
    describeBuildFailure,
    describeStartFailure,
    hubCountsReady,
    launchProbes,
    newLaunchIdentity,
    parseProbe,
    printableTail,
    rehearsalBuildArgs,
    rehearsalRunArgs,
} from "../../src/rehearsal/launch";
import { run, skipWithoutServices } from "../integration/harness";
import { HTTP_PROBE_SCRIPT } from "../../src/docker/httpProbe";

const REF = `127.0.0.1:5000/uw3-binder-test/good:fixture@sha256:${"0".repeat(64)}`;

describe("rehearsal: the launch as mybinder.org does it", () => {
    it("builds as repo2docker builds a .binder/Dockerfile", () => {
        assert.deepStrictEqual(rehearsalBuildArgs("/tmp/ctx", "uw3-binder-rehearsal:main-1-ab"), [
            "build",
            "--file",
            "/tmp/ctx/.binder/Dockerfile",
            "--build-arg",
            "NB_USER=jovyan",
            "--build-arg",
            "NB_UID=1000",
            "--tag",
            "uw3-binder-rehearsal:main-1-ab",
            "/tmp/ctx",
        ]);
    });

    it("runs as KubeSpawner starts BinderHub's pod: UID 1000, limits without swap, no network, /etc/jupyter hidden, the hub's env, BinderHub's command", () => {
        const launch = { prefix: "/user/uw3-binder-rehearsal-abcd1234/", token: "tok", apiToken: "api" };
        const run = rehearsalRunArgs("c", "img", { memory: "2g", cpus: 1, startTimeoutS: 30 }, launch);
        const image = run.indexOf("img");
        assert.deepStrictEqual(run.slice(0, 17), [
            "run",
            "--detach",
            "--name",
            "c",
            "--user",
            "1000",
            "--memory",
            "2g",
            "--memory-swap",
            "2g",
            "--cpus",
            "1",
            "--network=none",
            "--pull=never",
            "--tmpfs",
            "/etc/jupyter:ro",
            "--env",
        ]);
        const env = run.slice(16, image).filter((_, i) => i % 2 === 1);
        assert.ok(env.includes("JUPYTERHUB_SERVICE_PREFIX=/user/uw3-binder-rehearsal-abcd1234/"), env.join(" "));
        assert.ok(env.includes("JUPYTERHUB_API_TOKEN=api"));
        assert.ok(env.includes("MEM_LIMIT=2147483648"));
        assert.ok(env.includes("CPU_LIMIT=1.0"));
        assert.ok(env.includes("JUPYTER_IMAGE=img"));
        // No --entrypoint and no --workdir: the image's ENTRYPOINT runs BinderHub's command in the image's WORKDIR.
        assert.ok(!run.includes("--entrypoint") && !run.includes("--workdir"));
        const command = run.slice(image + 1);
        assert.deepStrictEqual(command.slice(0, 2), ["python3", "-c"]);
        assert.ok(command[2].endsWith("os.execvp(exe, sys.argv)\n"));
        assert.deepStrictEqual(command.slice(3, 8), [
            "--ip=0.0.0.0",
            "--port=8888",
            "--NotebookApp.base_url=/user/uw3-binder-rehearsal-abcd1234/",
            "--NotebookApp.token=tok",
            "--NotebookApp.trust_xheaders=True",
        ]);
        assert.ok(command.includes("--ServerApp.base_url=/user/uw3-binder-rehearsal-abcd1234/"));
        assert.deepStrictEqual(binderLaunchCommand(launch), command);
    });

    it("names each launch as BinderHub does: /user/<repository>-<8 of a-z0-9>/, a URL-safe token", () => {
        const one = newLaunchIdentity();
        const two = newLaunchIdentity();
        assert.match(one.prefix, /^\/user\/uw3-binder-rehearsal-[a-z0-9]{8}\/$/);
        assert.match(one.token, /^[A-Za-z0-9_-]{22}$/);
        assert.notEqual(one.prefix, two.prefix);
        assert.notEqual(one.token, two.token);
    });

    it("asks what the hub asks (<prefix>api, any status under 500), then the page the user is sent to", () => {
        assert.deepStrictEqual(launchProbes({ prefix: "/user/u-1/", token: "t" }), { ready: "/user/u-1/api", open: "/user/u-1/?token=t" });
        assert.equal(hubCountsReady(200), true);
        assert.equal(hubCountsReady(404), true);
        assert.equal(hubCountsReady(302), true);
        assert.equal(hubCountsReady(499), true);
        assert.equal(hubCountsReady(500), false);
        assert.equal(hubCountsReady(503), false);
    });

    it("names the cause when BinderHub's start command finds no python3 or no Jupyter server", () => {
        const noServer = [
            "Failed to import jupyterlab: {e}",
            "jupyter-lab not found, launching jupyter-notebook",
            "Traceback (most recent call last):",
            '  File "<string>", line 18, in <module>',
            "FileNotFoundError: [Errno 2] No such file or directory",
        ].join("\n");
        assert.equal(
            describeStartFailure(1, noServer),
            "no Jupyter server in the image: jupyterlab 3 or later does not import in its python3 and there is no jupyter-notebook on its PATH " +
                "(BinderHub's start command runs jupyter-lab when jupyterlab>=3 imports, else jupyter-notebook)",
        );
        assert.equal(
            describeStartFailure(1, "Launching jupyter-lab\nFileNotFoundError: [Errno 2] No such file or directory"),
            "jupyterlab imports in the image's python3 but there is no jupyter-lab command on its PATH, which BinderHub's start command runs",
        );
        assert.equal(
            describeStartFailure(127, "/home/jovyan/start: exec: line 4: python3: not found"),
            "no python3 on the PATH the image's entrypoint gives its command: BinderHub's start command is python3 -c <script>, whatever the image's CMD",
        );
        assert.equal(describeStartFailure(1, "Launching jupyter-lab\n[C ServerApp] Running as root is not recommended"), undefined);
    });

    it("reads one round of the one probe: a status, none, no client, or a probe that did not run", () => {
        const mark = "@@uw3-binder-probe:";
        assert.deepStrictEqual(parseProbe(0, `${mark} client wget@@\n${mark} 200@@\n`), { kind: "status", status: 200 });
        assert.deepStrictEqual(parseProbe(0, `${mark} client curl@@\n${mark} status 404@@\n`), { kind: "status", status: 404 });
        assert.deepStrictEqual(parseProbe(0, `${mark} client curl@@\n`), { kind: "none" });
        assert.deepStrictEqual(parseProbe(3, `${mark} no-client@@\n`), { kind: "noclient" });
        assert.deepStrictEqual(parseProbe(1, "Error response from daemon: container is not running"), { kind: "failed" });
        assert.deepStrictEqual(parseProbe(0, `${mark} status 2000@@\n`), { kind: "none" });
    });

    it("the probe script reports the last status busybox wget saw, through redirects, or none", async function () {
        skipWithoutServices(this, "the probe script under busybox", fs.existsSync("/bin/busybox") ? [] : ["no /bin/busybox (Debian: busybox-static)"]);
        // What Jupyter does at `/` without a login: redirect, then answer the login page.
        let notFound = false;
        const server = http.createServer((req, res) => {
            if (notFound) res.writeHead(404).end();
            else if (req.url === "/") res.writeHead(302, { Location: "/login?next=%2Ftree" }).end();
            else if (req.url?.startsWith("/login")) res.writeHead(200).end("login");
            else res.writeHead(404).end();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        // busybox sh runs its own wget, sed and tail applets, as in the fixture images.
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-rehearsal-probe-"));
        for (const applet of ["wget", "sed", "tail", "sleep"]) fs.symlinkSync("/bin/busybox", path.join(bin, applet));
        const probe = async (...pathAndRedirects: string[]) => {
            const result = await run("/bin/busybox", ["sh", "-c", HTTP_PROBE_SCRIPT, "sh", String(port), "python3", "once", ...pathAndRedirects], {
                env: { PATH: bin },
            });
            return parseProbe(result.code, result.stdout);
        };
        try {
            assert.deepStrictEqual(await probe(), { kind: "status", status: 200 });
            // The hub's way: the first answer counts, its redirect not followed.
            assert.deepStrictEqual(await probe("/", "first"), { kind: "status", status: 302 });
            assert.deepStrictEqual(await probe("/login?next=x", "first"), { kind: "status", status: 200 });
            assert.deepStrictEqual(await probe("/elsewhere", "last"), { kind: "status", status: 404 });
            notFound = true;
            assert.deepStrictEqual(await probe(), { kind: "status", status: 404 });
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
        try {
            assert.deepStrictEqual(await probe(), { kind: "none" });
        } finally {
            fs.rmSync(bin, { recursive: true, force: true });
        }
    });

    it("escapes control characters and cuts long lines of container output", () => {
        // The one escaper of untrusted text (src/text/printable.ts), with tabs read as spaces.
        assert.deepStrictEqual(printableTail("\x1b[31mred\x1b[0m\tok\rx", 1), ["\\x1b[31mred\\x1b[0m ok\\x0dx"]);
        assert.deepStrictEqual(printableTail("a\u202eb\x9b", 1), ["a\\u202eb\\x9b"]);
        assert.deepStrictEqual(printableTail("x".repeat(250), 1), [`${"x".repeat(240)}… (250 characters in all)`]);
        assert.deepStrictEqual(printableTail("one\n\ntwo\r\nthree\n", 2), ["two", "three"]);
    });

    it("says which build step failed, and that mybinder.org cannot pull a base that does not pull here", () => {
        const stdout = `Sending build context to Docker daemon  2.56kB\nStep 1/2 : FROM ${REF}\n`;
        const stderr = `DEPRECATED: The legacy builder is deprecated\n\nmanifest for ${REF} not found: manifest unknown: manifest unknown\n`;
        assert.strictEqual(
            describeBuildFailure(REF, 1, stdout, stderr),
            `docker build of .binder/Dockerfile failed (exit 1) at "Step 1/2 : FROM ${REF}": manifest for ${REF} not found: manifest unknown: manifest unknown; ` +
                `a mybinder.org node pulls the base image anonymously and could not build this launcher either: check that ${REF} exists in its registry, is public and has linux/amd64`,
        );
        assert.strictEqual(
            describeBuildFailure(REF, 1, "Step 2/2 : ENV UW3_BRANCH=x\n", "failed to \x1b]0;x\x07 set env\n"),
            'docker build of .binder/Dockerfile failed (exit 1) at "Step 2/2 : ENV UW3_BRANCH=x": failed to \\x1b]0;x\\x07 set env',
        );
        assert.strictEqual(describeBuildFailure(REF, 137, "", "", 1800), "docker build of .binder/Dockerfile did not finish within 1800 s: no output");
    });
});
