/**
 * The registry build cache on the real engine: an image built on one empty builder, then after a code-only
 * change on another empty builder (a fresh CI runner's), reuses every unchanged layer from the cache in
 * the image's registry: the layer of a step that writes the time is the same layer, and only the code
 * layer is new. With `cache: false`, the same rebuild on an empty builder runs that step again. In order
 * on one stack.
 */
import * as assert from "assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { demoImagesOnly, describeEngine, EngineProject, registryManifest, RUN_ID, splitPinned, stopAfterFailure } from "./engine";
import { cachedImageConfig, EmptyBuilder, startEmptyBuilder, writeCachedImageSource } from "./emptyBuilder";
import { stepsInOrder } from "./ordered";

const STEP_TIMEOUT = 600000;

describeEngine("engine: the registry build cache on an empty builder", (engine) => {
    let project: EngineProject | undefined;
    let source: string;
    const builders: EmptyBuilder[] = [];
    let first: { layers: string[] };

    stepsInOrder();
    stopAfterFailure(() => project);
    before(async function () {
        this.timeout(120000);
        builders.push(await startEmptyBuilder(`uw3-binder-cache-a-${RUN_ID}`));
        project = await EngineProject.create(engine(), {
            stack: "demo",
            edit: (config: Record<string, any>) => {
                demoImagesOnly(config);
                config["uw3-binder:registry"] = { ...config["uw3-binder:registry"], namespace: `e2e-cache-${RUN_ID}` };
                config["uw3-binder:images"] = { cached: cachedImageConfig(builders[0].name, true) };
            },
        });
        source = path.join(project.root, "source");
        await writeCachedImageSource(source, 2, 256 * 1024);
        await project.stack.setConfig("uw3-binder:source.path", { value: source }, true);
    });
    after(async function () {
        this.timeout(600000);
        await project?.discard();
        for (const builder of builders) await builder.stop();
    });

    /** `up` on a new empty builder (the previous one stopped), then the layers of the image it pushed. */
    async function upOnEmptyBuilder(label: string, cache: boolean): Promise<string[]> {
        const p = project!;
        await builders[builders.length - 1].stop();
        builders.push(await startEmptyBuilder(`uw3-binder-cache-${label}-${RUN_ID}`));
        // The whole key, as JSON (the program reads a structured key from it): a `--path` value "false" would be a string.
        await p.stack.setConfig("uw3-binder:images", { value: JSON.stringify({ cached: cachedImageConfig(builders[builders.length - 1].name, cache) }) });
        return layersOf((await p.up()).outputs.verifiedReferences.value.cached as string);
    }

    async function layersOf(reference: string): Promise<string[]> {
        const pinned = splitPinned(reference);
        return (await registryManifest(pinned.registry, pinned.repository, pinned.digest)).layers;
    }

    it("the first up builds the image and writes its cache beside it in the registry", async function () {
        this.timeout(STEP_TIMEOUT);
        const up = await project!.up();
        first = { layers: await layersOf(up.outputs.verifiedReferences.value.cached as string) };
        // The busybox base's layers, then two data layers, the time step and the code.
        assert.ok(first.layers.length >= 5, `${first.layers.length} layers`);
        const { registry, repository } = splitPinned(up.outputs.verifiedReferences.value.cached as string);
        const cache = await fetch(`https://${registry}/v2/${repository}/manifests/buildcache`, {
            method: "HEAD",
            headers: { Accept: "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json" },
        });
        assert.strictEqual(cache.status, 200, `no build cache at ${registry}/${repository}:buildcache`);
    });

    it("a code-only change rebuilt on an empty builder reuses every other layer from the cache: only the code layer is new", async function () {
        this.timeout(STEP_TIMEOUT);
        await fs.promises.writeFile(path.join(source, "code", "main.py"), "print('version 2')\n");
        const layers = await upOnEmptyBuilder("b", true);
        assert.deepStrictEqual(layers.slice(0, -1), first.layers.slice(0, -1), "the base, data and time-step layers are the cached ones");
        assert.notStrictEqual(layers.at(-1), first.layers.at(-1), "the code layer is new");
    });

    it("with `cache: false`, the same rebuild on an empty builder runs the time step again", async function () {
        this.timeout(STEP_TIMEOUT);
        await fs.promises.writeFile(path.join(source, "code", "main.py"), "print('version 3')\n");
        const layers = await upOnEmptyBuilder("c", false);
        assert.deepStrictEqual(layers.slice(0, 2), first.layers.slice(0, 2), "the base image's layers are the base's");
        assert.notStrictEqual(layers.at(-2), first.layers.at(-2), "the time step ran again");
    });
});
