/**
 * The runtime checks' decisions, without Docker: the evaluators on canned output, and the probe scripts
 * (JIT_SCRIPT, IMPORT_SCRIPT) run by this host's /bin/sh against stand-in commands in a temp directory,
 * exactly as the checks run them in an image (`sh -c SCRIPT sh ARGS...`).
 */
import * as assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { evaluateImport, IMPORT_SCRIPT } from "../../src/check/checks/import";
import { evaluateJit, JIT_SCRIPT } from "../../src/check/checks/jit";
import { evaluateKernel } from "../../src/check/checks/kernel";
import { evaluateUser } from "../../src/check/checks/user";
import { HTTP_PROBE_SCRIPT, parseProbeOutput } from "../../src/docker/httpProbe";
import { CommandOutput } from "../../src/check/shell";
import { firstLine, lastLine } from "../../src/docker/cli";
import { skipWithoutServices } from "../integration/harness";

const ok = (stdout: string): CommandOutput => ({ stdout, stderr: "", code: 0 });

/** Runs a probe script like the checks do, with `bin` first on PATH. */
function runScript(script: string, args: string[], bin: string): CommandOutput {
    const result = spawnSync("/bin/sh", ["-c", script, "sh", ...args], {
        env: { PATH: `${bin}:/usr/bin:/bin` },
        encoding: "utf8",
    });
    return { stdout: result.stdout, stderr: result.stderr, code: result.status ?? 1 };
}

function writeExecutable(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o755 });
}

describe("runtime check evaluators", () => {
    describe("evaluateUser", () => {
        it("passes on the expected UID and says where it came from", () => {
            assert.deepEqual(evaluateUser(ok("1000\n"), "jovyan", 1000), { ok: true, detail: 'runs as UID 1000 (Config.User "jovyan")' });
        });

        it("fails on root, explaining an unset Config.User", () => {
            assert.deepEqual(evaluateUser(ok("0\n"), "", 1000), {
                ok: false,
                detail: "runs as UID 0, expected 1000 (Config.User unset, so Docker starts it as root); mybinder.org runs notebooks as jovyan, UID 1000",
            });
        });

        it("fails when id -u did not print a number", () => {
            assert.deepEqual(evaluateUser({ stdout: "", stderr: "sh: id: not found\n", code: 127 }, "1000", 1000), {
                ok: false,
                detail: 'id -u failed (exit 127): sh: id: not found (Config.User "1000")',
            });
        });
    });

    describe("evaluateKernel", () => {
        const listing = (...names: string[]) =>
            ok(JSON.stringify({ kernelspecs: Object.fromEntries(names.map((n) => [n, { resource_dir: `/k/${n}`, spec: {} }])) }));

        it("passes when the kernelspec exists, listing all of them sorted", () => {
            assert.deepEqual(evaluateKernel(listing("python3", "ir"), "jupyter", "python3"), {
                ok: true,
                detail: 'kernelspec "python3" found; kernels: ir, python3',
            });
        });

        it("fails on pixi-kernel-python3 alone, naming what it found", () => {
            assert.deepEqual(evaluateKernel(listing("pixi-kernel-python3"), "jupyter", "python3"), {
                ok: false,
                detail: 'no kernelspec named "python3"; kernels found: pixi-kernel-python3 (notebooks ask for "python3" by name)',
            });
            assert.equal(
                evaluateKernel(listing(), "jupyter", "python3").detail,
                'no kernelspec named "python3"; kernels found: none (notebooks ask for "python3" by name)',
            );
        });

        it("fails when jupyter is missing or prints something else", () => {
            assert.equal(
                evaluateKernel({ stdout: "", stderr: "sh: exec: line 0: jupyter: not found\n", code: 127 }, "jupyter", "python3").detail,
                "jupyter kernelspec list --json failed (exit 127): sh: exec: line 0: jupyter: not found",
            );
            assert.equal(
                evaluateKernel(ok("Available kernels:\n  python3  /k/python3\n"), "jupyter", "python3").detail,
                'jupyter kernelspec list --json did not print a {"kernelspecs": {...}} object: Available kernels:',
            );
        });
    });

    describe("JIT_SCRIPT + evaluateJit", () => {
        let root: string;
        beforeEach(() => {
            root = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-jit-"));
        });
        afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

        /** A gcc that answers -print-prog-name as gcc does (full path if the program exists, else the bare name). */
        function fakeGcc(prefix: string): void {
            const libexec = `${prefix}/libexec/gcc/x86_64-conda-linux-gnu/13.3.0`;
            writeExecutable(
                `${prefix}/bin/gcc`,
                `#!/bin/sh\nprog=\${1#-print-prog-name=}\nif [ -x "${libexec}/$prog" ]; then echo "${libexec}/$prog"; else echo "$prog"; fi\n`,
            );
        }

        it("passes with an executable cc1 and <prefix>/include", () => {
            const prefix = `${root}/env`;
            fakeGcc(prefix);
            writeExecutable(`${prefix}/libexec/gcc/x86_64-conda-linux-gnu/13.3.0/cc1`, "#!/bin/sh\n");
            fs.mkdirSync(`${prefix}/include`);
            assert.deepEqual(evaluateJit(runScript(JIT_SCRIPT, ["gcc"], `${prefix}/bin`), "gcc"), {
                ok: true,
                detail: `cc1 at ${prefix}/libexec/gcc/x86_64-conda-linux-gnu/13.3.0/cc1; include/ at ${prefix}/include`,
            });
        });

        it("fails naming both the missing cc1 and the missing include/", () => {
            const prefix = `${root}/env`;
            fakeGcc(prefix);
            assert.deepEqual(evaluateJit(runScript(JIT_SCRIPT, ["gcc"], `${prefix}/bin`), "gcc"), {
                ok: false,
                detail:
                    `gcc -print-prog-name=cc1 printed "cc1", so gcc cannot find cc1 (JIT fails with "cannot execute 'cc1'"): keep the toolchain's libexec/ in the image; ` +
                    `no include/ directory at ${prefix}/include (the prefix of ${prefix}/bin/gcc); JIT builds need its headers`,
            });
        });

        it("fails on a cc1 that is not executable", () => {
            const prefix = `${root}/env`;
            fakeGcc(prefix);
            const cc1 = `${prefix}/libexec/gcc/x86_64-conda-linux-gnu/13.3.0/cc1`;
            fs.mkdirSync(path.dirname(cc1), { recursive: true });
            fs.mkdirSync(`${prefix}/include`);
            // Not executable, so the stand-in gcc does not find it either; point it there explicitly.
            fs.writeFileSync(cc1, "", { mode: 0o644 });
            writeExecutable(`${prefix}/bin/gcc`, `#!/bin/sh\necho "${cc1}"\n`);
            assert.equal(
                evaluateJit(runScript(JIT_SCRIPT, ["gcc"], `${prefix}/bin`), "gcc").detail,
                `cc1 at ${cc1} is not an executable file (JIT fails with "cannot execute 'cc1'")`,
            );
        });

        it("fails when the compiler is not on PATH", () => {
            assert.deepEqual(evaluateJit(runScript(JIT_SCRIPT, ["x86_64-conda-linux-gnu-gcc"], `${root}/nothing`), "x86_64-conda-linux-gnu-gcc"), {
                ok: false,
                detail: 'compiler "x86_64-conda-linux-gnu-gcc" not found on the image\'s PATH',
            });
        });
    });

    describe("IMPORT_SCRIPT + evaluateImport", () => {
        let bin: string;
        beforeEach(() => {
            bin = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-import-"));
            // A python that imports "nbgitpuller" and "underworld3.function", fails underworld3 with the
            // setup document's ImportError, and prints a partial line (no trailing newline) for "partial".
            writeExecutable(
                `${bin}/python`,
                [
                    "#!/bin/sh",
                    'case "$2" in',
                    '"import nbgitpuller" | "import underworld3.function") exit 0 ;;',
                    '"import underworld3") printf \'Traceback (most recent call last):\\n  File "<string>", line 1\\nImportError: /x/_dminterp_wrapper.so: undefined symbol: DMInterpolationEvaluate_UW\\n\' >&2; exit 1 ;;',
                    '"import partial") printf "ModuleNotFoundError: No module named \'partial\'" >&2; exit 1 ;;',
                    "esac",
                    "exit 3",
                ].join("\n"),
            );
        });
        afterEach(() => fs.rmSync(bin, { recursive: true, force: true }));

        it("passes when every module imports", () => {
            assert.deepEqual(
                evaluateImport(runScript(IMPORT_SCRIPT, ["python", "nbgitpuller", "underworld3.function"], bin), "python", [
                    "nbgitpuller",
                    "underworld3.function",
                ]),
                {
                    ok: true,
                    detail: "python imported nbgitpuller, underworld3.function",
                },
            );
        });

        it("names each failing module with the last line of its error", () => {
            const modules = ["underworld3", "nbgitpuller", "partial", "other"];
            assert.deepEqual(evaluateImport(runScript(IMPORT_SCRIPT, ["python", ...modules], bin), "python", modules), {
                ok: false,
                detail:
                    "underworld3: ImportError: /x/_dminterp_wrapper.so: undefined symbol: DMInterpolationEvaluate_UW; " +
                    "partial: ModuleNotFoundError: No module named 'partial'; other: exit 3, no output",
            });
        });

        it("says once when the interpreter is missing", () => {
            assert.deepEqual(
                evaluateImport(runScript(IMPORT_SCRIPT, ["python3.12", "underworld3", "nbgitpuller"], bin), "python3.12", ["underworld3", "nbgitpuller"]),
                {
                    ok: false,
                    detail: 'interpreter "python3.12" not found on the image\'s PATH',
                },
            );
        });

        it("reports modules the probe never reached", () => {
            assert.deepEqual(evaluateImport({ stdout: "", stderr: "Killed\n", code: 137 }, "python", ["underworld3"]), {
                ok: false,
                detail: "underworld3: not tried (the probe stopped: Killed)",
            });
        });
    });

    it("firstLine / lastLine skip blank lines", () => {
        assert.equal(firstLine("\n  \n first \nsecond\n"), "first");
        assert.equal(lastLine("Traceback\n  File\nImportError: x\n\n"), "ImportError: x");
        assert.equal(lastLine(""), "");
    });

    describe("HTTP_PROBE_SCRIPT (run by this host's /bin/sh with busybox wget, as in the fixture image)", () => {
        const busybox = "/bin/busybox";
        let bin: string;
        let server: http.Server;
        let answers: number[];
        before(function () {
            skipWithoutServices(this, "HTTP_PROBE_SCRIPT under busybox", fs.existsSync(busybox) ? [] : [`no ${busybox} (Debian: busybox-static)`]);
            bin = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-probe-"));
            // Only busybox's applets: no curl, no python, so the script must pick wget.
            for (const applet of ["wget", "sed", "tail", "sleep"]) fs.symlinkSync(busybox, path.join(bin, applet));
        });
        after(() => fs.rmSync(bin, { recursive: true, force: true }));
        beforeEach(async () => {
            answers = [];
            server = http.createServer((req, res) => {
                const status = answers.shift() ?? 200;
                if (status === 302) res.writeHead(302, { Location: "/lab" }).end();
                else res.writeHead(status).end("ok");
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        });
        afterEach(() => new Promise((resolve) => server.close(resolve)));
        const port = () => String((server.address() as AddressInfo).port);
        // Asynchronously: the server answering it runs in this process.
        const probe = () =>
            new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
                execFile("/bin/sh", ["-c", HTTP_PROBE_SCRIPT, "sh", port(), "python"], { env: { PATH: bin }, timeout: 10000 }, (err, stdout, stderr) =>
                    resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
                );
            });

        it("follows a redirect and stops at the first HTTP 200, reporting the answers before it", async () => {
            answers = [403, 302];
            const result = await probe();
            assert.equal(result.status, 0, result.stderr);
            assert.equal(result.stdout, "@@uw3-binder-probe: client wget@@\n@@uw3-binder-probe: status 403@@\n@@uw3-binder-probe: 200@@\n");
            assert.deepEqual(parseProbeOutput(result.stdout), { client: "wget", noClient: false, answered: true, lastStatus: "403" });
        });

        it("says so when the image has no HTTP client", () => {
            const result = spawnSync("/bin/sh", ["-c", HTTP_PROBE_SCRIPT, "sh", port(), "python"], { env: { PATH: "/nonexistent" }, encoding: "utf8" });
            assert.equal(result.status, 3);
            assert.deepEqual(parseProbeOutput(result.stdout), { noClient: true, answered: false });
        });
    });
});
