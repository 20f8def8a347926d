/**
 * `uw3-binder:withdrawn` under mocks: every gate receives the withdrawn digests (and a child its parents'),
 * and a branch pinned to a withdrawn digest is repinned to the withdrawal's replacement, its README saying why.
 */
import * as assert from "assert";
import { mockImageDigest } from "../../src/plan/mocks";
import { byName, inputsOf, runStack, stackConfig, SLIM_ENV_ARG } from "./fixtures";

const BAD = `sha256:${"d".repeat(64)}`;
const GOOD = `sha256:${"e".repeat(64)}`;
const SLIM = "ghcr.io/underworldcode/uw3-base";
const REASON = "wrong sign in the Stokes solver, see underworld3#1234";

describe("program: withdrawn releases", () => {
    it("hands every gate the withdrawn digests with their reasons, and a child gate its parent's digest", async () => {
        const config = stackConfig();
        config["uw3-binder:withdrawn"] = [{ digest: BAD, reason: REASON, date: "2025-02-10" }];
        const run = await runStack(config);
        const withdrawnArg = `--withdrawn=${BAD}=${encodeURIComponent(REASON)}`;
        assert.deepStrictEqual(inputsOf(byName(run, "deps-gate-check")).args, ["--skip", "user,jupyter,kernel,jit,import", withdrawnArg]);
        assert.deepStrictEqual(inputsOf(byName(run, "slim-gate-check")).args, [
            withdrawnArg,
            `--parents=${mockImageDigest("ghcr.io/underworldcode/uw3-deps", "linux/amd64")}`,
            SLIM_ENV_ARG,
        ]);
    });

    it("repins a branch whose pin: is withdrawn to the replacement, re-checked by its pin gate, and its README says why", async () => {
        const config = stackConfig();
        config["uw3-binder:withdrawn"] = [{ digest: BAD, reason: REASON, date: "2025-02-10", replacement: `2024.12-slim@${GOOD}` }];
        config["uw3-binder:launcher"].branches[2].pin = `2025.01-slim@${BAD}`;
        const run = await runStack(config);
        const pinGate = inputsOf(byName(run, "launcher-pin-development-gate-check"));
        assert.strictEqual(pinGate.reference, `${SLIM}:2024.12-slim@${GOOD}`);
        // A pin gate runs the registry checks, withdrawn always among them.
        assert.deepStrictEqual(pinGate.args, ["--skip", "user,jupyter,kernel,jit,import", `--withdrawn=${BAD}=${encodeURIComponent(REASON)}`, SLIM_ENV_ARG]);
        const dockerfile = inputsOf(byName(run, "launcher-dockerfile-development")).content as string;
        assert.ok(dockerfile.includes(`FROM ${SLIM}:2024.12-slim@${GOOD}\n`), dockerfile);
        const readme = inputsOf(byName(run, "launcher-readme-development")).content as string;
        assert.ok(
            readme.includes(`## Withdrawn release\n\n\`${BAD}\` was withdrawn on 2025-02-10: wrong sign in the Stokes solver, see underworld3\\#1234\n\nThis branch no longer launches it; it was repinned to the image above.\n`),
            readme,
        );
        // The other branches follow the build and say nothing about it.
        assert.ok(!(inputsOf(byName(run, "launcher-readme-main")).content as string).includes("Withdrawn"));
    });

    it("refuses a branch pinned to a withdrawn digest without a replacement, naming the branch and the reason", async () => {
        const config = stackConfig();
        config["uw3-binder:withdrawn"] = [{ digest: BAD, reason: REASON, date: "2025-02-10" }];
        config["uw3-binder:launcher"].branches[2].pin = `2025.01-slim@${BAD}`;
        await assert.rejects(runStack(config), (err: Error) => {
            assert.ok(
                err.message.includes(
                    `\`uw3-binder:launcher.branches[2].pin\`: launcher branch "development" is pinned to ${BAD}, which is withdrawn (${REASON}); pin it to another release, or give the withdrawal a \`replacement\``,
                ),
                err.message,
            );
            return true;
        });
    });
});
