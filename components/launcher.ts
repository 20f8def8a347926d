import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { branchSlug } from "../src/render/launcher";
import { RehearsalOptions } from "../src/rehearsal/options";
import { WithdrawnNote } from "./gate";
import { LauncherBranch, LauncherBranchImage } from "./launcherBranch";

/** One launcher branch: its name, the Underworld3 branch it launches and what it pins. */
export interface LauncherBranchSpec {
    readonly name: string;
    readonly uw3Branch: string;
    readonly image: LauncherBranchImage;
    /** A frozen release branch: its files never name the stack's release (src/render/launcher.ts). */
    readonly frozen: boolean;
    /** The ref its image is built from (an image with `refs`): a following branch's files name it instead of the release. */
    readonly imageRef?: string;
    /** The withdrawn release its `pin:` moved it away from, for its README. */
    readonly withdrawn?: pulumi.Input<WithdrawnNote>;
}

export interface LauncherArgs {
    /** The launcher repository: `owner/repository` on GitHub. */
    readonly owner: string;
    readonly repository: string;
    /** Create the repository (a maintainer's own stack), or only write to it. */
    readonly create: boolean;
    readonly defaultBranch: string;
    readonly release: pulumi.Input<string>;
    readonly commitAuthor: { name: pulumi.Input<string>; email: pulumi.Input<string> };
    /**
     * The branches, in order. A branch that follows an image pins its gate's verified reference (never
     * an image's own) and its README shows the measured size and any withdrawal; a `pin:` branch's own
     * gate re-checks its digest. With a rehearsal, a branch pins it only once its launch rehearsal printed it back.
     */
    readonly branches: readonly LauncherBranchSpec[];
    readonly rehearsal?: pulumi.Input<RehearsalOptions>;
    readonly warmup?: pulumi.Input<{ hubs: string[]; timeoutS: number }>;
}

export interface LauncherBranchOutputs {
    launchUrl: string;
    badge: string;
    pinnedReference: pulumi.Output<string>;
    contentLinkTemplate: string;
    warmup?: pulumi.Output<string>;
}

/**
 * The `uw3-binder-launcher` repository: a LauncherBranch per configured launcher branch, each with its
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
        this.repositoryName = args.repository;
        const repository = args.create
            ? new github.Repository(
                  `${name}-repository`,
                  {
                      name: args.repository,
                      description: "Launches Underworld3 on mybinder.org from pre-built images (managed by uw3-binder)",
                      visibility: "public",
                      autoInit: true,
                      hasIssues: false,
                      hasWiki: false,
                  },
                  { parent: this, retainOnDelete: true },
              )
            : undefined;
        const branchList = args.branches.map((b) => ({ name: b.name, uw3Branch: b.uw3Branch, frozen: b.frozen }));
        for (const b of args.branches) {
            const branch = new LauncherBranch(
                `${name}-${branchSlug(b.name)}`,
                {
                    launcherName: name,
                    owner: args.owner,
                    repository: args.repository,
                    repositoryName: repository ? repository.name : args.repository,
                    repositoryResource: repository,
                    defaultBranch: args.defaultBranch,
                    branch: b.name,
                    uw3Branch: b.uw3Branch,
                    frozen: b.frozen,
                    imageRef: b.imageRef,
                    release: args.release,
                    branches: branchList,
                    commitAuthor: args.commitAuthor,
                    image: b.image,
                    withdrawn: b.withdrawn,
                    rehearsal: args.rehearsal,
                    warmup: args.warmup,
                },
                { parent: this },
            );
            this.branches[b.name] = {
                launchUrl: branch.launchUrl,
                badge: branch.badge,
                pinnedReference: branch.pinnedReference,
                contentLinkTemplate: branch.contentLinkTemplate,
                ...(branch.warmup ? { warmup: branch.warmup } : {}),
            };
        }
        this.registerOutputs({ branches: this.branches });
    }
}
