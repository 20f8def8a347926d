/** `uw3-binder withdraw <digest-or-tag> --reason "..."`: records a bad release in the stack's `uw3-binder:withdrawn`. */
import { Option } from "commander";
import * as path from "path";
import { CREDENTIAL_ENV } from "../check/types";
import { shown } from "../text/quotedValue";
import { credentialsFromEnv } from "./check";
import { CliCommand } from "./command";

async function withdrawRelease(command: CliCommand): Promise<number> {
    const io = command.io;
    const [target] = command.processedArgs as [string];
    const options = command.opts<{ reason: string; stack?: string; fromOutputs?: string; dir: string }>();
    const credentials = credentialsFromEnv(process.env);
    const [
        { RegistryClient },
        { boundTo },
        { RegistryError },
        { formatImageReference },
        { WithdrawError, withdraw, withdrawText },
        { InputFileError, OUTPUTS_EXPECTED, OUTPUTS_FILE_MAX_BYTES, readJsonFile },
    ] = await Promise.all([
        import("../registry/client"),
        import("../registry/session"),
        import("../registry/errors"),
        import("../names/oci"),
        import("../release/withdraw"),
        import("../config/inputFile"),
    ]);
    const readOutputs = (file: string, name: string): unknown => {
        try {
            return readJsonFile(file, `--from-outputs ${name}`, OUTPUTS_EXPECTED, OUTPUTS_FILE_MAX_BYTES);
        } catch (err) {
            if (err instanceof InputFileError) throw new WithdrawError(err.message);
            throw err;
        }
    };
    const outputsFile = options.fromOutputs;
    const result = await withdraw({
        target,
        reason: options.reason,
        stack: options.stack,
        dir: path.resolve(io.cwd, options.dir),
        today: new Date().toISOString().slice(0, 10),
        outputs: outputsFile === undefined ? undefined : { name: outputsFile, value: readOutputs(path.resolve(io.cwd, outputsFile), outputsFile) },
        resolve: async (ref, registry) => {
            try {
                const manifests = await new RegistryClient(ref, boundTo(credentials, registry)).manifests();
                return manifests.indexDigest ?? manifests.platforms[0].digest;
            } catch (err) {
                if (!(err instanceof RegistryError)) throw err;
                throw new WithdrawError(`cannot resolve ${formatImageReference(ref)} to a digest: ${err.message.replace(/\n/g, " ")}`);
            }
        },
    });
    io.stdout(withdrawText(result));
    return 0;
}

/** Declares `withdraw` on `command`: its arguments, options, help and action. */
export function declareWithdraw(command: CliCommand): CliCommand {
    command
        .description(
            "Records a published release that turned out bad in the stack's `uw3-binder:withdrawn` list\n" +
                "({ digest, reason, date }); every other byte of Pulumi.<stack>.yaml is kept. From the next `pulumi up`\n" +
                "on, every gate refuses that digest: as an image (a rebuild identical to it included), as a parent\n" +
                "(`from`), or as a launcher `pin:`.\n\n" +
                '  uw3-binder withdraw 2025.02-slim --reason "wrong sign in the Stokes solver (underworld3#1234)"\n' +
                '  uw3-binder withdraw sha256:<64 hex> --reason "..." --from-outputs jan.json --stack 2025-02',
        )
        .usage('<digest-or-tag> --reason "<why>" [--stack <stack>] [--from-outputs <file>] [--dir <dir>]')
        .argument(
            "<digest-or-tag>",
            "sha256:<64 hex> (taken as is), <repository>:<tag>, or a tag of one of the stack's images; a tag is resolved to its digest in the registry",
        )
        .argumentsWorded({
            missing: () => "expected one <digest-or-tag>, found none",
            excess: (args) => `expected one <digest-or-tag>, found ${args.map((p) => shown(p)).join(" ")}`,
        })
        .mandatory(
            new Option("--reason <text>", "why (required); the launcher README of a repinned branch quotes it"),
            () => 'missing --reason "<why>": the launcher README says why a release was withdrawn',
        )
        .option(
            "--stack <stack>",
            "the stack file to write (default: the current release's: the latest Pulumi.v<version>.yaml, else the latest Pulumi.YYYY-MM.yaml in --dir)",
        )
        .option(
            "--from-outputs <file>",
            "an earlier stack's `pulumi stack output --json`: its verifiedReferences.<image> becomes the withdrawal's `replacement`, which branches pinned to the digest get",
        )
        .option("--dir <dir>", "directory holding the stack files", ".")
        .addHelpText(
            "after",
            `\nenvironment:\n  ${CREDENTIAL_ENV.username}, ${CREDENTIAL_ENV.password}\n      registry credentials to resolve a tag (set both or neither)\n\n` +
                "exit status: 0 recorded, 2 a usage error, an unresolvable tag or an invalid stack file (nothing written)",
        )
        .runs(withdrawRelease);
    // One line, whatever a registry or a file said.
    command.errorsWithoutUsage = true;
    return command;
}
