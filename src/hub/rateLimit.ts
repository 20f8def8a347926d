/**
 * A BinderHub's build allowance, read from its answers, so that `warmup` never asks more often than a hub
 * allows. Pure (the clock is passed in).
 *
 * BinderHub limits anonymous builds per IP (binderhub/ratelimit.py: 10 per `period_seconds`, 3600, a fixed
 * window; binderhub/base.py `check_rate_limit`). An accepted request carries `X-RateLimit-Remaining` (what
 * is left after it) and `X-RateLimit-Reset` (when the window ends, in epoch seconds); a refused one is
 * HTTP 429 — which BuildHandler.send_error turns into a `failed` event with `status_code: 429` on an
 * HTTP 200 stream — saying "Try again in <period> seconds". Other servers in front of a hub send 429 with
 * `Retry-After` (delta seconds or an HTTP date, RFC 9110 §10.2.3).
 */

export interface RateLimitHeaders {
    retryAfter?: string | null;
    remaining?: string | null;
    reset?: string | null;
}

/** Epoch seconds from here on are a timestamp; smaller `X-RateLimit-Reset` values are seconds from now. */
const EPOCH_SECONDS_FLOOR = 1_000_000_000;

/**
 * The last instant a JavaScript Date holds (ECMAScript's time value range, ±8.64e15 ms). A hub's
 * `Retry-After: 9999999999999` or an `X-RateLimit-Reset` past it is a time no date can name: such a time is
 * kept as a number (never reached within any timeout) and worded by `instant`, never turned into a Date.
 */
const LAST_DATE_MS = 8.64e15;

/** A time for a message: ISO 8601, or what it is when no date can name it. */
function instant(ms: number): string {
    return ms <= LAST_DATE_MS ? new Date(ms).toISOString() : "a time past the last date JavaScript can name (year 275760)";
}

/** When `Retry-After` allows the next request (epoch ms), or undefined when the header is absent or unreadable. */
function retryAfterAt(value: string | null | undefined, nowMs: number): number | undefined {
    if (value === null || value === undefined) return undefined;
    const trimmed = value.trim();
    if (/^\d+$/.test(trimmed)) return nowMs + Number(trimmed) * 1000;
    const date = Date.parse(trimmed);
    return Number.isNaN(date) ? undefined : Math.max(date, nowMs);
}

/** When `X-RateLimit-Reset` ends the window (epoch ms), or undefined. */
function resetAt(value: string | null | undefined, nowMs: number): number | undefined {
    if (value === null || value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
    const n = Number(value.trim());
    return n >= EPOCH_SECONDS_FLOOR ? n * 1000 : nowMs + n * 1000;
}

/** What to do before the next build request to one hub. */
export type AllowanceDecision = { kind: "ask" } | { kind: "wait"; untilMs: number } | { kind: "refused"; reason: string };

/**
 * One hub's allowance as its last answers described it. Shared by every request to that hub within one
 * `warmup` run (one per launcher branch with `--stack`).
 */
export class HubAllowance {
    /** Requests the hub still allows before `resetAtMs`; undefined when it never said. */
    private remaining: number | undefined;
    private resetAtMs: number | undefined;
    /** A 429's `Retry-After`, or the window's end once the hub refused. */
    private blockedUntilMs: number | undefined;
    /** The hub refused and gave no time at which it will accept again. */
    private blockedIndefinitely = false;

    /** Records an accepted answer's `X-RateLimit-*` headers. */
    recordAccepted(headers: RateLimitHeaders, nowMs: number): void {
        const remaining = headers.remaining?.trim();
        if (remaining !== undefined && /^-?\d+$/.test(remaining)) this.remaining = Math.max(0, Number(remaining));
        const reset = resetAt(headers.reset, nowMs);
        if (reset !== undefined) this.resetAtMs = reset;
    }

    /** Records a refusal (HTTP 429, or BinderHub's `failed` event with status 429). */
    recordRefused(headers: RateLimitHeaders, nowMs: number): void {
        const reset = resetAt(headers.reset, nowMs);
        if (reset !== undefined) this.resetAtMs = reset;
        const knownReset = this.resetAtMs !== undefined && this.resetAtMs > nowMs ? this.resetAtMs : undefined;
        const until = retryAfterAt(headers.retryAfter, nowMs) ?? knownReset;
        if (until !== undefined) this.blockedUntilMs = until;
        else this.blockedIndefinitely = true;
    }

    /** Before a request: ask now, wait until a time within `deadlineMs`, or give up as rate limited. */
    decide(nowMs: number, deadlineMs: number): AllowanceDecision {
        if (this.blockedIndefinitely) return { kind: "refused", reason: "the hub refused a build (HTTP 429) and said no time to try again" };
        let untilMs: number | undefined;
        if (this.blockedUntilMs !== undefined && this.blockedUntilMs > nowMs) untilMs = this.blockedUntilMs;
        if (this.remaining === 0) {
            if (this.resetAtMs === undefined)
                return { kind: "refused", reason: "the hub allows no more builds (X-RateLimit-Remaining: 0) and said no reset time" };
            if (this.resetAtMs > nowMs) untilMs = Math.max(untilMs ?? 0, this.resetAtMs);
        }
        if (untilMs === undefined) return { kind: "ask" };
        if (untilMs > deadlineMs) {
            return { kind: "refused", reason: `the hub allows the next build at ${instant(untilMs)}, after the timeout` };
        }
        return { kind: "wait", untilMs };
    }

    /** After a wait that reached the window's end: the hub's counter starts again. */
    windowPassed(nowMs: number): void {
        if (this.resetAtMs !== undefined && this.resetAtMs <= nowMs) {
            this.remaining = undefined;
            this.resetAtMs = undefined;
        }
        if (this.blockedUntilMs !== undefined && this.blockedUntilMs <= nowMs) this.blockedUntilMs = undefined;
    }

    /** Counts a request about to be sent, so two requests never both spend the last allowance. */
    spend(): void {
        if (this.remaining !== undefined && this.remaining > 0) this.remaining--;
    }
}
