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
import { MODULE_PATTERN, removeActiveContainersSync } from "../check/runtime";
import { CHECK_NAMES, CREDENTIAL_ENV, CheckName, CheckOptions, DEFAULT_CHECK_OPTIONS, RegistryCredentials } from "../check/types";
import { Command } from "./main";
import { shown } from "../config/shown";
import { ParsedArgs, UsageError, numberFlag, parseArgs, timeoutFlag } from "./usage";

const d = DEFAULT_CHECK_OPTIONS;

export const usage = `usage: uw3-binder check <image-ref> [options]

Checks that an image will launch on mybinder.org: ${CHECK_NAMES.join(", ")}.
The runtime checks run the image in the local Docker engine (never pulled: push it from this engine first).

options:
  --json                     print {"image", "ok", "checks": [{"name", "ok", "detail"}]} instead of the table
  --print-ref                print only the verified digest-pinned reference on stdout (the table goes to stderr)
  --skip a,b                 checks to leave out
  --only a,b                 the only checks to run (not with --skip)
  --max-layer-mb N           layers: largest compressed layer, MB (default ${d.maxLayerMb}; mybinder fails near 1 GB)
  --max-image-mb N           layers: largest compressed image, MB (default ${d.maxImageMb})
  --uid N                    user: the UID the image must run as (default ${d.uid}, jovyan)
  --start-timeout-s N        jupyter: seconds the server has to answer HTTP (default ${d.startTimeoutS}, mybinder's limit)
  --jupyter-port N           jupyter: port on 127.0.0.1 the server is told to use (default ${d.jupyterPort})
  --jupyter-command "WORDS"  jupyter: command handed to the entrypoint; --port is appended (default "${d.jupyterCommand.join(" ")}")
  --kernel NAME              kernel: kernelspec that must exist (default ${d.kernel})
  --compiler CMD             jit: compiler whose cc1 must resolve (default ${d.compiler})
  --python CMD               import: interpreter (default ${d.python})
  --modules a,b              import: modules that must import (default ${d.modules.join(",")}; use --skip import for none)

environment:
  ${CREDENTIAL_ENV.username}, ${CREDENTIAL_ENV.password}
                             registry credentials for the layers check (set both or neither)

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
    values: [
        "skip",
        "only",
        "max-layer-mb",
        "max-image-mb",
        "uid",
        "start-timeout-s",
        "jupyter-port",
        "jupyter-command",
        "kernel",
        "compiler",
        "python",
        "modules",
    ],
};

function stringFlag(args: ParsedArgs, name: string): string | undefined {
    const value = args.flags.get(name);
    return typeof value === "string" ? value : undefined;
}

/** A comma-separated list with no empty entries. */
function listFlag(args: ParsedArgs, name: string, what: string): string[] | undefined {
    const raw = stringFlag(args, name);
    if (raw === undefined) return undefined;
    const items = raw.split(",").map((s) => s.trim());
    if (items.some((s) => s === "")) {
        throw new UsageError(`--${name} needs ${what} separated by commas, found ${shown(raw)}`);
    }
    return items;
}

function checkNamesFlag(args: ParsedArgs, name: "skip" | "only"): CheckName[] | undefined {
    const items = listFlag(args, name, "check names");
    if (!items) return undefined;
    for (const item of items) {
        if (!(CHECK_NAMES as readonly string[]).includes(item)) {
            throw new UsageError(`--${name}: unknown check ${shown(item)}; expected names from ${CHECK_NAMES.join(", ")}`);
        }
    }
    return items as CheckName[];
}

function integerFlag(args: ParsedArgs, name: string, fallback: number, min: number, max: number, expected: string): number {
    const raw = stringFlag(args, name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
        throw new UsageError(`--${name} must be ${expected}, found ${shown(raw)}`);
    }
    return value;
}

/** One command word: a name on the image's PATH or an absolute path (it is passed as argv, not to a shell). */
function wordFlag(args: ParsedArgs, name: string, fallback: string, what: string): string {
    const raw = stringFlag(args, name);
    if (raw === undefined) return fallback;
    if (/\s/.test(raw)) throw new UsageError(`--${name} must be one word (${what}), found ${shown(raw)}`);
    return raw;
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
        throw new UsageError(`expected one <image-ref>, found ${args.positional.length}: ${args.positional.map((p) => shown(p)).join(", ")}`);
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

    let jupyterCommand = d.jupyterCommand;
    const commandRaw = stringFlag(args, "jupyter-command");
    if (commandRaw !== undefined) {
        jupyterCommand = commandRaw.trim().split(/\s+/).filter((w) => w !== "");
        if (jupyterCommand.length === 0) throw new UsageError(`--jupyter-command needs a command, e.g. "${d.jupyterCommand.join(" ")}"`);
        if (jupyterCommand.some((w) => w === "--port" || w.startsWith("--port=") || w.endsWith(".port") || w.includes(".port="))) {
            throw new UsageError(`--jupyter-command must not set the port, found ${shown(commandRaw)}: the check appends --port=<--jupyter-port>`);
        }
    }

    const kernel = stringFlag(args, "kernel") ?? d.kernel;
    if (!/^[A-Za-z0-9._-]+$/.test(kernel)) {
        throw new UsageError(`--kernel must be a kernelspec name (letters, digits, ".", "_", "-"), found ${shown(kernel)}`);
    }

    const modules = listFlag(args, "modules", "module names") ?? d.modules;
    for (const module of modules) {
        if (!MODULE_PATTERN.test(module)) {
            throw new UsageError(`--modules: ${shown(module)} is not a Python module name (expected dotted identifiers, e.g. underworld3.function)`);
        }
    }

    const options: CheckOptions = {
        enabled,
        maxLayerMb: numberFlag(args, "max-layer-mb", d.maxLayerMb),
        maxImageMb: numberFlag(args, "max-image-mb", d.maxImageMb),
        uid: integerFlag(args, "uid", d.uid, 0, 2 ** 31 - 1, "a whole number >= 0"),
        startTimeoutS: timeoutFlag(args, "start-timeout-s", d.startTimeoutS),
        jupyterPort: integerFlag(args, "jupyter-port", d.jupyterPort, 1, 65535, "a port number from 1 to 65535"),
        jupyterCommand,
        kernel,
        compiler: wordFlag(args, "compiler", d.compiler, "a command on the image's PATH or an absolute path"),
        python: wordFlag(args, "python", d.python, "a command on the image's PATH or an absolute path"),
        modules,
    };
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

    // An interrupted run must not leave a container behind (the jupyter one holds a host port).
    const onSignal = (signal: NodeJS.Signals) => {
        removeActiveContainersSync();
        process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    let outcome: Awaited<ReturnType<typeof runChecks>>;
    try {
        outcome = await runChecks(args.ref, args.options, creds);
    } finally {
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
    }
    const { report, results, pin } = outcome;

    if (args.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + "\n");
        return report.ok ? 0 : 1;
    }
    const table = `image: ${report.image}\n${renderCheckTable(results)}\n`;
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
    summary: "check an image is ready for mybinder.org (layers, visibility, user, jupyter, kernel, jit, import)",
    usage,
    run,
};
