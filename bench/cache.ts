/**
 * Bench: the registry build cache on an empty builder, as on a fresh CI runner. An image of 10 data layers
 * of 32 MiB (320 MiB of deterministic, incompressible data, made by its RUN steps from 1 MiB seeds generated
 * in a temporary directory), a step that writes the time and a code layer is built once, then after a code-only change rebuilt on another
 * empty builder: with its registry cache (the default) and with `cache: false`, each on a stack of its own.
 * Reports the rebuild's `pulumi up` wall time, and the layers it pushed, counted from the registry (layers of
 * the rebuilt image's manifest that the first build's manifest does not have).
 * Needs the engine and the services (`scripts/services.sh start`). `bench/run.ts` calls `benchCache()`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { demoImagesOnly, engineEnv, EngineEnv, EngineProject, registryManifest, RUN_ID, splitPinned } from "../test/e2e/engine";
import { cachedImageConfig, startEmptyBuilder, writeCachedImageSource } from "../test/e2e/emptyBuilder";
import { formatSeconds, runAlone, timedAsync } from "./timing";

const LAYERS = 10;
const LAYER_BYTES = 32 * 1024 * 1024;

async function layersOf(reference: string): Promise<{ layers: string[]; bytes: number }> {
    const pinned = splitPinned(reference);
    return registryManifest(pinned.registry, pinned.repository, pinned.digest);
}

/** First build, then a code-only rebuild on a new empty builder; the rebuild's time and the layers it pushed. */
async function rebuild(env: EngineEnv, cache: boolean): Promise<{ firstMs: number; ms: number; pushed: number; layers: number; bytes: number }> {
    const label = cache ? "with" : "without";
    let builder = await startEmptyBuilder(`uw3-binder-bench-${label}-1-${RUN_ID}`);
    const project = await EngineProject.create(env, {
        stack: "demo",
        edit: (config: Record<string, unknown>) => {
            demoImagesOnly(config);
            config["uw3-binder:registry"] = { ...(config["uw3-binder:registry"] as object), namespace: `bench-cache-${label}-${RUN_ID}` };
            config["uw3-binder:images"] = { cached: cachedImageConfig(builder.name, cache) };
        },
    });
    try {
        const source = path.join(project.root, "source");
        await writeCachedImageSource(source, LAYERS, LAYER_BYTES);
        await project.stack.setConfig("uw3-binder:source.path", { value: source }, true);
        const first = await timedAsync(() => project.up());
        const before = await layersOf((first.value.outputs.verifiedReferences.value as Record<string, string>).cached);

        await builder.stop();
        builder = await startEmptyBuilder(`uw3-binder-bench-${label}-2-${RUN_ID}`);
        await project.stack.setConfig("uw3-binder:images", { value: JSON.stringify({ cached: cachedImageConfig(builder.name, cache) }) });
        await fs.promises.writeFile(path.join(source, "code", "main.py"), "print('version 2')\n");
        const again = await timedAsync(() => project.up());
        const after = await layersOf((again.value.outputs.verifiedReferences.value as Record<string, string>).cached);
        await project.destroy();
        return {
            firstMs: first.ms,
            ms: again.ms,
            pushed: after.layers.filter((l) => !before.layers.includes(l)).length,
            layers: after.layers.length,
            bytes: after.bytes,
        };
    } finally {
        await project.remove();
        await builder.stop();
    }
}

export async function benchCache(): Promise<string[]> {
    const env = await engineEnv();
    if (!env.ready) throw new Error(`bench cache needs the engine and the loopback services: ${env.problems.join("; ")}`);
    const withCache = await rebuild(env, true);
    const without = await rebuild(env, false);
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
    return [
        `image: ${withCache.layers} layers, ${mb(withCache.bytes)} compressed (${LAYERS} data layers of ${mb(LAYER_BYTES)}, a time step, the code)`,
        `first up on an empty builder: ${formatSeconds(withCache.firstMs)} (writing the cache), ${formatSeconds(without.firstMs)} (cache: false)`,
        `code-only change, pulumi up on another empty builder:`,
        `  with the registry cache  ${formatSeconds(withCache.ms)}, layers pushed ${withCache.pushed} of ${withCache.layers}`,
        `  cache: false             ${formatSeconds(without.ms)}, layers pushed ${without.pushed} of ${without.layers}`,
        `  with / without: ${((100 * withCache.ms) / without.ms).toFixed(0)} % (goal <= 20 %)`,
    ];
}

runAlone(module, benchCache);
