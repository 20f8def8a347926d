/** `uw3-binder new-release <release>`: the next release's stack file (a month or a version), copied from the previous one. */
import * as path from "path";
import { shown } from "../text/quotedValue";
import { CliCommand, execute } from "./command";
import { CommandIo } from "./commandIo";

async function newRelease(command: CliCommand): Promise<number> {
    const io = command.io;
    const [release] = command.processedArgs as [string];
    const options = command.opts<{ from?: string; dir: string }>();
    const { newRelease: writeRelease, nextStepsText } = await import("../release/newRelease");
    io.stdout(nextStepsText(writeRelease({ release, from: options.from, dir: path.resolve(io.cwd, options.dir) })));
    return 0;
}

/** Declares `new-release` on `command`: its arguments, options, help and action. */
export function declareNewRelease(command: CliCommand): CliCommand {
    return command
        .description(
            "Writes the new release's stack file from an earlier release's, with uw3-binder:release set to <release> and " +
                "uw3-binder:previousRelease to the release copied; every other setting and every comment is copied byte for byte. " +
                "A release is a month YYYY.MM (stack file Pulumi.YYYY-MM.yaml) or a version such as v3.0.2 (Pulumi.v3.0.2.yaml). " +
                'Where the launcher has a frozen branch named "{release}", a frozen branch of the previous release is added before it. ' +
                "Never overwrites.",
        )
        .usage("<release> [--from <stack>] [--dir <dir>]")
        .argument("<release>", "the new release: a month YYYY.MM or a version such as v3.0.2")
        .argumentsWorded({
            missing: () => "expected one release (a month YYYY.MM or a version such as v3.0.2), found none",
            excess: (args) => `expected one release (a month YYYY.MM or a version such as v3.0.2), found ${args.map((p) => shown(p)).join(" ")}`,
        })
        .option(
            "--from <stack>",
            "stack to copy (default: the latest stack file of an earlier release of the same kind; for a version with none, the latest month's)",
        )
        .option("--dir <dir>", "directory holding the stack files", ".")
        .runs(newRelease);
}

/** `uw3-binder new-release ...` with `argv` after the command name; a usage error or a refusal rejects. */
export function runNewRelease(argv: string[], io: CommandIo): Promise<number> {
    return execute(declareNewRelease(new CliCommand("new-release", io)), argv);
}
