/**
 * The guard of the ordered e2e suites (test/e2e/ordered.ts), run by a real mocha in a child process on a
 * suite of four steps whose second fails: the run fails (also under CI=true), the steps after the failed
 * one are skipped, not failed, and the output names the step that failed first.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../integration/harness";

const ROOT = path.resolve(__dirname, "..", "..");
const MOCHA = path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js");

const SUITE = (ordered: string) => `
import { stepsInOrder } from ${JSON.stringify(ordered)};
describe("an ordered suite", () => {
    stepsInOrder();
    it("step 1 creates the stack", () => undefined);
    it("step 2 updates it", () => { throw new Error("the update failed"); });
    it("step 3 reads what step 2 left", () => { throw new Error("must not run"); });
    it("step 4 destroys it", () => { throw new Error("must not run"); });
});
describe("another suite after it", () => {
    stepsInOrder();
    it("runs, whatever the suite before it did", () => undefined);
});
`;

interface Report {
    stats: { passes: number; failures: number; pending: number };
    passes: { title: string }[];
    failures: { title: string; err: { message: string } }[];
    pending: { title: string }[];
}

describe("e2e steps in order: the first failure skips the rest and is named", () => {
    let dir: string;
    before(async () => {
        dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "uw3-binder-ordered-"));
        await fs.promises.writeFile(path.join(dir, "suite.ts"), SUITE(path.join(__dirname, "ordered")));
    });
    after(() => fs.promises.rm(dir, { recursive: true, force: true }));

    for (const ci of ["true", ""]) {
        it(`fails the run on the first failure, skips the later steps and names the first${ci ? " (CI=true)" : ""}`, async function () {
            this.timeout(60000);
            const output = path.join(dir, `report-${ci || "local"}.json`);
            const result = await run(
                process.execPath,
                [
                    MOCHA,
                    "--no-config",
                    "--require",
                    "ts-node/register/transpile-only",
                    "--reporter",
                    "json",
                    "--reporter-option",
                    `output=${output}`,
                    path.join(dir, "suite.ts"),
                ],
                { cwd: ROOT, env: { CI: ci }, timeoutMs: 60000 },
            );
            assert.equal(result.code, 1, `mocha exits with the number of failures:\n${result.stdout}\n${result.stderr}`);
            const report = JSON.parse(await fs.promises.readFile(output, "utf8")) as Report;
            assert.deepEqual(
                report.failures.map((f) => [f.title, f.err.message]),
                [["step 2 updates it", "the update failed"]],
            );
            assert.deepEqual(
                report.pending.map((p) => p.title),
                ["step 3 reads what step 2 left", "step 4 destroys it"],
            );
            assert.deepEqual(
                report.passes.map((p) => p.title),
                ["step 1 creates the stack", "runs, whatever the suite before it did"],
            );
            assert.ok(result.stdout.includes(`skipping "step 3 reads what step 2 left": an earlier step, "step 2 updates it", failed first`), result.stdout);
            assert.ok(result.stdout.includes(`the first step to fail in "an ordered suite": "step 2 updates it"`), result.stdout);
        });
    }
});
