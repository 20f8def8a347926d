/**
 * Generic bounded HTTP for the registry client: plain http only to loopback hosts (as Docker does) and
 * https everywhere else, a timeout on every request, redirects followed by hand (the Authorization header
 * only to the origin it was won for, never from https to http), every body read with a byte cap and
 * counted. Failures are RegistryErrors prefixed with `where`.
 */
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

/** `http://127.0.0.1:5000`, `https://ghcr.io`, `https://registry-1.docker.io` for `docker.io`. */
export function registryBaseUrl(registry: string): string {
    const loopback = isLoopbackHost(registry.replace(/:\d+$/, ""));
    const apiHost = registry === "docker.io" ? "registry-1.docker.io" : registry;
    return `${loopback ? "http" : "https"}://${apiHost}`;
}

/** Why a request failed, in a few words (`timed out`, `ECONNREFUSED`). */
function networkReason(err: unknown): string {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } } | null;
    if (e?.name === "TimeoutError") return "timed out";
    return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
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

    /** `where` starts every message: "registry 127.0.0.1:5000, repository a/b, reference 1.0". */
    constructor(
        readonly where: string,
        opts: HttpOptions = {},
    ) {
        this.fetchImpl = opts.fetch ?? fetch;
        this.timeoutMs = opts.timeoutMs ?? 30000;
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
