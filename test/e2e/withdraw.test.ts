/**
 * Withdrawing a release on the real engine: after an `up`, `uw3-binder withdraw` records the slim image's
 * tag (resolved to its digest in the registry) in the stack file, and the next `up`, whose commit rebuilds
 * nothing, fails the slim gate naming the withdrawn digest and the reason, while the deps gate passes.
 * Withdrawn with a `replacement` (an earlier release), the next up that rebuilds nothing repins the image
 * to that replacement instead, re-checked from the registry, and passes.
 */
import * as assert from "assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../integration/harness";
import { demoSteps, describeEngine, RUN_ID, splitPinned } from "./engine";

const STEP_TIMEOUT = 600000;
const REASON = "wrong sign in the Stokes solver, found by users (underworld3#1234)";

describeEngine("engine: withdrawing the demo's slim release", (engine) => {
    const namespace = `e2e-withdraw-${RUN_ID}`;
    const demo = demoSteps(engine, namespace);
    let firstVerified: Record<string, string>;

    it("the next up refuses the withdrawn slim digest in its gate, naming the digest and the reason", async function () {
        this.timeout(STEP_TIMEOUT);
        await demo.project.up();
        const verified = (await demo.project.stack.outputs()).verifiedReferences.value as Record<string, string>;
        firstVerified = verified;
        const slim = splitPinned(verified.slim);

        // By tag, as a maintainer would: the command asks the registry for the digest.
        const withdraw = await run(
            process.execPath,
            [path.join(demo.project.programDir, "bin", "uw3-binder.js"), "withdraw", "2025.01-slim", "--reason", REASON, "--stack", "demo"],
            {
                cwd: demo.project.programDir,
            },
        );
        assert.strictEqual(withdraw.code, 0, withdraw.stderr);
        assert.match(
            withdraw.stdout,
            new RegExp(`^Withdrew ${slim.digest} \\(127\\.0\\.0\\.1:5000/${namespace}/uw3-base:2025\\.01-slim\\) in Pulumi\\.demo\\.yaml`),
        );
        const stackFile = fs.readFileSync(path.join(demo.project.programDir, "Pulumi.demo.yaml"), "utf8");
        assert.ok(
            stackFile.includes(
                `uw3-binder:withdrawn:\n    - { digest: "${slim.digest}", reason: ${JSON.stringify(REASON)}, date: "${new Date().toISOString().slice(0, 10)}" }\n`,
            ),
            stackFile,
        );

        // A docs-only commit rebuilds nothing: the slim image stays byte for byte the withdrawn release.
        await demo.source.write("docs/withdrawn.md", "a docs-only change\n");
        await demo.source.commitAll("docs only");
        const err = await demo.project.up().then(
            () => undefined,
            (e: Error) => e,
        );
        assert.ok(err, "up should fail on the withdrawn digest");
        assert.match(
            err.message,
            new RegExp(`the gate for 127\\.0\\.0\\.1:5000/${namespace}/uw3-base:2025\\.01-slim@${slim.digest} failed \\(uw3-binder check exit 1\\)`),
        );
        assert.match(err.message, /\n +withdrawn +FAIL +\d+\.\d s {2}sha256:/);
        assert.match(err.message, /1 of 10 checks failed: withdrawn\n/);
        assert.ok(err.message.includes(`${slim.digest} is withdrawn: ${REASON} (uw3-binder:withdrawn)`), err.message);
        // The deps gate passed (its digest is not withdrawn), and the outputs still hold the last verified references.
        assert.doesNotMatch(err.message, /the gate for [^ ]*uw3-deps/);
        assert.deepStrictEqual((await demo.project.stack.outputs()).verifiedReferences.value, verified);
    });

    it("withdrawn with a replacement, a build that comes out as the withdrawn digest is repinned to it and up passes", async function () {
        this.timeout(STEP_TIMEOUT);
        const stackPath = path.join(demo.project.programDir, "Pulumi.demo.yaml");
        // Un-withdraw the first release (the last step's entry), so it can stand as the replacement.
        const text = fs.readFileSync(stackPath, "utf8");
        const withoutFirst = text.replace(/^ *uw3-binder:withdrawn:\n {4}- \{[^\n]*\}\n/m, "");
        assert.notStrictEqual(withoutFirst, text, text);
        fs.writeFileSync(stackPath, withoutFirst);
        // A new slim release, then withdrawn with the first one (an earlier stack's outputs) as its replacement.
        await demo.source.append("src/underworld3/cython/kernels.pyx", "\ndef mul(double a, double b):\n    return a * b\n");
        await demo.source.commitAll("kernels: mul");
        await demo.project.up();
        const second = (await demo.project.stack.outputs()).verifiedReferences.value as Record<string, string>;
        const bad = splitPinned(second.slim);
        assert.notStrictEqual(bad.digest, splitPinned(firstVerified.slim).digest);
        const outputsFile = path.join(demo.project.root, "first-outputs.json");
        fs.writeFileSync(outputsFile, JSON.stringify({ verifiedReferences: firstVerified }));
        const withdraw = await run(
            process.execPath,
            [
                path.join(demo.project.programDir, "bin", "uw3-binder.js"),
                "withdraw",
                "2025.01-slim",
                "--reason",
                REASON,
                "--stack",
                "demo",
                "--from-outputs",
                outputsFile,
            ],
            { cwd: demo.project.programDir },
        );
        assert.strictEqual(withdraw.code, 0, withdraw.stderr);
        assert.match(withdraw.stdout, new RegExp(`^Withdrew ${bad.digest} `));
        assert.ok(fs.readFileSync(stackPath, "utf8").includes(`replacement: "2025.01-slim@${splitPinned(firstVerified.slim).digest}"`));

        // A docs-only commit: the slim build stays the withdrawn digest; its gate checks the replacement instead.
        await demo.source.write("docs/replaced.md", "a docs-only change\n");
        await demo.source.commitAll("docs only");
        const result = await demo.project.up();
        const verified = result.outputs.verifiedReferences.value as Record<string, string>;
        assert.strictEqual(verified.slim, firstVerified.slim);
        assert.strictEqual(verified.deps, second.deps);
        const state = (await demo.project.stack.exportStack()).deployment as {
            resources: { urn: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[];
        };
        const gate = state.resources.find((r) => r.urn.endsWith("::slim-gate-check"));
        assert.ok(gate?.outputs, "slim-gate-check in state");
        assert.strictEqual(gate.outputs.verifiedReference, firstVerified.slim);
        // Re-checked from the registry alone, as a pin is: no runtime check, no parents.
        const args = gate.inputs?.args as string[];
        assert.ok(args.includes("--skip") && args[args.indexOf("--skip") + 1].split(",").includes("user"), args.join(" "));
        assert.ok(!args.some((a) => a.startsWith("--parents=")), args.join(" "));
        assert.ok(
            args.some((a) => a.startsWith(`--withdrawn=${bad.digest}=`)),
            args.join(" "),
        );
        assert.strictEqual(typeof gate.outputs.imageBytes, "number");
    });
});
