/**
 * Frozen launcher branches under mocks: the branch a stack builds pins its build; a frozen branch it
 * does not build adopts the digest its `.binder/Dockerfile` names (the GitHub provider's getRepositoryFile
 * invoke, mocked as the provider answers), gated as a `pin:` is; an unadoptable branch fails the run with
 * one line naming it. Every branch's update workflow is replaced. A frozen branch's file that GitHub already
 * holds as rendered is imported, not written (the engine e2e, adopt.test.ts, counts the commits).
 */
import * as assert from "assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { BinderMocks, mockImageDigest } from "../../src/plan/mocks";
import { launcherDockerfile, launcherReadme, LauncherPin, updateWorkflow } from "../../src/render/launcher";
import { byName, inputsOf, ofType, runStack, SECRETS, stackConfig, TYPES } from "./fixtures";

const BASE = "ghcr.io/underworldcode/uw3-base";
const OLD = `${BASE}:2024.12-slim@sha256:${"b".repeat(64)}`;
const SLIM_DIGEST = mockImageDigest(BASE, "linux/amd64");

/** The 2025-01 stack with main following, the release it builds frozen, and an older release frozen. */
function frozenStack(): Record<string, any> {
    const config = stackConfig();
    config["uw3-binder:launcher"].branches = [
        { name: "main", uw3Branch: "main", image: "slim" },
        { name: "2024.12", uw3Branch: "2024.12", image: "slim", frozen: true },
        { name: "{release}", uw3Branch: "{release}", image: "slim", frozen: true },
    ];
    return config;
}

/** A launcher repository whose 2024.12 branch holds `dockerfile`; every read is recorded. */
function launcherHolding(dockerfile: string | undefined) {
    const reads: { repository: string; branch: string; file: string }[] = [];
    const mocks = new BinderMocks({
        repositoryFile: (args) => {
            reads.push(args);
            return args.branch === "2024.12" ? dockerfile : undefined;
        },
    });
    return { mocks, reads };
}

describe("program: frozen launcher branches (adoption under mocks)", () => {
    it("adopts the pinned FROM of a frozen branch it does not build, gates it as a pin, and pins its build for the release it builds", async () => {
        const { mocks, reads } = launcherHolding(`# by hand\nFROM ${OLD}\nENV UW3_BRANCH=2024.12\n`);
        const run = await runStack(frozenStack(), SECRETS, { mocks });
        // Only the branch nothing else pins is read, from the launcher repository of the stack's owner: its
        // Dockerfile to adopt, and each of its files to keep the ones GitHub already holds as rendered.
        const launcherRepo = "underworldcode/uw3-binder-launcher";
        assert.deepEqual(
            reads.map((r) => `${r.repository} ${r.branch} ${r.file}`).sort(),
            [".binder/Dockerfile", ".binder/Dockerfile", ".github/workflows/update-image.yml", "README.md"].map((f) => `${launcherRepo} 2024.12 ${f}`),
        );
        assert.equal(inputsOf(byName(run, "launcher-pin-2024-12-gate-check")).reference, OLD);
        assert.deepEqual(
            ofType(run, TYPES.gate)
                .map((g) => inputsOf(g).reference)
                .sort(),
            [
                `${BASE.replace("uw3-base", "uw3-deps")}:2025.01@${mockImageDigest(BASE.replace("uw3-base", "uw3-deps"), "linux/amd64")}`,
                `${BASE}:2025.01-slim@${SLIM_DIGEST}`,
                OLD,
            ].sort(),
        );
        const dockerfile = (branch: string) => inputsOf(byName(run, `launcher-dockerfile-${branch.replace(/\./g, "-")}`)).content as string;
        assert.equal(
            dockerfile("2024.12"),
            `# Binder launcher for Underworld3 - 2024.12, a frozen release: its image never changes\n# Managed by uw3-binder; edits by hand are overwritten by the next \`pulumi up\`.\nFROM ${OLD}\nENV UW3_BRANCH=2024.12\n`,
        );
        assert.ok(dockerfile("2025.01").includes(`\nFROM ${BASE}:2025.01-slim@${SLIM_DIGEST}\nENV UW3_BRANCH=2025.01\n`));
        assert.ok(dockerfile("main").startsWith("# Binder launcher for Underworld3 - main branch (release 2025.01)\n"));
        assert.equal((run.outputs.launchers as Record<string, { pinnedReference: string }>)["2024.12"].pinnedReference, OLD);
        // A frozen branch rehearses the file it commits, which names no release; a following one names it.
        const rehearsal = (slug: string) => inputsOf(byName(run, `launcher-rehearse-${slug}`)).create as string;
        for (const slug of ["2024-12", "2025-01"]) assert.ok(rehearsal(slug).includes(" --frozen ") && !rehearsal(slug).includes("--release"), rehearsal(slug));
        assert.ok(rehearsal("main").includes(" --release 2025.01 ") && !rehearsal("main").includes("--frozen"), rehearsal("main"));
        for (const slug of ["main", "2024-12", "2025-01"]) {
            const workflow = inputsOf(byName(run, `launcher-workflow-${slug}`));
            assert.equal(workflow.file, ".github/workflows/update-image.yml");
            assert.equal(workflow.overwriteOnCreate, true);
            assert.ok(!/\bsed\b|actions\/checkout|git push/.test(workflow.content), workflow.content);
        }
    });

    const refusals: [string, string | undefined, string][] = [
        [
            "a branch without the file",
            undefined,
            `launcher branch "2024.12" cannot be adopted: found no .binder/Dockerfile on the branch (or no branch), expected FROM ${BASE}:<tag> or FROM ${BASE}:<tag>@sha256:<64 hex>; or give the branch a \`pin:\``,
        ],
        [
            "a FROM of another image",
            `FROM ghcr.io/someone/else:2024.12@sha256:${"b".repeat(64)}\n`,
            `launcher branch "2024.12" cannot be adopted: .binder/Dockerfile runs "ghcr.io/someone/else", another repository than the branch's image: expected FROM ${BASE}:<tag> or FROM ${BASE}:<tag>@sha256:<64 hex>; or give the branch a \`pin:\``,
        ],
        [
            "the broken bot commit's FROM",
            `FROM ${BASE}:-slim\n`,
            `launcher branch "2024.12" cannot be adopted: .binder/Dockerfile has "FROM ${BASE}:-slim", expected FROM ${BASE}:<tag> or FROM ${BASE}:<tag>@sha256:<64 hex>; or give the branch a \`pin:\``,
        ],
    ];
    for (const [what, content, message] of refusals) {
        it(`refuses ${what}, in one line, before any of that branch's files is written`, async () => {
            const { mocks } = launcherHolding(content);
            await assert.rejects(runStack(frozenStack(), SECRETS, { mocks }), (err: Error) => {
                // The SDK prefixes the inputs the failed Output flowed into; the engine also logs the line alone.
                assert.ok(!err.message.includes("\n") && err.message.endsWith(`: ${message}`), err.message);
                return true;
            });
            assert.equal(
                mocks.resources.filter((r) => r.type === TYPES.file && String(r.name).endsWith("-2024-12")).length,
                0,
                "no file of the refused branch",
            );
        });
    }

    it("a frozen branch with a `pin:` adopts nothing: it reads only its files, to keep the ones GitHub holds as rendered", async () => {
        const config = frozenStack();
        config["uw3-binder:launcher"].branches[1].pin = `2024.12-slim@sha256:${"b".repeat(64)}`;
        const { mocks, reads } = launcherHolding(undefined);
        const run = await runStack(config, SECRETS, { mocks });
        assert.deepEqual(reads.map((r) => `${r.branch} ${r.file}`).sort(), [
            "2024.12 .binder/Dockerfile",
            "2024.12 .github/workflows/update-image.yml",
            "2024.12 README.md",
        ]);
        assert.equal(inputsOf(byName(run, "launcher-pin-2024-12-gate-check")).reference, OLD);
    });

    /** The options each launcher file is declared with (mocks do not see options; a stack transformation does). */
    async function fileOptions(held: Record<string, string>): Promise<Record<string, pulumi.CustomResourceOptions>> {
        const options: Record<string, pulumi.CustomResourceOptions> = {};
        const mocks = new BinderMocks({ repositoryFile: (args) => (args.branch === "2024.12" ? held[args.file] : undefined) });
        await runStack(frozenStack(), SECRETS, {
            mocks,
            transformation: (args) => {
                if (args.type === TYPES.file) options[args.name] = args.opts;
                return undefined;
            },
        });
        return options;
    }

    it("a new stack keeps each file of a frozen branch that GitHub already holds as rendered: an import, which commits nothing", async () => {
        const pin: LauncherPin = { branch: "2024.12", uw3Branch: "2024.12", release: "", reference: OLD, frozen: true };
        const branches = [
            { name: "main", uw3Branch: "main", frozen: false },
            { name: "2024.12", uw3Branch: "2024.12", frozen: true },
            { name: "2025.01", uw3Branch: "2025.01", frozen: true },
        ];
        const repo = { owner: "underworldcode", repository: "uw3-binder-launcher", defaultBranch: "main" };
        const asRendered = {
            ".binder/Dockerfile": launcherDockerfile(pin),
            "README.md": launcherReadme(repo, pin, branches),
            ".github/workflows/update-image.yml": updateWorkflow(),
        };
        const ignoreChanges = ["commitMessage", "commitAuthor", "commitEmail", "overwriteOnCreate"];
        const kept = await fileOptions(asRendered);
        for (const [kind, file] of [
            ["dockerfile", ".binder/Dockerfile"],
            ["readme", "README.md"],
            ["workflow", ".github/workflows/update-image.yml"],
        ]) {
            assert.equal(kept[`launcher-${kind}-2024-12`].import, `uw3-binder-launcher:${file}:2024.12`, kind);
            assert.deepEqual(kept[`launcher-${kind}-2024-12`].ignoreChanges, ignoreChanges, kind);
            // A following branch and the release this stack builds are written as before.
            for (const slug of ["main", "2025-01"]) assert.equal(kept[`launcher-${kind}-${slug}`].import, undefined, `${kind} ${slug}`);
        }
        // One byte more in the README: that file is written (a commit), the others still kept.
        const oneDiffers = await fileOptions({ ...asRendered, "README.md": `${asRendered["README.md"]}\n` });
        assert.equal(oneDiffers["launcher-readme-2024-12"].import, undefined);
        assert.equal(oneDiffers["launcher-readme-2024-12"].ignoreChanges, undefined);
        assert.equal(oneDiffers["launcher-dockerfile-2024-12"].import, "uw3-binder-launcher:.binder/Dockerfile:2024.12");
    });
});
