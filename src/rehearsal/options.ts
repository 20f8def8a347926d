/**
 * The options of a rehearsed launch (`uw3-binder rehearse`), declared once: their defaults (mybinder.org's
 * limits), the rule each value follows, and the command line the launcher component runs, which the CLI
 * parser reads back. No Pulumi import.
 */
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
    memory: "2g",
    cpus: 1,
    startTimeoutS: 30,
};

/** What one rehearsal renders: the launcher branch's `.binder/Dockerfile` inputs besides its pin. */
export interface RehearsalTarget {
    branch: string;
    uw3Branch: string;
    release: string;
}

const MEMORY_PATTERN = /^([1-9][0-9]{0,6})([kmg])$/;
const UNIT_BYTES: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
/** Docker refuses a memory limit under 6 MB ("Minimum memory limit allowed is 6MB"). */
const MIN_MEMORY_BYTES = 6 * 1024 ** 2;

/** Why a `--memory` value is refused, or undefined: a whole number with k, m or g, as `docker run` reads it. */
export function memoryProblem(memory: string): string | undefined {
    const match = MEMORY_PATTERN.exec(memory);
    if (!match) return 'expected a whole number with a unit k, m or g (for example "2g" or "512m")';
    if (Number(match[1]) * UNIT_BYTES[match[2]] < MIN_MEMORY_BYTES) return "Docker refuses a memory limit under 6m";
    return undefined;
}

/** Why a `--cpus` value is refused, or undefined: Docker counts CPUs in hundredths. */
export function cpusProblem(cpus: number): string | undefined {
    if (!Number.isFinite(cpus) || cpus < 0.01) return "expected a number of CPUs of at least 0.01 (for example 1 or 0.5)";
    if (Math.round(cpus * 100) !== cpus * 100) return "expected at most two decimals (Docker counts CPUs in hundredths)";
    return undefined;
}

/** Why a start timeout is refused, or undefined. */
export function startTimeoutProblem(seconds: number): string | undefined {
    return Number.isFinite(seconds) && seconds > 0 && seconds <= 3600 ? undefined : "expected a number of seconds above 0 and at most 3600";
}

/**
 * The `uw3-binder rehearse` arguments for one launcher branch, before the reference (the launcher
 * component appends it, quoted). Pure; only options that differ from mybinder.org's defaults are spelled
 * out, so `pulumi preview` shows what is unusual about a stack.
 */
export function rehearsalArgs(target: RehearsalTarget, options: RehearsalOptions): string[] {
    const args = ["--branch", target.branch, "--uw3-branch", target.uw3Branch, "--release", target.release];
    const d = DEFAULT_REHEARSAL_OPTIONS;
    if (options.memory !== d.memory) args.push("--memory", options.memory);
    if (options.cpus !== d.cpus) args.push("--cpus", String(options.cpus));
    if (options.startTimeoutS !== d.startTimeoutS) args.push("--start-timeout-s", String(options.startTimeoutS));
    return args;
}
