/**
 * Warming a launcher commit on one BinderHub: the first launch of a commit builds its image, so asking for
 * the build right after a repin spares the first user that wait.
 *
 * BinderHub API (jupyterhub/binderhub docs/source/api.rst): `GET /build/<provider>/<spec>` with
 * `Accept: text/event-stream` answers with an event stream of `data: {"phase": ..., "message": ...}`
 * events — waiting, fetching, building, pushing, built, launching, ready, failed — and `:` comment lines
 * as heartbeats. An image the hub already has is announced at once as `built` "Found built image,
 * launching..." (binderhub/builder.py); a build goes through `waiting` and the build phases first. Despite
 * the name the endpoint also launches a server after `built`; we hang up at `built` (the image is cached
 * then, which is all a warmup needs), at `ready` (an older hub that reports no `built` first) or at
 * `failed`. BinderHub treats a repo2docker log event with phase `failure` as a failed build too.
 * `?build_only=true` would skip the launch, but only hubs in API-only mode accept it, so it is not sent.
 *
 * Requests go through node:http(s), not fetch: fetch compiles undici's WASM HTTP parser on first use, a
 * transient ~30 MB that alone took a warm-up near its 100 MB budget (bench/warmup.ts).
 *
 * A warmup is advisory: `warmMember` never throws for the network or the hub. An unreachable hub, an
 * HTTP error, a refused redirect, a rate limit, a failed build, a stream that ends, breaks or overflows,
 * and a timeout all come back as the outcome.
 */
import * as http from "http";
import * as https from "https";
import { MAX_REDIRECTS, REDIRECT_STATUSES, RedirectRefusal, redirectTarget } from "../http/redirects";
import { MYBINDER_URL } from "../mybinder/facts";
import { printableLine } from "../text/printable";
import { encodeRefPath } from "../names/git";
import { isPlainHttpOffLoopback } from "../names/host";
import { checkBranch, checkRepository } from "../names/github";
import { EventStreamOverflow, EventStreamParser } from "./eventStream";
import { HubAllowance, RateLimitHeaders } from "./rateLimit";

/** How one member's warm-up ended. */
export const WARMUP_OUTCOMES = ["built", "already built", "failed", "unreachable", "rate limited", "closed", "timeout"] as const;
export type WarmupOutcomeKind = (typeof WARMUP_OUTCOMES)[number];

export interface MemberWarmupRequest {
    owner: string;
    repository: string;
    /** A commit, or a branch name (the hub resolves it to the branch's head). */
    ref: string;
    /** BinderHub base URL, with any path prefix. */
    hub: string;
    /** Give up after this many seconds, rate-limit waits included. */
    timeoutS: number;
    /** Hang up on a hub that sends nothing (no head, no event, no keepalive) for this long; HUB_IDLE_TIMEOUT_S when omitted. */
    idleTimeoutS?: number;
    /** The hub's allowance, shared by every request to it in one run; a fresh one when omitted. */
    allowance?: HubAllowance;
    /**
     * Called on each change of phase, for progress output; phase and message are printable. At most
     * MAX_PHASE_REPORTS times, then once more to say that further changes are not shown.
     */
    onPhase?: (phase: string, message: string, elapsedSeconds: number) => void;
}

export interface MemberWarmup {
    /** The hub asked, as configured. */
    hub: string;
    /** Its build endpoint. */
    url: string;
    outcome: WarmupOutcomeKind;
    /** The last phase the hub reported, if any (printable). */
    phase: string | null;
    /** The hub's message for that phase, or what went wrong: one printable line. */
    message: string;
    /** When the request started (ISO 8601). */
    startedAt: string;
    elapsedSeconds: number;
    /** Of those, the time spent waiting for the hub's rate limit. */
    waitedSeconds: number;
    /** Each redirect followed, in order. */
    redirects: string[];
}

/** Requests refused with 429 before giving up, whatever the hub's Retry-After says. */
const MAX_RATE_LIMITED_ATTEMPTS = 4;
/** A hub message is shown on one line; longer is cut. */
const MAX_MESSAGE_CHARS = 500;
/**
 * Seconds of silence after which a hub is taken for gone. BinderHub writes a `:keepalive` comment every 25 s
 * (binderhub/builder.py, BuildHandler.KEEPALIVE_INTERVAL) however long a build takes, so a hub that accepts
 * and then says nothing for this long (nearly five keepalives missed) would otherwise hold the member for
 * the whole timeout.
 */
export const HUB_IDLE_TIMEOUT_S = 120;
/**
 * Phase changes reported per member: a real build has about seven (waiting, fetching, building, pushing,
 * built, launching, ready); a hub alternating phases must not fill a log (16.5 MB in 30 s was seen).
 */
const MAX_PHASE_REPORTS = 20;

const FINAL_PHASES = new Set(["ready", "built"]);
const FAILED_PHASES = new Set(["failed", "failure"]);
/** Phases of a build in progress: seen before `built`, the hub built the image now. */
const BUILD_PHASES = new Set(["waiting", "fetching", "building", "pushing"]);

/** `<hub>/build/gh/<owner>/<repo>/<ref>`; the names are checked as launch links check them. */
export function buildEndpoint(owner: string, repository: string, ref: string, hub = MYBINDER_URL): string {
    checkRepository(owner, repository, "launcher");
    checkBranch(ref, "launcher ref");
    return `${hub.replace(/\/+$/, "")}/build/gh/${owner}/${repository}/${encodeRefPath(ref)}`;
}

/**
 * One line of text from the network made safe for a terminal and a log: its first non-empty line, escaped
 * and cut by the one escaper of untrusted text.
 */
export function firstPrintableLine(text: string, max = MAX_MESSAGE_CHARS): string {
    return printableLine(text.trim().split(/\r\n|\r|\n/)[0] ?? "", max);
}

/** The most specific words in a request error. */
function reasonOf(err: unknown): string {
    let e = err;
    while (e instanceof Error && e.cause !== undefined && e.cause !== e) e = e.cause;
    if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0] as unknown;
    if (e instanceof Error) return e.message || (e as NodeJS.ErrnoException).code || e.name;
    return String(e);
}

function header(response: http.IncomingMessage, name: string): string | null {
    const value = response.headers[name];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
}

function rateLimitHeaders(response: http.IncomingMessage): RateLimitHeaders {
    return { retryAfter: header(response, "retry-after"), remaining: header(response, "x-ratelimit-remaining"), reset: header(response, "x-ratelimit-reset") };
}

class RedirectRefused extends Error {}

/** A refused redirect in the warm-up's words. */
function refusal(status: number, r: RedirectRefusal): string {
    switch (r.refused) {
        case "no location":
            return `HTTP ${status} without a Location`;
        case "not a URL":
            return `HTTP ${status} to an invalid Location ${JSON.stringify(firstPrintableLine(r.location, 200))}`;
        case "not http(s)":
            return `redirect to ${firstPrintableLine(r.next.href, 200)}: only http(s) is followed`;
        case "https to http":
            return `redirect from https to plain http ${firstPrintableLine(r.next.href, 200)}`;
        case "credentials":
            return "redirect to a URL with credentials";
        case "too many":
            return `more than ${MAX_REDIRECTS} redirects (last to ${firstPrintableLine(r.next.href, 200)})`;
    }
}

/** One GET; resolves with the response head, its body still to read. */
function get(url: string, signal: AbortSignal): Promise<http.IncomingMessage> {
    const target = new URL(url);
    const client = target.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
        // agent: false: a connection of its own, closed with the request, so nothing idle keeps the CLI alive.
        const request = client.get(
            target,
            { headers: { accept: "text/event-stream", "user-agent": "uw3-binder-warmup" }, agent: false, signal },
            (response) => {
                // Hanging up on a body nobody reads (a 429, a redirect) errors it; reading it reports errors itself.
                response.on("error", () => undefined);
                resolve(response);
            },
        );
        request.on("error", reject);
    });
}

/**
 * GET with redirects followed by hand, each hop by the one redirect rule, and plain http to loopback hosts
 * only (the config refuses such a hub; a redirect could still point there). Each followed URL is added to `redirects`.
 */
async function getFollowingRedirects(url: string, signal: AbortSignal, redirects: string[]): Promise<http.IncomingMessage> {
    let current = url;
    for (let hop = 0; ; hop++) {
        if (isPlainHttpOffLoopback(new URL(current))) {
            throw new RedirectRefused(`plain http to ${firstPrintableLine(new URL(current).host, 200)}, which is not a loopback host: only https is asked`);
        }
        const response = await get(current, signal);
        const status = response.statusCode ?? 0;
        if (!REDIRECT_STATUSES.has(status)) return response;
        response.destroy();
        const target = redirectTarget(new URL(current), header(response, "location"), hop);
        if ("refused" in target) throw new RedirectRefused(refusal(status, target));
        redirects.push(target.next.href);
        current = target.next.href;
    }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            resolve();
        }
        signal.addEventListener("abort", done);
    });
}

/** What one request came to: an outcome, or a rate-limit refusal after which the caller may ask again. */
type Attempt = { final: WarmupOutcomeKind; why?: string } | { rateLimited: RateLimitHeaders; why: string };

export async function warmMember(request: MemberWarmupRequest): Promise<MemberWarmup> {
    const started = Date.now();
    const elapsed = () => Math.round((Date.now() - started) / 100) / 10;
    const timeoutS = request.timeoutS;
    const idleTimeoutS = request.idleTimeoutS ?? HUB_IDLE_TIMEOUT_S;
    let phaseReports = 0;
    const reportPhase = () => {
        phaseReports++;
        if (phaseReports <= MAX_PHASE_REPORTS) request.onPhase?.(firstPrintableLine(phase ?? "", 40), message(), elapsed());
        else if (phaseReports === MAX_PHASE_REPORTS + 1)
            request.onPhase?.(
                firstPrintableLine(phase ?? "", 40),
                `further phase changes are not shown (at most ${MAX_PHASE_REPORTS} per hub and ref)`,
                elapsed(),
            );
    };
    const deadline = started + timeoutS * 1000;
    const url = buildEndpoint(request.owner, request.repository, request.ref, request.hub);
    const allowance = request.allowance ?? new HubAllowance();
    const redirects: string[] = [];
    // As the hub sent them; made printable only when shown (a busy build sends thousands of log events).
    let phase: string | null = null;
    let rawMessage = "";
    const message = () => firstPrintableLine(rawMessage);
    let waitedMs = 0;
    const result = (outcome: WarmupOutcomeKind, why?: string): MemberWarmup => ({
        hub: request.hub,
        url,
        outcome,
        phase: phase === null ? null : firstPrintableLine(phase, 40),
        message: why ?? message(),
        startedAt: new Date(started).toISOString(),
        elapsedSeconds: elapsed(),
        waitedSeconds: Math.round(waitedMs / 100) / 10,
        redirects,
    });
    const lastPhase = () => (phase === null ? "before any phase" : `after phase "${firstPrintableLine(phase, 40)}"`);

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(
        () => {
            timedOut = true;
            controller.abort();
        },
        Math.max(0, deadline - Date.now()),
    );

    /** One request, read until an outcome. */
    const ask = async (): Promise<Attempt> => {
        // Each attempt has its own connection: hanging up one must not abort the next.
        const attempt = new AbortController();
        const stop = () => attempt.abort();
        controller.signal.addEventListener("abort", stop);
        let connected = false;
        // Restarted by every answer and every chunk: a hub silent for idleTimeoutS is hung up on.
        let idleTimer: NodeJS.Timeout | undefined;
        let idle = false;
        const heard = () => {
            clearTimeout(idleTimer);
            idleTimer = setTimeout(() => {
                idle = true;
                attempt.abort();
            }, idleTimeoutS * 1000);
        };
        heard();
        try {
            let response: http.IncomingMessage;
            try {
                response = await getFollowingRedirects(url, attempt.signal, redirects);
            } catch (err) {
                if (err instanceof RedirectRefused) return { final: "unreachable", why: `${url}: ${err.message}` };
                throw err;
            }
            heard();
            const status = response.statusCode ?? 0;
            const headers = rateLimitHeaders(response);
            if (status === 429) {
                return { rateLimited: headers, why: `${redirects.at(-1) ?? url} answered HTTP 429 Too Many Requests` };
            }
            if (status < 200 || status > 299) {
                return { final: "unreachable", why: `${url} answered HTTP ${status} ${firstPrintableLine(response.statusMessage ?? "", 100)}`.trimEnd() };
            }
            const type = header(response, "content-type") ?? "";
            if (!/^text\/event-stream\b/i.test(type)) {
                return { final: "unreachable", why: `${url} answered ${firstPrintableLine(type, 100) || "no content type"}, not an event stream` };
            }
            allowance.recordAccepted(headers, Date.now());
            connected = true;
            const decoder = new TextDecoder();
            const parser = new EventStreamParser();
            let builtNow = false;
            for await (const chunk of response) {
                heard();
                for (const event of parser.push(decoder.decode(chunk as Buffer, { stream: true }))) {
                    let parsed: unknown;
                    try {
                        parsed = JSON.parse(event.data);
                    } catch {
                        continue; // not a phase event
                    }
                    if (typeof parsed !== "object" || parsed === null) continue;
                    const data = parsed as { phase?: unknown; message?: unknown; status_code?: unknown };
                    if (typeof data.phase !== "string") continue;
                    const changed = data.phase !== phase;
                    phase = data.phase;
                    rawMessage = typeof data.message === "string" ? data.message : "";
                    if (changed) reportPhase();
                    if (BUILD_PHASES.has(phase)) builtNow = true;
                    if (FINAL_PHASES.has(phase)) return { final: builtNow ? "built" : "already built" };
                    if (FAILED_PHASES.has(phase)) {
                        // BinderHub's send_error: an HTTP error inside an HTTP 200 stream, 429 for its rate limit.
                        if (data.status_code === 429) return { rateLimited: {}, why: `${url}: ${message() || "rate limit exceeded"}` };
                        return { final: "failed" };
                    }
                }
            }
            return { final: "closed", why: `the event stream ended ${lastPhase()}, without ready, built or failed` };
        } catch (err) {
            if (err instanceof EventStreamOverflow) return { final: "closed", why: `${err.message} ${lastPhase()}; hung up` };
            if (timedOut) return { final: "timeout", why: `no ready, built or failed within ${timeoutS} s (${lastPhase()})` };
            if (idle) return { final: "timeout", why: `the hub sent nothing for ${idleTimeoutS} s ${lastPhase()}; hung up` };
            if (connected) return { final: "closed", why: `the event stream broke ${lastPhase()}: ${firstPrintableLine(reasonOf(err), 200)}` };
            return { final: "unreachable", why: `could not reach ${url}: ${firstPrintableLine(reasonOf(err), 200)}` };
        } finally {
            // Hang up: after `built` the hub would go on to launch a server nobody uses.
            clearTimeout(idleTimer);
            attempt.abort();
            controller.signal.removeEventListener("abort", stop);
        }
    };

    try {
        let refusals = 0;
        let lastRefusal = "";
        for (;;) {
            const decision = allowance.decide(Date.now(), deadline);
            if (decision.kind === "refused") return result("rate limited", lastRefusal ? `${lastRefusal}; ${decision.reason}` : decision.reason);
            if (decision.kind === "wait") {
                const from = Date.now();
                await sleep(decision.untilMs - from, controller.signal);
                waitedMs += Date.now() - from;
                if (timedOut) return result("timeout", `no ready, built or failed within ${timeoutS} s (waiting for the hub's rate limit)`);
                allowance.windowPassed(Date.now());
                continue;
            }
            allowance.spend();
            const attempt = await ask();
            if ("final" in attempt) return result(attempt.final, attempt.why);
            refusals++;
            lastRefusal = attempt.why;
            allowance.recordRefused(attempt.rateLimited, Date.now());
            if (refusals >= MAX_RATE_LIMITED_ATTEMPTS) return result("rate limited", `${lastRefusal}; refused ${refusals} times`);
            phase = null;
            rawMessage = "";
        }
    } finally {
        clearTimeout(timer);
        controller.abort();
    }
}
