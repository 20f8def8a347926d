/**
 * Adopting the launcher repository as it is today, on the real engine and the local GitHub: five branches
 * (main, development, v0.99, v3.0.0, v3.0.1), each `.binder/Dockerfile` FROM a tag only, the
 * `update-image.yml` that sed-rewrites FROM on every dispatch, the hand-written README. The stack builds
 * nothing and lists every branch frozen, so each one is adopted: its tag resolved once to the digest the
 * registry serves, gated as a `pin:`, written pinned; the workflow replaced. A second `up` commits nothing.
 * Main follows, repinned by a `pin:` (following branches repinned to per-ref builds are the release e2e's).
 * (The next release's stack, a new stack over the same launcher committing nothing to a frozen branch, is
 * test/e2e/releases.test.ts's; destroy leaving every branch, test/e2e/launcher.test.ts's.)
 *
 * Its own launcher repository, registry namespace and source repository per run, so it never meets
 * another e2e file's (launcher.test.ts uses the demo's launcher).
 */
import * as assert from "assert";
import { EngineEvent, UpResult } from "@pulumi/pulumi/automation";
import { launcherDockerfile, launcherReadme, LauncherPin, updateWorkflow } from "../../src/render/launcher";
import { BUSYBOX_DOCKERFILE, buildAndPushImage, run } from "../integration/harness";
import { changes, describeEngine, EngineProject, RUN_ID, stopAfterFailure, touched, warnings } from "./engine";
import { branchHeads, cloneBranch, githubApi, LocalGitHub, requireLocalGitHub } from "./github";
import { stepsInOrder } from "./ordered";

const STEP_TIMEOUT = 900000;
const REGISTRY = "127.0.0.1:5000";
/** Today's launcher branches, each launching the Underworld3 ref of its name. */
const REFS = ["main", "development", "v0.99", "v3.0.0", "v3.0.1"];
const WORKFLOW = ".github/workflows/update-image.yml";

/** Today's `.binder/Dockerfile` of a branch (the real launcher's, with this run's registry): a tag, no digest. */
function todaysDockerfile(image: string, ref: string): string {
    return [
        `# Binder launcher for Underworld3 - ${ref} branch`,
        "# Uses pre-built base image from GHCR",
        "",
        `FROM ${image}:${ref}-slim`,
        "",
        `ENV UW3_BRANCH=${ref}`,
        "",
    ].join("\n");
}

/** The launcher's workflow today, in short: what matters is that it rewrites FROM to a mutable tag. */
const TODAYS_WORKFLOW = [
    "name: Update Image Reference",
    "on:",
    "  repository_dispatch:",
    "    types: [image-updated]",
    "jobs:",
    "  update-dockerfile:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - uses: actions/checkout@v4",
    '      - run: sed -i "s|FROM ghcr.io/underworldcode/uw3-base:.*|FROM ghcr.io/underworldcode/uw3-base:${BRANCH}-slim|" .binder/Dockerfile',
    "",
].join("\n");

/** Main as it follows in these stacks: repinned by its `pin:` (nothing is built here), never frozen. */
function mainPinnedTo(digest: string): Record<string, unknown> {
    return { name: "main", uw3Branch: "main", image: "slim", pin: `main-slim@${digest}` };
}

describeEngine("engine: adopting today's launcher repository", (engine) => {
    const namespace = `e2e-adopt-${RUN_ID}`;
    const repository = `uw3-binder-launcher-adopt-${RUN_ID}`;
    const image = `${REGISTRY}/${namespace}/uw3-base`;
    let github: LocalGitHub;
    let project: EngineProject | undefined;
    /** The next release's stack, over the same launcher (same program copy and backend). */
    /** The digest the registry serves for each ref's tag, pushed before the first `up`. */
    const digests: Record<string, string> = {};
    const localTags: string[] = [];
    stepsInOrder();
    stopAfterFailure(() => project);

    async function up(): Promise<{ result: UpResult; events: EngineEvent[] }> {
        const events: EngineEvent[] = [];
        const result = await project!.up({ onEvent: (e) => events.push(e) });
        return { result, events };
    }

    /** Writes one file to one branch of the launcher through the contents API, as a maintainer's commit. */
    async function putFile(branch: string, file: string, content: string): Promise<void> {
        const existing = await githubApi(github, "GET", `/repos/${github.owner}/${repository}/contents/${file}?ref=${encodeURIComponent(branch)}`);
        const put = await githubApi(github, "PUT", `/repos/${github.owner}/${repository}/contents/${file}`, {
            message: `Update ${file}`,
            content: Buffer.from(content).toString("base64"),
            branch,
            ...(existing.status === 200 ? { sha: existing.body.sha } : {}),
        });
        assert.ok(put.status === 200 || put.status === 201, `PUT ${file} on ${branch}: HTTP ${put.status} ${JSON.stringify(put.body)}`);
    }

    before(async function () {
        this.timeout(300000);
        github = await requireLocalGitHub(this, "engine: adopting today's launcher repository");
        // The registry today: each ref's image under its tag (distinct images, so distinct digests).
        for (const ref of REFS) {
            const pushed = await buildAndPushImage(
                { dockerfile: `${BUSYBOX_DOCKERFILE}LABEL org.opencontainers.image.version=${ref}\n` },
                `${image}:${ref}-slim`,
            );
            digests[ref] = pushed.digest;
            localTags.push(pushed.localTag);
        }
        // The launcher repository today: main with the three files, every other branch from it with its own FROM.
        const made = await githubApi(github, "POST", `/orgs/${github.owner}/repos`, { name: repository, auto_init: false });
        assert.strictEqual(made.status, 201, JSON.stringify(made.body));
        await putFile("main", "README.md", "# Underworld3 Binder Launcher\n\nLaunch Underworld3 in your browser via mybinder.org.\n");
        await putFile("main", WORKFLOW, TODAYS_WORKFLOW);
        await putFile("main", ".binder/Dockerfile", todaysDockerfile(image, "main"));
        const main = await githubApi(github, "GET", `/repos/${github.owner}/${repository}/branches/main`);
        assert.strictEqual(main.status, 200, JSON.stringify(main.body));
        for (const ref of REFS.slice(1)) {
            const created = await githubApi(github, "POST", `/repos/${github.owner}/${repository}/git/refs`, {
                ref: `refs/heads/${ref}`,
                sha: main.body.commit.sha,
            });
            assert.strictEqual(created.status, 201, JSON.stringify(created.body));
            await putFile(ref, ".binder/Dockerfile", todaysDockerfile(image, ref));
        }

        project = await EngineProject.create(engine(), {
            stack: "demo",
            edit: (config: Record<string, any>) => {
                config["uw3-binder:registry"] = { ...config["uw3-binder:registry"], namespace };
                // Nothing is built: every branch is a release frozen before this stack.
                const images = config["uw3-binder:images"] as Record<string, Record<string, unknown>>;
                for (const img of Object.values(images)) img.build = "on-request";
                config["uw3-binder:source"] = { ...config["uw3-binder:source"], launcherPatSecret: false };
                config["uw3-binder:launcher"] = {
                    repository,
                    create: false,
                    defaultBranch: "main",
                    branches: REFS.map((ref) => (ref === "main" ? mainPinnedTo(digests.main) : { name: ref, uw3Branch: ref, image: "slim", frozen: true })),
                    // The busybox images have no Jupyter to launch; the rehearsal is launcher.test.ts's.
                    rehearsal: { enabled: false },
                };
                assert.strictEqual(config["github:baseUrl"], `${github.origin}/`);
            },
            env: { GITHUB_TOKEN: github.token },
        });
    });

    after(async function () {
        this.timeout(STEP_TIMEOUT);
        if (localTags.length > 0) await run("docker", ["rmi", "--force", ...localTags]);
        if (!project) return;
        await project.discard();
    });

    it("preview reads each branch's FROM and resolves its tag, and would write every branch's files", async function () {
        this.timeout(STEP_TIMEOUT);
        const events: EngineEvent[] = [];
        await project!.preview({ onEvent: (e) => events.push(e) });
        const planned = touched(events);
        for (const ref of REFS) {
            const slug = ref.replace(/\./g, "-");
            for (const kind of ["dockerfile", "readme", "workflow"]) assert.ok(planned.includes(`create launcher-${kind}-${slug}`), planned.join(", "));
        }
    });

    it("up adopts every frozen branch: its tag's digest, gated, written pinned; main pinned; the update workflow replaced; no warning", async function () {
        this.timeout(STEP_TIMEOUT);
        const before = await branchHeads(github, repository);
        const { result, events } = await up();
        assert.deepStrictEqual(warnings(events), []);
        const launchers = result.outputs.launchers.value as Record<string, { pinnedReference: string }>;
        const branches = REFS.map((ref) => ({ name: ref, uw3Branch: ref, frozen: ref !== "main" }));
        for (const ref of REFS) {
            const reference = `${image}:${ref}-slim@${digests[ref]}`;
            assert.strictEqual(launchers[ref].pinnedReference, reference, ref);
            const frozen = ref !== "main";
            const pin: LauncherPin = { branch: ref, uw3Branch: ref, release: "2025.01", reference, ...(frozen ? { frozen } : {}) };
            const clone = await cloneBranch(github, repository, ref);
            try {
                assert.strictEqual(await clone.read(".binder/Dockerfile"), launcherDockerfile(pin), ref);
                // A following branch's README gives the size its gate measured (frozen ones give none): that line as it reads.
                const readme = await clone.read("README.md");
                const size = /^- Size: (\d+(?:\.\d+)?) (B|KB|MB|GB) compressed$/m.exec(readme);
                assert.strictEqual(!!size, !frozen, `${ref}: ${readme}`);
                const measured = size ? { size: { imageBytes: Number(size[1]) * 1024 ** ["B", "KB", "MB", "GB"].indexOf(size[2]) } } : {};
                assert.strictEqual(readme, launcherReadme({ owner: github.owner, repository, defaultBranch: "main" }, { ...pin, ...measured }, branches), ref);
                const workflow = await clone.read(WORKFLOW);
                assert.strictEqual(workflow, updateWorkflow(), ref);
                assert.ok(!workflow.includes("sed -i"), ref);
                // Three commits on top of today's head: workflow, Dockerfile, README (the last, which mybinder.org builds).
                const log = await clone.log();
                assert.strictEqual(log[3].split(" ")[0], before[ref], `${ref}: ${log.join("\n")}`);
                assert.deepStrictEqual(
                    log.slice(0, 3).map((l) => l.slice(41)),
                    [
                        `Update ${ref} README for uw3-base:${ref}-slim@${digests[ref].slice(0, 19)} (${frozen ? "frozen release" : "release 2025.01"})`,
                        `Pin ${ref} to uw3-base:${ref}-slim@${digests[ref].slice(0, 19)} (${frozen ? "frozen release" : "release 2025.01"})`,
                        `Replace ${WORKFLOW}: uw3-binder pins ${ref}`,
                    ],
                );
            } finally {
                await clone.remove();
            }
        }
    });

    it("a second up changes nothing and makes no commit on any branch, the tags now read back from the pinned FROMs", async function () {
        this.timeout(STEP_TIMEOUT);
        const before = await branchHeads(github, repository);
        // Were the tags read again, this new image under v3.0.1's tag would repin it: the FROM's digest wins.
        const moved = await buildAndPushImage({ dockerfile: `${BUSYBOX_DOCKERFILE}LABEL moved=true\n` }, `${image}:v3.0.1-slim`);
        localTags.push(moved.localTag);
        assert.notStrictEqual(moved.digest, digests["v3.0.1"]);
        const { result } = await up();
        assert.deepStrictEqual(changes(result.summary.resourceChanges), {});
        assert.deepStrictEqual(await branchHeads(github, repository), before);
        const launchers = result.outputs.launchers.value as Record<string, { pinnedReference: string }>;
        assert.strictEqual(launchers["v3.0.1"].pinnedReference, `${image}:v3.0.1-slim@${digests["v3.0.1"]}`);
    });

    it("a frozen branch the launcher lacks, or whose tag the registry lacks, fails the preview with one line naming it", async function () {
        this.timeout(STEP_TIMEOUT);
        // On the first stack's config (its state is gone: a preview reads the launcher as it is).
        /** The error lines a preview of the stack with one more frozen branch, `ref`, logs; the preview must fail. */
        const refusals = async (ref: string): Promise<string[]> => {
            for (const [key, value] of Object.entries({ name: ref, uw3Branch: ref, image: "slim", frozen: "true" })) {
                await project!.stack.setConfig(`uw3-binder:launcher.branches[${REFS.length}].${key}`, { value }, true);
            }
            const events: EngineEvent[] = [];
            await assert.rejects(project!.preview({ onEvent: (e) => events.push(e) }));
            return events
                .map((e) => e.diagnosticEvent)
                .filter((d): d is NonNullable<typeof d> => !!d && d.severity === "error")
                .map((d) => d.message.trim());
        };
        const expected = `expected FROM ${image}:<tag> or FROM ${image}:<tag>@sha256:<64 hex>; or give the branch a \`pin:\``;
        // The provider answers GitHub's 404 with no content, not an error.
        const missing = await refusals("v9.9");
        assert.ok(
            missing.includes(`launcher branch "v9.9" cannot be adopted: found no .binder/Dockerfile on the branch (or no branch), ${expected}`),
            missing.join("\n---\n"),
        );
        // A branch FROM a tag never pushed.
        const main = await githubApi(github, "GET", `/repos/${github.owner}/${repository}/branches/main`);
        const created = await githubApi(github, "POST", `/repos/${github.owner}/${repository}/git/refs`, { ref: "refs/heads/v9.8", sha: main.body.commit.sha });
        assert.strictEqual(created.status, 201, JSON.stringify(created.body));
        await putFile("v9.8", ".binder/Dockerfile", todaysDockerfile(image, "v9.8"));
        const untagged = await refusals("v9.8");
        assert.ok(
            untagged.includes(
                `launcher branch "v9.8" cannot be adopted: its FROM ${image}:v9.8-slim names a tag the registry does not have; or give the branch a \`pin:\``,
            ),
            untagged.join("\n---\n"),
        );
    });
});
