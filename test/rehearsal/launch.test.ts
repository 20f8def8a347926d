import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as http from "http";
import { AddressInfo } from "net";
import { binderLaunchCommand, describeBuildFailure, parseProbe, printableTail, rehearsalBuildArgs, rehearsalRunArgs } from "../../src/rehearsal/launch";
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

    it("runs as BinderHub starts a server: UID 1000, its limits without swap, no network, its command", () => {
        assert.deepStrictEqual(rehearsalRunArgs("c", "img", { memory: "2g", cpus: 1, startTimeoutS: 30 }, "tok"), [
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
            "img",
            "jupyter",
            "notebook",
            "--ip=0.0.0.0",
            "--port=8888",
            "--NotebookApp.token=tok",
            "--NotebookApp.base_url=/",
        ]);
        assert.deepStrictEqual(binderLaunchCommand("x").slice(0, 2), ["jupyter", "notebook"]);
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
        const probe = async () => {
            const result = await run("/bin/busybox", ["sh", "-c", HTTP_PROBE_SCRIPT, "sh", String(port), "python3", "once"], { env: { PATH: bin } });
            return parseProbe(result.code, result.stdout);
        };
        try {
            assert.deepStrictEqual(await probe(), { kind: "status", status: 200 });
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
