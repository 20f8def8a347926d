/**
 * The checks answered from the registry alone, without pulling the image (layers with its baseline
 * budgets, visibility, platform, env):
 *   - `layers`: mybinder.org pushes/pulls of layers near 1 GB fail (broken pipe, timeouts), so every
 *     compressed layer must stay under `maxLayerMb` (800 in the setup document) and each platform's
 *     image under `maxImageMb`;
 *   - `visibility`: mybinder.org pulls anonymously, so a private GHCR package makes every launch fail
 *     with "401 Unauthorized".
 * No Pulumi import.
 */
import { ImageReference, formatImageReference, parseImageReference } from "../images/reference";
import { FetchManifestsOptions, ImageConfigBlob, ImageManifests, LayerDescriptor, PlatformManifest, RegistryClient, RegistryError, fetchImageManifests } from "./registry";
import { DEFAULT_CHECK_OPTIONS } from "./options";
import { BYTES_PER_MB, CheckOptions, CheckResult, RegistryCredentials } from "./types";
import { untrustedText } from "./untrusted";

export type LayerLimits = Pick<CheckOptions, "maxLayerMb" | "maxImageMb">;
/** Size against the last release: the image mybinder.org nodes already have, and the budgets. */
export type BaselineBudgets = Pick<CheckOptions, "maxNewMb" | "maxGrowthPercent">;

/** How many layers a detail names. */
const LARGEST_SHOWN = 3;

/** Sizes in 1024-based units, as `docker history` prints them: `812.3 MB`, `1.4 GB`, `512 B`. */
export function formatSize(bytes: number): string {
    if (bytes < 1024) return `${bytes} B`;
    const units = ["KB", "MB", "GB", "TB"];
    let value = bytes / 1024;
    let unit = 0;
    // Compare the rounded value, so 1048575 bytes reads "1.0 MB" rather than "1024.0 KB".
    while (Number(value.toFixed(1)) >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return `${value.toFixed(1)} ${units[unit]}`;
}

/** `sha256:0123456789ab…` — 12 hex digits, as Docker shortens IDs. */
export function shortDigest(digest: string): string {
    const colon = digest.indexOf(":");
    const hex = digest.slice(colon + 1);
    return hex.length > 12 ? `${digest.slice(0, colon + 1)}${hex.slice(0, 12)}…` : digest;
}

/** A layer with its 1-based position in the manifest (= the Dockerfile step order that made it). */
export interface PositionedLayer extends LayerDescriptor {
    position: number;
}

/**
 * Layers a pull transfers: a digest listed twice (identical COPY content) is fetched once.
 * Keeps the first position of each digest.
 */
export function distinctLayers(layers: LayerDescriptor[]): PositionedLayer[] {
    const seen = new Set<string>();
    const distinct: PositionedLayer[] = [];
    layers.forEach((layer, i) => {
        if (seen.has(layer.digest)) return;
        seen.add(layer.digest);
        distinct.push({ ...layer, position: i + 1 });
    });
    return distinct;
}

/** The `count` largest layers, largest first (ties keep manifest order). */
export function largestLayers(layers: PositionedLayer[], count: number): PositionedLayer[] {
    return [...layers].sort((a, b) => b.size - a.size || a.position - b.position).slice(0, count);
}

/**
 * Where a GHCR package's visibility is changed. GitHub has no API for container package visibility,
 * so the check can only point there. A nested name (`org/a/b`) is one package `a/b`, escaped as `a%2Fb`.
 * Returns undefined for other registries.
 */
export function ghcrPackageSettingsUrl(ref: ImageReference): string | undefined {
    if (ref.registry !== "ghcr.io") return undefined;
    const [owner, ...name] = ref.repository.split("/");
    if (name.length === 0) return undefined;
    return `https://github.com/orgs/${owner}/packages/container/${encodeURIComponent(name.join("/"))}/settings`;
}

function formatMb(mb: number): string {
    return `${Number(mb.toFixed(3))} MB`;
}

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
    return untrustedText(text.replace(/\s+/g, " ").trim(), INSTRUCTION_MAX);
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
        summaries.push(
            layers.length === 0 ? `${label}no layers` : `${label}largest layers: ${largest.join(", ")}; total ${formatSize(total)} over ${count}`,
        );
    }
    const summary = summaries.join(" | ");
    if (problems.length > 0) {
        return { ok: false, detail: `${problems.join("; ")} — ${summary}` };
    }
    return { ok: true, detail: summary };
}

function toReference(ref: ImageReference | string): ImageReference {
    return typeof ref === "string" ? parseImageReference(ref) : ref;
}

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

function totalSize(layers: LayerDescriptor[]): number {
    return distinctLayers(layers).reduce((sum, layer) => sum + layer.size, 0);
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
async function readBaseline(
    reference: string,
    image: ImageReference,
    credentials: RegistryCredentials | undefined,
    fetchOptions: FetchManifestsOptions | undefined,
): Promise<{ read: BaselineRead; client?: RegistryClient }> {
    const ref = parseImageReference(reference);
    // The image's credentials are for the image's registry; another registry gets none.
    const client = new RegistryClient(ref, ref.registry === image.registry ? credentials : undefined, fetchOptions);
    try {
        return { read: { reference, manifests: await client.manifests() }, client };
    } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
        const missing =
            err.kind === "not-found"
                ? `baseline ${reference} not found (the first release, or its tag is gone): new layers not measured`
                : `baseline ${reference} could not be read (${err.message}): new layers not measured`;
        return { read: { reference, missing } };
    }
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
    fetchOptions?: FetchManifestsOptions,
    client: RegistryClient = new RegistryClient(toReference(ref), credentials, fetchOptions),
): Promise<CheckResult> {
    const started = performance.now();
    checkLimits(limits);
    const seconds = () => (performance.now() - started) / 1000;
    let manifests: ImageManifests;
    try {
        manifests = await client.manifests();
    } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
        return { name: "layers", ok: false, detail: `cannot read the manifests: ${err.message}`, seconds: seconds() };
    }
    const budgets: BaselineBudgets = {
        maxNewMb: limits.maxNewMb ?? DEFAULT_CHECK_OPTIONS.maxNewMb,
        maxGrowthPercent: limits.maxGrowthPercent ?? DEFAULT_CHECK_OPTIONS.maxGrowthPercent,
    };
    const baseline = limits.baseline ? (await readBaseline(limits.baseline, toReference(ref), credentials, fetchOptions)).read : undefined;
    // Only a platform with a layer over the limit, or new bytes over the budget, costs a config read (a
    // few KiB) for the attribution.
    const instructions: Record<string, string[]> = {};
    for (const platform of manifests.platforms) {
        const over = platform.layers.some((layer) => layer.size > limits.maxLayerMb * BYTES_PER_MB);
        const previous = baseline && "manifests" in baseline ? baselinePlatform(baseline.manifests, platform.platform) : undefined;
        const overBudget = previous !== undefined && newLayers(platform, previous).reduce((sum, l) => sum + l.size, 0) > budgets.maxNewMb * BYTES_PER_MB;
        if (!over && !overBudget) continue;
        try {
            const made = layerInstructions(await client.config(platform.configDigest), platform.layers.length);
            if (made) instructions[platform.digest] = made;
        } catch (err) {
            if (!(err instanceof RegistryError)) throw err;
            // Without the config the layer is still named by position, size and digest.
        }
    }
    const layers = evaluateLayers(manifests, limits, instructions);
    if (!baseline) return { name: "layers", ...layers, seconds: seconds() };
    const against = evaluateBaseline(manifests, baseline, budgets, instructions);
    return { name: "layers", ok: layers.ok && against.ok, detail: `${layers.detail}\n${against.detail}`, seconds: seconds() };
}

/** Whether `found` (e.g. `linux/arm64/v8`) provides `required` (e.g. `linux/arm64`). */
function provides(found: string, required: string): boolean {
    return found === required || found.startsWith(`${required}/`);
}

/** Decides `platform` from fetched manifests (pure). */
export function evaluatePlatform(manifests: ImageManifests, required: string[]): { ok: boolean; detail: string } {
    const found = manifests.platforms.map((p) => p.platform);
    const listed = found.join(", ");
    const attestations =
        manifests.attestations.length > 0 ? `; attestation manifests, which nothing runs: ${manifests.attestations.join(", ")}` : "";
    const missing = required.filter((r) => !found.some((f) => provides(f, r)));
    if (missing.length === 0) return { ok: true, detail: `provides ${required.join(", ")} (platforms: ${listed})` };
    const binder = missing.includes("linux/amd64")
        ? ": mybinder.org's nodes are linux/amd64, so launches fail (\"Platform mismatch\"); build with --platform linux/amd64"
        : "";
    return { ok: false, detail: `no ${missing.join(", ")} image; platforms found: ${listed}${attestations}${binder}` };
}

/** `platform`: the image provides every required platform (mybinder.org's linux/amd64 by default). */
export async function checkPlatform(client: RegistryClient, required: string[]): Promise<CheckResult> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
        return { name: "platform", ...evaluatePlatform(await client.manifests(), required), seconds: seconds() };
    } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
        return { name: "platform", ok: false, detail: `cannot read the manifests: ${err.message}`, seconds: seconds() };
    }
}

/** Decides `env` for one image config (pure). `require` entries are `NAME` or `NAME=value`. */
export function evaluateEnv(config: ImageConfigBlob, require: string[], forbid: string[]): { ok: boolean; detail: string } {
    const set = new Map<string, string>();
    for (const entry of config.env) {
        const eq = entry.indexOf("=");
        set.set(eq < 0 ? entry : entry.slice(0, eq), eq < 0 ? "" : entry.slice(eq + 1));
    }
    const problems: string[] = [];
    for (const requirement of require) {
        const eq = requirement.indexOf("=");
        const name = eq < 0 ? requirement : requirement.slice(0, eq);
        if (!set.has(name)) problems.push(`${name} is not set${eq < 0 ? "" : ` (expected ${requirement})`}`);
        else if (eq >= 0 && set.get(name) !== requirement.slice(eq + 1)) {
            problems.push(`${name} is "${untrustedText(set.get(name) ?? "", 80)}", expected "${requirement.slice(eq + 1)}"`);
        }
    }
    for (const name of forbid) if (set.has(name)) problems.push(`${name} is set ("${untrustedText(set.get(name) ?? "", 80)}") and must not be`);
    if (problems.length > 0) return { ok: false, detail: `${problems.join("; ")} in the image config's Env` };
    if (require.length === 0 && forbid.length === 0) return { ok: true, detail: "no variables required or forbidden" };
    const parts = [require.length > 0 ? `sets ${require.join(", ")}` : "", forbid.length > 0 ? `does not set ${forbid.join(", ")}` : ""];
    return { ok: true, detail: parts.filter(Boolean).join("; ") };
}

/** `env`: each platform's image config sets what `envRequire` asks and nothing `envForbid` names. */
export async function checkEnv(client: RegistryClient, options: Pick<CheckOptions, "envRequire" | "envForbid">): Promise<CheckResult> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
        const manifests = await client.manifests();
        const multi = manifests.platforms.length > 1;
        const verdicts = [];
        for (const platform of manifests.platforms) {
            const verdict = evaluateEnv(await client.config(platform.configDigest), options.envRequire, options.envForbid);
            verdicts.push({ ...verdict, detail: multi ? `${platform.platform}: ${verdict.detail}` : verdict.detail });
        }
        const failed = verdicts.filter((v) => !v.ok);
        return { name: "env", ok: failed.length === 0, detail: (failed.length > 0 ? failed : verdicts.slice(0, 1)).map((v) => v.detail).join(" | "), seconds: seconds() };
    } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
        return { name: "env", ok: false, detail: `cannot read the image config: ${err.message}`, seconds: seconds() };
    }
}

/** The `visibility` detail for a failed anonymous resolution (pure; the unit tests drive it). */
export function visibilityFailureDetail(ref: ImageReference, err: RegistryError): string {
    const image = formatImageReference(ref);
    if (err.kind !== "unauthorized" && err.kind !== "denied") {
        return `cannot tell whether ${image} is public: ${err.message}`;
    }
    const prefix = `${image} cannot be pulled without credentials (${err.message}); mybinder.org pulls anonymously, so launches fail with "401 Unauthorized"`;
    const settings = ghcrPackageSettingsUrl(ref);
    if (settings) {
        return `${prefix}. The GHCR package is private: make it public at ${settings} (Danger Zone → Change visibility → Public; GitHub has no API for container package visibility)`;
    }
    return `${prefix}. Make the repository public on ${ref.registry}`;
}

/** `visibility`: the manifest resolves with no credentials at all (an anonymous token where one is needed). */
export async function checkVisibility(ref: ImageReference | string, fetchOptions?: FetchManifestsOptions): Promise<CheckResult> {
    const started = performance.now();
    const image = toReference(ref);
    const seconds = () => (performance.now() - started) / 1000;
    try {
        const manifests = await fetchImageManifests(image, undefined, fetchOptions);
        const platforms = manifests.platforms.map((p) => p.platform).join(", ");
        return {
            name: "visibility",
            ok: true,
            detail: `${manifests.reference} can be pulled anonymously (${platforms})`,
            seconds: seconds(),
        };
    } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
        return { name: "visibility", ok: false, detail: visibilityFailureDetail(image, err), seconds: seconds() };
    }
}

/**
 * Decides `withdrawn` (pure): the image fails when its digest, its index's digest, any platform manifest's
 * digest or the digest of an image it was built FROM is in `withdrawn`. A build that came out byte for
 * byte like a withdrawn release has that release's digest, so it is refused too.
 */
export function evaluateWithdrawn(
    manifests: Pick<ImageManifests, "indexDigest" | "platforms">,
    options: Pick<CheckOptions, "withdrawn" | "parents">,
    referenceDigest?: string,
): { ok: boolean; detail: string } {
    const own = [referenceDigest, manifests.indexDigest, ...manifests.platforms.map((p) => p.digest)].filter((d): d is string => d !== undefined);
    const problems: string[] = [];
    for (const w of options.withdrawn) {
        if (own.includes(w.digest)) problems.push(`${w.digest} is withdrawn: ${w.reason}`);
        else if (options.parents.includes(w.digest)) problems.push(`built FROM ${w.digest}, which is withdrawn: ${w.reason}`);
    }
    if (problems.length > 0) return { ok: false, detail: `${problems.join("; ")} (uw3-binder:withdrawn)` };
    const count = options.withdrawn.length;
    return { ok: true, detail: count === 0 ? "no release is withdrawn" : `none of its digests or parents' is among the ${count} withdrawn` };
}

/** `withdrawn`: the image is not a withdrawn release, nor built FROM one. */
export async function checkWithdrawn(ref: ImageReference, client: RegistryClient, options: Pick<CheckOptions, "withdrawn" | "parents">): Promise<CheckResult> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    // Nothing to compare against: no registry request is needed to pass.
    if (options.withdrawn.length === 0) return { name: "withdrawn", ...evaluateWithdrawn({ platforms: [] }, options), seconds: seconds() };
    try {
        return { name: "withdrawn", ...evaluateWithdrawn(await client.manifests(), options, ref.digest), seconds: seconds() };
    } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
        // The reference's own digest is known without the registry.
        const known = evaluateWithdrawn({ platforms: [] }, options, ref.digest);
        if (!known.ok) return { name: "withdrawn", ...known, seconds: seconds() };
        return { name: "withdrawn", ok: false, detail: `cannot read the manifests: ${err.message}`, seconds: seconds() };
    }
}
