/** The CLI's `plan` defers two unused parts of the Pulumi SDK; whatever is deferred must still work when used. */
import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as path from "path";
import { PROGRAM_DIR } from "../../src/plan/programDir";

/** Runs `script` in a fresh Node process (its own module cache) after deferring, and returns its JSON line. */
function afterDeferring(script: string): Record<string, unknown> {
    const prelude = [
        `require(${JSON.stringify(path.join(PROGRAM_DIR, "node_modules/ts-node/register/transpile-only"))});`,
        `require(${JSON.stringify(path.join(PROGRAM_DIR, "src/plan/deferSdk.ts"))}).deferUnusedSdkModules();`,
        `const loaded = (name) => Object.keys(require.cache).some((f) => f.includes("/node_modules/" + name + "/"));`,
    ].join("\n");
    const r = spawnSync(process.execPath, ["-e", `${prelude}\n${script}`], { cwd: PROGRAM_DIR, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe("plan: deferred SDK modules", function () {
    this.timeout(60000);

    it("loading the SDK loads neither the Automation API nor npm's arborist", () => {
        const seen = afterDeferring(`
            const pulumi = require("@pulumi/pulumi");
            console.log(JSON.stringify({ arborist: loaded("@npmcli/arborist"), setMocks: typeof pulumi.runtime.setMocks }));`);
        assert.deepEqual(seen, { arborist: false, setMocks: "function" });
    });

    it("both still work when used: the Automation API's classes and the code-path finder", () => {
        const seen = afterDeferring(`
            const pulumi = require("@pulumi/pulumi");
            const workspace = typeof pulumi.automation.LocalWorkspace;
            const direct = require("@pulumi/pulumi/automation").LocalWorkspace === pulumi.automation.LocalWorkspace;
            pulumi.runtime.computeCodePaths().then(
                (paths) => console.log(JSON.stringify({ workspace, direct, codePaths: paths instanceof Map, arborist: loaded("@npmcli/arborist") })),
                (err) => { console.error(err); process.exit(1); },
            );`);
        assert.deepEqual(seen, { workspace: "function", direct: true, codePaths: true, arborist: true });
    });
});
