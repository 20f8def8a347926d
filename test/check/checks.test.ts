/**
 * The one list of checks and the one plan of a run: every name has its check, registry checks run before
 * runtime ones, and only enabled checks run.
 */
import * as assert from "node:assert/strict";
import { CHECKS, plannedChecks } from "../../src/check/checks";
import { CHECK_NAMES, REGISTRY_CHECKS } from "../../src/check/options";

describe("the checks and their plan", () => {
    it("has one check per name, each under its own name", () => {
        assert.deepEqual(Object.keys(CHECKS).sort(), [...CHECK_NAMES].sort());
        for (const name of CHECK_NAMES) assert.equal(CHECKS[name].name, name);
    });

    it("agrees with options.ts on which checks the registry answers (the config and launcher pins rely on it)", () => {
        assert.deepEqual(
            CHECK_NAMES.filter((n) => CHECKS[n].kind === "registry"),
            [...REGISTRY_CHECKS],
        );
    });

    it("runs every enabled check once, registry checks first, each group in CHECK_NAMES order", () => {
        assert.deepEqual(
            plannedChecks([...CHECK_NAMES].reverse()).map((c) => c.name),
            ["withdrawn", "layers", "visibility", "platform", "env", "user", "jupyter", "kernel", "jit", "import"],
        );
        assert.deepEqual(
            plannedChecks(["import", "layers", "user"]).map((c) => c.name),
            ["layers", "user", "import"],
        );
        assert.deepEqual(plannedChecks([]), []);
    });
});
