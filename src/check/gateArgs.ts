/**
 * The `uw3-binder check` command line a gate runs for an image's check options. Pure; the gate's
 * command is visible in `pulumi preview`, so only options that differ from the defaults are spelled out.
 * Credentials never appear here: they travel in the command's environment (CREDENTIAL_ENV).
 */
import { CHECK_NAMES, CheckOptions, DEFAULT_CHECK_OPTIONS } from "./types";

export function gateArgs(options: CheckOptions): string[] {
    const args: string[] = [];
    const skipped = CHECK_NAMES.filter((n) => !options.enabled.includes(n));
    if (skipped.length > 0) args.push("--skip", skipped.join(","));
    const d = DEFAULT_CHECK_OPTIONS;
    const on = (name: (typeof CHECK_NAMES)[number]) => options.enabled.includes(name);
    if (on("layers") && options.maxLayerMb !== d.maxLayerMb) args.push("--max-layer-mb", String(options.maxLayerMb));
    if (on("layers") && options.maxImageMb !== d.maxImageMb) args.push("--max-image-mb", String(options.maxImageMb));
    if (on("user") && options.uid !== d.uid) args.push("--uid", String(options.uid));
    if (on("jupyter") && options.startTimeoutS !== d.startTimeoutS) args.push("--start-timeout-s", String(options.startTimeoutS));
    if (on("jupyter") && options.jupyterPort !== d.jupyterPort) args.push("--jupyter-port", String(options.jupyterPort));
    if (on("jupyter") && options.jupyterCommand.join(" ") !== d.jupyterCommand.join(" ")) args.push("--jupyter-command", options.jupyterCommand.join(" "));
    if (on("kernel") && options.kernel !== d.kernel) args.push("--kernel", options.kernel);
    if (on("jit") && options.compiler !== d.compiler) args.push("--compiler", options.compiler);
    if (on("import") && options.python !== d.python) args.push("--python", options.python);
    if (on("import") && options.modules.join(",") !== d.modules.join(",")) args.push("--modules", options.modules.join(","));
    return args;
}

/** POSIX single-quoting, so a config value never becomes shell syntax in the gate's command. */
export function shellQuote(word: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
