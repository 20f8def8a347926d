/**
 * One conversation with one repository of one registry: the first 401 is answered once (the distribution
 * token handshake for a Bearer challenge, anonymous or with Basic credentials; the credentials themselves
 * for a Basic challenge) and the Authorization header won is kept for every later request. Credentials
 * are bound to the registry they were configured for: only sent after a challenge asks for them, only to
 * that registry or its own token service, and the token asked for is always pull on this repository.
 */
import { z } from "zod";
import { printableLine } from "../text/printable";
import { redactSecrets } from "../text/redaction";
import { ImageReference } from "../names/oci";
import { RegistryError } from "./errors";
import { BoundedHttp, HttpOptions, isLoopbackHost, registryBaseUrl, snippet } from "./http";
import { AuthChallenge, parseChallenges, preferredChallenge } from "./wwwAuthenticate";

/** A username and password as configured (read from the environment, never from argv), not yet bound to a registry. */
export interface RegistryLogin {
    username: string;
    password: string;
}

/**
 * A login bound to the registry host it was configured for (`ghcr.io`, `docker.io`, `127.0.0.1:5000`): a
 * session for any other registry sends none of it, and a Bearer handshake sends it only to that host's
 * own token service (tokenServiceMayReceive).
 */
export interface RegistryCredentials extends RegistryLogin {
    registry: string;
}

/** `login` bound to `registry`: the only registry a session will send it to. */
export function boundTo(login: RegistryLogin | undefined, registry: string): RegistryCredentials | undefined {
    return login && { username: login.username, password: login.password, registry };
}

/** Token answers are small JSON documents; error bodies are only read for their message. */
const MAX_TOKEN_BYTES = 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;

const tokenSchema = z.union([z.object({ token: z.string().min(1) }), z.object({ access_token: z.string().min(1) })]);

/**
 * Token services on another host than the registry's own that known registries name in their challenge
 * (Docker Hub: `Bearer realm="https://auth.docker.io/token"`, also for `registry-1.docker.io`; GitLab:
 * `https://gitlab.com/jwt/auth`). GHCR, Quay and most others name their own host.
 */
const KNOWN_TOKEN_HOSTS: Readonly<Record<string, readonly string[]>> = {
    "docker.io": ["auth.docker.io"],
    "index.docker.io": ["auth.docker.io"],
    "registry-1.docker.io": ["auth.docker.io"],
    "registry.gitlab.com": ["gitlab.com"],
};

/** A registry host without its port, lower-cased (host names are case-insensitive). */
function hostName(registry: string): string {
    return registry.replace(/:\d+$/, "").toLowerCase();
}

/**
 * Whether Basic credentials for `registry` may go to a Bearer challenge's token `realm`: the registry's own
 * host (over https, or plain http on loopback, as the registry itself is spoken to), or, over https, the
 * token service a known registry names (KNOWN_TOKEN_HOSTS). Any other realm, https or not, is not that
 * registry's token service: a challenge naming one would hand the password to whoever runs it.
 */
function tokenServiceMayReceive(realm: URL, registry: string): boolean {
    const own = hostName(registry);
    const realmHost = realm.hostname.toLowerCase();
    if (realm.protocol === "http:") return isLoopbackHost(realmHost) && realmHost === own;
    if (realm.protocol !== "https:") return false;
    return realmHost === own || (KNOWN_TOKEN_HOSTS[own] ?? []).includes(realmHost);
}

/** The credentials a session for `registry` may use: those bound to it, never another registry's. */
function credentialsFor(credentials: RegistryCredentials | undefined, registry: string): RegistryCredentials | undefined {
    return credentials && credentials.registry.toLowerCase() === registry.toLowerCase() ? credentials : undefined;
}

function basicToken(credentials: RegistryCredentials): string {
    return Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
}

/** `: MANIFEST_UNKNOWN manifest unknown` from a distribution error body, when there is one. */
function registryMessage(body: Uint8Array): string {
    try {
        const parsed = JSON.parse(Buffer.from(body).toString("utf8")) as { errors?: { code?: unknown; message?: unknown }[] };
        const first = parsed.errors?.[0];
        if (first) return ` (${printableLine([first.code, first.message].filter((v): v is string => typeof v === "string" && v !== "").join(" "))})`;
    } catch {
        // Not a distribution error document; the status says enough.
    }
    return "";
}

export class RegistrySession {
    readonly http: BoundedHttp;
    private authorization?: string;
    private readonly base: string;
    /** The credentials bound to this session's registry; another registry's are never used. */
    private readonly credentials: RegistryCredentials | undefined;

    constructor(
        private readonly ref: ImageReference,
        /** The login as given, whichever registry it is bound to: what `redacted` blanks. */
        private readonly given: RegistryCredentials | undefined,
        opts: HttpOptions,
    ) {
        this.credentials = credentialsFor(given, ref.registry);
        this.base = registryBaseUrl(ref.registry);
        this.http = new BoundedHttp(`registry ${ref.registry}, repository ${ref.repository}, reference ${ref.digest ?? ref.tag ?? "(none)"}`, opts);
    }

    /** "registry 127.0.0.1:5000, repository a/b, reference 1.0" — the start of every message. */
    get where(): string {
        return this.http.where;
    }

    /**
     * `err` as it may be shown: a RegistryError's message without the login (a registry may echo the
     * Authorization header it was sent, or the password, in its error text). Anything else is passed on.
     */
    redacted(err: unknown): unknown {
        if (!(err instanceof RegistryError) || !this.given) return err;
        return new RegistryError(err.kind, redactSecrets(err.message, this.given), err.status);
    }

    /** GET `path` below `/v2/<repository>/`, answering an auth challenge once. */
    async get(path: string, accept: string, maxBytes: number): Promise<{ body: Uint8Array; contentType: string; digestHeader?: string }> {
        const url = await this.http.resolve(`${this.base}/v2/${this.ref.repository}/${path}`);
        let res = await this.http.get(url, accept, this.authorization);
        if (res.status === 401 && !this.authorization) {
            const challenge = res.headers.get("www-authenticate");
            await this.http.readBody(res, MAX_ERROR_BODY_BYTES, url);
            this.authorization = await this.answerChallenge(url, res.status, challenge);
            res = await this.http.get(url, accept, this.authorization);
        }
        if (res.status !== 200) {
            const body = await this.http.readBody(res, MAX_ERROR_BODY_BYTES, url).catch(() => new Uint8Array());
            throw this.statusError(url, res.status, body);
        }
        const body = await this.http.readBody(res, maxBytes, url);
        return {
            body,
            contentType: (res.headers.get("content-type") ?? "").split(";")[0].trim(),
            digestHeader: res.headers.get("docker-content-digest") ?? undefined,
        };
    }

    /** The Authorization header answering a challenge: Bearer (preferred) or Basic, whichever is offered. */
    private async answerChallenge(url: string, status: number, header: string | null): Promise<string> {
        if (!header) {
            throw new RegistryError(
                "protocol",
                `${this.where}: GET ${url} answered HTTP ${status} without a WWW-Authenticate header; expected a Bearer or Basic challenge`,
                status,
            );
        }
        let challenge: AuthChallenge | undefined;
        try {
            challenge = preferredChallenge(parseChallenges(header));
        } catch (err) {
            throw new RegistryError("protocol", `${this.where}: ${printableLine((err as Error).message)}`, status);
        }
        if (challenge?.scheme === "basic") {
            // docker-registry with htpasswd: no token service, credentials go on every request to the
            // registry itself (https, or loopback: registryBaseUrl never picks plain http elsewhere).
            if (!this.credentials) {
                throw new RegistryError(
                    "unauthorized",
                    `${this.where} requires credentials (HTTP 401, Basic challenge realm="${printableLine(challenge.params.realm ?? "")}") and none were given`,
                    status,
                );
            }
            return `Basic ${basicToken(this.credentials)}`;
        }
        if (challenge?.scheme === "bearer") return `Bearer ${await this.fetchToken(challenge)}`;
        throw new RegistryError(
            "protocol",
            `${this.where}: unsupported auth scheme in WWW-Authenticate "${printableLine(header)}"; expected Bearer or Basic`,
            status,
        );
    }

    /** The distribution token handshake: anonymous, or with Basic credentials when given. */
    private async fetchToken(challenge: AuthChallenge): Promise<string> {
        const realm = challenge.params.realm;
        if (!realm) throw new RegistryError("protocol", `${this.where}: Bearer challenge without a realm; expected realm="<token URL>"`);
        let tokenUrl: URL;
        try {
            tokenUrl = new URL(realm);
        } catch {
            throw new RegistryError("protocol", `${this.where}: Bearer realm "${printableLine(realm)}" is not a URL`);
        }
        if (tokenUrl.protocol !== "https:" && tokenUrl.protocol !== "http:") {
            throw new RegistryError("protocol", `${this.where}: Bearer realm "${printableLine(realm)}" is not an http(s) URL`);
        }
        if (this.credentials && !tokenServiceMayReceive(tokenUrl, this.credentials.registry)) {
            throw new RegistryError(
                "protocol",
                `${this.where}: the Bearer challenge sends credentials to ${printableLine(tokenUrl.origin)}, which is not the token service of ${this.credentials.registry} (its own host over https, or a loopback registry's own host); not sending them`,
            );
        }
        if (challenge.params.service) tokenUrl.searchParams.set("service", challenge.params.service);
        // Only ever pull on the checked repository, whatever scope the server names: a token for another
        // repository (or push) is not this client's to ask for with the user's credentials.
        tokenUrl.searchParams.set("scope", `repository:${this.ref.repository}:pull`);
        const who = this.credentials ? `user "${this.credentials.username}"` : "anonymous";
        const headers: Record<string, string> = { Accept: "application/json" };
        if (this.credentials) headers.Authorization = `Basic ${basicToken(this.credentials)}`;

        const res = await this.http.getOnce(tokenUrl, headers, "the token service");
        const service = `the token service ${tokenUrl.origin}${tokenUrl.pathname}`;
        const body = await this.http.readBody(res, MAX_TOKEN_BYTES, tokenUrl.toString());
        if (res.status === 401 || res.status === 403) {
            throw new RegistryError(
                this.credentials ? "denied" : "unauthorized",
                `${this.where}: ${service} refused a pull token (${who}, HTTP ${res.status}${registryMessage(body)})`,
                res.status,
            );
        }
        if (res.status !== 200) {
            throw new RegistryError(
                "protocol",
                `${this.where}: ${service} answered HTTP ${res.status}${registryMessage(body)}; expected 200 with {"token": ...}`,
                res.status,
            );
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(Buffer.from(body).toString("utf8"));
        } catch {
            throw new RegistryError("protocol", `${this.where}: ${service} answered non-JSON ("${snippet(body)}"); expected {"token": "..."}`);
        }
        const token = tokenSchema.safeParse(parsed);
        if (!token.success) {
            throw new RegistryError("protocol", `${this.where}: ${service} answered JSON without a "token" or "access_token" string`);
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
            return new RegistryError(
                this.credentials ? "denied" : "unauthorized",
                `${this.where}: GET ${url} answered HTTP 403${message}: pull access denied`,
                status,
            );
        }
        if (status === 404) {
            return new RegistryError(
                "not-found",
                `${this.where}: GET ${url} answered HTTP 404${message}; expected the manifest (does the tag or digest exist?)`,
                status,
            );
        }
        return new RegistryError("protocol", `${this.where}: GET ${url} answered HTTP ${status}${message}; expected 200`, status);
    }
}
