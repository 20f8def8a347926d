/**
 * The CLI the program runs: the package's own bin, so a gate and `npx uw3-binder check` are the same code.
 * Relative to the program's directory, where Pulumi runs local commands, so a clone elsewhere plans the same.
 *
 * The command lines the components hand to Pulumi's command provider (the launcher's warm-up) are built here,
 * as pure functions: the provider runs each under `sh -c`, so every interpolated value is shell-quoted.
 */
import { shellQuote } from "../check/gateArgs";

export const CLI = "bin/uw3-binder.js";

export interface WarmupCommandArgs {
    owner: string;
    repository: string;
    /** The launcher commit to build. */
    ref: string;
    /** The BinderHubs to warm (launcher.binderHubs). */
    hubs: readonly string[];
    timeoutS: number;
}

/** A launcher branch's warm-up `create`: `uw3-binder warmup` of the commit its README update made. */
export function warmupCommand(args: WarmupCommandArgs): string {
    return ["node", CLI, "warmup", `${args.owner}/${args.repository}`, args.ref, "--hubs", args.hubs.join(","), "--timeout-s", String(args.timeoutS), "--json"]
        .map(shellQuote)
        .join(" ");
}
