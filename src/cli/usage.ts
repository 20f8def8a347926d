import { MAX_TIMEOUT_REASON, MAX_TIMEOUT_S } from "../config/limits";
import { capped, shown } from "../config/shown";

/** A bad command line or config: the CLI prints it with the command's usage and exits 2. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export interface ParsedArgs {
    positional: string[];
    flags: Map<string, string | true>;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--name` flags. `booleans` lists the flags that take
 * no value; every other flag must have one. Unknown flags are a UsageError naming the allowed ones.
 */
export function parseArgs(argv: string[], spec: { booleans: string[]; values: string[] }): ParsedArgs {
    const positional: string[] = [];
    const flags = new Map<string, string | true>();
    const known = [...spec.booleans, ...spec.values];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (!arg.startsWith("--")) {
            positional.push(arg);
            continue;
        }
        const eq = arg.indexOf("=");
        const name = arg.slice(2, eq >= 0 ? eq : undefined);
        if (!known.includes(name)) {
            throw new UsageError(`unknown option --${capped(name)}; expected one of ${known.map((k) => `--${k}`).join(", ")}`);
        }
        if (spec.booleans.includes(name)) {
            if (eq >= 0) throw new UsageError(`--${name} takes no value`);
            flags.set(name, true);
            continue;
        }
        let value: string | undefined;
        if (eq >= 0) value = arg.slice(eq + 1);
        else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) value = argv[++i];
        if (value === undefined || value === "") throw new UsageError(`--${name} needs a value`);
        flags.set(name, value);
    }
    return { positional, flags };
}

/** A flag's value as a positive number, or a UsageError naming the flag and what was found. */
export function numberFlag(args: ParsedArgs, name: string, fallback: number): number {
    const raw = args.flags.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw === true || !Number.isFinite(value) || value <= 0) {
        throw new UsageError(`--${name} must be a positive number, found ${shown(raw)}`);
    }
    return value;
}

/** A timeout flag in seconds: a positive number a timer can hold (MAX_TIMEOUT_S). */
export function timeoutFlag(args: ParsedArgs, name: string, fallback: number): number {
    const value = numberFlag(args, name, fallback);
    if (value > MAX_TIMEOUT_S) throw new UsageError(`--${name} must be at most ${MAX_TIMEOUT_REASON}, found ${shown(args.flags.get(name))}`);
    return value;
}
