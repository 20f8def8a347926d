/**
 * The `uw3-binder check` arguments a gate runs with for an image's check options, derived from the one
 * declaration (options.ts). Pure; the gate's `args` input is visible in `pulumi preview`, so only options
 * that differ from the defaults, of checks that run, are spelled out. Each is written `--flag=value` as one
 * argument, so no value can be mistaken for a flag. Credentials never appear here: they reach the check
 * in its environment (CREDENTIAL_ENV).
 */
import { CHECK_NAMES, CheckOptions, DEFAULT_CHECK_OPTIONS, OPTIONS, OptionDeclaration, encodeOption, sameValue } from "./options";

/**
 * The CLI the program runs: the package's own bin, so a gate and `npx uw3-binder check` are the same code.
 * Relative to the program's directory, where Pulumi runs local commands, so a clone elsewhere plans the same.
 */
export const CLI = "bin/uw3-binder.js";

export function gateArgs(options: CheckOptions): string[] {
    const args: string[] = [];
    const skipped = CHECK_NAMES.filter((n) => !options.enabled.includes(n));
    if (skipped.length > 0) args.push("--skip", skipped.join(","));
    for (const option of OPTIONS as readonly OptionDeclaration[]) {
        if (!options.enabled.includes(option.check)) continue;
        const value = options[option.key];
        if (sameValue(value, DEFAULT_CHECK_OPTIONS[option.key])) continue;
        args.push(`--${option.flag}=${encodeOption(option, value)}`);
    }
    return args;
}
