import * as pulumi from "@pulumi/pulumi";
import type { RegistryLoginSecret } from "../config";
import { gateArgs } from "../src/check/gateArgs";
import { CheckOptions } from "../src/check/types";
import { ImageConfig, WithdrawnRelease } from "../src/config/schema";
import { withdrawnReplacement } from "../src/images/launcherPins";
import { digestOf, printedReference } from "../src/images/pins";
import { GateFigures, GateResource } from "./gateProvider";

/** A withdrawn release as a launcher README names it. */
export type WithdrawnNote = Pick<WithdrawnRelease, "digest" | "reason" | "date">;

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
    /** Which checks run and their limits (from the image's `checks` config). */
    readonly checks: CheckOptions;
    /** The digest references (`<repo>@sha256:<hex>`) the image was built FROM: a withdrawn parent fails the gate. */
    readonly parents?: pulumi.Input<string>[];
    /** Credentials for the image's registry: a secret input of the gate, handed to the check in its environment only. */
    readonly login?: RegistryLoginSecret;
    /**
     * The image and the stack's withdrawals: when `reference` comes out as a withdrawn digest that has a
     * `replacement`, the gate checks that replacement instead (the registry checks only, as a `pin:` gate
     * does) and `withdrawn` says what was replaced. A withdrawn digest without one still fails the check.
     */
    readonly replaceWithdrawn?: { image: ImageConfig; withdrawn: readonly WithdrawnRelease[] };
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
export class BinderGate extends pulumi.ComponentResource implements GateResult {
    public readonly verifiedReference: pulumi.Output<string>;
    public readonly figures: pulumi.Output<GateMeasurement | undefined>;
    public readonly withdrawn: pulumi.Output<WithdrawnNote | undefined>;
    public readonly check: GateResource;

    constructor(name: string, args: BinderGateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("uw3-binder:index:BinderGate", name, {}, opts);
        const own = (parents: string[]) => gateArgs(parents.length > 0 ? { ...args.checks, parents: parents.map(digestOf) } : args.checks);
        const parents = args.parents && args.parents.length > 0 ? pulumi.all(args.parents) : undefined;
        let reference: pulumi.Input<string> = args.reference;
        let checkArgs: pulumi.Input<string[]> = parents ? parents.apply(own) : own([]);
        let withdrawn: pulumi.Output<WithdrawnNote | undefined> = pulumi.output(undefined);
        const replace = args.replaceWithdrawn;
        if (replace && replace.withdrawn.some((w) => w.replacement)) {
            const target = pulumi.all([args.reference, parents ?? []]).apply(([built, refs]) => {
                const replaced = withdrawnReplacement(replace.image, replace.withdrawn, built);
                return replaced ? { ...replaced, args: gateArgs(replaced.checks) } : { reference: built, args: own(refs), withdrawn: undefined };
            });
            reference = target.reference;
            checkArgs = target.args;
            withdrawn = target.withdrawn;
        }
        const inputs: Record<string, pulumi.Input<unknown>> = {
            reference,
            args: checkArgs,
            username: args.login?.username,
            password: args.login ? pulumi.secret(args.login.password) : undefined,
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
