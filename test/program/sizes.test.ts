/**
 * Issue 11: each launcher branch's README shows what its gate measured, the image's size and what the
 * repin added against the baseline, for a branch following a build and for a `pin:` branch alike.
 */
import * as assert from "assert";
import { BinderMocks } from "../../src/plan/mocks";
import { byName, inputsOf, runStack, stackConfig } from "./fixtures";

const MB = 1024 * 1024;
const PINNED = `sha256:${"e".repeat(64)}`;

describe("program: launcher READMEs carry the gate's figures (issue 11)", () => {
    it("shows each branch's size and the bytes its baseline lacked, as its own gate measured them", async () => {
        const config = stackConfig();
        config["uw3-binder:launcher"].branches[2].pin = `2024.12-slim@${PINNED}`;
        const mocks = new BinderMocks({
            gateMeasures: (reference) =>
                reference.endsWith(PINNED)
                    ? { imageBytes: 1536 }
                    : reference.includes("/uw3-base:")
                      ? { imageBytes: Math.round(3.3 * 1024 ** 3), newBytes: 57 * MB, baseline: "ghcr.io/underworldcode/uw3-base:2024.12-slim" }
                      : { imageBytes: 900 * MB },
        });
        const run = await runStack(config, undefined, { mocks });
        const readme = (branch: string) => inputsOf(byName(run, `launcher-readme-${branch}`)).content as string;
        for (const branch of ["main", "uw3-release-candidate"]) {
            assert.ok(
                readme(branch).includes("\n- Size: 3.3 GB compressed; this repin added 57.0 MB that uw3-base:2024.12-slim did not have\n"),
                readme(branch),
            );
        }
        // The pin gate checks without a baseline: the size alone.
        assert.ok(readme("development").includes("\n- Size: 1.5 KB compressed\n"), readme("development"));
    });

    it("writes no Size line when the gate measured nothing (a gate from before, or without layers)", async () => {
        const run = await runStack(stackConfig());
        assert.ok(!(inputsOf(byName(run, "launcher-readme-main")).content as string).includes("- Size:"));
    });
});
