import * as assert from "assert";
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import * as vm from "vm";
import * as pulumi from "@pulumi/pulumi";
import { GateProvider } from "../../components/gateProvider";
import { gateChanges, GateOutputs } from "../../src/check/gate";
import { PROGRAM_DIR } from "../../src/plan/program";
import { pinSize, sizeLine } from "../../src/render/launcher";

describe("gate: what makes the engine run a gate again", () => {
    const olds = { reference: "127.0.0.1:5000/demo/uw3-base:2025.01-slim@sha256:" + "a".repeat(64), args: ["--skip", "jit"], username: "bot", password: "old" };

    it("a rotated registry password alone does not re-run a gate", () => {
        assert.deepStrictEqual(gateChanges(olds, { ...olds, password: "rotated" }), []);
        assert.deepStrictEqual(gateChanges(olds, { ...olds, username: "other-bot", password: "rotated" }), []);
    });

    it("a new digest re-runs it", () => {
        assert.deepStrictEqual(gateChanges(olds, { ...olds, reference: olds.reference.replace(/a{64}$/, "b".repeat(64)) }), ["reference"]);
    });

    it("new check options re-run it", () => {
        assert.deepStrictEqual(gateChanges(olds, { ...olds, args: ["--skip", "jit,kernel"] }), ["args"]);
        assert.deepStrictEqual(gateChanges(olds, { ...olds, args: [] }), ["args"]);
    });
});

describe("gate provider: a thin adapter the engine serializes and runs (real CLI)", function () {
    this.timeout(60000);
    const DIGEST = `sha256:${"d".repeat(64)}`;
    // Port 9 on loopback answers nothing: the `withdrawn` check decides from the reference's own digest.
    const REFERENCE = `127.0.0.1:9/uw3-binder/uw3-base:2025.01-slim@${DIGEST}`;
    let provider: GateProvider;

    /**
     * The provider as the engine's `pulumi-nodejs` process gets it: serialized (as dynamic.Resource does)
     * and loaded from that text alone, its modules resolved from the dynamic provider's own directory.
     */
    before(async () => {
        assert.ok(fs.existsSync(path.join(PROGRAM_DIR, "dist", "src", "cli", "main.js")), "the compiled CLI is missing: run `npm run build`");
        const { text } = await pulumi.runtime.serializeFunction(() => new GateProvider(), { allowSecrets: true });
        const module = { exports: {} as { handler?: () => GateProvider } };
        const load = vm.compileFunction(text, ["exports", "require", "module"]);
        load(module.exports, createRequire(require.resolve("@pulumi/pulumi/cmd/dynamic-provider")), module);
        provider = module.exports.handler!();
    });

    it("re-runs (replaces) a gate for a new reference or new options only", async () => {
        const olds: GateOutputs = { reference: REFERENCE, args: ["--skip", "jit"], username: "bot", verifiedReference: REFERENCE };
        assert.deepStrictEqual(await provider.diff(REFERENCE, olds, { reference: REFERENCE, args: ["--skip", "jit"], username: "bot", password: "rotated" }), {
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
        assert.deepStrictEqual(await provider.diff(REFERENCE, olds, { reference: REFERENCE, args: [] }), {
            changes: true,
            replaces: ["args"],
            deleteBeforeReplace: false,
        });
    });

    it("creates a passed gate from the check's result: its id and typed outputs, no password among them", async () => {
        const previous = process.cwd();
        process.chdir(PROGRAM_DIR); // where the engine starts the provider: bin/uw3-binder.js is found from there
        try {
            const created = await provider.create({ reference: REFERENCE, args: ["--only", "withdrawn"], username: "bot", password: "gate-password-4444" });
            assert.deepStrictEqual(created, {
                id: REFERENCE,
                // Every figure is in the state, null when not measured: a preview reads a missing output as unknown.
                outs: {
                    reference: REFERENCE,
                    args: ["--only", "withdrawn"],
                    verifiedReference: REFERENCE,
                    username: "bot",
                    imageBytes: null,
                    newBytes: null,
                    baseline: null,
                },
            });
        } finally {
            process.chdir(previous);
        }
    });

    it("fails a gate whose check failed with the check's table, and creates nothing", async () => {
        const previous = process.cwd();
        process.chdir(PROGRAM_DIR);
        try {
            await assert.rejects(
                provider.create({ reference: REFERENCE, args: ["--only", "withdrawn", `--withdrawn=${DIGEST}=broken kernel`] }),
                (err: Error) => {
                    assert.match(
                        err.message,
                        /^the gate for 127\.0\.0\.1:9\/uw3-binder\/uw3-base:2025\.01-slim@sha256:d{64} failed \(uw3-binder check exit 1\):\n/,
                    );
                    assert.match(err.message, /^withdrawn +FAIL +\d+\.\d s {2}sha256:d{64} is withdrawn: broken kernel \(uw3-binder:withdrawn\)$/m);
                    return true;
                },
            );
        } finally {
            process.chdir(previous);
        }
    });
});

describe("gate: what its figures read as in a launcher README (issue 11)", () => {
    it("shows the size and what the repin added, in the README's own format", () => {
        assert.strictEqual(
            sizeLine(pinSize({ imageBytes: 1257 * 1024 * 1024, newBytes: 57 * 1024 * 1024, baseline: "ghcr.io/underworldcode/uw3-base:2024.12-slim" })),
            "1.2 GB compressed; this repin added 57.0 MB that uw3-base:2024.12-slim did not have",
        );
    });
});
