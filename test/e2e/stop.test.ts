/**
 * What a failed e2e step leaves: `EngineProject.stop()` (run after every failed step of an ordered suite)
 * ends the `up` still in flight, so no update holds the stack lock and no engine process is left working
 * in the program folder when the next step, or the cleanup that removes that folder, runs.
 */
import * as assert from "assert";
import { demoImagesOnly, describeEngine, EngineProject, processesIn, RUN_ID } from "./engine";

describeEngine("engine: a step that fails leaves no update running", (engine) => {
    it("stop() ends an up in flight: no engine process is left in the program folder, and the next operation gets the stack", async function () {
        this.timeout(600000);
        const project = await EngineProject.create(engine(), {
            stack: "demo",
            edit: (config: Record<string, any>) => {
                demoImagesOnly(config);
                config["uw3-binder:registry"] = { ...config["uw3-binder:registry"], namespace: `e2e-stop-${RUN_ID}` };
            },
        });
        try {
            await project.useExampleSource();
            let registered!: () => void;
            const firstResource = new Promise<void>((resolve) => (registered = resolve));
            const up = project.up({ onEvent: (e) => e.resourcePreEvent && registered() });
            const outcome = up.then(
                () => "completed",
                (err: Error) => err.message,
            );
            await firstResource;
            assert.ok(processesIn(project.programDir).length > 0, "the up runs in the program folder");
            // While it runs, the project refuses a second operation instead of colliding on the lock.
            await assert.rejects(project.preview(), /pulumi preview: pulumi up is still running on this stack/);

            assert.strictEqual(await project.stop(), "up");
            await outcome;
            assert.deepStrictEqual(processesIn(project.programDir), []);
            // The stack is free: a preview runs to the end (a lock left behind would fail it).
            await project.preview();
        } finally {
            await project.destroy().catch(() => undefined);
            await project.remove();
        }
    });
});
