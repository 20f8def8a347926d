/**
 * `uw3-binder check <image-ref>`: runs the mybinder.org readiness checks on one image.
 *
 * The Pulumi gate runs it with `--result-file` and reads the versioned result (src/check/result.ts) back;
 * the table on stdout is for people (and the gate's error when a check fails). With `--print-ref`, stdout
 * carries nothing but the verified reference and the table goes to stderr. Exit codes: 0 all checks passed,
 * 1 a check failed, 2 a usage error. Registry credentials come from the environment (CREDENTIAL_ENV),
 * never from argv, where they would show in `ps` and in the gate's command.
 *
 * Every option flag is generated from the one declaration of the check options (src/check/options.ts).
 */
import { Option } from "commander";
import * as path from "path";
import { parseImageReference } from "../names/oci";
import { CHECK_NAMES, CheckName, CheckOptions, DEFAULT_CHECK_OPTIONS, OPTIONS, OptionDeclaration, optionFlags, optionHelp, readOption } from "../check/options";
import { CREDENTIAL_ENV, RegistryLogin } from "../check/types";
import { shown } from "../text/quotedValue";
import { CliCommand, parsedOption } from "./command";
import { bufferIo } from "./commandIo";
import { UsageError } from "./errors";

const DECLARED = OPTIONS as readonly OptionDeclaration[];

interface CheckArgs {
    /** The image reference, as given (trimmed); validated with parseImageReference. */
    ref: string;
    options: CheckOptions;
    json: boolean;
    printRef: boolean;
    /** Where to write the versioned result as well, whatever stdout shows. */
    resultFile?: string;
}

function checkNames(flag: "--skip" | "--only", raw: string): CheckName[] {
    const items = raw.split(",").map((s) => s.trim());
    if (items.some((s) => s === "")) throw new UsageError(`${flag} needs check names separated by commas, found ${shown(raw)}`);
    for (const item of items) {
        if (!(CHECK_NAMES as readonly string[]).includes(item)) {
            throw new UsageError(`${flag}: unknown check ${shown(item)}; expected names from ${CHECK_NAMES.join(", ")}`);
        }
    }
    return items as CheckName[];
}

function imageRef(text: string): string {
    const ref = text.trim();
    try {
        parseImageReference(ref);
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
    return ref;
}

/** The flag of one declared option: its argument read by the declaration's own rule. */
function declaredOption(option: OptionDeclaration): Option {
    return parsedOption(optionFlags(option), optionHelp(option), (text) => {
        // An empty module list has a better answer than "must be a list of modules".
        if (option.key === "modules" && text === "") throw new UsageError("--modules needs at least one module name; to check no imports, use --skip import");
        if (text === "") throw new UsageError(`--${option.flag} needs a value`);
        const read = readOption(option, text);
        if ("problem" in read) throw new UsageError(read.problem);
        return read.value;
    });
}

/** The `check` command line, without what it does: its arguments, its options and its help. */
function declareCheckLine(command: CliCommand): CliCommand {
    command
        .description(
            `Checks that an image will launch on mybinder.org: ${CHECK_NAMES.join(", ")}. ` +
                "The runtime checks run the image in the local Docker engine; an image given by digest that is not there " +
                "is pulled first (with the credentials below, through a throwaway docker config) and the output says so.",
        )
        .usage("<image-ref> [options]")
        .argument("<image-ref>", "the image, e.g. ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:<64 hex>", imageRef)
        .argumentsWorded({
            missing: () => "missing <image-ref>, e.g. ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:<64 hex>",
            excess: (args) => `expected one <image-ref>, found ${args.length}: ${args.map((p) => shown(p)).join(", ")}`,
        })
        .option("--json", 'print the versioned result {"version": 1, "image", "ok", "reference"?, "pulled"?, "checks": [...]} instead of the table')
        .option("--print-ref", "print only the verified digest-pinned reference on stdout (the table goes to stderr)")
        .addOption(
            parsedOption("--result-file <path>", "also write the versioned result (as --json prints it) to <path>", (text) => {
                if (text === "") throw new UsageError("--result-file needs a path");
                return text;
            }),
        )
        .addOption(parsedOption("--skip <a,b>", "checks to leave out", (raw) => checkNames("--skip", raw)))
        .addOption(parsedOption("--only <a,b>", "the only checks to run", (raw) => checkNames("--only", raw)));
    for (const option of DECLARED) command.addOption(declaredOption(option));
    return command
        .exclusive("--json", "--print-ref")
        .exclusive("--skip", "--only")
        .addHelpText(
            "after",
            `\nenvironment:\n  ${CREDENTIAL_ENV.username}, ${CREDENTIAL_ENV.password}\n` +
                "      registry credentials for the registry checks and a pull (set both or neither)\n\n" +
                "exit status: 0 all checks passed, 1 a check failed, 2 usage error",
        );
}

/** What a parsed `check` command line asks for. */
function checkArgsOf(command: CliCommand): CheckArgs {
    const [ref] = command.processedArgs as [string];
    const flags = command.opts<{ json?: true; printRef?: true; resultFile?: string; skip?: CheckName[]; only?: CheckName[] }>();
    const enabled = flags.only ? CHECK_NAMES.filter((n) => flags.only!.includes(n)) : CHECK_NAMES.filter((n) => !(flags.skip ?? []).includes(n));
    if (enabled.length === 0) throw new UsageError(`--skip leaves no checks to run (checks: ${CHECK_NAMES.join(", ")})`);
    const options: CheckOptions = { ...DEFAULT_CHECK_OPTIONS, enabled };
    for (const option of DECLARED) {
        const flag = command.options.find((o) => o.long === `--${option.flag}`);
        const value: unknown = flag && command.getOptionValue(flag.attributeName());
        if (value !== undefined) (options as unknown as Record<string, unknown>)[option.key] = value;
    }
    return {
        ref,
        options,
        json: flags.json === true,
        printRef: flags.printRef === true,
        ...(flags.resultFile !== undefined ? { resultFile: flags.resultFile } : {}),
    };
}

/** Parses `check` arguments; every problem is a UsageError naming the flag, what it expects and what it got. */
export function parseCheckArgs(argv: string[]): CheckArgs {
    const command = declareCheckLine(new CliCommand("check", bufferIo(process.cwd())));
    command.parse(argv, { from: "user" });
    return checkArgsOf(command);
}

/** Credentials from CREDENTIAL_ENV: both set, or neither (an empty value counts as unset). */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): RegistryLogin | undefined {
    const username = env[CREDENTIAL_ENV.username] ?? "";
    const password = env[CREDENTIAL_ENV.password] ?? "";
    if (username === "" && password === "") return undefined;
    if (username === "") throw new UsageError(`${CREDENTIAL_ENV.password} is set but ${CREDENTIAL_ENV.username} is not; set both or neither`);
    if (password === "") throw new UsageError(`${CREDENTIAL_ENV.username} is set but ${CREDENTIAL_ENV.password} is not; set both or neither`);
    return { username, password };
}

async function check(command: CliCommand): Promise<number> {
    const io = command.io;
    const args = checkArgsOf(command);
    const creds = credentialsFromEnv(process.env);
    const [{ renderCheckTable, runChecks }, { renderCheckResult }] = await Promise.all([import("../check/run"), import("../check/result")]);

    // runChecks removes every container it started, also on SIGINT/SIGTERM (exit 130/143).
    const outcome = await runChecks(args.ref, args.options, creds);
    const { report, results, pin } = outcome;

    if (args.resultFile !== undefined) {
        const { writeFileSync } = await import("fs");
        try {
            writeFileSync(path.resolve(io.cwd, args.resultFile), renderCheckResult(report), { mode: 0o600 });
        } catch (err) {
            throw new UsageError(`--result-file: cannot write ${shown(args.resultFile)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
        }
    }
    if (args.json) {
        io.stdout(renderCheckResult(report));
        return report.ok ? 0 : 1;
    }
    const pulledLine = outcome.pulled ? `pulled: ${outcome.pulled} (it was not in the local Docker engine)\n` : "";
    const table = `image: ${report.image}\n${pulledLine}${renderCheckTable(results)}\n`;
    if (!args.printRef) {
        io.stdout(table);
        return report.ok ? 0 : 1;
    }
    io.stderr(table);
    if (!report.ok) return 1;
    if (!pin) {
        io.stderr(
            `uw3-binder check: cannot print a pinned reference: ${args.ref} has no @sha256 digest and the local engine ` +
                "has no repo digest for its repository; pass host/repository@sha256:<64 hex>\n",
        );
        return 1;
    }
    io.stdout(pin + "\n");
    return 0;
}

/** Declares `check` on `command`: its arguments, options, help and action. */
export function declareCheck(command: CliCommand): CliCommand {
    return declareCheckLine(command).runs(check);
}
