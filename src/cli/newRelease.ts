/** `uw3-binder new-release YYYY.MM`: the next month's stack file, copied from the previous one. */
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
            "Writes Pulumi.<YYYY-MM>.yaml from an earlier month's stack file with uw3-binder:release set to " +
                "<YYYY.MM>; every other setting and every comment is copied byte for byte. Never overwrites.",
        )
        .usage("<YYYY.MM> [--from <YYYY-MM>] [--dir <dir>]")
        .argument("<YYYY.MM>", "the new release month")
        .argumentsWorded({
            missing: () => "expected one release YYYY.MM, found none",
            excess: (args) => `expected one release YYYY.MM, found ${args.map((p) => shown(p)).join(" ")}`,
        })
        .option("--from <YYYY-MM>", "stack to copy (default: the latest Pulumi.YYYY-MM.yaml before the new month)")
        .option("--dir <dir>", "directory holding the stack files", ".")
        .runs(newRelease);
}

/** `uw3-binder new-release ...` with `argv` after the command name; a usage error or a refusal rejects. */
export function runNewRelease(argv: string[], io: CommandIo): Promise<number> {
    return execute(declareNewRelease(new CliCommand("new-release", io)), argv);
}
