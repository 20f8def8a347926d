/** `withdrawn`: the image is not a withdrawn release, nor built FROM one (`uw3-binder:withdrawn`). */
import { ImageManifests } from "../../registry/client";
import { RegistryError } from "../../registry/errors";
import { Check, Verdict } from "../checkContext";
import { CheckOptions } from "../types";

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

export const withdrawn: Check = {
    name: "withdrawn",
    kind: "registry",
    async run(ctx): Promise<Verdict> {
        const { options, ref } = ctx;
        // Nothing to compare against: no registry request is needed to pass.
        if (options.withdrawn.length === 0) return evaluateWithdrawn({ platforms: [] }, options);
        try {
            return evaluateWithdrawn(await ctx.registry().manifests(), options, ref.digest);
        } catch (err) {
            if (!(err instanceof RegistryError)) throw err;
            // The reference's own digest is known without the registry.
            const known = evaluateWithdrawn({ platforms: [] }, options, ref.digest);
            if (!known.ok) return known;
            return { ok: false, detail: `cannot read the manifests: ${err.message}` };
        }
    },
};
