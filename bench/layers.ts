/**
 * Bench: the `layers` and `visibility` checks read only manifests, so their cost must not grow with
 * the image. Builds and pushes an image with >100 MB of incompressible layers to the open loopback
 * registry (scripts/services.sh start), then reports bytes fetched vs the image's compressed size and
 * wall time. `bench/run.ts` calls `benchLayers()`; `npx ts-node bench/layers.ts` runs it alone.
 */
import { performance } from "node:perf_hooks";
import { checkLayers } from "../src/check/checks/layers";
import { checkVisibility } from "../src/check/checks/visibility";
import { formatSize } from "../src/check/layerSizes";
import { fetchImageManifests } from "../src/registry/client";
import { DEFAULT_CHECK_OPTIONS } from "../src/check/types";
import { parseImageReference } from "../src/images/reference";
import { benchRegistryBudget } from "./budget";
import { BUSYBOX_DOCKERFILE, buildAndPushImage, integrationEnv, randomFile, run } from "../test/integration/harness";

const LAYER_COUNT = 4;
const LAYER_BYTES = 30 * 1024 * 1024;
/** What "reads only manifests" means in numbers: a few KB of JSON, whatever the image size. */
const FETCH_BUDGET_BYTES = 64 * 1024;

function ms(start: number): string {
    return `${(performance.now() - start).toFixed(0)} ms`;
}

export async function benchLayers(): Promise<string[]> {
    const env = await integrationEnv();
    if (!env.ready) {
        throw new Error(`bench layers needs Docker and the loopback registries (scripts/services.sh start): ${env.problems.join("; ")}`);
    }
    const lines: string[] = [];
    const files: Record<string, Buffer> = {};
    let dockerfile = BUSYBOX_DOCKERFILE;
    for (let i = 1; i <= LAYER_COUNT; i++) {
        // Random bytes: gzip cannot shrink them, so the compressed layers really are 30 MB each.
        files[`layer${i}.bin`] = randomFile(LAYER_BYTES);
        dockerfile += `COPY layer${i}.bin /data/layer${i}.bin\n`;
    }
    const target = `${env.registry}/uw3-binder-bench/layers:${process.pid.toString(36)}${Date.now().toString(36)}`;
    let start = performance.now();
    const pushed = await buildAndPushImage({ dockerfile, files }, target);
    lines.push(`layers: built and pushed ${pushed.reference} (${LAYER_COUNT} × ${formatSize(LAYER_BYTES)} random layers + busybox) in ${ms(start)} (setup)`);
    try {
        start = performance.now();
        const manifests = await fetchImageManifests(parseImageReference(pushed.reference));
        const resolveTime = ms(start);
        const compressed = manifests.platforms.flatMap((p) => p.layers).reduce((sum, l) => sum + l.size, 0);
        const layerCount = manifests.platforms.reduce((n, p) => n + p.layers.length, 0);
        lines.push(
            `layers: resolved ${manifests.platforms.length} platform manifest(s), ${layerCount} layers, compressed ${formatSize(compressed)} (${compressed} bytes) in ${resolveTime}`,
        );
        const ratio = compressed / manifests.bytesFetched;
        lines.push(
            `layers: fetched ${manifests.bytesFetched} bytes in ${manifests.requests} requests = 1/${Math.round(ratio)} of the image` +
                ` (${manifests.bytesFetched <= FETCH_BUDGET_BYTES ? "within" : "OVER"} the ${FETCH_BUDGET_BYTES / 1024} KiB budget)`,
        );

        start = performance.now();
        const layers = await checkLayers(pushed.reference, DEFAULT_CHECK_OPTIONS);
        lines.push(`layers: checkLayers ok=${layers.ok} in ${ms(start)}: ${layers.detail}`);
        start = performance.now();
        const visibility = await checkVisibility(pushed.reference);
        lines.push(`layers: checkVisibility ok=${visibility.ok} in ${ms(start)}: ${visibility.detail}`);
        if (manifests.bytesFetched > FETCH_BUDGET_BYTES || !layers.ok || !visibility.ok) {
            lines.push("layers: FAILED (see above)");
        }
    } finally {
        // The registry keeps the 120 MB of blobs (docker-registry frees space only in an offline
        // garbage-collect); `scripts/services.sh stop` drops its storage.
        await run("docker", ["rmi", "--force", pushed.localTag]);
    }
    lines.push(...(await benchRegistryBudget(env.registry)));
    return lines;
}

if (require.main === module) {
    benchLayers().then(
        (lines) => console.log(lines.join("\n")),
        (err) => {
            console.error(err instanceof Error ? err.message : err);
            process.exit(1);
        },
    );
}
