/**
 * `uw3-binder warmup`: asks BinderHubs to build launcher commits now, so the first user on each
 * federation member does not wait for a build. Advisory: exits 0 whatever the hubs say (it runs inside
 * `pulumi up` and on a schedule), and 2 only for a bad command line or stack file.
 */
import { WARMUP_OUTCOMES } from "../hub/build";
import { FEDERATION_MEMBERS } from "../mybinder/facts";
import { parseRepositorySlug } from "../names/github";
import { escapeUnprintable, printableJson } from "../text/printable";
import { shown } from "../text/quotedValue";
import { DEFAULT_WARMUP_TIMEOUT_S, warmupHubs, warmupTimeoutProblem } from "../warmup/options";
import { CliCommand, execute, parsedOption } from "./command";
import { bufferIo, CommandIo } from "./commandIo";
import { UsageError } from "./errors";

interface WarmupOptions {
    hubs?: string[];
    binderUrl?: string[];
    stack?: string;
    timeoutS?: number;
    json?: true;
}

interface WarmupTarget {
    owner: string;
    repository: string;
    refs: string[];
    hubs: string[];
    timeoutS: number;
}

/** The hubs a `--hubs` or `--binder-url` value names, normalised: the config's rules for `launcher.binderHubs`. */
function hubsOf(flag: string, given: string[]): string[] {
    const { hubs, problems } = warmupHubs(given);
    if (problems.length > 0) {
        throw new UsageError(`${flag}: ${problems[0].problem}`);
    }
    return hubs;
}

/** A timeout in seconds, by the config's rule for `launcher.warmupTimeoutS`. */
function timeoutSeconds(text: string): number {
    const value = /^[0-9]+(\.[0-9]*)?(e[+-]?[0-9]+)?$/i.test(text) ? Number(text) : NaN;
    const problem = warmupTimeoutProblem(value);
    if (problem) throw new UsageError(`--timeout-s must be ${problem}, found ${shown(text)}`);
    return value;
}

/** What `--stack` warms: the launcher repository, its branches by name, and the stack's hubs and timeout. */
async function stackTarget(stack: string, cwd: string): Promise<WarmupTarget> {
    const [{ parseValidStackFileText, readStackOfFlag }, { ConfigError }] = await Promise.all([import("../config/stackFile"), import("../config/schema")]);
    const { fileName, text } = readStackOfFlag(stack, cwd);
    let launcher;
    try {
        launcher = parseValidStackFileText(text, fileName).config.launcher;
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

async function warmup(command: CliCommand): Promise<number> {
    const io = command.io;
    const positional = command.processedArgs.filter((a): a is string => typeof a === "string");
    const options = command.opts<WarmupOptions>();
    let target: WarmupTarget;
    if (options.stack !== undefined) {
        if (positional.length > 0) {
            throw new UsageError(
                `--stack takes the launcher and its branches from the stack file; expected no <owner>/<repo> <ref>, found ${positional.map((p) => shown(p)).join(" ")}`,
            );
        }
        target = await stackTarget(options.stack, io.cwd);
    } else {
        if (positional.length !== 2) {
            throw new UsageError(
                `expected <owner>/<repo> <ref> or --stack <name>, found ${positional.length === 0 ? "nothing" : positional.map((p) => shown(p)).join(" ")}`,
            );
        }
        const { owner, repository } = parseRepositorySlug(positional[0], "launcher repository");
        target = { owner, repository, refs: [positional[1]], hubs: [...FEDERATION_MEMBERS], timeoutS: DEFAULT_WARMUP_TIMEOUT_S };
    }
    const { describeBranchWarmup, warmFederation } = await import("../warmup/federation");
    // Refs are checked before any request (launch-link rules): a bad one is a LinkInputError, a refusal.
    const results = await warmFederation({
        owner: target.owner,
        repository: target.repository,
        refs: target.refs,
        hubs: options.hubs ?? options.binderUrl ?? target.hubs,
        timeoutS: options.timeoutS ?? target.timeoutS,
        onPhase: options.json
            ? undefined
            : (hub, ref, phase, message, s) =>
                  io.stderr(`${escapeUnprintable(`[${s.toFixed(1).padStart(6)} s] ${hub} ${ref}: ${phase}${message ? `: ${message}` : ""}`)}\n`),
    });
    if (options.json) {
        const document =
            options.stack === undefined ? results[0] : { stack: options.stack, repository: `${target.owner}/${target.repository}`, branches: results };
        io.stdout(printableJson(document) + "\n");
    } else {
        io.stdout(results.map(describeBranchWarmup).join("\n") + "\n");
    }
    return 0;
}

/** The `warmup` command line, without what it does: its arguments, its options and its help. */
function declareWarmupLine(command: CliCommand): CliCommand {
    return command
        .description(
            "Asks each BinderHub to build <owner>/<repo> at <ref> (a commit or a branch), or with --stack every " +
                `launcher branch of Pulumi.<name>.yaml by name, and reports per hub how it ended: ${WARMUP_OUTCOMES.join(", ")}. ` +
                "Respects each hub's rate limit (HTTP 429, Retry-After, X-RateLimit-*): waits within the timeout, else " +
                'reports "rate limited". Always exits 0 unless the command line or the stack file is wrong (exit 2).',
        )
        .usage("<owner>/<repo> <ref> [options]\n       uw3-binder warmup --stack <name> [options]")
        .argument("[owner/repo]", "the launcher repository")
        .argument("[ref]", "the commit or branch to build")
        .addOption(
            parsedOption(
                "--hubs <url,url>",
                `BinderHub base URLs to ask (default: the mybinder.org federation members ${FEDERATION_MEMBERS.join(", ")}, or the stack's launcher.binderHubs with --stack)`,
                (list) => hubsOf("--hubs", list.split(",")),
            ),
        )
        .addOption(parsedOption("--binder-url <url>", "one BinderHub only (same as --hubs <url>)", (url) => hubsOf("--binder-url", [url])))
        .option("--stack <name>", "warm every launcher branch of Pulumi.<name>.yaml in this directory")
        .addOption(
            parsedOption(
                "--timeout-s <s>",
                `per branch and hub, rate-limit waits included (default: ${DEFAULT_WARMUP_TIMEOUT_S}, or the stack's launcher.warmupTimeoutS with --stack)`,
                timeoutSeconds,
            ),
        )
        .option("--json", "print the per-hub results as JSON")
        .exclusive("--hubs", "--binder-url", "--hubs and --binder-url are mutually exclusive: --binder-url names one hub")
        .argumentsWorded({
            missing: () => "expected <owner>/<repo> <ref> or --stack <name>, found nothing",
            excess: (args) => `expected <owner>/<repo> <ref> or --stack <name>, found ${args.map((p) => shown(p)).join(" ")}`,
        });
}

/** Parses `warmup` arguments without asking any hub: the hubs and timeout they give; every problem is a UsageError. */
export function parseWarmupArgs(argv: string[]): { hubs?: string[]; timeoutS?: number } {
    const command = declareWarmupLine(new CliCommand("warmup", bufferIo(process.cwd())));
    command.parse(argv, { from: "user" });
    const { hubs, binderUrl, timeoutS } = command.opts<WarmupOptions>();
    return { hubs: hubs ?? binderUrl, timeoutS };
}

/** Declares `warmup` on `command`: its arguments, options, help and action. */
export function declareWarmup(command: CliCommand): CliCommand {
    return declareWarmupLine(command).runs(warmup);
}

/** `uw3-binder warmup ...` with `argv` after the command name; a usage error rejects. */
export function runWarmup(argv: string[], io: CommandIo): Promise<number> {
    return execute(declareWarmup(new CliCommand("warmup", io)), argv);
}
