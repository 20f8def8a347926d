/**
 * `uw3-binder targets --stack S --ref R`: the `--target` options of a `pulumi up` that updates one source
 * ref only (its launcher branches, with the images and gates they pin), computed offline as `plan` is.
 */
import * as path from "path";
import { CliCommand } from "./command";
import { UsageError } from "./errors";

async function targets(command: CliCommand): Promise<number> {
    const io = command.io;
    const options = command.opts<{ stack: string; ref: string }>();
    const [{ loadPlanConfig, readStackFileText, stackFilePath }, { ConfigError }, { shown }] = await Promise.all([
        import("../config/stackFile"),
        import("../config/schema"),
        import("../text/quotedValue"),
    ]);
    let file: string;
    let branches: string[];
    try {
        file = stackFilePath(options.stack, io.cwd);
        readStackFileText(file); // a missing file is one line naming it
        const { config } = loadPlanConfig(file);
        const launched = config.launcher?.branches ?? [];
        branches = launched.filter((b) => b.uw3Branch === options.ref).map((b) => b.name);
        if (branches.length === 0) {
            const refs = [...new Set(launched.map((b) => b.uw3Branch))];
            throw new UsageError(
                `--ref ${shown(options.ref)}: no launcher branch of stack ${shown(options.stack)} launches it (uw3-binder:launcher.branches[].uw3Branch); ` +
                    `expected one of: ${refs.length > 0 ? refs.map((r) => shown(r)).join(", ") : "(the stack has no launcher branches)"}`,
            );
        }
    } catch (err) {
        if (err instanceof ConfigError) {
            io.stderr(`${err.message}\n`);
            return 2;
        }
        throw err;
    }
    (await import("../plan/deferSdk")).deferUnusedSdkModules();
    const [{ runStackFile }, { branchTargets }] = await Promise.all([import("../plan/plan"), import("../plan/targets")]);
    const run = await runStackFile(path.resolve(file));
    const urns = branchTargets(run.mocks.registrations, run.resources, branches);
    // One option a line, so a workflow reads them into an array (`mapfile -t`) and never splits a URN.
    for (const urn of urns) {
        if (!/^urn:pulumi:[\x21-\x7e]+$/.test(urn)) throw new Error(`unexpected URN ${shown(urn)}`);
        io.stdout(`--target=${urn}\n`);
    }
    return 0;
}

/** Declares `targets` on `command`: its options, help and action. */
export function declareTargets(command: CliCommand): CliCommand {
    command
        .description(
            "Prints, one a line, the --target=<urn> options with which `pulumi up` updates only " +
                "what builds and pins one ref of the source repository: the launcher branches whose uw3Branch is <ref>, " +
                "with the images and gates they pin (and their parent images). Not for --target-dependents: that adds " +
                "every other ref's image built on a shared parent. Offline (the program under Pulumi's mock runtime, as `plan`). " +
                "Exit 0, or 2 for a bad command line, an invalid config or a ref no launcher branch launches.",
        )
        .usage("--stack <name> --ref <ref>")
        .requiredOption("--stack <name>", "the stack whose Pulumi.<name>.yaml (in this directory) to read")
        .requiredOption("--ref <ref>", "the source repository's branch or tag, e.g. main or v3.0.2")
        .runs(targets);
    command.errorsWithoutUsage = true;
    return command;
}
