/** `uw3-binder new-release YYYY.MM`: the next month's stack file, copied from the previous one. */
import * as path from "path";
import { NewReleaseError, newRelease, nextStepsText } from "../release/newRelease";
import type { Command } from "./main";
import { CommandIo, processIo } from "./commandIo";
import { shown } from "../config/shown";
import { parseArgs, UsageError } from "./usage";

const USAGE = `usage: uw3-binder new-release <YYYY.MM> [--from <YYYY-MM>] [--dir <dir>]

Writes Pulumi.<YYYY-MM>.yaml from an earlier month's stack file with uw3-binder:release set to
<YYYY.MM>; every other setting and every comment is copied byte for byte. Never overwrites.

options:
  --from <YYYY-MM>  stack to copy (default: the latest Pulumi.YYYY-MM.yaml before the new month)
  --dir <dir>       directory holding the stack files (default: .)`;

export async function runNewRelease(argv: string[], io: CommandIo): Promise<number> {
    const args = parseArgs(argv, { booleans: [], values: ["from", "dir"] });
    if (args.positional.length !== 1) {
        throw new UsageError(`expected one release YYYY.MM, found ${args.positional.length === 0 ? "none" : args.positional.map((p) => shown(p)).join(" ")}`);
    }
    try {
        const result = newRelease({
            release: args.positional[0],
            from: args.flags.get("from") as string | undefined,
            dir: path.resolve(io.cwd, (args.flags.get("dir") as string | undefined) ?? "."),
        });
        io.stdout(nextStepsText(result));
        return 0;
    } catch (err) {
        if (err instanceof NewReleaseError) throw new UsageError(err.message);
        throw err;
    }
}

export const command: Command = {
    summary: "write next month's Pulumi.<YYYY-MM>.yaml from the previous one, comments and all",
    usage: USAGE,
    run: (argv) => runNewRelease(argv, processIo),
};
