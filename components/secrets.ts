import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";

export interface LauncherPatSecretArgs {
    /** The source repository's name (owned by `github:owner`). */
    readonly repository: string;
    /** The token; must be a Pulumi secret. */
    readonly launcherPat: pulumi.Output<string>;
}

/** `LAUNCHER_PAT` as an Actions secret of the source repository, for workflows that repin the launcher. */
export class LauncherPatSecret extends pulumi.ComponentResource {
    public readonly secretName: pulumi.Output<string>;

    constructor(name: string, args: LauncherPatSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("uw3-binder:index:LauncherPatSecret", name, {}, opts);
        const secret = new github.ActionsSecret(
            `${name}-actions-secret`,
            // `value`, not the deprecated `plaintextValue`; wrapped again so it is secret even if a caller forgot.
            { repository: args.repository, secretName: "LAUNCHER_PAT", value: pulumi.secret(args.launcherPat) },
            // The secret is shared by every month's stack: destroying an old month must not delete it.
            { parent: this, retainOnDelete: true },
        );
        this.secretName = secret.secretName;
        this.registerOutputs({ secretName: this.secretName });
    }
}
