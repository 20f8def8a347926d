/**
 * `uw3-binder plan`: what the program declares for a stack file, computed under Pulumi's mock runtime.
 * The Pulumi SDK is loaded only by the action, so the CLI's help and the other commands never pay for it.
 */
import * as path from "path";
import { CliCommand } from "./command";
import { UsageError } from "./errors";

async function plan(command: CliCommand): Promise<number> {
    const io = command.io;
    const options = command.opts<{ stack?: string; configFile?: string; json?: true }>();
    if (options.stack === undefined && options.configFile === undefined) throw new UsageError("give exactly one of --stack <name> or --config-file <path>");
    const [{ readStackFileText, stackFilePath }, { ConfigError }] = await Promise.all([import("../config/stackFile"), import("../config/schema")]);
    const target = options.configFile !== undefined ? path.resolve(io.cwd, options.configFile) : stackFilePath(options.stack!, io.cwd);
    // A missing file or a directory is one line naming it (a refusal), not a config report.
    readStackFileText(target);
    const { computePlan, renderPlanTable } = await import("../plan/plan");
    try {
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
        .usage("(--stack <name> | --config-file <path>) [--json]")
        .option("--stack <name>", "the stack whose Pulumi.<name>.yaml (in this directory) to plan")
        .option("--config-file <path>", "a stack file to plan")
        .option("--json", 'print {"stack", "resources": [{"type", "name", "inputs"}], "outputs"} instead of the table')
        .exclusive("--stack", "--config-file", "give exactly one of --stack <name> or --config-file <path>")
        .runs(plan);
    command.errorsWithoutUsage = true;
    return command;
}
