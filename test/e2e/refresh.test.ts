/**
 * Refresh reads the registry: the demo's images are pushed to the open loopback registry, which serves
 * TLS as GHCR does, and a manifest deleted there behind the engine's back (registry API DELETE, as a
 * maintainer cleaning up GHCR would) is seen by `pulumi refresh`: docker-build's Image.Read asks the
 * registry for each tag at the digest in state, and an image none of whose tags is there any more leaves
 * the state. The next `up` builds and pushes it again. In order on one stack.
 */
import * as assert from "assert";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { changes, deleteManifest, demoSteps, describeEngine, registryManifest, RUN_ID, splitPinned, UNVERIFIED, warnings } from "./engine";

const STEP_TIMEOUT = 600000;

describeEngine("engine: refresh notices a tag deleted from the registry", (engine) => {
    const namespace = `e2e-refresh-${RUN_ID}`;
    const demo = demoSteps(engine, namespace);
    let verified: Record<string, string>;

    it("up pushes both images to the TLS registry, and refresh verifies both, finding nothing changed", async function () {
        this.timeout(STEP_TIMEOUT);
        verified = (await demo.project.up()).outputs.verifiedReferences.value as Record<string, string>;
        assert.strictEqual(splitPinned(verified.slim).registry, "127.0.0.1:5000");
        const events: EngineEvent[] = [];
        const result = await demo.project.refresh({ onEvent: (e) => events.push(e) });
        assert.deepStrictEqual(changes(result.summary.resourceChanges), {});
        assert.deepStrictEqual(warnings(events), []);
    });

    it("a manifest deleted behind the engine's back: refresh removes that image from state, naming the tag; up pushes it again", async function () {
        this.timeout(STEP_TIMEOUT);
        const slim = splitPinned(verified.slim);
        await deleteManifest(slim.registry, slim.repository, slim.digest);
        await assert.rejects(registryManifest(slim.registry, slim.repository, slim.tag), /HTTP 404/);

        const events: EngineEvent[] = [];
        const result = await demo.project.refresh({ onEvent: (e) => events.push(e) });
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { delete: 1 });
        const said = warnings(events);
        assert.ok(!said.some((w) => w.includes(UNVERIFIED)), said.join("\n"));
        assert.ok(
            said.some((w) => w.startsWith("slim-image: ") && w.includes(`${slim.registry}/${slim.repository}:${slim.tag}`)),
            `no warning naming the slim tag:\n${said.join("\n")}`,
        );
        const state = (await demo.project.stack.exportStack()).deployment as { resources: { urn: string }[] };
        const names = state.resources.map((r) => r.urn.split("::").pop());
        assert.ok(!names.includes("slim-image"), names.join(", "));
        assert.ok(names.includes("deps-image"), names.join(", "));

        // The next up builds and pushes slim again, and its tag resolves in the registry to what the stack outputs.
        const again = (await demo.project.up()).outputs.verifiedReferences.value as Record<string, string>;
        const pushed = splitPinned(again.slim);
        assert.strictEqual((await registryManifest(pushed.registry, pushed.repository, pushed.tag)).digest, pushed.digest);
        assert.strictEqual(again.deps, verified.deps);
    });
});
