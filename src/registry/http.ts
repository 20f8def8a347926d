/**
 * Generic bounded HTTP for the registry client: https to every registry, and plain http only to a loopback
 * host whose server does not speak TLS (as Docker does), a timeout on every request, redirects followed by
 * hand (the Authorization header only to the origin it was won for, never from https to http), every body
 * read with a byte cap and counted. Failures are RegistryErrors prefixed with `where`.
 */
import * as tls from "node:tls";
import { isLoopbackHost } from "../names/host";
import { printableLine } from "../text/printable";
import { RegistryError } from "./errors";
import { MAX_REDIRECTS, REDIRECT_STATUSES, redirectTarget } from "../http/redirects";

export interface HttpOptions {
    /** Per-request timeout. Defaults to 30 s. */
    timeoutMs?: number;
    /** Replaces the global `fetch` (tests). */
    fetch?: typeof fetch;
}

export { isLoopbackHost };

/**
 * `https://127.0.0.1:5000`, `https://ghcr.io`, `https://registry-1.docker.io` for `docker.io`: always https;
 * `BoundedHttp.resolve` turns a loopback one into http when its server does not speak TLS.
 */
export function registryBaseUrl(registry: string): string {
    const apiHost = registry === "docker.io" ? "registry-1.docker.io" : registry;
    return `https://${apiHost}`;
}

/** What OpenSSL says when the server answered a TLS hello with something that is not TLS (plain HTTP's `HTTP/1.1 400`). */
const NOT_TLS_CODES = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG"]);

/** Certificate failures: the server speaks TLS, with a certificate this process does not trust. */
const UNTRUSTED_CERTIFICATE_CODES = new Set([
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "CERT_HAS_EXPIRED",
    "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * Whether the server at `host:port` answers a TLS hello with TLS: "tls" (whatever its certificate: the
 * request that follows verifies it), "plain" when it answers with something else, "unknown" when it cannot
 * be reached (the request that follows says why).
 */
function probeTls(hostname: string, port: number, timeoutMs: number): Promise<"tls" | "plain" | "unknown"> {
    return new Promise((resolve) => {
        const host = hostname.replace(/^\[(.*)\]$/, "$1");
        const socket = tls.connect({ host, port, servername: /^[\d.]+$|:/.test(host) ? undefined : host, rejectUnauthorized: false });
        const done = (answer: "tls" | "plain" | "unknown") => {
            clearTimeout(timer);
            socket.destroy();
            resolve(answer);
        };
        const timer = setTimeout(() => done("unknown"), timeoutMs);
        socket.once("secureConnect", () => done("tls"));
        socket.once("error", (err: NodeJS.ErrnoException) => done(NOT_TLS_CODES.has(err.code ?? "") ? "plain" : "unknown"));
    });
}

/** Why a request failed, in a few words (`timed out`, `ECONNREFUSED`). */
function networkReason(err: unknown): string {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } } | null;
    if (e?.name === "TimeoutError") return "timed out";
    const code = e?.cause?.code;
    if (code && UNTRUSTED_CERTIFICATE_CODES.has(code)) {
        return `${code}: its TLS certificate is not trusted by this process (a private CA goes in NODE_EXTRA_CA_CERTS)`;
    }
    return code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/** A start of a body for a message: one line, at most 80 characters, escaped. */
export function snippet(body: Uint8Array): string {
    const text = Buffer.from(body.subarray(0, 1024)).toString("utf8").replace(/\s+/g, " ").trim();
    return printableLine(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/** HTTP for one registry conversation, counting what it requests and reads. */
export class BoundedHttp {
    /** Response body bytes read (what the bench reports). */
    bytesFetched = 0;
    /** HTTP requests made. */
    requests = 0;
    private readonly fetchImpl: typeof fetch;
    private readonly timeoutMs: number;
    /** What each loopback `host:port` answered a TLS hello with, once per conversation: never downgraded after TLS. */
    private readonly loopbackSchemes = new Map<string, Promise<"https:" | "http:">>();

    /** `where` starts every message: "registry 127.0.0.1:5000, repository a/b, reference 1.0". */
    constructor(
        readonly where: string,
        opts: HttpOptions = {},
    ) {
        this.fetchImpl = opts.fetch ?? fetch;
        this.timeoutMs = opts.timeoutMs ?? 30000;
    }

    /**
     * The URL to ask for `url`: itself, except an https URL on a loopback host whose server answers a TLS
     * hello with something that is not TLS (a plain-http local registry), which is asked over http. Only a
     * loopback host is ever asked over plain http, and only one that did not answer TLS in this conversation.
     */
    async resolve(url: string): Promise<string> {
        const parsed = new URL(url);
        if (parsed.protocol !== "https:" || !isLoopbackHost(parsed.hostname)) return url;
        let scheme = this.loopbackSchemes.get(parsed.host);
        if (!scheme) {
            const port = Number(parsed.port || 443);
            scheme = probeTls(parsed.hostname, port, this.timeoutMs).then((answer) => (answer === "plain" ? "http:" : "https:"));
            this.loopbackSchemes.set(parsed.host, scheme);
        }
        if ((await scheme) === "http:") {
            parsed.port ||= "443";
            parsed.protocol = "http:";
        }
        return parsed.toString();
    }

    /**
     * GET with redirects followed by hand: `authorization` goes only to `url`'s origin (a blob redirect to
     * a storage host carries its own signature), and never from https to http.
     */
    async get(url: string, accept: string, authorization?: string): Promise<Response> {
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
                throw new RegistryError("unreachable", `cannot reach ${this.where} (GET ${printableLine(current.toString())}: ${networkReason(err)})`);
            }
            const location = res.headers.get("location");
            if (!REDIRECT_STATUSES.has(res.status) || location === null) return res;
            await res.body?.cancel();
            // The one redirect rule (src/http/redirects.ts), in the registry's words.
            const target = redirectTarget(current, location, hop);
            if ("refused" in target) {
                const to = "next" in target ? `"${printableLine(target.next.toString())}"` : "";
                const why: Record<typeof target.refused, string> = {
                    "no location": "was redirected without a Location",
                    "not a URL": `redirected to "${printableLine(location)}", which is not a URL`,
                    "not http(s)": `redirected to ${to}; only http(s) is followed`,
                    "https to http": `redirected from https to ${to}; refusing to leave https`,
                    credentials: "redirected to a URL with credentials; not following it",
                    "too many": `was redirected more than ${MAX_REDIRECTS} times`,
                };
                throw new RegistryError("protocol", `${this.where}: GET ${url} ${why[target.refused]}`);
            }
            current = target.next;
        }
    }

    /**
     * GET that follows no redirect (a token service that redirects elsewhere would take the credentials
     * with it). `what` names the service in the message when it cannot be reached.
     */
    async getOnce(url: URL, headers: Record<string, string>, what: string): Promise<Response> {
        this.requests++;
        try {
            return await this.fetchImpl(url, { headers, redirect: "manual", signal: AbortSignal.timeout(this.timeoutMs) });
        } catch (err) {
            throw new RegistryError("unreachable", `cannot reach ${what} of ${this.where} (GET ${url.toString()}: ${networkReason(err)})`);
        }
    }

    /** Reads a body, counting its bytes and refusing more than `maxBytes` (a manifest is never huge). */
    async readBody(res: Response, maxBytes: number, url: string): Promise<Uint8Array> {
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
}
