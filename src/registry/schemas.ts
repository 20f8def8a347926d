/**
 * The documents the registry client reads, as zod schemas: the four manifest media types (told apart by
 * `mediaType` in one discriminated union), the image config blob, and the limits on their sizes.
 * Pure.
 */
import { z } from "zod";

export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

export const MANIFEST_MEDIA_TYPES = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST] as const;
export type ManifestMediaType = (typeof MANIFEST_MEDIA_TYPES)[number];

/**
 * Exactly what we can read. Registries pick a representation from `Accept`: without the two index
 * types a multi-arch image answers 404 (or is down-converted by some registries), so all four are sent.
 */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(", ");

/** The OCI spec asks registries to accept manifests up to 4 MiB; anything larger is not a manifest. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/**
 * An image config is a few KiB (its `history` grows by one short entry per Dockerfile instruction); a
 * larger blob is not read, so a registry cannot make the checks hold megabytes.
 */
export const MAX_CONFIG_BYTES = 256 * 1024;
/**
 * Platform manifests read from one index. BuildKit writes two entries per platform (image + attestation)
 * and Underworld3 publishes at most a handful of platforms; an index with hundreds would make as many
 * requests, so more than this is refused rather than followed.
 */
export const MAX_INDEX_MANIFESTS = 64;

export function isManifestMediaType(value: unknown): value is ManifestMediaType {
    return (MANIFEST_MEDIA_TYPES as readonly unknown[]).includes(value);
}

const digestSchema = z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/, "expected <algorithm>:<hex>");
const descriptorSchema = z.object({
    mediaType: z.string(),
    digest: digestSchema,
    size: z.number().int().nonnegative(),
});
const platformSchema = z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() });

const imageManifestFields = { config: descriptorSchema, layers: z.array(descriptorSchema) };
const indexFields = {
    manifests: z.array(
        descriptorSchema.extend({
            platform: platformSchema.optional(),
            annotations: z.record(z.string(), z.string()).optional(),
        }),
    ),
};

/**
 * A manifest document by its media type (the registry's Content-Type, else the document's own
 * `mediaType`, set on the document before it is parsed).
 */
export const manifestDocumentSchema = z.discriminatedUnion("mediaType", [
    z.object({ mediaType: z.literal(OCI_MANIFEST), ...imageManifestFields }),
    z.object({ mediaType: z.literal(DOCKER_MANIFEST), ...imageManifestFields }),
    z.object({ mediaType: z.literal(OCI_INDEX), ...indexFields }),
    z.object({ mediaType: z.literal(DOCKER_MANIFEST_LIST), ...indexFields }),
]);
export type ManifestDocument = z.infer<typeof manifestDocumentSchema>;
type IndexDocument = Extract<ManifestDocument, { manifests: unknown }>;

/** Whether a media type is an index (OCI index, Docker manifest list) rather than a platform's manifest. */
export function isIndexMediaType(type: ManifestMediaType): type is IndexDocument["mediaType"] {
    return type === OCI_INDEX || type === DOCKER_MANIFEST_LIST;
}

export function isIndex(document: ManifestDocument): document is IndexDocument {
    return isIndexMediaType(document.mediaType);
}

export const configSchema = z.object({
    os: z.string(),
    architecture: z.string(),
    variant: z.string().optional(),
    config: z.object({ Env: z.array(z.string()).nullish() }).nullish(),
    history: z.array(z.object({ created_by: z.string().optional(), empty_layer: z.boolean().optional() })).nullish(),
});

/** `os/architecture[/variant]`, e.g. `linux/arm64/v8`. */
export function platformName(p: { os: string; architecture: string; variant?: string }): string {
    return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

/** The first few problems zod found, each with where: `layers.0.size: expected number`. */
export function describeIssues(error: z.ZodError): string {
    return error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
        .join("; ");
}
