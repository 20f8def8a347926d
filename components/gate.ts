import * as pulumi from "@pulumi/pulumi";
import { gateArgs } from "../src/check/gateArgs";
import { CheckOptions } from "../src/check/types";
import { digestOf, printedReference } from "../src/images/pins";
import { gateProvider, GATE_MODULE, GATE_TYPE } from "./gateProvider";

export interface BinderGateArgs {
    /** The pinned reference to check (`<repo>:<tag>@sha256:<hex>`); a new digest re-runs the gate. */
    readonly reference: pulumi.Input<string>;
    /** Which checks run and their limits (from the image's `checks` config). */
    readonly checks: CheckOptions;
    /** The digest references (`<repo>@sha256:<hex>`) the image was built FROM: a withdrawn parent fails the gate. */
    readonly parents?: pulumi.Input<string>[];
    /** Credentials for the image's registry: a secret input of the gate, handed to the check in its environment only. */
    readonly login?: { username: string; password: pulumi.Output<string> };
}

/**
 * Runs `uw3-binder check` on a pushed image. `verifiedReference` is the reference the check printed
 * after every check passed; launchers pin only that, so a failing gate fails `pulumi up` before any
 * launcher file changes and the launchers stay where they were.
 *
 * The check runs in a dynamic provider (components/gateProvider.ts) rather than a `command.local.Command`:
 * its diff is ours (a new reference or new check options re-run it, a rotated password does not), and
 * the password reaches it as a secret input, which the engine encrypts in state.
 */
export class BinderGate extends pulumi.ComponentResource {
    public readonly verifiedReference: pulumi.Output<string>;
    public readonly check: pulumi.dynamic.Resource;

    constructor(name: string, args: BinderGateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("uw3-binder:index:BinderGate", name, {}, opts);
        const inputs: Record<string, pulumi.Input<unknown>> = {
            reference: args.reference,
            args: args.parents && args.parents.length > 0
                ? pulumi.all(args.parents).apply((refs) => gateArgs({ ...args.checks, parents: refs.map(digestOf) }))
                : gateArgs(args.checks),
            username: args.login?.username,
            password: args.login ? pulumi.secret(args.login.password) : undefined,
            verifiedReference: undefined,
        };
        this.check = new (class extends pulumi.dynamic.Resource {})(gateProvider, `${name}-check`, inputs, { parent: this }, GATE_MODULE, GATE_TYPE);
        const printed = (this.check as unknown as { verifiedReference: pulumi.Output<string> }).verifiedReference;
        // The provider refuses a mismatch already; checked here too, so no launcher file is declared from one.
        this.verifiedReference = pulumi.all([printed, args.reference]).apply(([verified, expected]) => printedReference(verified, expected, "the gate"));
        this.registerOutputs({ verifiedReference: this.verifiedReference });
    }
}
