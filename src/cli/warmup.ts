/**
 * `uw3-binder warmup`: asks BinderHubs to build launcher commits now, so the first user on each
 * federation member does not wait for a build. Advisory: exits 0 whatever the hubs say (it runs inside
 * `pulumi up` and on a schedule), and 2 only for a bad command line or stack file.
 */
import * as fs from "fs";
import { binderUrlProblem } from "../config/names";
import { ConfigError } from "../config/schema";
import { loadPlanConfig } from "../config/stackFile";
import { LinkInputError, parseRepositorySlug } from "../links/binder";
import { DEFAULT_WARMUP_TIMEOUT_S, WARMUP_OUTCOMES } from "../warmup/binderBuild";
import { BranchWarmup, describeBranchWarmup, FEDERATION_MEMBERS, MAX_BINDER_HUBS, normaliseHubUrl, warmFederation } from "../warmup/federation";
import type { Command } from "./main";
import { CommandIo, processIo } from "./commandIo";
import { stackFileForFlag } from "./link";
import { shown } from "../config/shown";
import { parseArgs, timeoutFlag, UsageError } from "./usage";

const USAGE = `usage: uw3-binder warmup <owner>/<repo> <ref> [options]
       uw3-binder warmup --stack <name> [options]

Asks each BinderHub to build <owner>/<repo> at <ref> (a commit or a branch), or with --stack every
launcher branch of Pulumi.<name>.yaml by name, and reports per hub how it ended: ${WARMUP_OUTCOMES.join(", ")}.
Respects each hub's rate limit (HTTP 429, Retry-After, X-RateLimit-*): waits within the timeout, else
reports "rate limited". Always exits 0 unless the command line or the stack file is wrong (exit 2).

options:
  --hubs <url>,<url>   BinderHub base URLs to ask (default: the mybinder.org federation members
                       ${FEDERATION_MEMBERS.join(", ")},
                       or the stack's launcher.binderHubs with --stack)
  --binder-url <url>   one BinderHub only (same as --hubs <url>)
  --stack <name>       warm every launcher branch of Pulumi.<name>.yaml in this directory
  --timeout-s <s>      per branch and hub, rate-limit waits included (default: ${DEFAULT_WARMUP_TIMEOUT_S},
                       or the stack's launcher.warmupTimeoutS with --stack)
  --json               print the per-hub results as JSON`;

function hubsFromFlags(flags: Map<string, string | true>): string[] | undefined {
    const list = flags.get("hubs") as string | undefined;
    const one = flags.get("binder-url") as string | undefined;
    if (list !== undefined && one !== undefined) throw new UsageError("--hubs and --binder-url are mutually exclusive: --binder-url names one hub");
    const flag = list !== undefined ? "--hubs" : "--binder-url";
    const given = list !== undefined ? list.split(",") : one !== undefined ? [one] : undefined;
    if (given === undefined) return undefined;
    if (given.length > MAX_BINDER_HUBS) throw new UsageError(`${flag} expects at most ${MAX_BINDER_HUBS} hubs, found ${given.length}`);
    const hubs: string[] = [];
    for (const hub of given) {
        const problem = binderUrlProblem(hub, FEDERATION_MEMBERS[0]);
        if (problem) throw new UsageError(`${flag}: ${problem}, found ${shown(hub)}`);
        if (!hubs.includes(normaliseHubUrl(hub))) hubs.push(normaliseHubUrl(hub));
    }
    return hubs;
}

/** What `--stack` warms: the launcher repository, its branches by name, and the stack's hubs and timeout. */
function stackTarget(stack: string, cwd: string): { owner: string; repository: string; refs: string[]; hubs: string[]; timeoutS: number } {
    const { fileName, file } = stackFileForFlag(stack, cwd);
    let launcher;
    try {
        launcher = loadPlanConfig(file).config.launcher;
    } catch (err) {
        if (err instanceof ConfigError) throw new UsageError(`${fileName}: ${err.problems.join("; ")}`);
        throw err;
    }
    if (!launcher) throw new UsageError(`${fileName}: the stack has no \`uw3-binder:launcher\`, so there is nothing to warm`);
    return {
        owner: launcher.owner,
        repository: launcher.repository,
        // mybinder.org resolves a branch name to its head commit, which is what the launcher branch pins now.
        refs: launcher.branches.map((b) => b.name),
        hubs: launcher.binderHubs,
        timeoutS: launcher.warmupTimeoutS,
    };
}

export async function runWarmup(argv: string[], io: CommandIo): Promise<number> {
    const args = parseArgs(argv, { booleans: ["json"], values: ["binder-url", "hubs", "timeout-s", "stack"] });
    const stack = args.flags.get("stack") as string | undefined;
    const hubsFlag = hubsFromFlags(args.flags);
    let target: { owner: string; repository: string; refs: string[]; hubs: string[]; timeoutS: number };
    if (stack !== undefined) {
        if (args.positional.length > 0) {
            throw new UsageError(`--stack takes the launcher and its branches from the stack file; expected no <owner>/<repo> <ref>, found ${args.positional.map((p) => shown(p)).join(" ")}`);
        }
        target = stackTarget(stack, io.cwd);
    } else {
        if (args.positional.length !== 2) {
            throw new UsageError(`expected <owner>/<repo> <ref> or --stack <name>, found ${args.positional.length === 0 ? "nothing" : args.positional.map((p) => shown(p)).join(" ")}`);
        }
        try {
            const { owner, repository } = parseRepositorySlug(args.positional[0], "launcher repository");
            target = { owner, repository, refs: [args.positional[1]], hubs: [...FEDERATION_MEMBERS], timeoutS: DEFAULT_WARMUP_TIMEOUT_S };
        } catch (err) {
            if (err instanceof LinkInputError) throw new UsageError(err.message);
            throw err;
        }
    }
    const timeoutS = timeoutFlag(args, "timeout-s", target.timeoutS);
    const json = args.flags.has("json");
    let results: BranchWarmup[];
    try {
        results = await warmFederation({
            owner: target.owner,
            repository: target.repository,
            refs: target.refs,
            hubs: hubsFlag ?? target.hubs,
            timeoutS,
            onPhase: json ? undefined : (hub, ref, phase, message, s) => io.stderr(`[${s.toFixed(1).padStart(6)} s] ${hub} ${ref}: ${phase}${message ? `: ${message}` : ""}\n`),
        });
    } catch (err) {
        // Refs are checked before any request (launch-link rules); a bad one is a usage error.
        if (err instanceof LinkInputError) throw new UsageError(err.message);
        throw err;
    }
    if (json) {
        const document = stack === undefined ? results[0] : { stack, repository: `${target.owner}/${target.repository}`, branches: results };
        io.stdout(JSON.stringify(document) + "\n");
    } else {
        io.stdout(results.map(describeBranchWarmup).join("\n") + "\n");
    }
    return 0;
}

export const command: Command = {
    summary: "ask every mybinder.org federation member to build launcher commits now; reports per member, never fails",
    usage: USAGE,
    run: (argv) => runWarmup(argv, processIo),
};
