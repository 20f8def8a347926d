/** `uw3-binder withdraw <digest-or-tag> --reason "..."`: records a bad release in the stack's `uw3-binder:withdrawn`. */
import * as fs from "fs";
import * as path from "path";
import { RegistryClient } from "../registry/client";
import { RegistryError } from "../registry/errors";
import { untrustedText } from "../check/untrusted";
import { shown } from "../config/shown";
import { formatImageReference, ImageReference } from "../images/reference";
import { WithdrawError, withdraw, withdrawText } from "../release/withdraw";
import { credentialsFromEnv } from "./check";
import { CommandIo, processIo } from "./commandIo";
import type { Command } from "./main";
import { parseArgs, UsageError } from "./usage";

const USAGE = `usage: uw3-binder withdraw <digest-or-tag> --reason "<why>" [--stack <stack>] [--from-outputs <file>] [--dir <dir>]

Records a published release that turned out bad in the stack's \`uw3-binder:withdrawn\` list
({ digest, reason, date }); every other byte of Pulumi.<stack>.yaml is kept. From the next \`pulumi up\`
on, every gate refuses that digest: as an image (a rebuild identical to it included), as a parent
(\`from\`), or as a launcher \`pin:\`.

  uw3-binder withdraw 2025.02-slim --reason "wrong sign in the Stokes solver (underworld3#1234)"
  uw3-binder withdraw sha256:<64 hex> --reason "..." --from-outputs jan.json --stack 2025-02

<digest-or-tag>          sha256:<64 hex> (taken as is), <repository>:<tag>, or a tag of one of the stack's
                         images; a tag is resolved to its digest in the registry
options:
  --reason <text>        why (required); the launcher README of a repinned branch quotes it
  --stack <stack>        the stack file to write (default: the latest Pulumi.YYYY-MM.yaml in --dir)
  --from-outputs <file>  an earlier stack's \`pulumi stack output --json\`: its verifiedReferences.<image>
                         becomes the withdrawal's \`replacement\`, which branches pinned to the digest get
  --dir <dir>            directory holding the stack files (default: .)

environment:
  UW3_BINDER_REGISTRY_USERNAME, UW3_BINDER_REGISTRY_PASSWORD
                         registry credentials to resolve a tag (set both or neither)

exit status: 0 recorded, 2 a usage error, an unresolvable tag or an invalid stack file (nothing written)`;

function readOutputs(file: string, name: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new WithdrawError(`--from-outputs ${name}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    try {
        return JSON.parse(text);
    } catch {
        throw new WithdrawError(`--from-outputs ${name}: not JSON; expected the output of \`pulumi stack output --json\``);
    }
}

export async function runWithdraw(argv: string[], io: CommandIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
    try {
        const args = parseArgs(argv, { booleans: [], values: ["reason", "stack", "from-outputs", "dir"] });
        if (args.positional.length !== 1) {
            throw new UsageError(`expected one <digest-or-tag>, found ${args.positional.length === 0 ? "none" : args.positional.map((p) => shown(p)).join(" ")}`);
        }
        const reason = args.flags.get("reason") as string | undefined;
        if (reason === undefined) throw new UsageError('missing --reason "<why>": the launcher README says why a release was withdrawn');
        const credentials = credentialsFromEnv(env);
        const outputsFile = args.flags.get("from-outputs") as string | undefined;
        const result = await withdraw({
            target: args.positional[0],
            reason,
            stack: args.flags.get("stack") as string | undefined,
            dir: path.resolve(io.cwd, (args.flags.get("dir") as string | undefined) ?? "."),
            today: new Date().toISOString().slice(0, 10),
            outputs: outputsFile === undefined ? undefined : { name: outputsFile, value: readOutputs(path.resolve(io.cwd, outputsFile), outputsFile) },
            resolve: async (ref: ImageReference) => {
                try {
                    const manifests = await new RegistryClient(ref, credentials).manifests();
                    return manifests.indexDigest ?? manifests.platforms[0].digest;
                } catch (err) {
                    if (!(err instanceof RegistryError)) throw err;
                    throw new WithdrawError(`cannot resolve ${formatImageReference(ref)} to a digest: ${err.message}`);
                }
            },
        });
        io.stdout(withdrawText(result));
        return 0;
    } catch (err) {
        if (err instanceof WithdrawError || err instanceof UsageError) {
            // One line, whatever a registry or a file said: see `uw3-binder withdraw --help` for the usage.
            io.stderr(`uw3-binder withdraw: ${untrustedText(err.message.replace(/\n/g, " "), 2000)}\n`);
            return 2;
        }
        throw err;
    }
}

export const command: Command = {
    summary: "withdraw a bad release: every gate refuses its digest, pinned branches are repinned",
    usage: USAGE,
    run: (argv) => runWithdraw(argv, processIo),
};
