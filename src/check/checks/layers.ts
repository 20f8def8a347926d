/**
 * `layers`: mybinder.org pushes/pulls of layers near 1 GB fail (broken pipe, timeouts), so every
 * compressed layer must stay under `maxLayerMb` (800 in the setup document) and each platform's image
 * under `maxImageMb`; with a `baseline`, the bytes it lacks stay under `maxNewMb` and the growth under
 * `maxGrowthPercent` (baseline.ts). Answered from manifests; a config blob (a few KiB) is read only to
 * name the Dockerfile step behind a layer over the limit.
 */
import { ImageReference, parseImageReference } from "../../names/oci";
import { ImageConfigBlob, ImageManifests, RegistryClient } from "../../registry/client";
import { RegistryError } from "../../registry/errors";
import { HttpOptions } from "../../registry/http";
import { RegistryCredentials } from "../../registry/session";
import { BaselineBudgets, BaselineRead, baselinePlatform, evaluateBaseline, newLayers, readBaseline } from "../baseline";
import { Check, Verdict } from "../checkContext";
import { formatMb, formatSize, largestLayers, distinctLayers, shortDigest, totalSize } from "../../registry/layerSizes";
import { DEFAULT_CHECK_OPTIONS } from "../options";
import { CheckFigures, PlatformFigures } from "../result";
import { BYTES_PER_MB, CheckOptions } from "../types";
import { printableLine } from "../../text/printable";

type LayerLimits = Pick<CheckOptions, "maxLayerMb" | "maxImageMb">;

/** How many layers a detail names. */
const LARGEST_SHOWN = 3;

function checkLimits(limits: LayerLimits): void {
    for (const key of ["maxLayerMb", "maxImageMb"] as const) {
        const value = limits[key];
        if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
            throw new Error(`layers check: \`${key}\` must be a positive number of MB, got ${JSON.stringify(value)}`);
        }
    }
}

/** How much of a Dockerfile instruction a detail quotes. */
const INSTRUCTION_MAX = 120;

/**
 * A config `history[].created_by` as the Dockerfile instruction a reader recognises: the legacy builder
 * writes `/bin/sh -c #(nop) COPY dir:… in /x` and `/bin/sh -c cmd` for RUN, BuildKit `COPY a b # buildkit`
 * and `RUN /bin/sh -c cmd # buildkit`. Escaped and capped: the text comes from the image.
 */
export function dockerfileInstruction(createdBy: string): string {
    let text = createdBy.trim().replace(/\s+# buildkit$/, "");
    const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(text);
    if (nop) text = text.slice(nop[0].length);
    else if (text.startsWith("/bin/sh -c ")) text = `RUN ${text.slice("/bin/sh -c ".length)}`;
    else text = text.replace(/^RUN \/bin\/sh -c /, "RUN ");
    return printableLine(text.replace(/\s+/g, " ").trim(), INSTRUCTION_MAX);
}

/**
 * The instruction that made each layer, by manifest position (0-based): the config's history entries
 * that made a layer (not `empty_layer`), in order. Undefined when their number does not match the
 * manifest's layers (a rewritten or squashed image), since a wrong attribution is worse than none.
 */
export function layerInstructions(config: ImageConfigBlob, layerCount: number): string[] | undefined {
    const made = config.history.filter((h) => !h.emptyLayer);
    if (made.length !== layerCount) return undefined;
    return made.map((h) => dockerfileInstruction(h.createdBy));
}

const SPLIT_ADVICE = "split it (see the setup document's split COPY layers)";

/**
 * Decides the `layers` check from already fetched manifests (pure; the unit tests drive it).
 * Each platform is judged on its own: a pull fetches one platform. `instructions` (by platform manifest
 * digest) names the Dockerfile instruction behind each layer over the limit.
 */
export function evaluateLayers(manifests: ImageManifests, limits: LayerLimits, instructions: Record<string, string[]> = {}): { ok: boolean; detail: string } {
    checkLimits(limits);
    const layerLimit = limits.maxLayerMb * BYTES_PER_MB;
    const imageLimit = limits.maxImageMb * BYTES_PER_MB;
    const multi = manifests.platforms.length > 1;
    const problems: string[] = [];
    const summaries: string[] = [];

    for (const platform of manifests.platforms) {
        const layers = distinctLayers(platform.layers);
        const total = layers.reduce((sum, layer) => sum + layer.size, 0);
        const label = multi ? `${platform.platform}: ` : "";
        const of = ` of ${platform.layers.length}`;
        const over = layers.filter((layer) => layer.size > layerLimit);
        if (over.length > 0) {
            const made = instructions[platform.digest];
            const listed = over.map((layer) =>
                made
                    ? `layer ${layer.position}${of}, ${formatSize(layer.size)}, from \`${made[layer.position - 1]}\` (${shortDigest(layer.digest)})`
                    : `${formatSize(layer.size)} ${shortDigest(layer.digest)} (layer ${layer.position}${of})`,
            );
            problems.push(
                `${label}${over.length} layer${over.length > 1 ? "s" : ""} over the ${formatMb(limits.maxLayerMb)} layer limit: ${listed.join(", ")}${made ? `: ${SPLIT_ADVICE}` : ""}`,
            );
        }
        if (layers.length === 0) {
            // A manifest with no layers is an empty filesystem: nothing to start, whatever the sizes say.
            problems.push(`${label}the manifest ${shortDigest(platform.digest)} has no layers; a runnable image has at least one`);
        }
        if (total > imageLimit) {
            problems.push(`${label}total ${formatSize(total)} is over the ${formatMb(limits.maxImageMb)} image limit`);
        }
        const largest = largestLayers(layers, LARGEST_SHOWN).map((layer) => `${formatSize(layer.size)} ${shortDigest(layer.digest)}`);
        const count = `${platform.layers.length} layer${platform.layers.length === 1 ? "" : "s"}`;
        summaries.push(layers.length === 0 ? `${label}no layers` : `${label}largest layers: ${largest.join(", ")}; total ${formatSize(total)} over ${count}`);
    }
    const summary = summaries.join(" | ");
    if (problems.length > 0) {
        return { ok: false, detail: `${problems.join("; ")} — ${summary}` };
    }
    return { ok: true, detail: summary };
}

/**
 * What the check measured, per platform, for the versioned result: the same sums its detail prints
 * (distinct layers, as a pull transfers them), in bytes; with a baseline that was read, the bytes of
 * each platform's layers the baseline's image for that platform lacks. Pure.
 */
export function layerFigures(manifests: ImageManifests, baseline?: BaselineRead): CheckFigures {
    const against = baseline && "manifests" in baseline ? baseline : undefined;
    const platforms = manifests.platforms.map((platform): PlatformFigures => {
        const layers = distinctLayers(platform.layers);
        const figures: PlatformFigures = {
            platform: platform.platform,
            imageBytes: totalSize(platform.layers),
            layerCount: platform.layers.length,
            largestLayerBytes: layers.reduce((max, layer) => Math.max(max, layer.size), 0),
        };
        const previous = against && baselinePlatform(against.manifests, platform.platform);
        if (!previous) return figures;
        const fresh = newLayers(platform, previous);
        return {
            ...figures,
            newBytes: fresh.reduce((sum, layer) => sum + layer.size, 0),
            newLayerCount: fresh.length,
            baselineImageBytes: totalSize(previous.layers),
        };
    });
    return against ? { platforms, baseline: against.reference } : { platforms };
}

/**
 * `layers`: every compressed layer ≤ `maxLayerMb` and each platform's total ≤ `maxImageMb`; with a
 * `baseline`, the bytes it lacks ≤ `maxNewMb` and the growth ≤ `maxGrowthPercent`.
 * Credentials (from CREDENTIAL_ENV) are used if the registry asks for them.
 */
export async function checkLayers(
    ref: ImageReference | string,
    limits: LayerLimits & Partial<Pick<CheckOptions, "baseline"> & BaselineBudgets>,
    credentials?: RegistryCredentials,
    fetchOptions?: HttpOptions,
    client?: RegistryClient,
): Promise<Verdict & { name: "layers" }> {
    checkLimits(limits);
    const image = typeof ref === "string" ? parseImageReference(ref) : ref;
    const registry = client ?? new RegistryClient(image, credentials, fetchOptions);
    let manifests: ImageManifests;
    try {
        manifests = await registry.manifests();
    } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
        return { name: "layers", ok: false, detail: `cannot read the manifests: ${err.message}` };
    }
    const budgets: BaselineBudgets = {
        maxNewMb: limits.maxNewMb ?? DEFAULT_CHECK_OPTIONS.maxNewMb,
        maxGrowthPercent: limits.maxGrowthPercent ?? DEFAULT_CHECK_OPTIONS.maxGrowthPercent,
    };
    const baseline = limits.baseline ? await readBaseline(limits.baseline, credentials, fetchOptions) : undefined;
    // Only a platform with a layer over the limit, or new bytes over the budget, costs a config read (a
    // few KiB) for the attribution.
    const instructions: Record<string, string[]> = {};
    for (const platform of manifests.platforms) {
        const over = platform.layers.some((layer) => layer.size > limits.maxLayerMb * BYTES_PER_MB);
        const previous = baseline && "manifests" in baseline ? baselinePlatform(baseline.manifests, platform.platform) : undefined;
        const overBudget = previous !== undefined && newLayers(platform, previous).reduce((sum, l) => sum + l.size, 0) > budgets.maxNewMb * BYTES_PER_MB;
        if (!over && !overBudget) continue;
        try {
            const made = layerInstructions(await registry.config(platform.configDigest), platform.layers.length);
            if (made) instructions[platform.digest] = made;
        } catch (err) {
            if (!(err instanceof RegistryError)) throw err;
            // Without the config the layer is still named by position, size and digest.
        }
    }
    const layers = evaluateLayers(manifests, limits, instructions);
    const figures = layerFigures(manifests, baseline);
    if (!baseline) return { name: "layers", ...layers, figures };
    const against = evaluateBaseline(manifests, baseline, budgets, instructions);
    return { name: "layers", ok: layers.ok && against.ok, detail: `${layers.detail}\n${against.detail}`, figures };
}

export const layers: Check = {
    name: "layers",
    kind: "registry",
    run: (ctx) => checkLayers(ctx.ref, ctx.options, ctx.credentials, undefined, ctx.registry()),
};
