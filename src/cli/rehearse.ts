/**
 * `uw3-binder rehearse <pinned-reference> --branch B --uw3-branch U --release YYYY.MM`: builds the launcher
 * branch's `.binder/Dockerfile` as mybinder.org's repo2docker would and starts it as BinderHub does.
 *
 * The launcher component runs it with `--print-ref` before it repins a branch and pins only what it
 * printed, so stdout then carries nothing but the reference; the table goes to stderr. Exit codes: 0 the
 * launch answered HTTP 200 in time, 1 the rehearsal failed, 2 a usage error.
 */
import { branchNameProblem } from "../config/names";
import { RELEASE_PATTERN } from "../config/schema";
import { renderCheckTable } from "../check/run";
import { splitPinnedReference } from "../render/launcher";
import { BINDER_PORT, BINDER_UID, describedLaunchCommand, rehearsalReport, rehearseLaunch } from "../rehearsal/launch";
import { DEFAULT_REHEARSAL_OPTIONS, RehearsalOptions, RehearsalTarget, cpusProblem, memoryProblem, startTimeoutProblem } from "../rehearsal/options";
import { Command } from "./main";
import { ParsedArgs, UsageError, parseArgs } from "./usage";

const d = DEFAULT_REHEARSAL_OPTIONS;

export const usage = `usage: uw3-binder rehearse <pinned-reference> --branch NAME --uw3-branch NAME --release YYYY.MM [options]

Builds the launcher branch's .binder/Dockerfile (exactly as uw3-binder commits it, FROM <pinned-reference>)
as mybinder.org's repo2docker does, starts it as BinderHub does (UID ${BINDER_UID}, its CPU and memory limits, no
network, "${describedLaunchCommand()}" through the image's entrypoint) and waits for HTTP 200 on port ${BINDER_PORT}.
The image and the container are removed afterwards.

<pinned-reference>           <repository>:<tag>@sha256:<64 hex>, the launcher's FROM

options:
  --branch NAME              the launcher branch (its name is in the Dockerfile's comment)
  --uw3-branch NAME          the Underworld3 branch (ENV UW3_BRANCH)
  --release YYYY.MM          the release month (in the Dockerfile's comment)
  --memory SIZE              memory limit, e.g. 2g or 512m (default ${d.memory}, mybinder.org's)
  --cpus N                   CPU limit (default ${d.cpus}, mybinder.org's)
  --start-timeout-s N        seconds the server has to answer HTTP 200 (default ${d.startTimeoutS}, mybinder.org's)
  --json                     print {"reference", "branch", "ok", "secondsToHttp200", "checks": [{"name", "ok", "detail"}]}
  --print-ref                print only the rehearsed reference on stdout (the table goes to stderr)

exit status: 0 the launch answered HTTP 200 in time, 1 the rehearsal failed, 2 usage error`;

export interface RehearseArgs {
    reference: string;
    target: RehearsalTarget;
    options: RehearsalOptions;
    json: boolean;
    printRef: boolean;
}

const SPEC = {
    booleans: ["json", "print-ref"],
    values: ["branch", "uw3-branch", "release", "memory", "cpus", "start-timeout-s"],
};

function requiredFlag(args: ParsedArgs, name: string, example: string): string {
    const value = args.flags.get(name);
    if (typeof value !== "string") throw new UsageError(`missing --${name}, e.g. --${name} ${example}`);
    return value;
}

function numberValue(args: ParsedArgs, name: string, fallback: number, problem: (n: number) => string | undefined): number {
    const raw = args.flags.get(name);
    if (typeof raw !== "string") return fallback;
    const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
    const why = problem(value);
    if (why) throw new UsageError(`--${name}: ${why}, found "${raw}"`);
    return value;
}

/** Parses `rehearse` arguments; every problem is a UsageError naming the flag, what it expects and what it got. */
export function parseRehearseArgs(argv: string[]): RehearseArgs {
    const args = parseArgs(argv, SPEC);
    if (args.positional.length === 0) {
        throw new UsageError("missing <pinned-reference>, e.g. ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:<64 hex>");
    }
    if (args.positional.length > 1) {
        throw new UsageError(`expected one <pinned-reference>, found ${args.positional.length}: ${args.positional.map((p) => `"${p}"`).join(", ")}`);
    }
    const reference = args.positional[0].trim();
    try {
        // The launcher's FROM: mybinder.org needs the tag, the digest makes the pin exact.
        splitPinnedReference(reference);
    } catch (err) {
        throw new UsageError((err as Error).message);
    }

    const branch = requiredFlag(args, "branch", "development");
    const uw3Branch = requiredFlag(args, "uw3-branch", "development");
    for (const [flag, value] of [["branch", branch], ["uw3-branch", uw3Branch]] as const) {
        const problem = branchNameProblem(value);
        if (problem) throw new UsageError(`--${flag}: git refuses this branch name: ${problem}, found "${value}"`);
    }
    const release = requiredFlag(args, "release", "2025.01");
    if (!RELEASE_PATTERN.test(release)) throw new UsageError(`--release: expected a release month YYYY.MM (for example "2025.01"), found "${release}"`);

    const memory = args.flags.get("memory");
    if (typeof memory === "string") {
        const problem = memoryProblem(memory);
        if (problem) throw new UsageError(`--memory: ${problem}, found "${memory}"`);
    }

    const json = args.flags.get("json") === true;
    const printRef = args.flags.get("print-ref") === true;
    if (json && printRef) throw new UsageError("--json and --print-ref are mutually exclusive");

    return {
        reference,
        target: { branch, uw3Branch, release },
        options: {
            memory: typeof memory === "string" ? memory : d.memory,
            cpus: numberValue(args, "cpus", d.cpus, cpusProblem),
            startTimeoutS: numberValue(args, "start-timeout-s", d.startTimeoutS, startTimeoutProblem),
        },
        json,
        printRef,
    };
}

async function run(argv: string[]): Promise<number> {
    const args = parseRehearseArgs(argv);

    // rehearseLaunch removes its container and image, also on SIGINT/SIGTERM (exit 130/143).
    const outcome = await rehearseLaunch(args.reference, args.target, args.options);

    if (args.json) {
        process.stdout.write(JSON.stringify(rehearsalReport(outcome), null, 2) + "\n");
        return outcome.ok ? 0 : 1;
    }
    const table = `launcher branch ${outcome.branch}: ${outcome.reference}\n${renderCheckTable(outcome.steps)}\n`;
    if (!args.printRef) {
        process.stdout.write(table);
        return outcome.ok ? 0 : 1;
    }
    process.stderr.write(table);
    if (!outcome.ok) return 1;
    process.stdout.write(outcome.reference + "\n");
    return 0;
}

export const command: Command = {
    summary: "build a launcher branch's .binder/Dockerfile and start it as mybinder.org does",
    usage,
    run,
};
