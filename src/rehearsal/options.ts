/**
 * The options of a rehearsed launch (`uw3-binder rehearse`), declared once: what it renders (the target:
 * branch, Underworld3 branch, release or followed ref) and how it starts (memory, CPUs, start timeout), each with its flag,
 * its rule and its default (mybinder.org's limits). The config's `launcher.rehearsal` and branches, the
 * `rehearse` flags and the command line the launcher component runs all derive from these declarations
 * (test/rehearsal/options.test.ts round-trips them).
 */
import { BINDER_CPUS, BINDER_MEMORY, BINDER_START_TIMEOUT_S, MAX_START_TIMEOUT_S } from "../mybinder/facts";
import { branchNameProblem, uw3BranchProblem } from "../names/git";
import { releaseProblem } from "../names/release";

/** How mybinder.org starts a launcher's image; the defaults are its per-user limits. */
export interface RehearsalOptions {
    /** `docker run --memory` (and `--memory-swap`, since Kubernetes nodes have no swap): mybinder.org gives 2 GB. */
    memory: string;
    /** `docker run --cpus`: mybinder.org guarantees 1 CPU. */
    cpus: number;
    /** Seconds Jupyter has to answer HTTP 200; mybinder.org gives up after 30. */
    startTimeoutS: number;
}

export const DEFAULT_REHEARSAL_OPTIONS: RehearsalOptions = {
    memory: BINDER_MEMORY,
    cpus: BINDER_CPUS,
    startTimeoutS: BINDER_START_TIMEOUT_S,
};

/**
 * What one rehearsal renders: the launcher branch's `.binder/Dockerfile` inputs besides its pin. A frozen
 * release branch's file names no release (src/render/launcher.ts): its target says `frozen` and leaves
 * `release` empty, so it rehearses the very file committed, with a command line no later release changes.
 * A following branch of a build per ref names the ref it follows instead: its target says `follows` and
 * leaves `release` empty, for the same reason.
 */
export type RehearsalTarget = { branch: string; uw3Branch: string } & (
    | { release: string; frozen?: undefined; follows?: undefined }
    | { release: ""; frozen: true; follows?: undefined }
    | { release: ""; follows: string; frozen?: undefined }
);

/** The `rehearse` flag of a frozen release branch's target, which takes the place of `--release`. */
export const FROZEN_FLAG = "--frozen";

const MEMORY_PATTERN = /^([1-9][0-9]{0,6})([kmg])$/;
const UNIT_BYTES: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
/** Docker refuses a memory limit under 6 MB ("Minimum memory limit allowed is 6MB"). */
const MIN_MEMORY_BYTES = 6 * 1024 ** 2;

/** The bytes a `--memory` value means (k, m, g are powers of 1024, as for Docker and JupyterHub), or NaN. */
export function memoryBytes(memory: string): number {
    const match = MEMORY_PATTERN.exec(memory);
    return match ? Number(match[1]) * UNIT_BYTES[match[2]] : NaN;
}

/** Why a `--memory` value is refused, or undefined: a whole number with k, m or g, as `docker run` reads it. */
export function memoryProblem(memory: string): string | undefined {
    const bytes = memoryBytes(memory);
    if (Number.isNaN(bytes)) return 'expected a whole number with a unit k, m or g (for example "2g" or "512m")';
    if (bytes < MIN_MEMORY_BYTES) return "Docker refuses a memory limit under 6m";
    return undefined;
}

/** Why a `--cpus` value is refused, or undefined: Docker counts CPUs in hundredths. */
export function cpusProblem(cpus: number): string | undefined {
    if (!Number.isFinite(cpus) || cpus < 0.01) return "expected a number of CPUs of at least 0.01 (for example 1 or 0.5)";
    if (Math.round(cpus * 100) !== cpus * 100) return "expected at most two decimals (Docker counts CPUs in hundredths)";
    return undefined;
}

/** Why a start timeout is refused, or undefined. */
function startTimeoutProblem(seconds: number): string | undefined {
    return Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_START_TIMEOUT_S
        ? undefined
        : `expected a number of seconds above 0 and at most ${MAX_START_TIMEOUT_S}`;
}

/**
 * One field of a rehearsal's target or options: its `rehearse` flag, how a command-line word reads as a
 * value, and the one rule the value follows (the config applies it to its key, the CLI to its flag).
 */
export interface RehearsalField<K extends string, V> {
    key: K;
    flag: string;
    /** How the usage shows the value, e.g. `<size>`. */
    placeholder: string;
    read: (word: string) => V;
    /** Why a value is refused (the message after the flag, or after the config key), or undefined. */
    problem: (value: V) => string | undefined;
}

const asText = (word: string): string => word;
/** A plain decimal, as `docker run --cpus` is written; anything else is refused by the field's rule. */
const asNumber = (word: string): number => (/^\d+(\.\d+)?$/.test(word) ? Number(word) : NaN);

/**
 * The target's fields, in the order the command line writes them: `release`, FROZEN_FLAG or `follows`,
 * whichever the target names (targetWords).
 */
export const REHEARSAL_TARGET_FIELDS: readonly RehearsalField<"branch" | "uw3Branch" | "release" | "follows", string>[] = [
    {
        key: "branch",
        flag: "--branch",
        placeholder: "<name>",
        read: asText,
        problem: (name) => {
            const git = branchNameProblem(name);
            return git && `git refuses this branch name: ${git}`;
        },
    },
    // The launcher Dockerfile's rule, stricter than git's: the one the config applies to `uw3Branch`.
    { key: "uw3Branch", flag: "--uw3-branch", placeholder: "<name>", read: asText, problem: uw3BranchProblem },
    { key: "release", flag: "--release", placeholder: "<release>", read: asText, problem: releaseProblem },
    // A ref of the source repository, as the config's `refs` takes it (src/config/refs.ts) and the Dockerfile's comment carries it.
    { key: "follows", flag: "--follows", placeholder: "<ref>", read: asText, problem: uw3BranchProblem },
];

/** The options, in the order the command line writes them. */
export const REHEARSAL_OPTION_FIELDS: readonly RehearsalField<keyof RehearsalOptions, string | number>[] = [
    { key: "memory", flag: "--memory", placeholder: "<size>", read: asText, problem: (v) => memoryProblem(String(v)) },
    { key: "cpus", flag: "--cpus", placeholder: "<N>", read: asNumber, problem: (v) => cpusProblem(Number(v)) },
    { key: "startTimeoutS", flag: "--start-timeout-s", placeholder: "<N>", read: asNumber, problem: (v) => startTimeoutProblem(Number(v)) },
];

/** A target's words for one field: `--release` for a target naming a release, FROZEN_FLAG in its place for a frozen one, `--follows` for one following a ref. */
function targetWords(target: RehearsalTarget, field: (typeof REHEARSAL_TARGET_FIELDS)[number]): string[] {
    switch (field.key) {
        case "release":
            if (target.frozen) return [FROZEN_FLAG];
            return target.follows === undefined ? [field.flag, target.release] : [];
        case "follows":
            return target.follows === undefined ? [] : [field.flag, target.follows];
        default:
            return [field.flag, target[field.key]];
    }
}

/**
 * The `uw3-binder rehearse` arguments for one launcher branch, before the reference (the launcher
 * component appends it, quoted). Pure; only options that differ from mybinder.org's defaults are spelled
 * out, so `pulumi preview` shows what is unusual about a stack.
 */
export function rehearsalArgs(target: RehearsalTarget, options: RehearsalOptions): string[] {
    const args = REHEARSAL_TARGET_FIELDS.flatMap((f) => targetWords(target, f));
    for (const f of REHEARSAL_OPTION_FIELDS) if (options[f.key] !== DEFAULT_REHEARSAL_OPTIONS[f.key]) args.push(f.flag, String(options[f.key]));
    return args;
}
