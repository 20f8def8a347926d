import * as path from "path";
import { ConfigError } from "../config/schema";
import { readStackFileText, stackFilePath, stackNameProblem } from "../config/stackFile";
import type { Command } from "./main";
import { parseArgs, UsageError } from "./usage";

const usage = `usage: uw3-binder plan (--stack <name> | --config-file <path>) [--json]

Runs the Pulumi program under Pulumi's mock runtime with that stack file's config and prints what it
declares: no credentials, network or Pulumi CLI. Secrets show as "[secret]"; image digests are the
sha256 of the image name. Exit 0, or 2 for a bad command line or an invalid config.`;

export const command: Command = {
    summary: "show what the program declares for a stack, offline",
    usage,
    async run(argv) {
        const args = parseArgs(argv, { booleans: ["json"], values: ["stack", "config-file"] });
        if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
        const stack = args.flags.get("stack");
        const file = args.flags.get("config-file");
        if ((stack === undefined) === (file === undefined)) throw new UsageError("give exactly one of --stack <name> or --config-file <path>");
        const stackProblem = typeof stack === "string" ? stackNameProblem(stack) : undefined;
        if (stackProblem) throw new UsageError(`--stack ${stackProblem}`);
        const target = typeof file === "string" ? path.resolve(file) : stackFilePath(String(stack));
        try {
            readStackFileText(target);
        } catch (err) {
            // A missing file or a directory is one line naming it, not a config report.
            if (err instanceof ConfigError) {
                process.stderr.write(`uw3-binder plan: ${err.problems.join("; ")}\n`);
                return 2;
            }
            throw err;
        }
        // Loaded here, not at the top: the Pulumi SDK is only paid for by the commands that need it.
        const { computePlan, renderPlanTable } = await import("../plan/plan");
        try {
            const plan = await computePlan(target);
            process.stdout.write(args.flags.has("json") ? `${JSON.stringify(plan, null, 2)}\n` : `${renderPlanTable(plan)}\n`);
            return 0;
        } catch (err) {
            if (err instanceof ConfigError) {
                process.stderr.write(`${err.message}\n`);
                return 2;
            }
            throw err;
        }
    },
};
