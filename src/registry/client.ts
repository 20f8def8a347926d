/**
 * A minimal OCI distribution client: resolves an image reference to its manifests (following an index /
 * manifest list to every platform manifest) and reads image config blobs, verified against their
 * digests and bounded in size. It never downloads a layer blob.
 */
import { createHash } from "node:crypto";
import { printableLine } from "../text/printable";
import { ImageReference, formatImageReference } from "../names/oci";
import { RegistryError } from "./errors";
import { HttpOptions, snippet } from "./http";
import {
    MANIFEST_ACCEPT,
    MANIFEST_MEDIA_TYPES,
    MAX_CONFIG_BYTES,
    MAX_INDEX_MANIFESTS,
    MAX_MANIFEST_BYTES,
    ManifestDocument,
    ManifestMediaType,
    configSchema,
    describeIssues,
    isIndex,
    isIndexMediaType,
    isManifestMediaType,
    manifestDocumentSchema,
    platformName,
} from "./schemas";
import { RegistryCredentials, RegistrySession } from "./session";

export interface LayerDescriptor {
    digest: string;
    /** Compressed size in bytes, as the manifest declares it (what a pull transfers). */
    size: number;
    mediaType: string;
}

export interface PlatformManifest {
    /** `os/architecture[/variant]`, e.g. `linux/amd64`. */
    platform: string;
    /** Digest of this platform's manifest. */
    digest: string;
    mediaType: string;
    /** Digest of its image config blob (env, history). */
    configDigest: string;
    layers: LayerDescriptor[];
}

/** What the checks read from an image config blob. */
export interface ImageConfigBlob {
    /** `os/architecture[/variant]` */
    platform: string;
    /** `Config.Env`: `NAME=value` entries. */
    env: string[];
    /** `history[]`, in order, each with whether it made a layer (`empty_layer` entries did not). */
    history: { createdBy: string; emptyLayer: boolean }[];
}

export interface ImageManifests {
    /** The reference that was resolved, as text. */
    reference: string;
    /** Set when the reference named an index / manifest list. */
    indexDigest?: string;
    /** One entry per platform manifest (attestation manifests in an index are left out). */
    platforms: PlatformManifest[];
    /**
     * Attestation manifests listed in the index (BuildKit's provenance/SBOM, `vnd.docker.reference.type:
     * attestation-manifest`), by the platform their entry declares: nothing can run them.
     */
    attestations: string[];
    /** Response body bytes read from the registry and its token service (what the bench reports). */
    bytesFetched: number;
    /** HTTP requests made. */
    requests: number;
}

/** The digest algorithms a registry may use and this client verifies (OCI image-spec descriptors). */
const DIGEST_ALGORITHMS: Record<string, { hash: string; hexLength: number }> = {
    sha256: { hash: "sha256", hexLength: 64 },
    sha512: { hash: "sha512", hexLength: 128 },
};

/** Why a digest cannot be verified (unknown algorithm, wrong length), or undefined when it can. */
function digestProblem(digest: string): string | undefined {
    const colon = digest.indexOf(":");
    const algorithm = DIGEST_ALGORITHMS[digest.slice(0, colon)];
    if (colon < 0 || !algorithm) {
        return `digest "${printableLine(digest, 80)}" uses an algorithm this check cannot verify; expected ${Object.keys(DIGEST_ALGORITHMS).join(" or ")}`;
    }
    if (!new RegExp(`^[0-9a-f]{${algorithm.hexLength}}$`).test(digest.slice(colon + 1))) {
        return `digest "${printableLine(digest, 80)}" is not ${digest.slice(0, colon)}:<${algorithm.hexLength} lowercase hex>`;
    }
    return undefined;
}

/**
 * Checks what a registry served against the digest it was asked for (a registry must serve exact bytes).
 * A digest this client cannot verify is refused, never trusted.
 */
function verifyDigest(session: RegistrySession, what: string, body: Uint8Array, expected: string): void {
    const problem = digestProblem(expected);
    if (problem) throw new RegistryError("protocol", `${session.where}: the ${what}: ${problem}`);
    const algorithm = expected.slice(0, expected.indexOf(":"));
    const actual = `${algorithm}:${createHash(DIGEST_ALGORITHMS[algorithm].hash).update(body).digest("hex")}`;
    if (actual !== expected) {
        throw new RegistryError("protocol", `${session.where}: the ${what} hashes to ${actual}, expected ${expected}`);
    }
}

function parseJson(session: RegistrySession, what: string, body: Uint8Array): unknown {
    try {
        return JSON.parse(Buffer.from(body).toString("utf8"));
    } catch {
        throw new RegistryError("protocol", `${session.where}: the ${what} is not JSON ("${snippet(body)}"); expected a manifest document`);
    }
}

/** The media type a registry declares (Content-Type), else the document's own `mediaType`. */
function mediaTypeOf(session: RegistrySession, what: string, contentType: string, document: unknown): ManifestMediaType {
    if (isManifestMediaType(contentType)) return contentType;
    const declared = (document as { mediaType?: unknown } | null)?.mediaType;
    if (isManifestMediaType(declared)) return declared;
    throw new RegistryError(
        "protocol",
        `${session.where}: the ${what} has media type "${printableLine(typeof declared === "string" ? declared : contentType || "(none)")}"; expected one of ${MANIFEST_MEDIA_TYPES.join(", ")}`,
    );
}

/** A fetched manifest: its bytes' digest, its media type and its document, checked against that type's schema. */
interface ReadManifest {
    type: ManifestMediaType;
    document: ManifestDocument | undefined;
    issues: string;
}

function readManifest(session: RegistrySession, what: string, contentType: string, body: Uint8Array): ReadManifest {
    const raw = parseJson(session, what, body);
    const type = mediaTypeOf(session, what, contentType, raw);
    const typed = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? { ...raw, mediaType: type } : raw;
    const parsed = manifestDocumentSchema.safeParse(typed);
    return parsed.success ? { type, document: parsed.data, issues: "" } : { type, document: undefined, issues: describeIssues(parsed.error) };
}

function imageManifestOf(session: RegistrySession, what: string, read: ReadManifest): { configDigest: string; layers: LayerDescriptor[] } {
    const manifest = read.document && !isIndex(read.document) ? read.document : undefined;
    if (!manifest) {
        throw new RegistryError(
            "protocol",
            `${session.where}: the ${what} is malformed (${read.issues}); expected {"config": {...}, "layers": [{mediaType, digest, size}]}`,
        );
    }
    return {
        configDigest: manifest.config.digest,
        layers: manifest.layers.map(({ digest, size, mediaType }) => ({ digest, size, mediaType })),
    };
}

/**
 * Resolves `ref` (tag or digest) to its platform manifests and their layer descriptors.
 * Credentials are only sent after a challenge asks for them. Rejects with `RegistryError`.
 */
export async function fetchImageManifests(ref: ImageReference, credentials?: RegistryCredentials, opts: HttpOptions = {}): Promise<ImageManifests> {
    return new RegistryClient(ref, credentials, opts).manifests();
}

/**
 * One image in one registry, for every registry check of a run: one auth handshake, the manifests read
 * once, each config blob read at most once and only when a check needs it.
 */
export class RegistryClient {
    private readonly session: RegistrySession;
    private manifestsRead?: Promise<ImageManifests>;
    private readonly configs = new Map<string, Promise<ImageConfigBlob>>();

    constructor(
        private readonly ref: ImageReference,
        credentials?: RegistryCredentials,
        opts: HttpOptions = {},
    ) {
        this.session = new RegistrySession(ref, credentials, opts);
    }

    /** Response body bytes read so far (what the bench reports). */
    get bytesFetched(): number {
        return this.session.http.bytesFetched;
    }
    get requests(): number {
        return this.session.http.requests;
    }

    /**
     * The digest of the manifest (or index) the registry holds under this reference's tag — the sha256 of
     * the exact bytes it serves — or undefined when it answers that there is none (HTTP 404).
     */
    async tagDigest(): Promise<string | undefined> {
        const { ref, session } = this;
        if (!ref.tag) throw new RegistryError("protocol", `${session.where}: the reference has no tag`);
        try {
            const top = await session.get(`manifests/${ref.tag}`, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES);
            return `sha256:${createHash("sha256").update(top.body).digest("hex")}`;
        } catch (err) {
            if (err instanceof RegistryError && err.kind === "not-found") return undefined;
            throw session.redacted(err);
        }
    }

    /** The manifests; a RegistryError never quotes the credentials (RegistrySession.redacted). */
    manifests(): Promise<ImageManifests> {
        this.manifestsRead ??= this.readManifests().catch((err: unknown) => {
            throw this.session.redacted(err);
        });
        return this.manifestsRead;
    }

    /** The config blob `digest` of this repository, verified and bounded. */
    config(digest: string): Promise<ImageConfigBlob> {
        let read = this.configs.get(digest);
        if (!read) {
            read = this.readConfig(digest).catch((err: unknown) => {
                throw this.session.redacted(err);
            });
            this.configs.set(digest, read);
        }
        return read;
    }

    private async readManifests(): Promise<ImageManifests> {
        const { ref, session } = this;
        const reference = ref.digest ?? ref.tag;
        if (!reference) throw new RegistryError("protocol", `${session.where}: the reference has neither a tag nor a digest`);
        const top = await session.get(`manifests/${reference}`, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES);
        const what = `manifest ${reference}`;
        if (ref.digest) verifyDigest(session, what, top.body, ref.digest);
        const read = readManifest(session, what, top.contentType, top.body);
        const topDigest = ref.digest ?? top.digestHeader ?? `sha256:${createHash("sha256").update(top.body).digest("hex")}`;

        const platforms: PlatformManifest[] = [];
        const attestations: string[] = [];
        let indexDigest: string | undefined;
        if (isIndexMediaType(read.type)) {
            indexDigest = topDigest;
            const index = read.document;
            if (!index || !isIndex(index)) {
                throw new RegistryError(
                    "protocol",
                    `${session.where}: the index ${reference} is malformed (${read.issues}); expected {"manifests": [{mediaType, digest, size, platform}]}`,
                );
            }
            if (index.manifests.length > MAX_INDEX_MANIFESTS) {
                throw new RegistryError(
                    "protocol",
                    `${session.where}: the index ${reference} lists ${index.manifests.length} manifests; at most ${MAX_INDEX_MANIFESTS} are read (one request each), so this is not an image index this check follows`,
                );
            }
            for (const entry of index.manifests) {
                // BuildKit adds provenance/SBOM "attestation manifests" (platform unknown/unknown); nothing pulls them.
                if (entry.annotations?.["vnd.docker.reference.type"] === "attestation-manifest") {
                    attestations.push(entry.platform ? printableLine(platformName(entry.platform), 80) : "unknown");
                    continue;
                }
                const problem = digestProblem(entry.digest);
                if (problem) throw new RegistryError("protocol", `${session.where}: the index ${reference} lists ${problem}`);
                const child = await session.get(`manifests/${entry.digest}`, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES);
                const childWhat = `manifest ${entry.digest} (listed in index ${reference})`;
                verifyDigest(session, childWhat, child.body, entry.digest);
                const childRead = readManifest(session, childWhat, child.contentType, child.body);
                if (isIndexMediaType(childRead.type)) {
                    throw new RegistryError(
                        "protocol",
                        `${session.where}: ${childWhat} is itself an index; expected a platform manifest (nested indexes are not supported)`,
                    );
                }
                platforms.push({
                    platform: entry.platform ? printableLine(platformName(entry.platform), 80) : "unknown",
                    digest: entry.digest,
                    mediaType: childRead.type,
                    ...imageManifestOf(session, childWhat, childRead),
                });
            }
            if (platforms.length === 0) {
                throw new RegistryError("protocol", `${session.where}: the index ${reference} lists no platform manifests; expected at least one`);
            }
        } else {
            // A single-platform image names its platform only in its config blob (a few KiB; not a layer).
            const manifest = imageManifestOf(session, what, read);
            const config = await this.config(manifest.configDigest);
            platforms.push({ platform: config.platform, digest: topDigest, mediaType: read.type, ...manifest });
        }
        return {
            reference: formatImageReference(ref),
            indexDigest,
            platforms,
            attestations,
            bytesFetched: session.http.bytesFetched,
            requests: session.http.requests,
        };
    }

    private async readConfig(digest: string): Promise<ImageConfigBlob> {
        const { session } = this;
        const what = `image config ${printableLine(digest, 80)}`;
        const problem = digestProblem(digest);
        if (problem) throw new RegistryError("protocol", `${session.where}: the ${what}: ${problem}`);
        const config = await session.get(`blobs/${digest}`, "application/json, */*", MAX_CONFIG_BYTES);
        verifyDigest(session, what, config.body, digest);
        let document: unknown;
        try {
            document = JSON.parse(Buffer.from(config.body).toString("utf8"));
        } catch {
            throw new RegistryError("protocol", `${session.where}: the ${what} is not JSON ("${snippet(config.body)}"); expected {"os", "architecture"}`);
        }
        const parsed = configSchema.safeParse(document);
        if (!parsed.success) {
            throw new RegistryError("protocol", `${session.where}: the ${what} has no os/architecture (${describeIssues(parsed.error)})`);
        }
        return {
            platform: printableLine(platformName(parsed.data), 80),
            env: parsed.data.config?.Env ?? [],
            history: (parsed.data.history ?? []).map((h) => ({ createdBy: h.created_by ?? "", emptyLayer: h.empty_layer === true })),
        };
    }
}
