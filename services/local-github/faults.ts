import picomatch from "picomatch";

/**
 * A fault a test asks for: on requests whose method and path match, from the `nth` match on, `count` times, answer
 * `status` (with a GitHub error body) and/or wait `delayMs` first. `when: "after"` lets the request do its work and
 * then replaces the answer: the write landed, but the client is told it failed (a lost response).
 */
export interface FaultRule {
    /** HTTP method, or undefined for any. */
    method?: string;
    /** A glob over the request path without the query (`/api/v3/repos/o/r/contents/**`); `*` stops at `/`. */
    path: string;
    /**
     * Only requests about this branch: a contents write's JSON `branch`, or the `?ref=` of a read. The contents API
     * writes every branch's files through the same path, so this is how a test fails the write to one branch.
     */
    branch?: string;
    /** The first match to hit, 1-based. Default 1. */
    nth?: number;
    /** How many matches to hit from the `nth` on. Default 1. */
    count?: number;
    status?: number;
    delayMs?: number;
    when?: "before" | "after";
}

export interface ActiveFault extends Required<Pick<FaultRule, "path" | "nth" | "count" | "when">> {
    id: number;
    method?: string;
    branch?: string;
    status?: number;
    delayMs?: number;
    /** Requests that matched so far. */
    seen: number;
    /** Requests this fault was applied to. */
    hits: number;
}

const MAX_DELAY_MS = 120_000;

/** Checks a rule from the control API; throws one line naming the bad field and what was expected. */
export function parseFaultRule(raw: unknown): FaultRule {
    if (typeof raw !== "object" || raw === null)
        throw new Error('a fault is a JSON object: { "path": GLOB, "method"?, "branch"?, "nth"?, "count"?, "status"?, "delayMs"?, "when"? }');
    const r = raw as Record<string, unknown>;
    const known = new Set(["method", "path", "branch", "nth", "count", "status", "delayMs", "when"]);
    for (const k of Object.keys(r)) if (!known.has(k)) throw new Error(`fault: unknown field "${k}" (expected ${[...known].join(", ")})`);
    if (typeof r.path !== "string" || !r.path.startsWith("/") || r.path.length > 1000)
        throw new Error('fault.path must be a glob starting with "/" (at most 1000 characters)');
    if (r.method !== undefined && (typeof r.method !== "string" || !/^[A-Z]{3,7}$/.test(r.method)))
        throw new Error("fault.method must be an HTTP method in capitals, e.g. PUT");
    const int = (k: string, min: number, max: number): number | undefined => {
        const v = r[k];
        if (v === undefined) return undefined;
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
            throw new Error(`fault.${k} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
        return v;
    };
    if (r.branch !== undefined && (typeof r.branch !== "string" || r.branch.length < 1 || r.branch.length > 255))
        throw new Error("fault.branch must be a branch name (1 to 255 characters)");
    const rule: FaultRule = { path: r.path };
    if (r.method !== undefined) rule.method = r.method;
    if (r.branch !== undefined) rule.branch = r.branch;
    const nth = int("nth", 1, 1_000_000);
    const count = int("count", 1, 1_000_000);
    const status = int("status", 400, 599);
    const delayMs = int("delayMs", 0, MAX_DELAY_MS);
    if (nth !== undefined) rule.nth = nth;
    if (count !== undefined) rule.count = count;
    if (status !== undefined) rule.status = status;
    if (delayMs !== undefined) rule.delayMs = delayMs;
    if (status === undefined && delayMs === undefined) throw new Error("fault needs a status, a delayMs, or both");
    if (r.when !== undefined) {
        if (r.when !== "before" && r.when !== "after") throw new Error('fault.when must be "before" or "after"');
        rule.when = r.when;
    }
    return rule;
}

/** The faults in force, in the order they were added; the first that applies to a request wins. */
export class Faults {
    private rules: { fault: ActiveFault; match: (p: string) => boolean }[] = [];
    private nextId = 1;

    add(rule: FaultRule): ActiveFault {
        const fault: ActiveFault = {
            id: this.nextId++,
            path: rule.path,
            nth: rule.nth ?? 1,
            count: rule.count ?? 1,
            when: rule.when ?? "before",
            seen: 0,
            hits: 0,
        };
        if (rule.method) fault.method = rule.method;
        if (rule.branch !== undefined) fault.branch = rule.branch;
        if (rule.status !== undefined) fault.status = rule.status;
        if (rule.delayMs !== undefined) fault.delayMs = rule.delayMs;
        this.rules.push({ fault, match: picomatch(rule.path, { dot: true }) });
        return fault;
    }

    list(): ActiveFault[] {
        return this.rules.map((r) => ({ ...r.fault }));
    }

    clear(): void {
        this.rules = [];
    }

    /** Removes one fault (by its id), leaving the others; false when there is none with that id. */
    remove(id: number): boolean {
        const before = this.rules.length;
        this.rules = this.rules.filter((r) => r.fault.id !== id);
        return this.rules.length < before;
    }

    /** Counts the request against every matching fault; returns the one to apply to it, if any. */
    take(method: string, path: string, branch?: string): ActiveFault | undefined {
        let chosen: ActiveFault | undefined;
        for (const { fault, match } of this.rules) {
            if ((fault.method && fault.method !== method) || !match(path)) continue;
            if (fault.branch !== undefined && fault.branch !== branch) continue;
            fault.seen++;
            if (!chosen && fault.seen >= fault.nth && fault.hits < fault.count) {
                fault.hits++;
                chosen = { ...fault };
            }
        }
        return chosen;
    }
}
