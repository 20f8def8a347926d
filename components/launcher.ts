import * as command from "@pulumi/command";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { RegistryLoginSecret } from "../config";
import { ImageConfig, LauncherConfig } from "../src/config/schema";
import { badgeMarkdown, contentLinkTemplate, launchUrl } from "../src/links/binder";
import { branchSlug, launcherCommitMessage, launcherDockerfile, launcherReadme, LauncherPin, pinSize } from "../src/render/launcher";
import { rehearseCommand } from "../src/rehearsal/commandLine";
import { warmupCommand } from "../src/warmup/commandLine";
import { launcherPins, registryOnlyChecks } from "../src/launcher/branchPins";
import { printedReference } from "../src/launcher/pins";
import { RehearsalOptions, RehearsalTarget } from "../src/rehearsal/options";
import { BinderGate, GateResult } from "./gate";

export interface LauncherArgs {
    /** The validated launcher config: repository, branches, warm-up. */
    readonly launcher: LauncherConfig;
    readonly release: string;
    /** Every image of the stack: a `pin:` branch's gate re-checks a published digest of its image. */
    readonly images: ImageConfig[];
    /**
     * Each built image's gate outputs, by image name: a branch that follows its image pins the verified
     * reference (never an image's own), and its README shows the measured size and any withdrawal.
     * With `rehearsal.enabled`, a branch pins it only once its launch rehearsal printed it back.
     */
    readonly gates: Record<string, GateResult>;
    /** The registry login for a server, for the `pin:` gates. */
    readonly login: (server: string) => RegistryLoginSecret | undefined;
}

export interface LauncherBranchOutputs {
    launchUrl: string;
    badge: string;
    pinnedReference: pulumi.Output<string>;
    contentLinkTemplate: string;
    warmup?: pulumi.Output<string>;
}

/**
 * The `uw3-binder-launcher` repository: a branch per configured launcher branch, and on each its
 * `.binder/Dockerfile` and `README.md`.
 *
 * Every GitHub resource is `retainOnDelete`: the launchers outlive any one month's stack, so destroying
 * an old month never deletes a branch or a file. Files are written with `overwriteOnCreate`, which is
 * how a new month's stack takes the launchers over from the previous one.
 */
export class Launcher extends pulumi.ComponentResource {
    public readonly branches: Record<string, LauncherBranchOutputs> = {};
    public readonly repositoryName: string;

    constructor(name: string, args: LauncherArgs, opts?: pulumi.ComponentResourceOptions) {
        super("uw3-binder:index:Launcher", name, {}, opts);
        const { launcher, release } = args;
        for (const b of launcher.branches) {
            if (!b.pin && !args.gates[b.image])
                throw new pulumi.ResourceError(`launcher branch "${b.name}" follows image "${b.image}", which has no gate`, this);
        }
        // A branch with `pin:` holds a published digest; its gate re-reads that manifest instead of building
        // anything. The pin gates are not parented to this component: their URNs (and their checks') predate
        // it, and a new parent would replace them in every stack.
        const pins = launcherPins<GateResult>(launcher, args.images, {
            built: (image) => args.gates[image],
            pinned: (slug, reference, image) =>
                new BinderGate(`${name}-pin-${slug}-gate`, { reference, checks: registryOnlyChecks(image.checks), login: args.login(image.registry.server) }),
        });
        const keep = { parent: this, retainOnDelete: true };
        this.repositoryName = launcher.repository;
        const repository = launcher.create
            ? new github.Repository(
                  `${name}-repository`,
                  {
                      name: launcher.repository,
                      description: "Launches Underworld3 on mybinder.org from pre-built images (managed by uw3-binder)",
                      visibility: "public",
                      autoInit: true,
                      hasIssues: false,
                      hasWiki: false,
                  },
                  keep,
              )
            : undefined;
        const repositoryName: pulumi.Input<string> = repository ? repository.name : launcher.repository;
        const repo = { owner: launcher.owner, repository: launcher.repository, defaultBranch: launcher.defaultBranch };
        const branchList = launcher.branches.map((b) => ({ name: b.name, uw3Branch: b.uw3Branch }));

        for (const b of launcher.branches) {
            const slug = branchSlug(b.name);
            const branchResource =
                b.name === launcher.defaultBranch
                    ? undefined
                    : new github.Branch(
                          `${name}-branch-${slug}`,
                          { repository: repositoryName, branch: b.name, sourceBranch: launcher.defaultBranch },
                          { ...keep, dependsOn: repository ? [repository] : [] },
                      );
            const branch: pulumi.Input<string> = branchResource ? branchResource.branch : b.name;
            const target = { branch: b.name, uw3Branch: b.uw3Branch, release };
            const gate = pins[b.name];
            const verified = pulumi.output(gate.verifiedReference);
            const pinned = launcher.rehearsal.enabled ? this.rehearsed(`${name}-rehearse-${slug}`, target, launcher.rehearsal, verified) : verified;
            // What the README says was withdrawn: the branch's own `pin:` (config), or the build its gate replaced.
            const configWithdrawn = b.withdrawn ? { digest: b.withdrawn.digest, reason: b.withdrawn.reason, date: b.withdrawn.date } : undefined;
            const pin = pulumi.all([pinned, gate.figures, gate.withdrawn]).apply(([reference, figures, replaced]): LauncherPin => {
                const withdrawn = configWithdrawn ?? replaced;
                return {
                    branch: b.name,
                    uw3Branch: b.uw3Branch,
                    release,
                    reference,
                    ...(figures ? { size: pinSize(figures) } : {}),
                    ...(withdrawn ? { withdrawn } : {}),
                };
            });
            const fileArgs = (file: string, content: pulumi.Output<string>, message: pulumi.Output<string>): github.RepositoryFileArgs => ({
                repository: repositoryName,
                branch,
                file,
                content,
                commitMessage: message,
                commitAuthor: launcher.commitAuthor.name,
                commitEmail: launcher.commitAuthor.email,
                overwriteOnCreate: true,
            });
            const dockerfile = new github.RepositoryFile(
                `${name}-dockerfile-${slug}`,
                fileArgs(
                    ".binder/Dockerfile",
                    pin.apply(launcherDockerfile),
                    pin.apply((p) => launcherCommitMessage("Dockerfile", p)),
                ),
                { ...keep, dependsOn: [branchResource ?? repository].filter((r): r is github.Branch | github.Repository => !!r) },
            );
            // The contents API makes one commit per file and answers 409 to parallel writes on one branch:
            // the README waits for the Dockerfile.
            const readme = new github.RepositoryFile(
                `${name}-readme-${slug}`,
                fileArgs(
                    "README.md",
                    pin.apply((p) => launcherReadme(repo, p, branchList)),
                    pin.apply((p) => launcherCommitMessage("README", p)),
                ),
                { ...keep, dependsOn: [dockerfile] },
            );
            const url = launchUrl({ owner: launcher.owner, repository: launcher.repository, ref: b.name });
            const outputs: LauncherBranchOutputs = {
                launchUrl: url,
                badge: badgeMarkdown(url),
                pinnedReference: pinned,
                contentLinkTemplate: contentLinkTemplate({ owner: launcher.owner, repository: launcher.repository, branch: b.name }),
            };
            if (launcher.warmup) {
                // Each federation member builds a launcher commit on its first launch there; asking every member now
                // spares the first user on each. `uw3-binder warmup` exits 0 whatever the hubs answer; its
                // stdout, the per-member JSON, is this branch's `warmup` stack output.
                const warm = new command.local.Command(
                    `${name}-warmup-${slug}`,
                    {
                        create: readme.commitSha.apply((ref) =>
                            warmupCommand({
                                owner: launcher.owner,
                                repository: launcher.repository,
                                ref,
                                hubs: launcher.binderHubs,
                                timeoutS: launcher.warmupTimeoutS,
                            }),
                        ),
                        triggers: [readme.commitSha],
                    },
                    { parent: this, dependsOn: [readme] },
                );
                outputs.warmup = warm.stdout;
            }
            this.branches[b.name] = outputs;
        }
        this.registerOutputs({ branches: this.branches });
    }

    /**
     * Builds the branch's `.binder/Dockerfile` FROM `verified` and starts it as mybinder.org would
     * (`uw3-binder rehearse`), before anything is committed. The branch's files pin only the reference the
     * rehearsal printed back, so a branch whose launch fails keeps its old pin and the update fails.
     */
    private rehearsed(name: string, target: RehearsalTarget, options: RehearsalOptions, verified: pulumi.Output<string>): pulumi.Output<string> {
        const rehearsal = new command.local.Command(
            name,
            {
                create: verified.apply((reference) => rehearseCommand(target, options, reference)),
                triggers: [verified],
            },
            { parent: this },
        );
        return pulumi
            .all([rehearsal.stdout, verified])
            .apply(([stdout, expected]) => printedReference(stdout, expected, `the launch rehearsal of ${target.branch}`));
    }
}
