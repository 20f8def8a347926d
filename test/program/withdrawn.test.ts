/**
 * `uw3-binder:withdrawn` under mocks: every gate receives the withdrawn digests (and a child its parents'),
 * and a branch pinned to a withdrawn digest, or following a build that came out as one, is repinned to the
 * withdrawal's replacement, its README saying why.
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
            readme.includes(
                `## Withdrawn release\n\n\`${BAD}\` was withdrawn on 2025-02-10: wrong sign in the Stokes solver, see underworld3\\#1234\n\nThis branch no longer launches it; it was repinned to the image above.\n`,
            ),
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

    it("replaces a build that came out as a withdrawn digest: its gate checks the replacement, every branch following it repins, the README says why", async () => {
        const built = mockImageDigest(SLIM, "linux/amd64");
        const config = stackConfig();
        config["uw3-binder:withdrawn"] = [{ digest: built, reason: REASON, date: "2025-02-10", replacement: `2024.12-slim@${GOOD}` }];
        const run = await runStack(config);
        const gate = inputsOf(byName(run, "slim-gate-check"));
        assert.strictEqual(gate.reference, `${SLIM}:2024.12-slim@${GOOD}`);
        // Checked as a pin is: the registry checks, withdrawn among them; the build's parents are not the replacement's.
        assert.deepStrictEqual(gate.args, ["--skip", "user,jupyter,kernel,jit,import", `--withdrawn=${built}=${encodeURIComponent(REASON)}`, SLIM_ENV_ARG]);
        assert.strictEqual((run.outputs.verifiedReferences as Record<string, string>).slim, `${SLIM}:2024.12-slim@${GOOD}`);
        for (const branch of ["main", "uw3-release-candidate", "development"]) {
            const dockerfile = inputsOf(byName(run, `launcher-dockerfile-${branch}`)).content as string;
            assert.ok(dockerfile.includes(`FROM ${SLIM}:2024.12-slim@${GOOD}\n`), dockerfile);
            const readme = inputsOf(byName(run, `launcher-readme-${branch}`)).content as string;
            assert.ok(
                readme.includes(
                    `## Withdrawn release\n\n\`${built}\` was withdrawn on 2025-02-10: wrong sign in the Stokes solver, see underworld3\\#1234\n\nThis branch no longer launches it; it was repinned to the image above.\n`,
                ),
                readme,
            );
        }
        // The deps image is not withdrawn: its gate checks its build as before.
        assert.strictEqual(
            inputsOf(byName(run, "deps-gate-check")).reference,
            `ghcr.io/underworldcode/uw3-deps:2025.01@${mockImageDigest("ghcr.io/underworldcode/uw3-deps", "linux/amd64")}`,
        );
    });

    it("checks a build withdrawn without a replacement as built, so its gate's withdrawn check fails naming the reason", async () => {
        const built = mockImageDigest(SLIM, "linux/amd64");
        const config = stackConfig();
        config["uw3-binder:withdrawn"] = [
            { digest: built, reason: REASON, date: "2025-02-10" },
            { digest: BAD, reason: "another", date: "2025-02-11", replacement: `2024.12-slim@${GOOD}` },
        ];
        const run = await runStack(config);
        const gate = inputsOf(byName(run, "slim-gate-check"));
        assert.strictEqual(gate.reference, `${SLIM}:2025.01-slim@${built}`);
        assert.ok(gate.args.includes(`--withdrawn=${built}=${encodeURIComponent(REASON)},${BAD}=another`), gate.args.join(" "));
        assert.ok(gate.args.includes(`--parents=${mockImageDigest("ghcr.io/underworldcode/uw3-deps", "linux/amd64")}`), gate.args.join(" "));
    });
});
