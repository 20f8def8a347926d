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
 * (`source.path`, resolved as the program resolves it) since <rev>, uncommitted changes included. Offline,
 * no Pulumi SDK: the image graph and the rebuild rules of src/source/rebuild.ts.
 */
async function rebuildsSince(command: CliCommand, target: string, since: string): Promise<number> {
    const io = command.io;
    const [{ loadPlanConfig }, { configImageNodes, describeRebuilds, planRebuilds }, { changedPathsSince }, { PROGRAM_DIR }, { shown }] = await Promise.all([
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
    let changed: string[];
    try {
        changed = changedPathsSince(checkout, since);
    } catch (err) {
        const reason = (err instanceof Error ? err.message : String(err)).split("\n")[0];
        throw new UsageError(`--since ${shown(since)}: cannot compare the checkout ${shown(checkout)} with it (${reason})`);
    }
    const decisions = planRebuilds(configImageNodes(config.images), changed);
    if (command.opts<{ json?: true }>().json) {
        io.stdout(`${JSON.stringify({ since, checkout, changedPaths: changed.length, rebuilds: decisions }, null, 2)}\n`);
    } else {
        io.stdout(
            [
                `images a change since ${shown(since)} rebuilds (${changed.length} changed paths in ${shown(checkout)}):`,
                ...describeRebuilds(decisions).map((l) => `  ${l}`),
            ].join("\n") + "\n",
        );
    }
    return 0;
}

async function plan(command: CliCommand): Promise<number> {
    const io = command.io;
    const options = command.opts<{ stack?: string; configFile?: string; json?: true; since?: string }>();
    if (options.stack === undefined && options.configFile === undefined) throw new UsageError("give exactly one of --stack <name> or --config-file <path>");
    const [{ readStackFileText, stackFilePath }, { ConfigError }] = await Promise.all([import("../config/stackFile"), import("../config/schema")]);
    const target = options.configFile !== undefined ? path.resolve(io.cwd, options.configFile) : stackFilePath(options.stack!, io.cwd);
    // A missing file or a directory is one line naming it (a refusal), not a config report.
    readStackFileText(target);
    try {
        if (options.since !== undefined) return await rebuildsSince(command, target, options.since);
        (await import("../plan/deferSdk")).deferUnusedSdkModules();
        const { computePlan, renderPlanTable } = await import("../plan/plan");
        const result = await computePlan(target);
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
        .usage("(--stack <name> | --config-file <path>) [--since <rev>] [--json]")
        .option("--stack <name>", "the stack whose Pulumi.<name>.yaml (in this directory) to plan")
        .option("--config-file <path>", "a stack file to plan")
        .option("--since <rev>", "instead: which images a change in the checkout since <rev> (a commit, branch or tag) rebuilds, and why")
        .option("--json", 'print {"stack", "resources": [{"type", "name", "inputs"}], "outputs", "adopted": [{"branch", "standIn"}]} instead of the table')
        .exclusive("--stack", "--config-file", "give exactly one of --stack <name> or --config-file <path>")
        .runs(plan);
    command.errorsWithoutUsage = true;
    return command;
}
