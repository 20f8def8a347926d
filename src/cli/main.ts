/**
 * `uw3-binder <command>`: the root program. Each command is declared in its own module, loaded only once
 * the command line names it: `uw3-binder --help` lists the commands from the table below without loading
 * any, and a command's action imports its heavy modules (the Pulumi SDK, Docker, the registry client)
 * itself. Exit codes: 0 ok, 1 a check failed, 2 a usage or config error.
 */
import { CliCommand, execute } from "./command";
import { CommandIo, processIo } from "./commandIo";
import { UsageError } from "./errors";

type Declare = (command: CliCommand) => CliCommand;

/** Every command: its name, its line in the help, and its module's declaration. */
const COMMANDS: readonly { name: string; summary: string; declare: () => Promise<Declare> }[] = [
    { name: "plan", summary: "show what the program declares for a stack, offline", declare: async () => (await import("./plan")).declarePlan },
    {
        name: "targets",
        summary: "print the `pulumi up --target` options that update one source ref only (its branches, images and gates)",
        declare: async () => (await import("./targets")).declareTargets,
    },
    {
        name: "check",
        summary: "check an image is ready for mybinder.org: from the registry, and run in the local Docker engine",
        declare: async () => (await import("./check")).declareCheck,
    },
    {
        name: "link",
        summary: "print the mybinder.org link and badge that open a repository's notebooks in Underworld3",
        declare: async () => (await import("./link")).declareLink,
    },
    {
        name: "new-release",
        summary: "write the next release's stack file (Pulumi.<YYYY-MM>.yaml or Pulumi.<v3.0.2>.yaml) from the previous one, comments and all",
        declare: async () => (await import("./newRelease")).declareNewRelease,
    },
    {
        name: "warmup",
        summary: "ask every mybinder.org federation member to build launcher commits now; reports per member, never fails",
        declare: async () => (await import("./warmup")).declareWarmup,
    },
    {
        name: "rollback",
        summary: "pin every launcher branch to an earlier release's verified references (no rebuild)",
        declare: async () => (await import("./rollback")).declareRollback,
    },
    {
        name: "withdraw",
        summary: "withdraw a bad release: every gate refuses its digest, pinned branches are repinned",
        declare: async () => (await import("./withdraw")).declareWithdraw,
    },
    {
        name: "rehearse",
        summary: "build a launcher branch's .binder/Dockerfile and start it as mybinder.org does",
        declare: async () => (await import("./rehearse")).declareRehearse,
    },
];

function program(io: CommandIo): CliCommand {
    const root = new CliCommand("uw3-binder", io)
        .description("Builds, gates and publishes the Underworld3 mybinder.org images; these commands run without the Pulumi CLI.")
        .usage("<command> [options]")
        .helpCommand(false)
        .addHelpText("after", "\nRun `uw3-binder <command> --help` for a command's options.\nexit status: 0 ok, 1 a check failed, 2 a usage or config error");
    root.errorsWithoutUsage = true;
    const declared = new Set<CliCommand>();
    /** Completes a command's declaration (its arguments, options and action) from its module, once. */
    const declare = async (command: CliCommand): Promise<void> => {
        const entry = COMMANDS.find((c) => c.name === command.name());
        if (!entry || declared.has(command)) return;
        declared.add(command);
        (await entry.declare())(command);
    };
    for (const { name, summary } of COMMANDS) root.addCommand(new CliCommand(name, io).summary(summary));
    root.addCommand(
        new CliCommand("help", io)
            .summary("show the options of a command")
            .argument("[command]", "the command")
            .runs(async (help) => {
                const [name] = help.processedArgs as [string | undefined];
                const command = root.commands.find((c) => c.name() === name && c !== help) as CliCommand | undefined;
                if (name !== undefined && !command)
                    throw new UsageError(`unknown command ${JSON.stringify(name)}; expected one of ${COMMANDS.map((c) => c.name).join(", ")}`);
                if (command) await declare(command);
                (command ?? root).outputHelp();
                return 0;
            }),
    );
    root.hook("preSubcommand", async (_root, command) => declare(command as CliCommand));
    return root;
}

/** Runs the command line `argv` (without `node` and the script); resolves to the exit code. */
export function main(argv: string[], io: CommandIo = processIo): Promise<number> {
    return execute(program(io), argv, true);
}
