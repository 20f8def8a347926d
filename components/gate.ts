import * as pulumi from "@pulumi/pulumi";
import { gateArgs } from "../src/check/gateArgs";
import { CheckOptions } from "../src/check/types";
import { digestOf, printedReference } from "../src/launcher/pins";
import { GateFigures, GateResource } from "./gateProvider";

/** A withdrawn release as a launcher README names it. */
export interface WithdrawnNote {
    digest: string;
    reason: string;
    date: string;
}

/** A withdrawn digest's replacement: the earlier release a gate checks instead, and with which checks. */
export interface WithdrawnReplacement {
    /** The withdrawn digest (`sha256:<hex>`) a build may come out as. */
    digest: string;
    /** The replacement's pinned reference. */
    reference: string;
    checks: CheckOptions;
    withdrawn: WithdrawnNote;
}

/** What a passing gate measured, when its `layers` check ran. */
export type GateMeasurement = GateFigures & { imageBytes: number };

/** What a launcher takes from a gate: Inputs, so it needs no gate object, only its outputs. */
export interface GateResult {
    /** The reference the check verified: the only thing a launcher branch pins. */
    readonly verifiedReference: pulumi.Input<string>;
    /** What its `layers` check measured; undefined when it did not run or measured nothing. */
    readonly figures: pulumi.Input<GateMeasurement | undefined>;
    /** Set when the checked reference came out as a withdrawn release and the gate checked its replacement. */
    readonly withdrawn: pulumi.Input<WithdrawnNote | undefined>;
}

export interface BinderGateArgs {
    /** The pinned reference to check (`<repo>:<tag>@sha256:<hex>`); a new digest re-runs the gate. */
    readonly reference: pulumi.Input<string>;
    /** Which checks run and their limits. */
    readonly checks: pulumi.Input<CheckOptions>;
    /** The digest references (`<repo>@sha256:<hex>`) the image was built FROM: a withdrawn parent fails the gate. */
    readonly parents?: pulumi.Input<string>[];
    /** The login for the image's registry: the password is a secret input of the gate, handed to the check in its environment only. */
    readonly username?: pulumi.Input<string>;
    readonly password?: pulumi.Input<string>;
    /**
     * When `reference` comes out as one of these withdrawn digests, the gate checks its replacement instead
     * (the registry checks only, as a `pin:` gate does) and `withdrawn` says what was replaced. A withdrawn
     * digest without a replacement is not listed: its gate's `withdrawn` check fails. A plain list: with
     * none, the gate's arguments are known before the image is built (a preview shows them).
     */
    readonly replacements?: readonly WithdrawnReplacement[];
}

/**
 * Runs `uw3-binder check` on a pushed image. `verifiedReference` is the reference the check verified
 * after every check passed; launchers pin only that, so a failing gate fails `pulumi up` before any
 * launcher file changes and the launchers stay where they were.
 *
 * The check runs in a dynamic provider (components/gateProvider.ts) rather than a `command.local.Command`:
 * its diff is ours (a new reference or new check options re-run it, a rotated password does not), and
 * the password reaches it as a secret input, which the engine encrypts in state.
 */
export class BinderGate extends pulumi.ComponentResource implements GateResult {
    public readonly verifiedReference: pulumi.Output<string>;
    public readonly figures: pulumi.Output<GateMeasurement | undefined>;
    public readonly withdrawn: pulumi.Output<WithdrawnNote | undefined>;
    public readonly check: GateResource;

    constructor(name: string, args: BinderGateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("uw3-binder:index:BinderGate", name, {}, opts);
        const own = (checks: CheckOptions, parents: string[]) => gateArgs(parents.length > 0 ? { ...checks, parents: parents.map(digestOf) } : checks);
        const parents = pulumi.all(args.parents ?? []);
        let reference: pulumi.Input<string> = args.reference;
        let checkArgs: pulumi.Input<string[]> = pulumi.all([args.checks, parents]).apply(([checks, refs]) => own(checks, refs));
        let withdrawn: pulumi.Output<WithdrawnNote | undefined> = pulumi.output(undefined);
        const replacements = args.replacements ?? [];
        if (replacements.length > 0) {
            const target = pulumi.all([args.reference, args.checks, parents]).apply(([built, checks, refs]) => {
                const replaced = replacements.find((r) => r.digest === digestOf(built));
                return replaced
                    ? { reference: replaced.reference, args: gateArgs(replaced.checks), withdrawn: replaced.withdrawn }
                    : { reference: built, args: own(checks, refs), withdrawn: undefined };
            });
            reference = target.reference;
            checkArgs = target.args;
            withdrawn = target.withdrawn;
        }
        const inputs: Record<string, pulumi.Input<unknown>> = {
            reference,
            args: checkArgs,
            username: args.username,
            password: args.password === undefined ? undefined : pulumi.secret(args.password),
            // Outputs the provider sets: declared here, so the resource has them as properties.
            verifiedReference: undefined,
            imageBytes: undefined,
            newBytes: undefined,
            baseline: undefined,
        };
        this.check = new GateResource(`${name}-check`, inputs, { parent: this });
        const outputs = this.check;
        // The provider refuses a mismatch already; checked here too, so no launcher file is declared from one.
        this.verifiedReference = pulumi
            .all([outputs.verifiedReference, reference])
            .apply(([verified, expected]) => printedReference(verified, expected, "the gate"));
        // A gate that measured nothing (no `layers` check, or state from before gates measured) has no figures.
        this.figures = pulumi
            .all([outputs.imageBytes, outputs.newBytes, outputs.baseline])
            .apply(([imageBytes, newBytes, baseline]): GateMeasurement | undefined =>
                typeof imageBytes !== "number"
                    ? undefined
                    : { imageBytes, ...(typeof newBytes === "number" && typeof baseline === "string" ? { newBytes, baseline } : {}) },
            );
        this.withdrawn = withdrawn;
        this.registerOutputs({ verifiedReference: this.verifiedReference, figures: this.figures, withdrawn: this.withdrawn });
    }
}
