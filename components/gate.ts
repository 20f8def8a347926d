import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { gateArgs, shellQuote } from "../src/check/gateArgs";
import { CheckOptions, CREDENTIAL_ENV } from "../src/check/types";
import { CLI } from "../src/cli/bin";
import { printedReference } from "../src/images/pins";

export interface BinderGateArgs {
    /** The pinned reference to check (`<repo>:<tag>@sha256:<hex>`); a new digest re-runs the gate. */
    readonly reference: pulumi.Input<string>;
    /** Which checks run and their limits (from the image's `checks` config). */
    readonly checks: CheckOptions;
    /** Credentials for the image's registry; they reach the check through the environment only. */
    readonly login?: { username: string; password: pulumi.Output<string> };
}


/**
 * Runs `uw3-binder check` on a pushed image. `verifiedReference` is the reference the check printed
 * after every check passed; launchers pin only that, so a failing gate fails `pulumi up` before any
 * launcher file changes and the launchers stay where they were.
 */
export class BinderGate extends pulumi.ComponentResource {
    public readonly verifiedReference: pulumi.Output<string>;
    public readonly command: command.local.Command;

    constructor(name: string, args: BinderGateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("uw3-binder:index:BinderGate", name, {}, opts);
        const reference = pulumi.output(args.reference);
        const flags = gateArgs(args.checks).map(shellQuote).join(" ");
        const environment: Record<string, pulumi.Input<string>> = {};
        if (args.login) {
            environment[CREDENTIAL_ENV.username] = args.login.username;
            environment[CREDENTIAL_ENV.password] = pulumi.secret(args.login.password);
        }
        this.command = new command.local.Command(
            `${name}-check`,
            {
                create: pulumi.interpolate`node ${shellQuote(CLI)} check --print-ref ${flags ? `${flags} ` : ""}${reference}`,
                environment,
                triggers: [reference],
                // A command's logged output ignores secretness: log nothing, and keep stderr (the check table,
                // which quotes registry answers) secret. stdout is only the verified reference.
                logging: "none",
            },
            { parent: this, additionalSecretOutputs: ["stderr"] },
        );
        this.verifiedReference = pulumi.all([this.command.stdout, reference]).apply(([stdout, expected]) => printedReference(stdout, expected, "the gate"));
        this.registerOutputs({ verifiedReference: this.verifiedReference });
    }
}
