/** `uw3-binder rollback --to YYYY.MM --from-outputs <file>`: pins every launcher branch to an earlier month's references. */
import * as path from "path";
import { RollbackError, rollback, rollbackText } from "../release/rollback";
import type { Command } from "./main";
import { CommandIo, processIo } from "./commandIo";
import { shown } from "../config/shown";
import { parseArgs, UsageError } from "./usage";

const USAGE = `usage: uw3-binder rollback --to <YYYY.MM> --from-outputs <file> [--stack <stack>] [--dir <dir>]

Pins every launcher branch of the current month's stack to the image references release <YYYY.MM>'s
gates verified, by writing \`pin:\` entries into its Pulumi.<stack>.yaml; every other byte of the file
is kept. Nothing is rebuilt: \`pulumi up\` then only re-checks each pinned digest in the registry and
rewrites the launcher files. Writes nothing if any reference or the resulting file is invalid.

  pulumi stack output --json -s 2025-01 > jan.json
  uw3-binder rollback --to 2025.01 --from-outputs jan.json --stack 2025-02

options:
  --to <YYYY.MM>         the release month to roll back to
  --from-outputs <file>  that month's \`pulumi stack output --json -s <YYYY-MM>\`: each branch's
                         launchers.<branch>.pinnedReference, else verifiedReferences.<image>
  --stack <stack>        the stack file to write (default: the latest Pulumi.YYYY-MM.yaml in --dir)
  --dir <dir>            directory holding the stack files (default: .)

exit status: 0 pinned (or already pinned), 2 a usage error or an invalid reference or stack file`;

export async function runRollback(argv: string[], io: CommandIo): Promise<number> {
    const args = parseArgs(argv, { booleans: [], values: ["to", "from-outputs", "stack", "dir"] });
    if (args.positional.length > 0) throw new UsageError(`unexpected argument ${shown(args.positional[0])}`);
    const to = args.flags.get("to") as string | undefined;
    const outputsFile = args.flags.get("from-outputs") as string | undefined;
    if (to === undefined) throw new UsageError("missing --to <YYYY.MM>, the release month to roll back to");
    if (outputsFile === undefined) {
        throw new UsageError(`missing --from-outputs <file>: save that month's outputs with \`pulumi stack output --json -s ${to.replace(".", "-")} > outputs.json\``);
    }
    const request = {
        to,
        outputsFile,
        stack: args.flags.get("stack") as string | undefined,
        dir: path.resolve(io.cwd, (args.flags.get("dir") as string | undefined) ?? "."),
    };
    try {
        // The outputs file is read relative to the working directory, as a shell user expects.
        const result = rollback({ ...request, outputsFile: path.resolve(io.cwd, outputsFile), outputsName: outputsFile });
        io.stdout(rollbackText(result, request));
        return 0;
    } catch (err) {
        if (err instanceof RollbackError) {
            io.stderr(`uw3-binder rollback: ${err.message}\n`);
            return 2;
        }
        throw err;
    }
}

export const command: Command = {
    summary: "pin every launcher branch to an earlier month's verified references (no rebuild)",
    usage: USAGE,
    run: (argv) => runRollback(argv, processIo),
};
