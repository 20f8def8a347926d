import * as assert from "assert";
import { BinderMocks, mockImageDigest } from "../../src/plan/mocks";
import { byName, inputsOf, ofType, runStack, SECRETS, stackConfig, TYPES } from "./fixtures";

const SLIM_PINNED = `ghcr.io/underworldcode/uw3-base:2025.01-slim@${mockImageDigest("ghcr.io/underworldcode/uw3-base", "linux/amd64")}`;
const BRANCHES = ["main", "uw3-release-candidate", "development"];

describe("program: a launch rehearsal before each repin", () => {
    it("rehearses every branch on its gate-verified reference, triggered by that reference", async () => {
        const run = await runStack(stackConfig());
        for (const branch of BRANCHES) {
            const rehearsal = inputsOf(byName(run, `launcher-rehearse-${branch}`));
            assert.strictEqual(
                rehearsal.create,
                `node bin/uw3-binder.js rehearse --print-ref --branch ${branch} --uw3-branch ${branch} --release 2025.01 ${SLIM_PINNED}`,
            );
            assert.deepStrictEqual(rehearsal.triggers, [SLIM_PINNED]);
            assert.strictEqual((run.outputs.launchers as any)[branch].pinnedReference, SLIM_PINNED);
        }
    });

    it("spells out non-default limits and quotes every value that a shell would read", async () => {
        const config = stackConfig();
        config["uw3-binder:launcher"].rehearsal = { memory: "4g", cpus: 0.5, startTimeoutS: 60 };
        config["uw3-binder:launcher"].branches[2] = { name: "feature/$(id)", uw3Branch: "dev", image: "slim" };
        const run = await runStack(config);
        assert.strictEqual(
            inputsOf(byName(run, "launcher-rehearse-feature---id-")).create,
            `node bin/uw3-binder.js rehearse --print-ref --branch 'feature/$(id)' --uw3-branch dev --release 2025.01 --memory 4g --cpus 0.5 --start-timeout-s 60 ${SLIM_PINNED}`,
        );
    });

    it("rehearses a branch held at a pinned digest FROM that digest", async () => {
        const config = stackConfig();
        const digest = `sha256:${"b".repeat(64)}`;
        config["uw3-binder:launcher"].branches[0].pin = `2024.12-slim@${digest}`;
        const run = await runStack(config);
        assert.strictEqual(
            inputsOf(byName(run, "launcher-rehearse-main")).create,
            `node bin/uw3-binder.js rehearse --print-ref --branch main --uw3-branch main --release 2025.01 ghcr.io/underworldcode/uw3-base:2024.12-slim@${digest}`,
        );
    });

    it("declares no rehearsal with `rehearsal.enabled: false`, and pins the gate's reference", async () => {
        const config = stackConfig();
        config["uw3-binder:launcher"].rehearsal = { enabled: false };
        const run = await runStack(config);
        assert.deepStrictEqual(
            ofType(run, TYPES.command).map((c) => c.name),
            [],
        );
        assert.deepStrictEqual(
            ofType(run, TYPES.gate).map((c) => c.name),
            ["deps-gate-check", "slim-gate-check"],
        );
        assert.ok((inputsOf(byName(run, "launcher-dockerfile-development")).content as string).includes(`FROM ${SLIM_PINNED}\n`));
    });

    // Were the files to take their pin from the gate instead of the rehearsal, the development branch's
    // files would be declared although its rehearsal never printed the reference.
    it("keeps a branch whose rehearsal fails at its old pin: none of its files is declared", async () => {
        const mocks = new BinderMocks({
            commandStdout: (create) => (create.includes("rehearse") && create.includes("--branch development") ? "" : `${create.split(" ").pop()}\n`),
        });
        await assert.rejects(
            runStack(stackConfig(), SECRETS, { mocks }),
            new RegExp(
                `the launch rehearsal of development for ${SLIM_PINNED.replace(/[.]/g, "\\.")} printed "" instead of the reference it verified; not pinning anything to it`,
            ),
        );
        const files = mocks.resources.filter((r) => r.type === TYPES.file).map((r) => r.name);
        assert.ok(!files.includes("launcher-dockerfile-development") && !files.includes("launcher-readme-development"), files.join(", "));
        assert.ok(
            mocks.resources.some((r) => r.name === "launcher-rehearse-development"),
            "the rehearsal itself is declared",
        );
    });
});
