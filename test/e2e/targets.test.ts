/**
 * `uw3-binder targets` on the real engine: `pulumi up` with the `--target`s it prints for one ref updates that ref's
 * image, gate and launcher branch and nothing of another ref's, even when a change reaches both refs' images and
 * both are built on one parent (the deps/slim chain, the hard case). The demo stack with one image per launched
 * ref (main, development), its launcher on the local GitHub (scripts/services.sh); steps in order.
 */
import * as assert from "assert";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { changes, describeEngine, EngineProject, RUN_ID, SourceRepo, stopAfterFailure, touched } from "./engine";
import { branchHeads, LocalGitHub, requireLocalGitHub } from "./github";
import { stepsInOrder } from "./ordered";

const STEP_TIMEOUT = 900000;

describeEngine("engine: pulumi up of one ref's targets (uw3-binder targets)", (engine) => {
    const namespace = `e2e-targets-${RUN_ID}`;
    const repository = `uw3-binder-launcher-targets-${RUN_ID}`;
    let github: LocalGitHub;
    let project: EngineProject | undefined;
    let source: SourceRepo;
    let heads: Record<string, string>;
    stepsInOrder();
    stopAfterFailure(() => project);

    before(async function () {
        this.timeout(180000);
        github = await requireLocalGitHub(this, "engine: pulumi up of one ref's targets");
        project = await EngineProject.create(engine(), {
            stack: "demo",
            edit: (config: Record<string, any>) => {
                config["uw3-binder:registry"] = { ...config["uw3-binder:registry"], namespace };
                config["uw3-binder:source"] = { ...config["uw3-binder:source"], launcherPatSecret: false };
                const slim = config["uw3-binder:images"].slim;
                config["uw3-binder:images"] = {
                    deps: config["uw3-binder:images"].deps,
                    main: { ...slim, tag: "main-slim", args: { UW3_BRANCH: "main" } },
                    dev: { ...slim, tag: "development-slim", args: { UW3_BRANCH: "development" } },
                };
                config["uw3-binder:launcher"] = {
                    ...config["uw3-binder:launcher"],
                    repository,
                    rehearsal: { enabled: false },
                    branches: [
                        { name: "main", uw3Branch: "main", image: "main" },
                        { name: "development", uw3Branch: "development", image: "dev" },
                    ],
                };
            },
            env: { GITHUB_TOKEN: github.token },
        });
        source = await project.useExampleSource();
    });

    after(async function () {
        this.timeout(STEP_TIMEOUT);
        if (!project) return;
        await project.discard();
    });

    it("a full up publishes both refs' images and branches", async function () {
        this.timeout(STEP_TIMEOUT);
        await project!.up();
        heads = await branchHeads(github, repository);
        assert.deepStrictEqual(Object.keys(heads).sort(), ["development", "main"]);
    });

    it("after a change both images see, up with `targets --ref development` rebuilds and repins development only; main stays for its own push", async function () {
        this.timeout(STEP_TIMEOUT);
        await source.append("src/underworld3/__init__.py", "CHANGED = True\n");
        await source.commitAll("a change both refs' images are built from");
        const urns = await project!.refTargets("demo", "development");
        const before = (await project!.stack.outputs()).verifiedReferences.value as Record<string, string>;
        const events: EngineEvent[] = [];
        const result = await project!.up({ target: urns, onEvent: (e) => events.push(e) });
        const did = touched(events);
        assert.ok(
            did.some((t) => / dev-image$/.test(t)),
            `dev-image rebuilt: ${did.join(", ")}`,
        );
        assert.deepStrictEqual(
            did.filter((t) => /(main-image|main-gate|-main)$/.test(t)),
            [],
        );
        assert.ok(Object.keys(changes(result.summary.resourceChanges)).length > 0);
        const after = await branchHeads(github, repository);
        assert.strictEqual(after.main, heads.main, "main: not this ref's, no commit");
        assert.notStrictEqual(after.development, heads.development, "development repinned");
        const verified = (await project!.stack.outputs()).verifiedReferences.value as Record<string, string>;
        assert.strictEqual(verified.main, before.main);
        assert.notStrictEqual(verified.dev, before.dev);
        // main's image is out of date, and a full preview says so: it waits for main's own update.
        const preview = await project!.preview();
        assert.ok((preview.changeSummary.update ?? 0) + (preview.changeSummary.replace ?? 0) > 0, JSON.stringify(preview.changeSummary));
    });
});
