/**
 * The command line a launcher branch's rehearsal runs (Pulumi's command provider, under `sh -c`, so every
 * value is shell-quoted): `uw3-binder rehearse`, whose parser reads back what rehearsalArgs wrote.
 */
import { CLI } from "../check/gateArgs";
import { shellQuote } from "../text/shellQuote";
import { RehearsalOptions, RehearsalTarget, rehearsalArgs } from "./options";

/** A launcher branch's rehearsal `create`: `uw3-binder rehearse --print-ref` of the reference its gate verified. */
export function rehearseCommand(target: RehearsalTarget, options: RehearsalOptions, reference: string): string {
    return ["node", CLI, "rehearse", "--print-ref", ...rehearsalArgs(target, options), reference].map(shellQuote).join(" ");
}
