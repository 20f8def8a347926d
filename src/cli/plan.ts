/**
 * `uw3-binder plan`: what the program declares for a stack file, computed under Pulumi's mock runtime.
 * The Pulumi SDK is loaded only by the action, so the CLI's help and the other commands never pay for it.
 */
import * as fs from "fs";
import * as path from "path";
import { CliCommand } from "./command";
import { UsageError } from "./errors";

/**
 * `--since <rev>`: which images `pulumi up` would rebuild for what changed in the stack's checkout
 * (`source.path`, resolved as the program resolves it) since <rev>, uncommitted changes included; a build of
 * one ref (an image with `refs`), for what changed from <rev> to that ref's commit, as the program builds it.
 * Offline, no Pulumi SDK: the image graph and the rebuild rules of src/source/rebuild.ts.
 */
async function rebuildsSince(command: CliCommand, target: string, since: string): Promise<number> {
    const io = command.io;
    const [
        { loadPlanConfig },
        { configImageNodes, describeRebuilds, planRebuilds },
        { changedPathsSince, refCandidates, resolveRef },
        { PROGRAM_DIR },
        { shown },
    ] = await Promise.all([
        import("../config/stackFile"),
        import("../source/rebuild"),
        import("../git/commands"),
        import("../plan/programDir"),
        import("../text/quotedValue"),
    ]);
    const { config } = loadPlanConfig(target);
    const checkout = path.resolve(PROGRAM_DIR, config.source.path);
    if (!fs.existsSync(checkout)) {
        throw new UsageError(`--since: no checkout of ${config.source.repository} at ${shown(checkout)} (uw3-binder:source.path); clone it there first`);
    }
    const compare = (head?: string): string[] => {
        try {
            return changedPathsSince(checkout, since, head);
        } catch (err) {
            const reason = (err instanceof Error ? err.message : String(err)).split("\n")[0];
            throw new UsageError(`--since ${shown(since)}: cannot compare the checkout ${shown(checkout)} with it (${reason})`);
        }
    };
    const worktreeImages = config.images.filter((i) => i.ref === undefined);
    const changed = worktreeImages.length > 0 ? compare() : [];
    const refs = new Map<string, { commit: string; changed: string[] }>();
    for (const image of config.images) {
        if (image.ref === undefined || refs.has(image.ref)) continue;
        const found = resolveRef(checkout, image.ref);
        if (!found) {
            throw new UsageError(
                `--since: image ${shown(image.key)} is built from ref ${shown(image.ref)}, which the checkout ${shown(checkout)} does not have (looked for ${refCandidates(image.ref).join(", ")}); fetch it first`,
            );
        }
        refs.set(image.ref, { commit: found.commit, changed: compare(found.commit) });
    }
    const decisions = planRebuilds(configImageNodes(config.images), changed, new Map([...refs].map(([ref, r]) => [ref, r.changed])));
    if (command.opts<{ json?: true }>().json) {
        const perRef = Object.fromEntries([...refs].map(([ref, r]) => [ref, { commit: r.commit, changedPaths: r.changed.length }]));
        io.stdout(`${JSON.stringify({ since, checkout, changedPaths: changed.length, refs: perRef, rebuilds: decisions }, null, 2)}\n`);
    } else {
        const sources = [
            ...(worktreeImages.length > 0 ? [`${changed.length} changed paths in ${shown(checkout)}`] : []),
            ...[...refs].map(([ref, r]) => `ref ${shown(ref)} at ${r.commit.slice(0, 12)}: ${r.changed.length} changed paths`),
        ];
        io.stdout(
            [`images a change since ${shown(since)} rebuilds (${sources.join("; ")}):`, ...describeRebuilds(decisions).map((l) => `  ${l}`)].join("\n") + "\n",
        );
    }
    return 0;
}

async function plan(command: CliCommand): Promise<number> {
    const io = command.io;
    const options = command.opts<{ stack?: string; configFile?: string; json?: true; since?: string; against?: string }>();
    if (options.stack === undefined && options.configFile === undefined) throw new UsageError("give exactly one of --stack <name> or --config-file <path>");
    const [{ readStackFileText, readStackOfFlag, stackFilePath }, { ConfigError }] = await Promise.all([
        import("../config/stackFile"),
        import("../config/schema"),
    ]);
    const target = options.configFile !== undefined ? path.resolve(io.cwd, options.configFile) : stackFilePath(options.stack!, io.cwd);
    // A missing file or a directory is one line naming it (a refusal), not a config report.
    readStackFileText(target);
    const against = options.against !== undefined ? readStackOfFlag(options.against, io.cwd, "--against").file : undefined;
    try {
        if (options.since !== undefined) return await rebuildsSince(command, target, options.since);
        (await import("../plan/deferSdk")).deferUnusedSdkModules();
        const { computePlan, renderPlanTable } = await import("../plan/plan");
        const result = await computePlan(target);
        if (against !== undefined) {
            // The stack compared against is planned second: a config problem in it names its file.
            const { comparePlans, renderComparison } = await import("../plan/compare");
            const comparison = comparePlans(result, await computePlan(against));
            io.stdout(options.json ? `${JSON.stringify(comparison, null, 2)}\n` : renderComparison(comparison));
            return 0;
        }
        io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderPlanTable(result)}\n`);
        return 0;
    } catch (err) {
        // An invalid config: every problem, one per line.
        if (err instanceof ConfigError) {
            io.stderr(`${err.message}\n`);
            return 2;
        }
        throw err;
    }
}

/** Declares `plan` on `command`: its options, help and action. */
export function declarePlan(command: CliCommand): CliCommand {
    command
        .description(
            "Runs the Pulumi program under Pulumi's mock runtime with that stack file's config and prints what it " +
                'declares: no credentials, network or Pulumi CLI. Secrets show as "[secret]"; image digests are the ' +
                "sha256 of the image name. Exit 0, or 2 for a bad command line or an invalid config.",
        )
        .usage("(--stack <name> | --config-file <path>) [--since <rev> | --against <stack>] [--json]")
        .option("--stack <name>", "the stack whose Pulumi.<name>.yaml (in this directory) to plan")
        .option("--config-file <path>", "a stack file to plan")
        .option("--since <rev>", "instead: which images a change in the checkout since <rev> (a commit, branch or tag) rebuilds, and why")
        .option(
            "--against <stack>",
            "instead: what the stack changes against Pulumi.<stack>.yaml (the previous release's): per image new, changed, gone or unchanged " +
                "(its tags), per launcher branch the same (its files)",
        )
        .option(
            "--json",
            'print {"stack", "resources": [{"type", "name", "inputs"}], "outputs", "adopted": [{"branch", "standIn"}]} instead of the table ({"stack", "against", "images", "branches"} with --against)',
        )
        .exclusive("--stack", "--config-file", "give exactly one of --stack <name> or --config-file <path>")
        .exclusive(
            "--since",
            "--against",
            "--since and --against are mutually exclusive: --since asks what a source change rebuilds, --against what a stack changes",
        )
        .runs(plan);
    command.errorsWithoutUsage = true;
    return command;
}
