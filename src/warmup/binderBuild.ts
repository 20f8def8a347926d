/**
 * Warming a launcher commit on a BinderHub (mybinder.org): the first launch of a commit builds its image,
 * so asking for the build right after a repin spares the first user that wait. No Pulumi import.
 *
 * BinderHub API (jupyterhub/binderhub docs/source/api.rst): `GET /build/<provider>/<spec>` answers with an
 * event stream of `data: {"phase": ..., "message": ...}` events — waiting, fetching, building, pushing,
 * built, launching, ready, failed — and `:` comment lines as heartbeats. Despite the name it also launches
 * a server after `built`; we stop reading at `built` (the image is cached then, which is all a warmup
 * needs), at `ready` (an older hub that reports no `built` first) or at `failed`. BinderHub's own handler
 * treats a repo2docker log event with phase `failure` as a failed build too (binderhub/builder.py).
 * `?build_only=true` would skip the launch, but only hubs in API-only mode accept it, so it is not sent.
 * mybinder.org answers `/build/` with a redirect to a federation member; fetch follows it.
 *
 * A warmup is advisory: `warmup` never throws for the network or the hub. An unreachable hub, an HTTP
 * error, a failed build, a stream that ends early or a timeout all come back as the outcome.
 */
import { encodeRefPath, launchUrl, MYBINDER_URL } from "../links/binder";

export interface WarmupRequest {
    owner: string;
    repository: string;
    ref: string;
    /** BinderHub base URL, with any path prefix; default https://mybinder.org. */
    binderUrl?: string;
    /** Give up after this many seconds (default 600). */
    timeoutS?: number;
    /** Called on each change of phase, for progress output. */
    onPhase?: (phase: string, message: string, elapsedSeconds: number) => void;
}

export interface WarmupOutcome {
    /** `<owner>/<repo>` */
    repository: string;
    ref: string;
    /** The build endpoint asked. */
    url: string;
    /**
     * `ready` or `built` (the image exists), `failed`, `timeout`, `closed` (the stream ended before any of
     * those) or `unreachable: <reason>` (no event stream: connection error or HTTP status).
     */
    outcome: string;
    /** The last phase the hub reported, if any. */
    phase: string | null;
    /** The hub's message for that phase, or what went wrong. */
    message: string;
    elapsedSeconds: number;
}

export const DEFAULT_WARMUP_TIMEOUT_S = 600;

const DONE_PHASES = new Set(["ready", "built"]);
const FAILED_PHASES = new Set(["failed", "failure"]);

/** `<binderUrl>/build/gh/<owner>/<repo>/<ref>`; the names are checked as launch links check them. */
export function buildEndpoint(owner: string, repository: string, ref: string, binderUrl = MYBINDER_URL): string {
    launchUrl({ owner, repository, ref }, binderUrl); // validates owner, repository and ref
    return `${binderUrl.replace(/\/+$/, "")}/build/gh/${owner}/${repository}/${encodeRefPath(ref)}`;
}

/** The most specific words in a fetch error: undici puts the socket error in `cause`. */
function reasonOf(err: unknown): string {
    let e: any = err;
    while (e?.cause !== undefined && e.cause !== e) e = e.cause;
    if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0];
    if (e instanceof Error) return e.message || (e as NodeJS.ErrnoException).code || e.name;
    return String(e);
}

function firstLine(text: string): string {
    return text.trim().split("\n")[0] ?? "";
}

export async function warmup(request: WarmupRequest): Promise<WarmupOutcome> {
    const started = Date.now();
    const elapsed = () => Math.round((Date.now() - started) / 100) / 10;
    const timeoutS = request.timeoutS ?? DEFAULT_WARMUP_TIMEOUT_S;
    const url = buildEndpoint(request.owner, request.repository, request.ref, request.binderUrl);
    let phase: string | null = null;
    let message = "";
    const result = (outcome: string, why?: string): WarmupOutcome => ({
        repository: `${request.owner}/${request.repository}`,
        ref: request.ref,
        url,
        outcome,
        phase,
        message: why ?? message,
        elapsedSeconds: elapsed(),
    });
    const lastPhase = () => (phase === null ? "before any phase" : `after phase "${phase}"`);

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
    }, timeoutS * 1000);
    let connected = false;
    try {
        const response = await fetch(url, {
            headers: { accept: "text/event-stream", "user-agent": "uw3-binder-warmup" },
            signal: controller.signal,
        });
        if (!response.ok || response.body === null) {
            return result(`unreachable: HTTP ${response.status} ${response.statusText}`.trimEnd(), `${url} answered HTTP ${response.status}`);
        }
        connected = true;
        const decoder = new TextDecoder();
        let buffer = "";
        let data: string[] = [];
        for await (const chunk of response.body) {
            buffer += decoder.decode(chunk as Uint8Array, { stream: true });
            let newline: number;
            while ((newline = buffer.indexOf("\n")) >= 0) {
                const line = buffer.slice(0, newline).replace(/\r$/, "");
                buffer = buffer.slice(newline + 1);
                if (line.startsWith(":")) continue; // heartbeat comment
                if (line.startsWith("data:")) {
                    data.push(line.slice(5).replace(/^ /, ""));
                    continue;
                }
                if (line !== "" || data.length === 0) continue;
                // A blank line ends the event.
                let event: { phase?: unknown; message?: unknown };
                try {
                    event = JSON.parse(data.join("\n"));
                } catch {
                    event = {};
                }
                data = [];
                if (typeof event.phase !== "string") continue;
                const changed = event.phase !== phase;
                phase = event.phase;
                message = typeof event.message === "string" ? event.message.trim() : "";
                if (changed) request.onPhase?.(phase, firstLine(message), elapsed());
                if (DONE_PHASES.has(phase)) return result(phase);
                if (FAILED_PHASES.has(phase)) return result("failed");
            }
        }
        return result("closed", `the event stream ended ${lastPhase()}, without ready, built or failed`);
    } catch (err) {
        if (timedOut) return result("timeout", `no ready, built or failed within ${timeoutS} s (${lastPhase()})`);
        if (connected) return result("closed", `the event stream broke ${lastPhase()}: ${reasonOf(err)}`);
        return result(`unreachable: ${reasonOf(err)}`, `could not reach ${url}`);
    } finally {
        clearTimeout(timer);
        // Hang up: after `built` the hub would go on to launch a server nobody uses.
        controller.abort();
    }
}

/** One line for people: `<repo>@<ref>: <outcome> after <s> s`, then the message if it adds anything. */
export function describeOutcome(outcome: WarmupOutcome): string {
    const head = `warmup ${outcome.repository}@${outcome.ref}: ${outcome.outcome} after ${outcome.elapsedSeconds.toFixed(1)} s`;
    return outcome.message === "" ? head : `${head}\n  ${firstLine(outcome.message)}`;
}
