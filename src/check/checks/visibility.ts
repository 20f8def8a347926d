/**
 * `visibility`: mybinder.org pulls anonymously, so a private GHCR package makes every launch fail with
 * "401 Unauthorized": the manifest must resolve with no credentials at all (an anonymous token where
 * one is needed).
 */
import { ImageReference, formatImageReference, parseImageReference } from "../../names/oci";
import { fetchImageManifests } from "../../registry/client";
import { RegistryError } from "../../registry/errors";
import { HttpOptions } from "../../registry/http";
import { Check, Verdict } from "../checkContext";

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
export async function checkVisibility(ref: ImageReference | string, fetchOptions?: HttpOptions): Promise<Verdict & { name: "visibility" }> {
    const image = typeof ref === "string" ? parseImageReference(ref) : ref;
    try {
        const manifests = await fetchImageManifests(image, undefined, fetchOptions);
        const platforms = manifests.platforms.map((p) => p.platform).join(", ");
        return { name: "visibility", ok: true, detail: `${manifests.reference} can be pulled anonymously (${platforms})` };
    } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
        return { name: "visibility", ok: false, detail: visibilityFailureDetail(image, err) };
    }
}

export const visibility: Check = { name: "visibility", kind: "registry", run: (ctx) => checkVisibility(ctx.ref) };
