/**
 * The command line a launcher branch's warm-up runs (Pulumi's command provider, under `sh -c`, so every
 * value is shell-quoted): `uw3-binder warmup`, whose parser reads back the hubs and timeout written here.
 */
import { CLI } from "../check/gateArgs";
import { shellQuote } from "../text/shellQuote";

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
