/**
 * Bench: the `layers` and `visibility` checks read only manifests, so their cost must not grow with
 * the image. Builds and pushes an image with >100 MB of incompressible layers to the open loopback
 * registry (scripts/services.sh start), then reports bytes fetched vs the image's compressed size and
 * wall time. `bench/run.ts` calls `benchLayers()`; `npx ts-node bench/layers.ts` runs it alone.
 */
import { checkLayers } from "../src/check/checks/layers";
import { checkVisibility } from "../src/check/checks/visibility";
import { formatSize } from "../src/registry/layerSizes";
import { fetchImageManifests } from "../src/registry/client";
import { DEFAULT_CHECK_OPTIONS } from "../src/check/types";
import { parseImageReference } from "../src/names/oci";
import { benchRegistryBudget, FETCH_BUDGET_BYTES } from "./budget";
import { BUSYBOX_DOCKERFILE, buildAndPushImage, integrationEnv, randomFile, run } from "../test/integration/harness";
import { formatMs, runAlone, timedAsync } from "./timing";

const LAYER_COUNT = 4;
const LAYER_BYTES = 30 * 1024 * 1024;

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
    const { value: pushed, ms: setupMs } = await timedAsync(() => buildAndPushImage({ dockerfile, files }, target));
    lines.push(
        `layers: built and pushed ${pushed.reference} (${LAYER_COUNT} × ${formatSize(LAYER_BYTES)} random layers + busybox) in ${formatMs(setupMs)} (setup)`,
    );
    try {
        const { value: manifests, ms: resolveMs } = await timedAsync(() => fetchImageManifests(parseImageReference(pushed.reference)));
        const resolveTime = formatMs(resolveMs);
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

        const { value: layers, ms: layersMs } = await timedAsync(() => checkLayers(pushed.reference, DEFAULT_CHECK_OPTIONS));
        lines.push(`layers: checkLayers ok=${layers.ok} in ${formatMs(layersMs)}: ${layers.detail}`);
        const { value: visibility, ms: visibilityMs } = await timedAsync(() => checkVisibility(pushed.reference));
        lines.push(`layers: checkVisibility ok=${visibility.ok} in ${formatMs(visibilityMs)}: ${visibility.detail}`);
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

runAlone(module, benchLayers);
