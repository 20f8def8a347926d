/**
 * Withdrawing a release on the real engine: after an `up`, `uw3-binder withdraw` records the slim image's
 * tag (resolved to its digest in the registry) in the stack file, and the next `up`, whose commit rebuilds
 * nothing, fails the slim gate naming the withdrawn digest and the reason, while the deps gate passes.
 */
import * as assert from "assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../integration/harness";
import { describeEngine, EngineProject, RUN_ID, SourceRepo, splitPinned } from "./engine";

const STEP_TIMEOUT = 600000;
const REASON = "wrong sign in the Stokes solver, found by users (underworld3#1234)";

describeEngine("engine: withdrawing the demo's slim release", (engine) => {
    const namespace = `e2e-withdraw-${RUN_ID}`;
    let project: EngineProject;
    let source: SourceRepo;

    before(async function () {
        this.timeout(120000);
        project = await EngineProject.create(engine(), {
            stack: "demo",
            edit: (config: Record<string, any>) => {
                config["uw3-binder:registry"] = { ...config["uw3-binder:registry"], namespace };
            },
        });
        source = await project.useExampleSource();
    });

    after(async function () {
        this.timeout(STEP_TIMEOUT);
        if (!project) return;
        await project.stack.destroy().catch(() => undefined);
        await project.remove();
    });

    it("the next up refuses the withdrawn slim digest in its gate, naming the digest and the reason", async function () {
        this.timeout(STEP_TIMEOUT);
        await project.stack.up();
        const verified = (await project.stack.outputs()).verifiedReferences.value as Record<string, string>;
        const slim = splitPinned(verified.slim);

        // By tag, as a maintainer would: the command asks the registry for the digest.
        const withdraw = await run(process.execPath, [path.join(project.programDir, "bin", "uw3-binder.js"), "withdraw", "2025.01-slim", "--reason", REASON, "--stack", "demo"], {
            cwd: project.programDir,
        });
        assert.strictEqual(withdraw.code, 0, withdraw.stderr);
        assert.match(withdraw.stdout, new RegExp(`^Withdrew ${slim.digest} \\(127\\.0\\.0\\.1:5000/${namespace}/uw3-base:2025\\.01-slim\\) in Pulumi\\.demo\\.yaml`));
        const stackFile = fs.readFileSync(path.join(project.programDir, "Pulumi.demo.yaml"), "utf8");
        assert.ok(stackFile.includes(`uw3-binder:withdrawn:\n    - { digest: "${slim.digest}", reason: ${JSON.stringify(REASON)}, date: "${new Date().toISOString().slice(0, 10)}" }\n`), stackFile);

        // A docs-only commit rebuilds nothing: the slim image stays byte for byte the withdrawn release.
        await source.write("docs/withdrawn.md", "a docs-only change\n");
        await source.commitAll("docs only");
        const err = await project.stack.up().then(
            () => undefined,
            (e: Error) => e,
        );
        assert.ok(err, "up should fail on the withdrawn digest");
        assert.match(err.message, new RegExp(`the gate for 127\\.0\\.0\\.1:5000/${namespace}/uw3-base:2025\\.01-slim@${slim.digest} failed \\(uw3-binder check exit 1\\)`));
        assert.match(err.message, /\n +withdrawn +FAIL +\d+\.\d s  sha256:/);
        assert.match(err.message, /1 of 10 checks failed: withdrawn\n/);
        assert.ok(err.message.includes(`${slim.digest} is withdrawn: ${REASON} (uw3-binder:withdrawn)`), err.message);
        // The deps gate passed (its digest is not withdrawn), and the outputs still hold the last verified references.
        assert.doesNotMatch(err.message, /the gate for [^ ]*uw3-deps/);
        assert.deepStrictEqual((await project.stack.outputs()).verifiedReferences.value, verified);
    });
});
