/** `uw3-binder rollback --to YYYY.MM --from-outputs <file>`: pins every launcher branch to an earlier month's references. */
import { Option } from "commander";
import * as path from "path";
import { CliCommand, execute } from "./command";
import { CommandIo } from "./commandIo";

async function rollback(command: CliCommand): Promise<number> {
    const io = command.io;
    const options = command.opts<{ to: string; fromOutputs: string; stack?: string; dir: string }>();
    const { rollback: writePins, rollbackText } = await import("../release/rollback");
    const request = { to: options.to, outputsFile: options.fromOutputs, stack: options.stack, dir: path.resolve(io.cwd, options.dir) };
    // The outputs file is read relative to the working directory, as a shell user expects.
    const result = writePins({ ...request, outputsFile: path.resolve(io.cwd, options.fromOutputs), outputsName: options.fromOutputs });
    io.stdout(rollbackText(result, request));
    return 0;
}

/** Declares `rollback` on `command`: its options, help and action. */
export function declareRollback(command: CliCommand): CliCommand {
    command
        .description(
            "Pins every launcher branch of the current month's stack to the image references release <YYYY.MM>'s\n" +
                "gates verified, by writing `pin:` entries into its Pulumi.<stack>.yaml; every other byte of the file\n" +
                "is kept. Nothing is rebuilt: `pulumi up` then only re-checks each pinned digest in the registry and\n" +
                "rewrites the launcher files. Writes nothing if any reference or the resulting file is invalid.\n\n" +
                "  pulumi stack output --json -s 2025-01 > jan.json\n" +
                "  uw3-binder rollback --to 2025.01 --from-outputs jan.json --stack 2025-02",
        )
        .usage("--to <YYYY.MM> --from-outputs <file> [--stack <stack>] [--dir <dir>]")
        .mandatory(new Option("--to <YYYY.MM>", "the release month to roll back to"), () => "missing --to <YYYY.MM>, the release month to roll back to")
        .mandatory(
            new Option(
                "--from-outputs <file>",
                "that month's `pulumi stack output --json -s <YYYY-MM>`: each branch's launchers.<branch>.pinnedReference, else verifiedReferences.<image>",
            ),
            () => {
                const to = command.opts<{ to: string }>().to;
                return `missing --from-outputs <file>: save that month's outputs with \`pulumi stack output --json -s ${to.replace(".", "-")} > outputs.json\``;
            },
        )
        .option("--stack <stack>", "the stack file to write (default: the latest Pulumi.YYYY-MM.yaml in --dir)")
        .option("--dir <dir>", "directory holding the stack files", ".")
        .addHelpText("after", "\nexit status: 0 pinned (or already pinned), 2 a usage error or an invalid reference or stack file")
        .runs(rollback);
    command.errorsWithoutUsage = true;
    return command;
}

/** `uw3-binder rollback ...` with `argv` after the command name: a usage error rejects, a refusal is one line on stderr and exit 2. */
export function runRollback(argv: string[], io: CommandIo): Promise<number> {
    return execute(declareRollback(new CliCommand("rollback", io)), argv);
}
