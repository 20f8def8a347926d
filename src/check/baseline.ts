/**
 * The `layers` check's budgets against the last release (`layers.baseline`): the bytes of layers the
 * baseline does not have (what a mybinder.org node that ran it must pull now) and the growth of the
 * whole image, per platform, from manifests alone.
 */
import { parseImageReference } from "../names/oci";
import { ImageManifests, PlatformManifest, RegistryClient } from "../registry/client";
import { RegistryError } from "../registry/errors";
import { HttpOptions } from "../registry/http";
import { RegistryCredentials } from "../registry/session";
import { PositionedLayer, distinctLayers, formatMb, formatSize, totalSize } from "../registry/layerSizes";
import { BYTES_PER_MB, CheckOptions } from "./types";

/** Size against the last release: the image mybinder.org nodes already have, and the budgets. */
export type BaselineBudgets = Pick<CheckOptions, "maxNewMb" | "maxGrowthPercent">;

/** The baseline as `checkLayers` found it: its manifests, or why they could not be read. */
export type BaselineRead = { reference: string; manifests: ImageManifests } | { reference: string; missing: string };

/** A platform's layers a node that ran `previous` must pull: distinct, not in `previous`, in manifest order. */
export function newLayers(platform: PlatformManifest, previous: PlatformManifest): PositionedLayer[] {
    const known = new Set(previous.layers.map((layer) => layer.digest));
    return distinctLayers(platform.layers).filter((layer) => !known.has(layer.digest));
}

/** The baseline's manifest for the same platform (a node pulls one platform), if it has one. */
export function baselinePlatform(baseline: ImageManifests, platform: string): PlatformManifest | undefined {
    return baseline.platforms.find((p) => p.platform === platform);
}

/** `+2.9%`, `-0.4%`, `+0.0%`; growth from nothing is infinite. */
export function growthPercent(before: number, after: number): number {
    if (before === 0) return after === 0 ? 0 : Infinity;
    return ((after - before) / before) * 100;
}

function formatPercent(percent: number): string {
    if (!Number.isFinite(percent)) return "+∞%";
    // Sign of the rounded value: a shrink of 0.01% reads "+0.0%", never "-0.0%".
    const rounded = Number(percent.toFixed(1));
    return `${rounded < 0 ? "-" : "+"}${Math.abs(rounded).toFixed(1)}%`;
}

/**
 * Decides the size budgets against the baseline (pure; the unit tests drive it). Each platform is
 * compared with the baseline's manifest for the same platform, from manifests alone: the bytes of layers
 * the baseline does not have (what a node that ran it must pull now) and the growth of the whole image.
 * A baseline that could not be read, or lacks the platform, is reported and fails nothing: the first
 * release has none. `instructions` (by platform manifest digest) names the step of the first new layer.
 */
export function evaluateBaseline(
    manifests: ImageManifests,
    baseline: BaselineRead,
    budgets: BaselineBudgets,
    instructions: Record<string, string[]> = {},
): { ok: boolean; detail: string } {
    if ("missing" in baseline) return { ok: true, detail: baseline.missing };
    const multi = manifests.platforms.length > 1;
    const problems: string[] = [];
    const summaries: string[] = [];
    for (const platform of manifests.platforms) {
        const label = multi ? `${platform.platform}: ` : "";
        const previous = baselinePlatform(baseline.manifests, platform.platform);
        if (!previous) {
            const found = baseline.manifests.platforms.map((p) => p.platform).join(", ");
            summaries.push(`${label}baseline ${baseline.reference} has no ${platform.platform} image (it has ${found}): new layers not measured`);
            continue;
        }
        const fresh = newLayers(platform, previous);
        const newBytes = fresh.reduce((sum, layer) => sum + layer.size, 0);
        const before = totalSize(previous.layers);
        const after = totalSize(platform.layers);
        const growth = growthPercent(before, after);
        const count = distinctLayers(platform.layers).length;
        if (newBytes > budgets.maxNewMb * BYTES_PER_MB) {
            const first = fresh[0];
            const made = instructions[platform.digest]?.[first.position - 1];
            const start =
                fresh.length === count
                    ? "every layer is new: the image was rebuilt from its first step (a parent or base image rebuilt, or built without cache)"
                    : `the first new layer is layer ${first.position} of ${platform.layers.length}${made ? `, from \`${made}\`` : ""}: that step and every one after it were rebuilt`;
            problems.push(
                `${label}${formatSize(newBytes)} in ${fresh.length} of ${count} layers that ${baseline.reference} does not have, over the ${formatMb(budgets.maxNewMb)} budget (layers.maxNewMb): every mybinder.org node that ran it must pull them again; ${start}`,
            );
        }
        if (growth > budgets.maxGrowthPercent) {
            problems.push(
                `${label}the image grew from ${formatSize(before)} to ${formatSize(after)} (${formatPercent(growth)}) since ${baseline.reference}, over the ${Number(budgets.maxGrowthPercent.toFixed(3))}% budget (layers.maxGrowthPercent)`,
            );
        }
        summaries.push(
            `${label}against ${baseline.reference}: ${formatSize(newBytes)} new in ${fresh.length} of ${count} layers; image ${formatSize(before)} -> ${formatSize(after)} (${formatPercent(growth)})`,
        );
    }
    const summary = summaries.join(" | ");
    if (problems.length > 0) return { ok: false, detail: `${problems.join("; ")} — ${summary}` };
    return { ok: true, detail: summary };
}

/** Reads the baseline's manifests; a baseline that cannot be read is a sentence, not an error. */
export async function readBaseline(
    reference: string,
    credentials: RegistryCredentials | undefined,
    fetchOptions: HttpOptions | undefined,
): Promise<BaselineRead> {
    // The image's credentials are bound to the image's registry: a baseline on another one is read anonymously.
    const client = new RegistryClient(parseImageReference(reference), credentials, fetchOptions);
    try {
        return { reference, manifests: await client.manifests() };
    } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
        const missing =
            err.kind === "not-found"
                ? `baseline ${reference} not found (the first release, or its tag is gone): new layers not measured`
                : `baseline ${reference} could not be read (${err.message}): new layers not measured`;
        return { reference, missing };
    }
}
