/**
 * `uw3-binder warmup <owner>/<repo> <ref>`: asks a BinderHub to build a launcher commit now, so the first
 * user does not wait for it. Advisory: exits 0 whatever the hub says (it runs inside `pulumi up`), and 2
 * only for a bad command line.
 */
import { LinkInputError, parseRepositorySlug } from "../links/binder";
import { DEFAULT_WARMUP_TIMEOUT_S, describeOutcome, warmup } from "../warmup/binderBuild";
import type { Command } from "./main";
import { CommandIo, processIo } from "./commandIo";
import { binderUrlProblem } from "../config/names";
import { shown } from "../config/shown";
import { parseArgs, timeoutFlag, UsageError } from "./usage";

const USAGE = `usage: uw3-binder warmup <owner>/<repo> <ref> [options]

Asks the BinderHub to build <owner>/<repo> at <ref> and reports how it ended: ready or built
(cached), failed, timeout, closed, or unreachable. Always exits 0 unless the command line is wrong.

options:
  --binder-url <url>   BinderHub base URL (default: https://mybinder.org)
  --timeout-s <s>      give up after this many seconds (default: ${DEFAULT_WARMUP_TIMEOUT_S})
  --json               print the outcome as JSON`;

export async function runWarmup(argv: string[], io: CommandIo): Promise<number> {
    const args = parseArgs(argv, { booleans: ["json"], values: ["binder-url", "timeout-s"] });
    if (args.positional.length !== 2) {
        throw new UsageError(`expected <owner>/<repo> <ref>, found ${args.positional.length === 0 ? "nothing" : args.positional.map((p) => shown(p)).join(" ")}`);
    }
    const timeoutS = timeoutFlag(args, "timeout-s", DEFAULT_WARMUP_TIMEOUT_S);
    const binderUrl = (args.flags.get("binder-url") as string | undefined) ?? "https://mybinder.org";
    if (binderUrlProblem(binderUrl)) {
        throw new UsageError(`--binder-url expects an http(s) URL without query, such as https://mybinder.org, found ${shown(binderUrl)}`);
    }
    const json = args.flags.has("json");
    let outcome;
    try {
        const { owner, repository } = parseRepositorySlug(args.positional[0], "launcher repository");
        outcome = await warmup({
            owner,
            repository,
            ref: args.positional[1],
            binderUrl,
            timeoutS,
            onPhase: json ? undefined : (phase, message, s) => io.stderr(`[${s.toFixed(1).padStart(6)} s] ${phase}${message ? `: ${message}` : ""}\n`),
        });
    } catch (err) {
        if (err instanceof LinkInputError) throw new UsageError(err.message);
        throw err;
    }
    io.stdout(json ? JSON.stringify(outcome) + "\n" : describeOutcome(outcome) + "\n");
    return 0;
}

export const command: Command = {
    summary: "ask mybinder.org to build a launcher commit now; reports the outcome, never fails",
    usage: USAGE,
    run: (argv) => runWarmup(argv, processIo),
};
