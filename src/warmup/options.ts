/**
 * The warm-up's options, declared once: the hubs it asks and how long it waits for each. The config
 * (`launcher.binderHubs`, `launcher.warmupTimeoutS`), `uw3-binder warmup --hubs/--binder-url/--timeout-s`
 * and the command line the launcher component runs (./commandLine.ts) all take them from here, so what
 * the config accepts the CLI accepts unchanged (test/warmup/options.test.ts round-trips them).
 */
import { FEDERATION_MEMBERS } from "../mybinder/facts";
import { binderUrlProblem, normaliseHubUrl } from "../names/hubUrl";
import { shown } from "../text/quotedValue";

/** The longest delay Node's setTimeout keeps; a longer one fires after 1 ms (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The longest timeout in seconds a key or flag may ask for: 2147483 s, about 24 days. */
export const MAX_TIMEOUT_S = Math.floor(MAX_TIMER_MS / 1000);
/** Why the bound exists, for the messages that refuse a larger value. */
const MAX_TIMEOUT_REASON = `${MAX_TIMEOUT_S} seconds (about 24 days, the longest timer Node.js keeps)`;

/** Seconds a warm-up waits per branch and hub, rate-limit waits included, unless told otherwise. */
export const DEFAULT_WARMUP_TIMEOUT_S = 600;
/** More hubs than this in one config is a typo, and each costs a build of every branch. */
const MAX_BINDER_HUBS = 10;

/** What a warm-up timeout must be (completes "expected ..." and "must be ..."), or undefined when `seconds` is one. */
export function warmupTimeoutProblem(seconds: unknown): string | undefined {
    if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds <= 0) return "a whole number of seconds above 0";
    if (seconds > MAX_TIMEOUT_S) return `at most ${MAX_TIMEOUT_REASON}`;
    return undefined;
}

/** A problem of a hub list: the index of the hub it is about, or none for the list as a whole. */
export interface HubProblem {
    index?: number;
    problem: string;
}

/** The hubs a list names, normalised, and every problem with it: at most MAX_BINDER_HUBS, each a valid URL, each listed once. */
export function warmupHubs(given: readonly string[]): { hubs: string[]; problems: HubProblem[] } {
    const hubs: string[] = [];
    const problems: HubProblem[] = [];
    if (given.length > MAX_BINDER_HUBS)
        problems.push({ problem: `expected at most ${MAX_BINDER_HUBS} hubs (each builds every branch), found ${given.length}` });
    given.forEach((hub, index) => {
        const hp = binderUrlProblem(hub, FEDERATION_MEMBERS[0]);
        if (hp) problems.push({ index, problem: `${hp}, found ${shown(hub)}` });
        else if (hubs.includes(normaliseHubUrl(hub))) problems.push({ index, problem: `duplicate hub ${shown(hub)}; each hub is listed once` });
        else hubs.push(normaliseHubUrl(hub));
    });
    return { hubs, problems };
}
