/**
 * A minimal OCI distribution client: resolves an image reference to its manifests (following an
 * index / manifest list to every platform manifest) so the `layers` and `visibility` checks can read
 * layer sizes without pulling anything. It never downloads a layer blob; it reads manifests, the
 * token endpoint and (for a single-platform image) the small config blob that names the platform.
 * No Pulumi import: the CLI runs this outside the engine.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { ImageReference, formatImageReference, registryBaseUrl } from "../images/reference";
import { RegistryCredentials } from "./types";
import { untrustedText } from "./untrusted";

export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

/**
 * Exactly what we can read. Registries pick a representation from `Accept`: without the two index
 * types a multi-arch image answers 404 (or is down-converted by some registries), so all four are sent.
 */
export const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST].join(", ");

const INDEX_TYPES: readonly string[] = [OCI_INDEX, DOCKER_MANIFEST_LIST];
const MANIFEST_TYPES: readonly string[] = [OCI_MANIFEST, DOCKER_MANIFEST];

/** The OCI spec asks registries to accept manifests up to 4 MiB; anything larger is not a manifest. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Token answers and image configs are small JSON documents; error bodies are only read for their message. */
const MAX_SMALL_BODY_BYTES = 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/**
 * Platform manifests read from one index. BuildKit writes two entries per platform (image + attestation)
 * and Underworld3 publishes at most a handful of platforms; an index with hundreds would make as many
 * requests, so more than this is refused rather than followed.
 */
export const MAX_INDEX_MANIFESTS = 64;
/** Redirects followed for one request (a registry may send blob reads to a storage host). */
const MAX_REDIRECTS = 5;
/** The digest algorithms a registry may use and this client verifies (OCI image-spec descriptors). */
const DIGEST_ALGORITHMS: Record<string, { hash: string; hexLength: number }> = {
    sha256: { hash: "sha256", hexLength: 64 },
    sha512: { hash: "sha512", hexLength: 128 },
};

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

export type RegistryErrorKind =
    /** The registry wants credentials that were not given (or the anonymous token does not grant pull). */
    | "unauthorized"
    /** Credentials were given and refused. */
    | "denied"
    | "not-found"
    | "unreachable"
    /** The registry answered something this client does not understand. */
    | "protocol";

/** Every failure of this client; `message` names the registry, repository, reference and what was expected. */
export class RegistryError extends Error {
    constructor(
        readonly kind: RegistryErrorKind,
        message: string,
        readonly status?: number,
    ) {
        super(message);
        this.name = "RegistryError";
    }
}

export interface FetchManifestsOptions {
    /** Per-request timeout. Defaults to 30 s. */
    timeoutMs?: number;
    /** Replaces the global `fetch` (tests). */
    fetch?: typeof fetch;
}

export interface AuthChallenge {
    /** Lower-case scheme, e.g. `bearer`, `basic`. */
    scheme: string;
    /** Parameter names lower-cased, values unquoted. */
    params: Record<string, string>;
}

/**
 * Parses the first challenge of a `WWW-Authenticate` header (RFC 7235), e.g.
 * `Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/n:pull"` or
 * `Basic realm="basic-realm"`. Quoted values may contain commas (`scope="repository:a:pull,push"`).
 */
export function parseWwwAuthenticate(header: string): AuthChallenge {
    const match = /^\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s+(.*))?$/s.exec(header);
    if (!match) throw new Error(`malformed WWW-Authenticate header "${header}": expected "<scheme> key=value, ..."`);
    const params: Record<string, string> = {};
    let rest = (match[2] ?? "").trim();
    const param = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,\s*|$)/;
    while (rest.length > 0) {
        const p = param.exec(rest);
        // A second challenge ("Bearer ..., Basic realm=...") or token68 data ends the parameter list.
        if (!p) break;
        params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3];
        rest = rest.slice(p[0].length);
    }
    return { scheme: match[1].toLowerCase(), params };
}

const digestSchema = z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/, "expected <algorithm>:<hex>");
const descriptorSchema = z.object({
    mediaType: z.string(),
    digest: digestSchema,
    size: z.number().int().nonnegative(),
});
const imageManifestSchema = z.object({
    mediaType: z.string().optional(),
    config: descriptorSchema,
    layers: z.array(descriptorSchema),
});
const indexSchema = z.object({
    mediaType: z.string().optional(),
    manifests: z.array(
        descriptorSchema.extend({
            platform: z
                .object({ os: z.string(), architecture: z.string(), variant: z.string().optional() })
                .optional(),
            annotations: z.record(z.string(), z.string()).optional(),
        }),
    ),
});
const tokenSchema = z.union([z.object({ token: z.string().min(1) }), z.object({ access_token: z.string().min(1) })]);
const configSchema = z.object({
    os: z.string(),
    architecture: z.string(),
    variant: z.string().optional(),
    config: z.object({ Env: z.array(z.string()).nullish() }).nullish(),
    history: z.array(z.object({ created_by: z.string().optional(), empty_layer: z.boolean().optional() })).nullish(),
});
/**
 * An image config is a few KiB (its `history` grows by one short entry per Dockerfile instruction); a
 * larger blob is not read, so a registry cannot make the checks hold megabytes.
 */
export const MAX_CONFIG_BYTES = 256 * 1024;

function describeIssues(error: z.ZodError): string {
    return error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
        .join("; ");
}

function platformName(p: { os: string; architecture: string; variant?: string }): string {
    return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

function sha256(bytes: Uint8Array): string {
    return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Loopback hosts may be spoken to over plain http (the test registries, a local mirror). */
function isLoopbackHost(hostname: string): boolean {
    return hostname === "localhost" || /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === "[::1]" || hostname === "::1";
}

/**
 * Where Basic credentials may go as part of a Bearer handshake: a token realm over https, or a realm on
 * the registry's own loopback host. A plain-http realm elsewhere would put them on the wire in clear, and
 * a realm on another loopback host than the registry's is not the registry's own token service.
 */
export function realmMayReceiveCredentials(realm: URL, registryHost: string): boolean {
    if (realm.protocol === "https:") return true;
    return realm.protocol === "http:" && isLoopbackHost(realm.hostname) && realm.hostname === registryHost;
}

/** One resolution of one repository: keeps the Authorization header won by the first challenge. */
class RegistrySession {
    bytesFetched = 0;
    requests = 0;
    private authorization?: string;
    private readonly base: string;
    private readonly fetchImpl: typeof fetch;
    private readonly timeoutMs: number;

    constructor(
        private readonly ref: ImageReference,
        private readonly credentials: RegistryCredentials | undefined,
        opts: FetchManifestsOptions,
    ) {
        this.base = registryBaseUrl(ref.registry);
        this.fetchImpl = opts.fetch ?? fetch;
        this.timeoutMs = opts.timeoutMs ?? 30000;
    }

    /** "registry 127.0.0.1:5000, repository a/b, reference 1.0" — the start of every message. */
    get where(): string {
        return `registry ${this.ref.registry}, repository ${this.ref.repository}, reference ${this.ref.digest ?? this.ref.tag ?? "(none)"}`;
    }

    /** GET `path` below `/v2/<repository>/`, answering an auth challenge once. */
    async get(path: string, accept: string, maxBytes: number): Promise<{ body: Uint8Array; contentType: string; digestHeader?: string }> {
        const url = `${this.base}/v2/${this.ref.repository}/${path}`;
        let res = await this.request(url, accept, this.authorization);
        if (res.status === 401 && !this.authorization) {
            const challenge = res.headers.get("www-authenticate");
            await this.readBody(res, MAX_ERROR_BODY_BYTES, url);
            this.authorization = await this.answerChallenge(url, res.status, challenge);
            res = await this.request(url, accept, this.authorization);
        }
        if (res.status !== 200) {
            const body = await this.readBody(res, MAX_ERROR_BODY_BYTES, url).catch(() => new Uint8Array());
            throw this.statusError(url, res.status, body);
        }
        const body = await this.readBody(res, maxBytes, url);
        return {
            body,
            contentType: (res.headers.get("content-type") ?? "").split(";")[0].trim(),
            digestHeader: res.headers.get("docker-content-digest") ?? undefined,
        };
    }

    /**
     * GET with redirects followed by hand: the Authorization header goes only to the registry's own
     * origin (a blob redirect to a storage host carries its own signature), and never from https to http.
     */
    private async request(url: string, accept: string, authorization?: string): Promise<Response> {
        const origin = new URL(url).origin;
        let current = new URL(url);
        for (let hop = 0; ; hop++) {
            this.requests++;
            const headers: Record<string, string> = { Accept: accept };
            if (authorization && current.origin === origin) headers.Authorization = authorization;
            let res: Response;
            try {
                res = await this.fetchImpl(current, { headers, redirect: "manual", signal: AbortSignal.timeout(this.timeoutMs) });
            } catch (err) {
                throw new RegistryError("unreachable", `cannot reach ${this.where} (GET ${untrustedText(current.toString())}: ${networkReason(err)})`);
            }
            const location = res.headers.get("location");
            if (![301, 302, 303, 307, 308].includes(res.status) || location === null) return res;
            await res.body?.cancel();
            if (hop >= MAX_REDIRECTS) {
                throw new RegistryError("protocol", `${this.where}: GET ${url} was redirected more than ${MAX_REDIRECTS} times`);
            }
            let next: URL;
            try {
                next = new URL(location, current);
            } catch {
                throw new RegistryError("protocol", `${this.where}: GET ${url} redirected to "${untrustedText(location)}", which is not a URL`);
            }
            if (current.protocol === "https:" && next.protocol !== "https:") {
                throw new RegistryError("protocol", `${this.where}: GET ${url} redirected from https to "${untrustedText(next.toString())}"; refusing to leave https`);
            }
            current = next;
        }
    }

    /** Reads a body, counting its bytes and refusing more than `maxBytes` (a manifest is never huge). */
    private async readBody(res: Response, maxBytes: number, url: string): Promise<Uint8Array> {
        if (!res.body) return new Uint8Array();
        const chunks: Uint8Array[] = [];
        let length = 0;
        const reader = res.body.getReader();
        for (;;) {
            let chunk: ReadableStreamReadResult<Uint8Array>;
            try {
                chunk = await reader.read();
            } catch (err) {
                throw new RegistryError("unreachable", `${this.where}: reading the answer to GET ${url} failed (${networkReason(err)})`);
            }
            const { done, value } = chunk;
            if (done) break;
            length += value.byteLength;
            this.bytesFetched += value.byteLength;
            if (length > maxBytes) {
                await reader.cancel();
                throw new RegistryError("protocol", `${this.where}: GET ${url} answered more than ${maxBytes} bytes; expected a small JSON document`);
            }
            chunks.push(value);
        }
        return Buffer.concat(chunks);
    }

    private async answerChallenge(url: string, status: number, header: string | null): Promise<string> {
        if (!header) {
            throw new RegistryError("protocol", `${this.where}: GET ${url} answered HTTP ${status} without a WWW-Authenticate header; expected a Bearer or Basic challenge`, status);
        }
        let challenge: AuthChallenge;
        try {
            challenge = parseWwwAuthenticate(header);
        } catch (err) {
            throw new RegistryError("protocol", `${this.where}: ${untrustedText((err as Error).message)}`, status);
        }
        if (challenge.scheme === "basic") {
            // docker-registry with htpasswd: no token service, credentials go on every request to the
            // registry itself (https, or loopback: registryBaseUrl never picks plain http elsewhere).
            if (!this.credentials) {
                throw new RegistryError("unauthorized", `${this.where} requires credentials (HTTP 401, Basic challenge realm="${untrustedText(challenge.params.realm ?? "")}") and none were given`, status);
            }
            return `Basic ${basicToken(this.credentials)}`;
        }
        if (challenge.scheme === "bearer") return `Bearer ${await this.fetchToken(challenge)}`;
        throw new RegistryError("protocol", `${this.where}: unsupported auth scheme in WWW-Authenticate "${untrustedText(header)}"; expected Bearer or Basic`, status);
    }

    /** The distribution token handshake: anonymous, or with Basic credentials when given. */
    private async fetchToken(challenge: AuthChallenge): Promise<string> {
        const realm = challenge.params.realm;
        if (!realm) throw new RegistryError("protocol", `${this.where}: Bearer challenge without a realm; expected realm="<token URL>"`);
        let tokenUrl: URL;
        try {
            tokenUrl = new URL(realm);
        } catch {
            throw new RegistryError("protocol", `${this.where}: Bearer realm "${untrustedText(realm)}" is not a URL`);
        }
        if (tokenUrl.protocol !== "https:" && tokenUrl.protocol !== "http:") {
            throw new RegistryError("protocol", `${this.where}: Bearer realm "${untrustedText(realm)}" is not an http(s) URL`);
        }
        if (this.credentials && !realmMayReceiveCredentials(tokenUrl, new URL(this.base).hostname)) {
            throw new RegistryError(
                "protocol",
                `${this.where}: the Bearer challenge sends credentials to ${untrustedText(tokenUrl.origin)}, which is neither https nor the registry's own loopback host; not sending them`,
            );
        }
        if (challenge.params.service) tokenUrl.searchParams.set("service", challenge.params.service);
        // Only ever pull on the checked repository, whatever scope the server names: a token for another
        // repository (or push) is not this client's to ask for with the user's credentials.
        tokenUrl.searchParams.set("scope", `repository:${this.ref.repository}:pull`);
        const who = this.credentials ? `user "${this.credentials.username}"` : "anonymous";
        const headers: Record<string, string> = { Accept: "application/json" };
        if (this.credentials) headers.Authorization = `Basic ${basicToken(this.credentials)}`;

        this.requests++;
        let res: Response;
        try {
            // No redirects: a token service that redirects elsewhere would take the credentials with it.
            res = await this.fetchImpl(tokenUrl, { headers, redirect: "manual", signal: AbortSignal.timeout(this.timeoutMs) });
        } catch (err) {
            throw new RegistryError("unreachable", `cannot reach the token service of ${this.where} (GET ${tokenUrl}: ${networkReason(err)})`);
        }
        const body = await this.readBody(res, MAX_SMALL_BODY_BYTES, tokenUrl.toString());
        if (res.status === 401 || res.status === 403) {
            throw new RegistryError(
                this.credentials ? "denied" : "unauthorized",
                `${this.where}: the token service ${tokenUrl.origin}${tokenUrl.pathname} refused a pull token (${who}, HTTP ${res.status}${registryMessage(body)})`,
                res.status,
            );
        }
        if (res.status !== 200) {
            throw new RegistryError("protocol", `${this.where}: the token service ${tokenUrl.origin}${tokenUrl.pathname} answered HTTP ${res.status}${registryMessage(body)}; expected 200 with {"token": ...}`, res.status);
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(Buffer.from(body).toString("utf8"));
        } catch {
            throw new RegistryError("protocol", `${this.where}: the token service ${tokenUrl.origin}${tokenUrl.pathname} answered non-JSON ("${snippet(body)}"); expected {"token": "..."}`);
        }
        const token = tokenSchema.safeParse(parsed);
        if (!token.success) {
            throw new RegistryError("protocol", `${this.where}: the token service ${tokenUrl.origin}${tokenUrl.pathname} answered JSON without a "token" or "access_token" string`);
        }
        return "token" in token.data ? token.data.token : token.data.access_token;
    }

    private statusError(url: string, status: number, body: Uint8Array): RegistryError {
        const message = registryMessage(body);
        if (status === 401) {
            const detail = this.credentials
                ? `the credentials of user "${this.credentials.username}" were refused`
                : "an anonymous pull is not allowed (the repository is private or does not exist)";
            return new RegistryError(this.credentials ? "denied" : "unauthorized", `${this.where}: GET ${url} answered HTTP 401${message}: ${detail}`, status);
        }
        if (status === 403) {
            return new RegistryError(this.credentials ? "denied" : "unauthorized", `${this.where}: GET ${url} answered HTTP 403${message}: pull access denied`, status);
        }
        if (status === 404) {
            return new RegistryError("not-found", `${this.where}: GET ${url} answered HTTP 404${message}; expected the manifest (does the tag or digest exist?)`, status);
        }
        return new RegistryError("protocol", `${this.where}: GET ${url} answered HTTP ${status}${message}; expected 200`, status);
    }
}

function basicToken(credentials: RegistryCredentials): string {
    return Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
}

/** `: MANIFEST_UNKNOWN manifest unknown` from a distribution error body, when there is one. */
function registryMessage(body: Uint8Array): string {
    try {
        const parsed = JSON.parse(Buffer.from(body).toString("utf8")) as { errors?: { code?: string; message?: string }[] };
        const first = parsed.errors?.[0];
        if (first) return ` (${untrustedText([first.code, first.message].filter((v) => typeof v === "string" && v !== "").join(" "))})`;
    } catch {
        // Not a distribution error document; the status says enough.
    }
    return "";
}

function snippet(body: Uint8Array): string {
    const text = Buffer.from(body.subarray(0, 1024)).toString("utf8").replace(/\s+/g, " ").trim();
    return untrustedText(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function networkReason(err: unknown): string {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === "TimeoutError") return "timed out";
    return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

function parseJson(session: RegistrySession, what: string, body: Uint8Array): unknown {
    try {
        return JSON.parse(Buffer.from(body).toString("utf8"));
    } catch {
        throw new RegistryError("protocol", `${session.where}: the ${what} is not JSON ("${snippet(body)}"); expected a manifest document`);
    }
}

/** The media type a registry declares (Content-Type), else the document's own `mediaType`. */
function mediaTypeOf(session: RegistrySession, what: string, contentType: string, document: unknown): string {
    const known = [...INDEX_TYPES, ...MANIFEST_TYPES];
    if (known.includes(contentType)) return contentType;
    const declared = (document as { mediaType?: unknown } | null)?.mediaType;
    if (typeof declared === "string" && known.includes(declared)) return declared;
    throw new RegistryError(
        "protocol",
        `${session.where}: the ${what} has media type "${untrustedText(typeof declared === "string" ? declared : contentType || "(none)")}"; expected one of ${known.join(", ")}`,
    );
}

/** Why a digest cannot be verified (unknown algorithm, wrong length), or undefined when it can. */
export function digestProblem(digest: string): string | undefined {
    const colon = digest.indexOf(":");
    const algorithm = DIGEST_ALGORITHMS[digest.slice(0, colon)];
    if (colon < 0 || !algorithm) {
        return `digest "${untrustedText(digest, 80)}" uses an algorithm this check cannot verify; expected ${Object.keys(DIGEST_ALGORITHMS).join(" or ")}`;
    }
    if (!new RegExp(`^[0-9a-f]{${algorithm.hexLength}}$`).test(digest.slice(colon + 1))) {
        return `digest "${untrustedText(digest, 80)}" is not ${digest.slice(0, colon)}:<${algorithm.hexLength} lowercase hex>`;
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

/**
 * Resolves `ref` (tag or digest) to its platform manifests and their layer descriptors.
 * Credentials are only sent after a challenge asks for them. Rejects with `RegistryError`.
 */
export async function fetchImageManifests(ref: ImageReference, credentials?: RegistryCredentials, opts: FetchManifestsOptions = {}): Promise<ImageManifests> {
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
        opts: FetchManifestsOptions = {},
    ) {
        this.session = new RegistrySession(ref, credentials, opts);
    }

    /** Response body bytes read so far (what the bench reports). */
    get bytesFetched(): number {
        return this.session.bytesFetched;
    }
    get requests(): number {
        return this.session.requests;
    }

    manifests(): Promise<ImageManifests> {
        this.manifestsRead ??= readManifests(this, this.session, this.ref);
        return this.manifestsRead;
    }

    /** The config blob `digest` of this repository, verified and bounded. */
    config(digest: string): Promise<ImageConfigBlob> {
        let read = this.configs.get(digest);
        if (!read) {
            read = readConfig(this.session, digest);
            this.configs.set(digest, read);
        }
        return read;
    }
}

async function readManifests(client: RegistryClient, session: RegistrySession, ref: ImageReference): Promise<ImageManifests> {
    const reference = ref.digest ?? ref.tag;
    if (!reference) throw new RegistryError("protocol", `${session.where}: the reference has neither a tag nor a digest`);
    const top = await session.get(`manifests/${reference}`, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES);
    const what = `manifest ${reference}`;
    if (ref.digest) verifyDigest(session, what, top.body, ref.digest);
    const topDocument = parseJson(session, what, top.body);
    const topType = mediaTypeOf(session, what, top.contentType, topDocument);
    const topDigest = ref.digest ?? top.digestHeader ?? sha256(top.body);

    const platforms: PlatformManifest[] = [];
    const attestations: string[] = [];
    let indexDigest: string | undefined;
    if (INDEX_TYPES.includes(topType)) {
        indexDigest = topDigest;
        const index = indexSchema.safeParse(topDocument);
        if (!index.success) {
            throw new RegistryError("protocol", `${session.where}: the index ${reference} is malformed (${describeIssues(index.error)}); expected {"manifests": [{mediaType, digest, size, platform}]}`);
        }
        if (index.data.manifests.length > MAX_INDEX_MANIFESTS) {
            throw new RegistryError(
                "protocol",
                `${session.where}: the index ${reference} lists ${index.data.manifests.length} manifests; at most ${MAX_INDEX_MANIFESTS} are read (one request each), so this is not an image index this check follows`,
            );
        }
        for (const entry of index.data.manifests) {
            // BuildKit adds provenance/SBOM "attestation manifests" (platform unknown/unknown); nothing pulls them.
            if (entry.annotations?.["vnd.docker.reference.type"] === "attestation-manifest") {
                attestations.push(entry.platform ? untrustedText(platformName(entry.platform), 80) : "unknown");
                continue;
            }
            const problem = digestProblem(entry.digest);
            if (problem) throw new RegistryError("protocol", `${session.where}: the index ${reference} lists ${problem}`);
            const child = await session.get(`manifests/${entry.digest}`, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES);
            const childWhat = `manifest ${entry.digest} (listed in index ${reference})`;
            verifyDigest(session, childWhat, child.body, entry.digest);
            const document = parseJson(session, childWhat, child.body);
            const type = mediaTypeOf(session, childWhat, child.contentType, document);
            if (INDEX_TYPES.includes(type)) {
                throw new RegistryError("protocol", `${session.where}: ${childWhat} is itself an index; expected a platform manifest (nested indexes are not supported)`);
            }
            platforms.push({
                platform: entry.platform ? untrustedText(platformName(entry.platform), 80) : "unknown",
                digest: entry.digest,
                mediaType: type,
                ...manifestOf(session, childWhat, document),
            });
        }
        if (platforms.length === 0) {
            throw new RegistryError("protocol", `${session.where}: the index ${reference} lists no platform manifests; expected at least one`);
        }
    } else {
        // A single-platform image names its platform only in its config blob (a few KiB; not a layer).
        const manifest = manifestOf(session, what, topDocument);
        const config = await client.config(manifest.configDigest);
        platforms.push({ platform: config.platform, digest: topDigest, mediaType: topType, ...manifest });
    }
    return { reference: formatImageReference(ref), indexDigest, platforms, attestations, bytesFetched: session.bytesFetched, requests: session.requests };
}

function manifestOf(session: RegistrySession, what: string, document: unknown): { configDigest: string; layers: LayerDescriptor[] } {
    const manifest = imageManifestSchema.safeParse(document);
    if (!manifest.success) {
        throw new RegistryError("protocol", `${session.where}: the ${what} is malformed (${describeIssues(manifest.error)}); expected {"config": {...}, "layers": [{mediaType, digest, size}]}`);
    }
    return {
        configDigest: manifest.data.config.digest,
        layers: manifest.data.layers.map(({ digest, size, mediaType }) => ({ digest, size, mediaType })),
    };
}

async function readConfig(session: RegistrySession, digest: string): Promise<ImageConfigBlob> {
    const what = `image config ${untrustedText(digest, 80)}`;
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
        platform: untrustedText(platformName(parsed.data), 80),
        env: parsed.data.config?.Env ?? [],
        history: (parsed.data.history ?? []).map((h) => ({ createdBy: h.created_by ?? "", emptyLayer: h.empty_layer === true })),
    };
}
