import * as assert from "node:assert/strict";
import { credentialsFromEnv, parseCheckArgs } from "../../src/cli/check";
import { UsageError } from "../../src/cli/errors";

const REF = "ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:6d3894260f28dc837a21ce77a94bb1781f4ca12422934be7a4bd34b4a7b1223f";

/** Asserts `parseCheckArgs(argv)` throws a UsageError with exactly `message`. */
function assertUsage(argv: string[], message: string): void {
    assert.throws(
        () => parseCheckArgs(argv),
        (err: unknown) => {
            assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
            assert.equal(err.message, message);
            return true;
        },
    );
}

describe("parseCheckArgs", () => {
    it("defaults every option to the documented value and runs every check", () => {
        // Literals, from the README's check table and the Binder setup document: a change of default shows here.
        assert.deepEqual(parseCheckArgs([REF]), {
            ref: REF,
            options: {
                enabled: ["withdrawn", "layers", "visibility", "platform", "env", "user", "jupyter", "kernel", "jit", "import"],
                withdrawn: [],
                parents: [],
                maxLayerMb: 800,
                maxImageMb: 4096,
                baseline: "",
                maxNewMb: 1024,
                maxGrowthPercent: 25,
                platforms: ["linux/amd64"],
                envRequire: [],
                envForbid: [],
                uid: 1000,
                startTimeoutS: 30,
                jupyterPort: 8888,
                jupyterCommand: ["jupyter", "lab", "--ip=127.0.0.1", "--no-browser"],
                kernel: "python3",
                compiler: "gcc",
                python: "python",
                modules: ["underworld3", "nbgitpuller"],
            },
            json: false,
            printRef: false,
        });
    });

    it("takes a --result-file with either output, as the gate runs it", () => {
        const withDefaults = parseCheckArgs([REF]);
        assert.deepEqual(parseCheckArgs([REF, "--result-file", "/tmp/r.json", "--only", "layers"]), {
            ...withDefaults,
            options: { ...withDefaults.options, enabled: ["layers"] },
            resultFile: "/tmp/r.json",
        });
        assert.equal(parseCheckArgs([REF, "--json", "--result-file=r.json"]).resultFile, "r.json");
    });

    it("trims the reference", () => {
        assert.equal(parseCheckArgs([`  ${REF} `]).ref, REF);
    });

    it("reads every flag, in both --flag value and --flag=value forms", () => {
        const parsed = parseCheckArgs([
            REF,
            "--json",
            "--skip=layers,visibility",
            "--max-layer-mb",
            "500.5",
            "--max-image-mb=2048",
            "--baseline",
            "127.0.0.1:5000/uw3/base:2025.01-slim",
            "--max-new-mb=0",
            "--max-growth-percent",
            "12.5",
            "--uid",
            "1001",
            "--start-timeout-s",
            "3",
            "--jupyter-port=18888",
            "--jupyter-command",
            "jupyter  notebook --ip=127.0.0.1",
            "--kernel",
            "uw3.kernel-1",
            "--compiler",
            "/opt/env/bin/x86_64-conda-linux-gnu-gcc",
            "--python=python3",
            "--modules",
            "underworld3.function, petsc4py",
            "--withdrawn",
            `sha256:${"a".repeat(64)}=wrong%20sign%2C%20see%20%2342,sha256:${"b".repeat(64)}=bad`,
            "--parents=sha256:" + "c".repeat(64),
        ]);
        assert.deepEqual(parsed, {
            ref: REF,
            json: true,
            printRef: false,
            options: {
                enabled: ["withdrawn", "platform", "env", "user", "jupyter", "kernel", "jit", "import"],
                withdrawn: [
                    { digest: `sha256:${"a".repeat(64)}`, reason: "wrong sign, see #42" },
                    { digest: `sha256:${"b".repeat(64)}`, reason: "bad" },
                ],
                parents: [`sha256:${"c".repeat(64)}`],
                platforms: ["linux/amd64"],
                envRequire: [],
                envForbid: [],
                maxLayerMb: 500.5,
                maxImageMb: 2048,
                baseline: "127.0.0.1:5000/uw3/base:2025.01-slim",
                maxNewMb: 0,
                maxGrowthPercent: 12.5,
                uid: 1001,
                startTimeoutS: 3,
                jupyterPort: 18888,
                jupyterCommand: ["jupyter", "notebook", "--ip=127.0.0.1"],
                kernel: "uw3.kernel-1",
                compiler: "/opt/env/bin/x86_64-conda-linux-gnu-gcc",
                python: "python3",
                modules: ["underworld3.function", "petsc4py"],
            },
        });
    });

    it("--only keeps the checks' order whatever order it is given in", () => {
        assert.deepEqual(parseCheckArgs([REF, "--only", "import,user"]).options.enabled, ["user", "import"]);
    });

    it("--print-ref", () => {
        assert.equal(parseCheckArgs([REF, "--print-ref"]).printRef, true);
    });

    it("accepts --uid 0 (an explicit root requirement is the caller's business)", () => {
        assert.equal(parseCheckArgs([REF, "--uid", "0"]).options.uid, 0);
    });

    it("accepts exactly what gateArgs generates for non-default options", () => {
        const parsed = parseCheckArgs([REF, "--skip", "visibility", "--jupyter-command", "jupyter lab --ip=127.0.0.1 --no-browser --ServerApp.token="]);
        assert.deepEqual(parsed.options.jupyterCommand, ["jupyter", "lab", "--ip=127.0.0.1", "--no-browser", "--ServerApp.token="]);
    });

    describe("rejects", () => {
        const cases: [string, string[], string][] = [
            ["a missing reference", [], "missing <image-ref>, e.g. ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:<64 hex>"],
            ["two references", [REF, "other/image:1"], `expected one <image-ref>, found 2: "${REF}", "other/image:1"`],
            [
                "an invalid reference",
                ["ghcr.io/Underworld/uw3:1"],
                'invalid image reference "ghcr.io/Underworld/uw3:1": repository component "Underworld" must be lowercase letters, digits and separators',
            ],
            [
                "a short digest",
                ["ghcr.io/u/uw3@sha256:abc"],
                'invalid image reference "ghcr.io/u/uw3@sha256:abc": the digest must be sha256:<64 lowercase hex>, found "sha256:abc"',
            ],
            ["--json with --print-ref", [REF, "--json", "--print-ref"], "--json and --print-ref are mutually exclusive"],
            ["an empty --result-file", [REF, "--result-file="], "--result-file needs a path"],
            ["--skip with --only", [REF, "--skip", "jit", "--only", "user"], "--skip and --only are mutually exclusive"],
            [
                "an unknown check in --skip",
                [REF, "--skip", "jit,gpu"],
                '--skip: unknown check "gpu"; expected names from withdrawn, layers, visibility, platform, env, user, jupyter, kernel, jit, import',
            ],
            [
                "an unknown check in --only",
                [REF, "--only", "Layers"],
                '--only: unknown check "Layers"; expected names from withdrawn, layers, visibility, platform, env, user, jupyter, kernel, jit, import',
            ],
            ["an empty entry in --only", [REF, "--only", "user,,jit"], '--only needs check names separated by commas, found "user,,jit"'],
            [
                "--skip of every check",
                [REF, "--skip", "withdrawn,layers,visibility,platform,env,user,jupyter,kernel,jit,import"],
                "--skip leaves no checks to run (checks: withdrawn, layers, visibility, platform, env, user, jupyter, kernel, jit, import)",
            ],
            ["a non-numeric --max-layer-mb", [REF, "--max-layer-mb", "1GB"], '--max-layer-mb must be a positive number of MB up to 1000000, found "1GB"'],
            ["a zero --max-image-mb", [REF, "--max-image-mb", "0"], '--max-image-mb must be a positive number of MB up to 1000000, found "0"'],
            ["a negative --uid", [REF, "--uid", "-1"], '--uid must be a whole number from 0 to 2147483647, found "-1"'],
            ["a fractional --uid", [REF, "--uid", "1000.5"], '--uid must be a whole number from 0 to 2147483647, found "1000.5"'],
            ["a name as --uid", [REF, "--uid", "jovyan"], '--uid must be a whole number from 0 to 2147483647, found "jovyan"'],
            ["a zero --start-timeout-s", [REF, "--start-timeout-s", "0"], '--start-timeout-s must be a positive number of seconds up to 3600, found "0"'],
            ["a --jupyter-port above 65535", [REF, "--jupyter-port", "70000"], '--jupyter-port must be a port number from 1024 to 65535, found "70000"'],
            ["a privileged --jupyter-port", [REF, "--jupyter-port", "80"], '--jupyter-port must be a port number from 1024 to 65535, found "80"'],
            [
                "a --start-timeout-s past setTimeout's range",
                [REF, "--start-timeout-s", "2147484"],
                '--start-timeout-s must be a positive number of seconds up to 3600, found "2147484"',
            ],
            [
                "a blank --jupyter-command",
                [REF, "--jupyter-command", "   "],
                '--jupyter-command must be a command of words without spaces that does not set the port (the check appends --port=<port>), found "   "',
            ],
            [
                "a --jupyter-command that sets --port",
                [REF, "--jupyter-command=jupyter lab --port=9999"],
                '--jupyter-command must be a command of words without spaces that does not set the port (the check appends --port=<port>), found "jupyter lab --port=9999"',
            ],
            [
                "a --jupyter-command that sets ServerApp.port",
                [REF, "--jupyter-command=jupyter lab --ServerApp.port=9999"],
                '--jupyter-command must be a command of words without spaces that does not set the port (the check appends --port=<port>), found "jupyter lab --ServerApp.port=9999"',
            ],
            ["a --kernel with a space", [REF, "--kernel", "Python 3"], '--kernel must be a kernelspec name (letters, digits, ".", "_", "-"), found "Python 3"'],
            [
                "a --compiler with arguments",
                [REF, "--compiler", "gcc -v"],
                '--compiler must be one word (a command on the image\'s PATH or an absolute path), found "gcc -v"',
            ],
            [
                "a --python with arguments",
                [REF, "--python", "pixi run python"],
                '--python must be one word (a command on the image\'s PATH or an absolute path), found "pixi run python"',
            ],
            ["an empty --modules", [REF, "--modules", ""], "--modules needs at least one module name; to check no imports, use --skip import"],
            ["an empty --modules=", [REF, "--modules="], "--modules needs at least one module name; to check no imports, use --skip import"],
            [
                "a --modules of commas",
                [REF, "--modules", ","],
                '--modules must be a list of Python module names (dotted identifiers, e.g. underworld3.function), found ","',
            ],
            [
                "a --modules entry that is not a module name",
                [REF, "--modules", "underworld3,os; import shutil"],
                '--modules must be a list of Python module names (dotted identifiers, e.g. underworld3.function), found "underworld3,os; import shutil"',
            ],
            [
                "an unknown flag",
                [REF, "--pull"],
                "unknown option --pull; expected one of --json, --print-ref, --result-file, --skip, --only, --withdrawn, --parents, --max-layer-mb, --max-image-mb, --baseline, --max-new-mb, --max-growth-percent, --platforms, --env-require, --env-forbid, --uid, --start-timeout-s, --jupyter-port, --jupyter-command, --kernel, --compiler, --python, --modules",
            ],
            ["a value on a boolean flag", [REF, "--json=yes"], "--json takes no value"],
            ["a flag without its value", [REF, "--kernel"], "--kernel needs a value"],
            [
                "a baseline that is not an image reference",
                [REF, "--baseline=ghcr.io/Uw3/base:x"],
                '--baseline must be an image reference such as "ghcr.io/underworldcode/uw3-base:2025.01-slim" (or "" for none), found "ghcr.io/Uw3/base:x"',
            ],
            ["a negative new-bytes budget", [REF, "--max-new-mb=-1"], '--max-new-mb must be a number of MB from 0 to 1000000, found "-1"'],
        ];
        for (const [what, argv, message] of cases) {
            it(what, () => assertUsage(argv, message));
        }
    });
});

describe("credentialsFromEnv", () => {
    it("is undefined when neither variable is set (or both are empty)", () => {
        assert.equal(credentialsFromEnv({}), undefined);
        assert.equal(credentialsFromEnv({ UW3_BINDER_REGISTRY_USERNAME: "", UW3_BINDER_REGISTRY_PASSWORD: "" }), undefined);
    });

    it("returns both when both are set", () => {
        assert.deepEqual(credentialsFromEnv({ UW3_BINDER_REGISTRY_USERNAME: "bot", UW3_BINDER_REGISTRY_PASSWORD: "s3cret" }), {
            username: "bot",
            password: "s3cret",
        });
    });

    it("refuses half a pair, naming the missing variable", () => {
        assert.throws(
            () => credentialsFromEnv({ UW3_BINDER_REGISTRY_USERNAME: "bot" }),
            new UsageError("UW3_BINDER_REGISTRY_USERNAME is set but UW3_BINDER_REGISTRY_PASSWORD is not; set both or neither"),
        );
        assert.throws(
            () => credentialsFromEnv({ UW3_BINDER_REGISTRY_PASSWORD: "s3cret" }),
            new UsageError("UW3_BINDER_REGISTRY_PASSWORD is set but UW3_BINDER_REGISTRY_USERNAME is not; set both or neither"),
        );
    });
});
