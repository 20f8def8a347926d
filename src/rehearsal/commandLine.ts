/**
 * The CLI the program runs: the package's own bin, so a gate and `npx uw3-binder check` are the same code.
 * Relative to the program's directory, where Pulumi runs local commands, so a clone elsewhere plans the same.
 *
 * The command lines the components hand to Pulumi's command provider (the launcher's rehearsal and warm-up)
 * are built here, as pure functions: the provider runs each under `sh -c`, so every value is shell-quoted.
 */
import { shellQuote } from "../check/gateArgs";
import { RehearsalOptions, RehearsalTarget, rehearsalArgs } from "./options";

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

/** A launcher branch's rehearsal `create`: `uw3-binder rehearse --print-ref` of the reference its gate verified. */
export function rehearseCommand(target: RehearsalTarget, options: RehearsalOptions, reference: string): string {
    return ["node", CLI, "rehearse", "--print-ref", ...rehearsalArgs(target, options), reference].map(shellQuote).join(" ");
}
