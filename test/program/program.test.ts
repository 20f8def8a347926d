import * as assert from "assert";
import { BinderMocks, isSecretValue, mockImageDigest, secretsAsPlaceholders } from "../../src/plan/mocks";
import { byName, inputsOf, ofType, runStack, SECRETS, stackConfig, TYPES, SLIM_ENV_ARG } from "./fixtures";

const DEPS = "ghcr.io/underworldcode/uw3-deps:2025.01";
const SLIM = "ghcr.io/underworldcode/uw3-base:2025.01-slim";
const DEPS_DIGEST = mockImageDigest("ghcr.io/underworldcode/uw3-deps", "linux/amd64");
const SLIM_DIGEST = mockImageDigest("ghcr.io/underworldcode/uw3-base", "linux/amd64");
const SLIM_PINNED = `${SLIM}@${SLIM_DIGEST}`;

describe("program (2025-01 stack under mocks)", () => {
    let run: Awaited<ReturnType<typeof runStack>>;
    before(async () => {
        run = await runStack(stackConfig());
    });

    it("declares exactly the resources of the release", () => {
        const counts: Record<string, number> = {};
        for (const r of run.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
        assert.deepStrictEqual(counts, {
            "uw3-binder:index:BinderImage": 2,
            "uw3-binder:index:BinderGate": 2,
            "uw3-binder:index:Launcher": 1,
            // a component per launcher branch, holding its branch, rehearsal and files
            "uw3-binder:index:LauncherBranch": 3,
            "uw3-binder:index:LauncherPatSecret": 1,
            [TYPES.image]: 2,
            [TYPES.gate]: 2,
            // a launch rehearsal per launcher branch
            [TYPES.command]: 3,
            [TYPES.branch]: 2,
            // per launcher branch: .binder/Dockerfile, README.md and the update workflow's replacement
            [TYPES.file]: 9,
            [TYPES.actionsSecret]: 1,
        });
    });

    it("builds the two images under their release tags for linux/amd64", () => {
        const images = ofType(run, TYPES.image).map(inputsOf);
        assert.deepStrictEqual(
            images.map((i) => [i.tags, i.platforms]),
            [
                [[DEPS], ["linux/amd64"]],
                [[SLIM], ["linux/amd64"]],
            ],
        );
    });

    it("builds the slim image FROM the deps repo digest, never its tag", () => {
        const slim = inputsOf(byName(run, "slim-image"));
        assert.strictEqual(slim.buildArgs.DEPS_IMAGE, `ghcr.io/underworldcode/uw3-deps@${DEPS_DIGEST}`);
        assert.strictEqual(slim.buildArgs.UW3_BRANCH, "uw3-release-candidate");
        assert.ok(!slim.buildArgs.DEPS_IMAGE.includes(":2025.01"), "the parent's tag must not reach the build");
    });

    it("passes the staged Dockerfile by a path that resolves from the program directory, not the context", () => {
        const deps = inputsOf(byName(run, "deps-image"));
        assert.deepStrictEqual(deps.context, { location: ".uw3-binder/contexts/test/deps" });
        assert.deepStrictEqual(deps.dockerfile, { location: ".uw3-binder/contexts/test/deps/container/Dockerfile.deps" });
    });

    it("pushes with the registry login, the password a secret", () => {
        for (const image of ofType(run, TYPES.image)) {
            assert.ok(isSecretValue(image.inputs.registries), `${image.name}: registry credentials must reach the docker-build Image as a secret`);
            assert.deepStrictEqual(inputsOf(image).registries, [
                { address: "ghcr.io", username: "underworld-bot", password: SECRETS["uw3-binder:registryPassword"] },
            ]);
            assert.strictEqual(inputsOf(image).push, true);
        }
    });

    it("gates every image on its pinned digest, credentials only as secret inputs", () => {
        const deps = inputsOf(byName(run, "deps-gate-check"));
        const slim = inputsOf(byName(run, "slim-gate-check"));
        // What the check runs on and with which options: a new digest (reference) or new options (args) re-run it.
        assert.strictEqual(deps.reference, `${DEPS}@${DEPS_DIGEST}`);
        assert.deepStrictEqual(deps.args, ["--skip", "user,jupyter,kernel,jit,import"]);
        assert.strictEqual(slim.reference, SLIM_PINNED);
        // The slim image is built FROM deps: a withdrawn deps digest fails the slim gate too.
        assert.deepStrictEqual(slim.args, [`--parents=${DEPS_DIGEST}`, SLIM_ENV_ARG]);
        for (const gate of ["deps-gate-check", "slim-gate-check"]) {
            const raw = byName(run, gate);
            assert.strictEqual(raw.type, TYPES.gate);
            // No other channel (an environment, a command line) carries anything to the check.
            assert.deepStrictEqual(
                Object.keys(raw.inputs)
                    .filter((k) => raw.inputs[k] !== undefined)
                    .sort(),
                ["__provider", "args", "password", "reference", "username"],
            );
            assert.strictEqual(inputsOf(raw).username, "underworld-bot");
            assert.strictEqual(inputsOf(raw).password, SECRETS["uw3-binder:registryPassword"]);
            assert.ok(isSecretValue(raw.inputs.password), `${gate}: the gate's password must be a secret input`);
            const visible = JSON.stringify(secretsAsPlaceholders(raw.inputs));
            for (const secret of Object.values(SECRETS)) assert.ok(!visible.includes(secret), `${gate}: ${secret} visible outside a secret`);
        }
    });

    it("pins every launcher branch's Dockerfile by digest with its own UW3_BRANCH", () => {
        for (const branch of ["main", "uw3-release-candidate", "development"]) {
            const file = inputsOf(byName(run, `launcher-dockerfile-${branch}`));
            assert.strictEqual(file.file, ".binder/Dockerfile");
            assert.strictEqual(file.branch, branch);
            assert.strictEqual(file.repository, "uw3-binder-launcher");
            assert.strictEqual(
                file.content,
                [
                    `# Binder launcher for Underworld3 - ${branch} branch (release 2025.01)`,
                    "# Managed by uw3-binder; edits by hand are overwritten by the next `pulumi up`.",
                    `FROM ${SLIM_PINNED}`,
                    `ENV UW3_BRANCH=${branch}`,
                    "",
                ].join("\n"),
            );
            assert.strictEqual(file.commitMessage, `Pin ${branch} to uw3-base:2025.01-slim@${SLIM_DIGEST.slice(0, 19)} (release 2025.01)`);
            assert.strictEqual(file.overwriteOnCreate, true);
        }
    });

    it("gives the default branch's README a badge row per branch, and each other branch its own badge", () => {
        const main = inputsOf(byName(run, "launcher-readme-main")).content as string;
        for (const branch of ["main", "uw3-release-candidate", "development"]) {
            const url = `https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/${branch}`;
            assert.ok(
                main.includes(`| \`${branch}\` | \`${branch}\` (follows it) | [![Binder](https://mybinder.org/badge_logo.svg)](${url}) |`),
                `main README row for ${branch}`,
            );
        }
        const rc = inputsOf(byName(run, "launcher-readme-uw3-release-candidate")).content as string;
        assert.ok(
            rc.includes(
                "[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/uw3-release-candidate)",
            ),
        );
        assert.ok(rc.includes(`- Image: \`${SLIM_PINNED}\``));
        assert.ok(!rc.includes("## Launch badges"), "only the default branch lists every branch");
    });

    it("creates branches other than the default one, from the default branch, with explicit names", () => {
        assert.deepStrictEqual(
            ofType(run, TYPES.branch)
                .map(inputsOf)
                .map((b) => [b.repository, b.branch, b.sourceBranch]),
            [
                ["uw3-binder-launcher", "uw3-release-candidate", "main"],
                ["uw3-binder-launcher", "development", "main"],
            ],
        );
        assert.strictEqual(ofType(run, TYPES.repository).length, 0, "create: false only references the repository");
    });

    it("stores LAUNCHER_PAT as an Actions secret through `value`, as a secret", () => {
        const secret = byName(run, "launcher-pat-actions-secret");
        assert.ok(isSecretValue(secret.inputs.value));
        assert.deepStrictEqual(inputsOf(secret), { repository: "underworld3", secretName: "LAUNCHER_PAT", value: SECRETS["uw3-binder:launcherPat"] });
        assert.ok(!("plaintextValue" in secret.inputs));
    });

    it("never shows a secret outside a secret value, in inputs or outputs", () => {
        const visible = JSON.stringify([run.resources.map((r) => secretsAsPlaceholders(r.inputs)), run.printableOutputs]);
        for (const secret of Object.values(SECRETS)) assert.ok(!visible.includes(secret), `${secret} leaked`);
    });

    it("exports each image's pinned reference and each branch's launch URL, badge and pin", () => {
        assert.deepStrictEqual(run.outputs.imageReferences, { deps: [`${DEPS}@${DEPS_DIGEST}`], slim: [SLIM_PINNED] });
        const launchers = run.outputs.launchers as Record<string, any>;
        assert.deepStrictEqual(Object.keys(launchers), ["main", "uw3-release-candidate", "development"]);
        assert.strictEqual(launchers.development.launchUrl, "https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/development");
        assert.strictEqual(
            launchers.development.badge,
            "[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/development)",
        );
        assert.strictEqual(launchers.development.pinnedReference, SLIM_PINNED);
        assert.ok(
            launchers.development.contentLinkTemplate.startsWith("https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/development?urlpath=git-pull"),
        );
    });

    it("renders byte-identical launcher files for the same config", async () => {
        const again = await runStack(stackConfig());
        const files = (r: typeof run) => ofType(r, TYPES.file).map((f) => [f.name, inputsOf(f).content, inputsOf(f).commitMessage]);
        assert.deepStrictEqual(files(again), files(run));
    });
});

describe("program: launchers pin only what a gate verified", () => {
    // Were a launcher file to take its pin from the image instead of the gate, it would be declared as soon
    // as the image's digest is known, and this list would not be empty.
    it("declares no launcher file when a gate does not print the reference it was given", async () => {
        const mocks = new BinderMocks({ gateVerifies: (reference) => (reference.includes("uw3-base") ? "" : reference) });
        await assert.rejects(
            runStack(stackConfig(), SECRETS, { mocks }),
            /the gate for ghcr\.io\/underworldcode\/uw3-base:2025\.01-slim@sha256:[0-9a-f]{64} printed "" instead of the reference it verified/,
        );
        assert.deepStrictEqual(
            mocks.resources.filter((r) => r.type === TYPES.file).map((r) => r.name),
            [],
        );
    });
});
