/** `uw3-binder rollback --to <release> --from-outputs <file>`: pins every launcher branch to an earlier release's references. */
import { Option } from "commander";
import * as path from "path";
import { CliCommand, execute } from "./command";
import { CommandIo } from "./commandIo";
import { stackOfRelease } from "../names/release";

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
            "Pins every launcher branch of the current release's stack to the image references release <release>'s\n" +
                "gates verified, by writing `pin:` entries into its Pulumi.<stack>.yaml; every other byte of the file\n" +
                "is kept. Nothing is rebuilt: `pulumi up` then only re-checks each pinned digest in the registry and\n" +
                "rewrites the launcher files. Writes nothing if any reference or the resulting file is invalid.\n\n" +
                "  pulumi stack output --json -s 2025-01 > jan.json\n" +
                "  uw3-binder rollback --to 2025.01 --from-outputs jan.json --stack 2025-02\n\n" +
                "A release is a month YYYY.MM (stack YYYY-MM) or a version such as v3.0.1 (stack v3.0.1).",
        )
        .usage("--to <release> --from-outputs <file> [--stack <stack>] [--dir <dir>]")
        .mandatory(
            new Option("--to <release>", "the release to roll back to: a month YYYY.MM or a version such as v3.0.1"),
            () => "missing --to <release>, the release to roll back to (a month YYYY.MM or a version such as v3.0.1)",
        )
        .mandatory(
            new Option(
                "--from-outputs <file>",
                "that release's `pulumi stack output --json -s <its stack>`: each branch's launchers.<branch>.pinnedReference, else verifiedReferences.<image>",
            ),
            () => {
                const to = command.opts<{ to: string }>().to;
                return `missing --from-outputs <file>: save that release's outputs with \`pulumi stack output --json -s ${stackOfRelease(to)} > outputs.json\``;
            },
        )
        .option(
            "--stack <stack>",
            "the stack file to write (default: the current release's: the latest Pulumi.v<version>.yaml, else the latest Pulumi.YYYY-MM.yaml in --dir)",
        )
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
