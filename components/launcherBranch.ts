import * as command from "@pulumi/command";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { rehearseCommand } from "../src/rehearsal/commandLine";
import { warmupCommand } from "../src/warmup/commandLine";
import { printedReference } from "../src/launcher/pins";
import { badgeMarkdown, contentLinkTemplate, launchUrl } from "../src/links/binder";
import {
    BranchListing,
    branchSlug,
    launcherCommitMessage,
    launcherDockerfile,
    launcherReadme,
    LauncherPin,
    pinSize,
    UPDATE_WORKFLOW_FILE,
    updateWorkflow,
} from "../src/render/launcher";
import { RehearsalOptions, RehearsalTarget } from "../src/rehearsal/options";
import { keptFileOptions } from "../src/launcher/kept";
import { BinderGate, BinderGateArgs, GateMeasurement, GateResult, WithdrawnNote } from "./gate";
import { launcherFilesOnGitHub } from "./adoption";

const LAUNCHER_DOCKERFILE = ".binder/Dockerfile";
const LAUNCHER_README = "README.md";
/** A launcher branch's files, in the order they are written. */
const LAUNCHER_FILES = [UPDATE_WORKFLOW_FILE, LAUNCHER_DOCKERFILE, LAUNCHER_README] as const;
type LauncherFile = (typeof LAUNCHER_FILES)[number];

/** What a launcher branch pins: the verified build of its image, or a published digest its own gate re-checks. */
export type LauncherBranchImage = { gate: GateResult } | { pin: BinderGateArgs };

export interface LauncherBranchArgs {
    /**
     * The Launcher's resource name: this branch's resources are named `<launcher>-<kind>-<slug>`, as they
     * were when the Launcher declared them itself.
     */
    readonly launcherName: string;
    /** The launcher repository on GitHub, as its URLs name it. */
    readonly owner: string;
    readonly repository: string;
    /** The repository's name as its files take it: the created Repository's output, or the configured name. */
    readonly repositoryName: pulumi.Input<string>;
    /** The Repository when this stack creates it: the branch and its files wait for it. */
    readonly repositoryResource?: pulumi.Resource;
    readonly defaultBranch: string;
    /** The launcher branch and the Underworld3 branch it launches. */
    readonly branch: string;
    readonly uw3Branch: string;
    /** A frozen release branch: its files never name `release` and list only the following branches. */
    readonly frozen: boolean;
    /**
     * The ref its image is built from, for an image built per ref (`refs`): a following branch's files name
     * it instead of `release`, so a new release leaves them alone.
     */
    readonly imageRef?: string;
    readonly release: pulumi.Input<string>;
    /** Every launcher branch, for the default branch's README. */
    readonly branches: pulumi.Input<BranchListing[]>;
    readonly commitAuthor: { name: pulumi.Input<string>; email: pulumi.Input<string> };
    readonly image: LauncherBranchImage;
    /** The withdrawn release this branch's `pin:` moved it away from, for its README. */
    readonly withdrawn?: pulumi.Input<WithdrawnNote>;
    /** Rehearse the launch before committing; undefined skips the rehearsal. */
    readonly rehearsal?: pulumi.Input<RehearsalOptions>;
    /** Ask the BinderHubs to build each new commit; undefined skips the warm-up. */
    readonly warmup?: pulumi.Input<{ hubs: string[]; timeoutS: number }>;
}

/**
 * What a branch's files name besides its pin, which its rehearsal renders too (so it rehearses the file it
 * commits): a frozen branch no release; a following branch of a build per ref the ref it follows; any other
 * following branch the stack's release.
 */
function rehearsalTarget(args: LauncherBranchArgs, release: string): RehearsalTarget {
    const names = { branch: args.branch, uw3Branch: args.uw3Branch };
    if (args.frozen) return { ...names, release: "", frozen: true };
    return args.imageRef === undefined ? { ...names, release } : { ...names, release: "", follows: args.imageRef };
}

/**
 * One branch of the `uw3-binder-launcher` repository: the GitHub branch (unless it is the default one),
 * its `.binder/Dockerfile` and `README.md` pinned to a gate-verified reference, the launch rehearsal
 * before them and the warm-up after them; and for a `pin:` branch, the gate that re-checks its digest.
 *
 * Every resource here was declared before this component existed: the files, branch, rehearsal and
 * warm-up directly under the Launcher, a `pin:` gate at the top of the stack. Each carries an alias to
 * where it was, so a stack from before keeps them (no replacement, nothing deleted or created); the
 * engine carries a moved gate's alias on to its check.
 */
export class LauncherBranch extends pulumi.ComponentResource {
    public readonly launchUrl: string;
    public readonly badge: string;
    public readonly contentLinkTemplate: string;
    /** The reference the branch's files pin. */
    public readonly pinnedReference: pulumi.Output<string>;
    /** The warm-up's per-member JSON; undefined without a warm-up. */
    public readonly warmup?: pulumi.Output<string>;

    constructor(name: string, args: LauncherBranchArgs, opts?: pulumi.ComponentResourceOptions) {
        super("uw3-binder:index:LauncherBranch", name, {}, opts);
        const prefix = args.launcherName;
        const slug = branchSlug(args.branch);
        // Where this branch's resources were declared before: directly under this component's parent (the Launcher).
        const moved = { parent: this, aliases: opts?.parent ? [{ parent: opts.parent }] : [] };
        const keep = { ...moved, retainOnDelete: true };
        const gate =
            "gate" in args.image
                ? args.image.gate
                : new BinderGate(`${prefix}-pin-${slug}-gate`, args.image.pin, { parent: this, aliases: [{ parent: pulumi.rootStackResource }] });

        const branchResource =
            args.branch === args.defaultBranch
                ? undefined
                : new github.Branch(
                      `${prefix}-branch-${slug}`,
                      { repository: args.repositoryName, branch: args.branch, sourceBranch: args.defaultBranch },
                      { ...keep, dependsOn: args.repositoryResource ? [args.repositoryResource] : [] },
                  );
        const branch: pulumi.Input<string> = branchResource ? branchResource.branch : args.branch;
        const verified = pulumi.output(gate.verifiedReference);
        const pinned = args.rehearsal ? this.rehearsed(`${prefix}-rehearse-${slug}`, args, args.rehearsal, verified, moved) : verified;
        // What the README says was withdrawn: the branch's own `pin:`, or the build its gate replaced.
        const pinOf = (
            reference: string,
            figures: GateMeasurement | undefined,
            replaced: WithdrawnNote | undefined,
            own: WithdrawnNote | undefined,
            release: string,
        ): LauncherPin => {
            const withdrawn = own ?? replaced;
            return {
                ...rehearsalTarget(args, release),
                reference,
                ...(figures ? { size: pinSize(figures) } : {}),
                ...(withdrawn ? { withdrawn } : {}),
            };
        };
        const pin = pulumi
            .all([pinned, gate.figures, gate.withdrawn, args.withdrawn, args.release])
            .apply(([reference, figures, replaced, own, release]) => pinOf(reference, figures, replaced, own, release));
        const repo = { owner: args.owner, repository: args.repository, defaultBranch: args.defaultBranch };
        const rendered = (p: LauncherPin, branches: BranchListing[]): Record<LauncherFile, string> => ({
            [UPDATE_WORKFLOW_FILE]: updateWorkflow(),
            [LAUNCHER_DOCKERFILE]: launcherDockerfile(p),
            [LAUNCHER_README]: launcherReadme(repo, p, branches),
        });
        const contents = pulumi.all([pin, args.branches]).apply(([p, branches]) => rendered(p, branches));
        const declare = (kept: Partial<Record<LauncherFile, pulumi.CustomResourceOptions>>): pulumi.Output<string> | undefined =>
            this.files(args, { branch, branchResource, contents, pin, moved, keep, kept });
        this.launchUrl = launchUrl({ owner: args.owner, repository: args.repository, ref: args.branch });
        this.badge = badgeMarkdown(this.launchUrl);
        this.contentLinkTemplate = contentLinkTemplate({ owner: args.owner, repository: args.repository, branch: args.branch });
        this.pinnedReference = pinned;
        if (args.frozen && "pin" in args.image) {
            // A frozen branch this stack does not build already runs its pin: its files are what an earlier
            // stack wrote, and a new stack keeps every one GitHub holds as rendered (src/launcher/kept.ts). The
            // reference is the one its gate and rehearsal pass back (or they fail the run), so the files are
            // rendered here from it before either runs. Only import-or-write waits for the reads: the files
            // are declared once they are done, which the preview does too (invokes run in a preview).
            const onGitHub = launcherFilesOnGitHub({ owner: args.owner, repository: args.repository, branch: args.branch }, LAUNCHER_FILES);
            const expected = pulumi
                .all([args.image.pin.reference, args.withdrawn, args.branches])
                .apply(([reference, own, branches]) => rendered(pinOf(reference, undefined, undefined, own, ""), branches));
            const warmup = pulumi.all([expected, onGitHub]).apply(([files, held]) => {
                const kept = LAUNCHER_FILES.flatMap((file) => {
                    const options = keptFileOptions({ repository: args.repository, branch: args.branch, file }, files[file], held[file]);
                    return options ? [[file, options] as const] : [];
                });
                return pulumi.output(declare(Object.fromEntries(kept)) ?? "");
            });
            this.warmup = args.warmup ? warmup : undefined;
        } else {
            this.warmup = declare({});
        }
        this.registerOutputs({ launchUrl: this.launchUrl, pinnedReference: this.pinnedReference, warmup: this.warmup });
    }

    /**
     * The branch's files, in the order the contents API takes them (one commit each, 409 to parallel writes
     * on one branch), then the warm-up of the last commit; `kept` holds the options of a file kept as GitHub
     * holds it. Returns the warm-up's per-member JSON; undefined without a warm-up.
     */
    private files(
        args: LauncherBranchArgs,
        on: {
            branch: pulumi.Input<string>;
            branchResource?: pulumi.Resource;
            contents: pulumi.Output<Record<LauncherFile, string>>;
            pin: pulumi.Output<LauncherPin>;
            moved: pulumi.CustomResourceOptions;
            keep: pulumi.CustomResourceOptions;
            kept: Partial<Record<LauncherFile, pulumi.CustomResourceOptions>>;
        },
    ): pulumi.Output<string> | undefined {
        const prefix = args.launcherName;
        const slug = branchSlug(args.branch);
        const fileArgs = (file: LauncherFile, message: pulumi.Output<string>): github.RepositoryFileArgs => ({
            repository: args.repositoryName,
            branch: on.branch,
            file,
            content: on.contents.apply((c) => c[file]),
            commitMessage: message,
            commitAuthor: args.commitAuthor.name,
            commitEmail: args.commitAuthor.email,
            overwriteOnCreate: true,
        });
        // The launcher's old update workflow would strip the pins on its next dispatch: replaced first, so the
        // README stays the branch's last commit (the one the warm-up builds).
        const workflow = new github.RepositoryFile(
            `${prefix}-workflow-${slug}`,
            fileArgs(
                UPDATE_WORKFLOW_FILE,
                on.pin.apply((p) => launcherCommitMessage("workflow", p)),
            ),
            // New with this component: no alias, nothing was declared elsewhere before.
            {
                parent: this,
                retainOnDelete: true,
                dependsOn: [on.branchResource ?? args.repositoryResource].filter((r): r is pulumi.Resource => !!r),
                ...on.kept[UPDATE_WORKFLOW_FILE],
            },
        );
        const dockerfile = new github.RepositoryFile(
            `${prefix}-dockerfile-${slug}`,
            fileArgs(
                LAUNCHER_DOCKERFILE,
                on.pin.apply((p) => launcherCommitMessage("Dockerfile", p)),
            ),
            { ...on.keep, dependsOn: [workflow], ...on.kept[LAUNCHER_DOCKERFILE] },
        );
        // The contents API makes one commit per file and answers 409 to parallel writes on one branch:
        // the README waits for the Dockerfile.
        const readme = new github.RepositoryFile(
            `${prefix}-readme-${slug}`,
            fileArgs(
                LAUNCHER_README,
                on.pin.apply((p) => launcherCommitMessage("README", p)),
            ),
            { ...on.keep, dependsOn: [dockerfile], ...on.kept[LAUNCHER_README] },
        );
        if (!args.warmup) return undefined;
        // Each federation member builds a launcher commit on its first launch there; asking every member now
        // spares the first user on each. `uw3-binder warmup` exits 0 whatever the hubs answer; its
        // stdout, the per-member JSON, is this branch's `warmup` stack output.
        const warm = new command.local.Command(
            `${prefix}-warmup-${slug}`,
            {
                create: pulumi
                    .all([readme.commitSha, args.warmup])
                    .apply(([ref, warmup]) =>
                        warmupCommand({ owner: args.owner, repository: args.repository, ref, hubs: warmup.hubs, timeoutS: warmup.timeoutS }),
                    ),
                triggers: [readme.commitSha],
            },
            { ...on.moved, dependsOn: [readme] },
        );
        return warm.stdout;
    }

    /**
     * Builds the branch's `.binder/Dockerfile` FROM `verified` and starts it as mybinder.org would
     * (`uw3-binder rehearse`), before anything is committed. The branch's files pin only the reference the
     * rehearsal printed back, so a branch whose launch fails keeps its old pin and the update fails.
     */
    private rehearsed(
        name: string,
        args: LauncherBranchArgs,
        options: pulumi.Input<RehearsalOptions>,
        verified: pulumi.Output<string>,
        opts: pulumi.CustomResourceOptions,
    ): pulumi.Output<string> {
        const rehearsal = new command.local.Command(
            name,
            {
                create: pulumi
                    .all([verified, options, args.release])
                    .apply(([reference, rehearsal, release]) => rehearseCommand(rehearsalTarget(args, release), rehearsal, reference)),
                triggers: [verified],
            },
            opts,
        );
        return pulumi
            .all([rehearsal.stdout, verified])
            .apply(([stdout, expected]) => printedReference(stdout, expected, `the launch rehearsal of ${args.branch}`));
    }
}
