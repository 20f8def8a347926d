import * as assert from "assert";
import { parseRehearseArgs } from "../../src/cli/rehearse";
import { BinderMocks, mockImageDigest } from "../../src/plan/mocks";
import { launcherDockerfile } from "../../src/render/launcher";
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

describe("program: following branches of a build per ref (the committed v3.0.1 stack)", () => {
    const BASE = "ghcr.io/underworldcode/uw3-base";
    /** Today's launcher: each frozen branch holds a tag-pinned FROM (adopted; the registry is not asked offline). */
    const mocks = () =>
        new BinderMocks({
            repositoryFile: ({ branch, file }) =>
                file === ".binder/Dockerfile" ? `FROM ${BASE}:${branch}-slim@sha256:${"c".repeat(64)}\nENV UW3_BRANCH=${branch}\n` : undefined,
        });
    /** The committed stack as the release `release` would run it, with new-release's frozen line for each release before it. */
    const stack = (release: string, frozen: string[]) => {
        const config = stackConfig("v3.0.1");
        config["uw3-binder:release"] = release;
        const branches = config["uw3-binder:launcher"].branches;
        branches.splice(-1, 0, ...frozen.map((name) => ({ name, uw3Branch: name, image: "base", frozen: true })));
        return config;
    };
    const files = (run: Awaited<ReturnType<typeof runStack>>, slug: string) =>
        ["dockerfile", "readme", "workflow"].map((kind) => {
            const inputs = inputsOf(byName(run, `launcher-${kind}-${slug}`));
            return [inputs.content, inputs.commitMessage];
        });

    it("names the ref each follows, rehearses exactly that file, and renders the same in the next release's stack", async () => {
        const [v302, v303] = [
            await runStack(stack("v3.0.2", ["v3.0.1"]), SECRETS, { mocks: mocks() }),
            await runStack(stack("v3.0.3", ["v3.0.1", "v3.0.2"]), SECRETS, { mocks: mocks() }),
        ];
        for (const branch of ["main", "development"]) {
            const dockerfile = inputsOf(byName(v302, `launcher-dockerfile-${branch}`)).content as string;
            assert.ok(dockerfile.startsWith(`# Binder launcher for Underworld3 - ${branch} branch (follows ${branch})\n`), dockerfile);
            // The rehearsal's command line reads back to the committed file.
            const create = inputsOf(byName(v302, `launcher-rehearse-${branch}`)).create as string;
            const argv = create.split(" ").slice(3);
            assert.deepStrictEqual(argv.slice(0, 7), ["--print-ref", "--branch", branch, "--uw3-branch", branch, "--follows", branch]);
            const { reference, target } = parseRehearseArgs(argv);
            assert.strictEqual(launcherDockerfile({ ...target, reference }), dockerfile);
        }
        // A new frozen release commits to no following branch: not even the default branch's README.
        assert.deepStrictEqual(files(v303, "development"), files(v302, "development"));
        assert.deepStrictEqual(files(v303, "main"), files(v302, "main"));
    });
});
