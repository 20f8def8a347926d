/** `platform`: the image provides every required platform (mybinder.org's linux/amd64 by default). */
import { BINDER_PLATFORM } from "../../mybinder/facts";
import { ImageManifests } from "../../registry/client";
import { RegistryError } from "../../registry/errors";
import { Check, Verdict } from "../checkContext";

/** Whether `found` (e.g. `linux/arm64/v8`) provides `required` (e.g. `linux/arm64`). */
function provides(found: string, required: string): boolean {
    return found === required || found.startsWith(`${required}/`);
}

/** Decides `platform` from fetched manifests (pure). */
export function evaluatePlatform(manifests: ImageManifests, required: string[]): { ok: boolean; detail: string } {
    const found = manifests.platforms.map((p) => p.platform);
    const listed = found.join(", ");
    const attestations = manifests.attestations.length > 0 ? `; attestation manifests, which nothing runs: ${manifests.attestations.join(", ")}` : "";
    const missing = required.filter((r) => !found.some((f) => provides(f, r)));
    if (missing.length === 0) return { ok: true, detail: `provides ${required.join(", ")} (platforms: ${listed})` };
    const binder = missing.includes(BINDER_PLATFORM)
        ? `: mybinder.org's nodes are ${BINDER_PLATFORM}, so launches fail ("Platform mismatch"); build with --platform ${BINDER_PLATFORM}`
        : "";
    return { ok: false, detail: `no ${missing.join(", ")} image; platforms found: ${listed}${attestations}${binder}` };
}

export const platform: Check = {
    name: "platform",
    kind: "registry",
    async run(ctx): Promise<Verdict> {
        try {
            return evaluatePlatform(await ctx.registry().manifests(), ctx.options.platforms);
        } catch (err) {
            if (!(err instanceof RegistryError)) throw err;
            return { ok: false, detail: `cannot read the manifests: ${err.message}` };
        }
    },
};
