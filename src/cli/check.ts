/**
 * `uw3-binder check <image-ref>`: runs the mybinder.org readiness checks on one image.
 *
 * The Pulumi gate runs it with `--print-ref` and takes stdout as the pin, so stdout carries nothing but
 * the verified reference there; everything for people goes to stderr. Exit codes: 0 all checks passed,
 * 1 a check failed, 2 a usage error. Registry credentials come from the environment (CREDENTIAL_ENV),
 * never from argv, where they would show in `ps` and in the gate's command.
 */
import { parseImageReference } from "../images/reference";
import { renderCheckTable, runChecks } from "../check/run";
import { CHECK_NAMES, CheckName, CheckOptions, DEFAULT_CHECK_OPTIONS, OPTIONS, OptionDeclaration, decodeOption, encodeOption } from "../check/options";
import { CREDENTIAL_ENV, RegistryCredentials } from "../check/types";
import { Command } from "./main";
import { shown } from "../config/shown";
import { ParsedArgs, UsageError, parseArgs } from "./usage";

const DECLARED = OPTIONS as readonly OptionDeclaration[];

function optionLines(): string {
    return DECLARED.map((o) => {
        const flag = `  --${o.flag} ${o.kind === "list" ? "a,b" : o.kind === "withdrawals" ? "d=why,.." : o.kind === "words" ? '"WORDS"' : o.kind === "word" ? "NAME" : "N"}`;
        const defaultText = encodeOption(o, o.default);
        return `${flag.padEnd(29)}${o.check}: ${o.help} (default ${defaultText === "" ? "none" : o.kind === "words" ? `"${defaultText}"` : defaultText})`;
    }).join("\n");
}

export const usage = `usage: uw3-binder check <image-ref> [options]

Checks that an image will launch on mybinder.org: ${CHECK_NAMES.join(", ")}.
The runtime checks run the image in the local Docker engine; an image given by digest that is not there
is pulled first (with the credentials below, through a throwaway docker config) and the output says so.

options:
  --json                     print {"image", "ok", "checks": [{"name", "ok", "detail"}], "pulled"?} instead of the table
  --print-ref                print only the verified digest-pinned reference on stdout (the table goes to stderr)
  --skip a,b                 checks to leave out
  --only a,b                 the only checks to run (not with --skip)
${optionLines()}

environment:
  ${CREDENTIAL_ENV.username}, ${CREDENTIAL_ENV.password}
                             registry credentials for the registry checks and a pull (set both or neither)

exit status: 0 all checks passed, 1 a check failed, 2 usage error`;

export interface CheckArgs {
    /** The image reference, as given (trimmed); validated with parseImageReference. */
    ref: string;
    options: CheckOptions;
    json: boolean;
    printRef: boolean;
}

const SPEC = {
    booleans: ["json", "print-ref"],
    values: ["skip", "only", ...DECLARED.map((o) => o.flag)],
};

function stringFlag(args: ParsedArgs, name: string): string | undefined {
    const value = args.flags.get(name);
    return typeof value === "string" ? value : undefined;
}

function checkNamesFlag(args: ParsedArgs, name: "skip" | "only"): CheckName[] | undefined {
    const raw = stringFlag(args, name);
    if (raw === undefined) return undefined;
    const items = raw.split(",").map((s) => s.trim());
    if (items.some((s) => s === "")) throw new UsageError(`--${name} needs check names separated by commas, found ${shown(raw)}`);
    for (const item of items) {
        if (!(CHECK_NAMES as readonly string[]).includes(item)) {
            throw new UsageError(`--${name}: unknown check ${shown(item)}; expected names from ${CHECK_NAMES.join(", ")}`);
        }
    }
    return items as CheckName[];
}

/** Parses `check` arguments; every problem is a UsageError naming the flag, what it expects and what it got. */
export function parseCheckArgs(argv: string[]): CheckArgs {
    // parseArgs would say only "needs a value"; an empty module list has a better answer.
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--modules=" || (argv[i] === "--modules" && argv[i + 1] === "")) {
            throw new UsageError('--modules needs at least one module name; to check no imports, use --skip import');
        }
    }
    const args = parseArgs(argv, SPEC);

    if (args.positional.length === 0) {
        throw new UsageError("missing <image-ref>, e.g. ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:<64 hex>");
    }
    if (args.positional.length > 1) {
        throw new UsageError(`expected one <image-ref>, found ${args.positional.length}: ${args.positional.map((p) => `"${p}"`).join(", ")}`);
    }
    const ref = args.positional[0].trim();
    try {
        parseImageReference(ref);
    } catch (err) {
        throw new UsageError((err as Error).message);
    }

    const json = args.flags.get("json") === true;
    const printRef = args.flags.get("print-ref") === true;
    if (json && printRef) throw new UsageError("--json and --print-ref are mutually exclusive");

    const skip = checkNamesFlag(args, "skip");
    const only = checkNamesFlag(args, "only");
    if (skip && only) throw new UsageError("--skip and --only are mutually exclusive");
    const enabled = only
        ? CHECK_NAMES.filter((n) => only.includes(n))
        : CHECK_NAMES.filter((n) => !(skip ?? []).includes(n));
    if (enabled.length === 0) throw new UsageError(`--skip leaves no checks to run (checks: ${CHECK_NAMES.join(", ")})`);

    const options: CheckOptions = { ...DEFAULT_CHECK_OPTIONS, enabled };
    for (const option of DECLARED) {
        const raw = stringFlag(args, option.flag);
        if (raw === undefined) continue;
        const value = decodeOption(option, raw);
        if (!option.valid(value)) throw new UsageError(`--${option.flag} must be ${option.expected}, found ${shown(raw)}`);
        (options as unknown as Record<string, unknown>)[option.key] = value;
    }
    return { ref, options, json, printRef };
}

/** Credentials from CREDENTIAL_ENV: both set, or neither (an empty value counts as unset). */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): RegistryCredentials | undefined {
    const username = env[CREDENTIAL_ENV.username] ?? "";
    const password = env[CREDENTIAL_ENV.password] ?? "";
    if (username === "" && password === "") return undefined;
    if (username === "") throw new UsageError(`${CREDENTIAL_ENV.password} is set but ${CREDENTIAL_ENV.username} is not; set both or neither`);
    if (password === "") throw new UsageError(`${CREDENTIAL_ENV.username} is set but ${CREDENTIAL_ENV.password} is not; set both or neither`);
    return { username, password };
}

async function run(argv: string[]): Promise<number> {
    const args = parseCheckArgs(argv);
    const creds = credentialsFromEnv(process.env);

    // runChecks removes every container it started, also on SIGINT/SIGTERM (exit 130/143).
    const outcome = await runChecks(args.ref, args.options, creds);
    const { report, results, pin } = outcome;

    if (args.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + "\n");
        return report.ok ? 0 : 1;
    }
    const pulledLine = outcome.pulled ? `pulled: ${outcome.pulled} (it was not in the local Docker engine)\n` : "";
    const table = `image: ${report.image}\n${pulledLine}${renderCheckTable(results)}\n`;
    if (!args.printRef) {
        process.stdout.write(table);
        return report.ok ? 0 : 1;
    }
    process.stderr.write(table);
    if (!report.ok) return 1;
    if (!pin) {
        process.stderr.write(
            `uw3-binder check: cannot print a pinned reference: ${args.ref} has no @sha256 digest and the local engine ` +
                "has no repo digest for its repository; pass host/repository@sha256:<64 hex>\n",
        );
        return 1;
    }
    process.stdout.write(pin + "\n");
    return 0;
}

export const command: Command = {
    summary: `check an image is ready for mybinder.org (${CHECK_NAMES.join(", ")})`,
    usage,
    run,
};
