/**
 * What every `uw3-binder` command is built on: a commander Command that writes through a CommandIo, turns
 * every parse error into a UsageError worded the project's way (exit 2, one line), keeps the exit code its
 * action returns, and `execute`, the one place that turns errors into exit codes and lines on stderr.
 */
import { Command, CommanderError, Option } from "commander";
import { shown, capped } from "../text/quotedValue";
import { printableLines } from "../text/printable";
import { CommandIo } from "./commandIo";
import { refusalMessage, UsageError } from "./errors";

/** How a command words a missing or an extra positional argument. */
interface ArgumentMessages {
    missing(): string;
    excess(args: readonly string[]): string;
}

const pairKey = (a: Option, b: Option) => [a.attributeName(), b.attributeName()].sort().join(" ");

export class CliCommand extends Command {
    /** What the action returned: 0 ok, 1 a check failed, 2 refused. */
    exitCode: number | undefined;
    /**
     * Whether this command's errors are printed without the usage after them, and its refusals (a stack
     * file, an outputs file, a registry's answer) written here with exit 2 rather than thrown as usage
     * errors: plan, rollback and withdraw, whose errors quote files and registries.
     */
    errorsWithoutUsage = false;
    private readonly conflictMessages = new Map<string, string>();
    private readonly missingMessages = new Map<Option, () => string>();
    private argumentMessages: ArgumentMessages | undefined;

    constructor(
        name: string,
        readonly io: CommandIo,
    ) {
        super(name);
        this.exitOverride();
        this.configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text), outputError: () => undefined });
        // Titles as the rest of the CLI writes them; a subcommand listed by its name only.
        this.configureHelp({ styleTitle: (title) => title.toLowerCase(), subcommandTerm: (command) => command.name() });
        this.helpOption("-h, --help", "show this help");
    }

    /** Runs `action` for the parsed command line; its result is the exit code. */
    runs(action: (command: this) => Promise<number>): this {
        return this.action(async () => {
            this.exitCode = await action(this);
        });
    }

    /** `option`, which must be given; `message` says what is missing (it may look at the other options). */
    mandatory(option: Option, message: () => string): this {
        this.missingMessages.set(option, message);
        return this.addOption(option.makeOptionMandatory());
    }

    /** Options `a` and `b` (long names, already added) cannot be given together. */
    exclusive(a: string, b: string, message = `${a} and ${b} are mutually exclusive`): this {
        const [first, second] = [a, b].map((name) => {
            const option = this.options.find((o) => o.long === name);
            if (!option) throw new Error(`internal: ${this.name()} has no option ${name}`);
            return option;
        });
        first.conflicts(second.attributeName());
        second.conflicts(first.attributeName());
        this.conflictMessages.set(pairKey(first, second), message);
        return this;
    }

    /** How this command words a missing or an extra positional argument. */
    argumentsWorded(messages: ArgumentMessages): this {
        this.argumentMessages = messages;
        return this;
    }

    /** The usage line and where the options are, printed after a usage error. */
    usageHint(): string {
        const names = [this.name()];
        for (let parent = this.parent; parent; parent = parent.parent) names.unshift(parent.name());
        return `usage: ${this.createHelp().commandUsage(this)}\nrun \`${names.join(" ")} --help\` for every option\n`;
    }

    // commander's parse errors, worded as the rest of the CLI words them (they all end in a UsageError).

    unknownOption(flag: string): never {
        const eq = flag.indexOf("=");
        const name = eq < 0 ? flag : flag.slice(0, eq);
        const known = this.options.find((o) => o.long === name);
        if (known && !known.required && !known.optional) throw new UsageError(`${name} takes no value`);
        const names = this.options.filter((o) => o.long !== undefined && o.long !== "--help").map((o) => o.long);
        throw new UsageError(`unknown option ${capped(name)}${names.length > 0 ? `; expected one of ${names.join(", ")}` : ""}`);
    }

    unknownCommand(): never {
        throw new UsageError(`unknown command ${shown(this.args[0])}; expected one of ${this.commands.map((c) => c.name()).join(", ")}`);
    }

    optionMissingArgument(option: Option): never {
        throw new UsageError(`${option.long} needs a value`);
    }

    missingMandatoryOptionValue(option: Option): never {
        throw new UsageError(this.missingMessages.get(option)?.() ?? `missing ${option.flags}`);
    }

    missingArgument(name: string): never {
        throw new UsageError(this.argumentMessages?.missing() ?? `missing <${name}>`);
    }

    _excessArguments(args: string[]): never {
        throw new UsageError(this.argumentMessages?.excess(args) ?? `unexpected argument ${shown(args[this.registeredArguments.length])}`);
    }

    _conflictingOption(option: Option, conflicting: Option): never {
        throw new UsageError(this.conflictMessages.get(pairKey(option, conflicting)) ?? `${option.long} and ${conflicting.long} are mutually exclusive`);
    }
}

/**
 * An option whose value is one of `choices` (listed in the help); anything else is a usage error naming
 * the flag, the choices and what was given.
 */
export function choiceOption(flags: string, description: string, choices: readonly string[]): Option {
    const option = new Option(flags, description).choices(choices);
    return option.argParser((value: string) => {
        if (!choices.includes(value)) throw new UsageError(`${option.long} expects one of ${choices.join(", ")}, found ${shown(value)}`);
        return value;
    });
}

/** An option whose value `parse` turns into what the command uses; `parse` throws a UsageError for bad text. */
export function parsedOption<T>(flags: string, description: string, parse: (text: string) => T): Option {
    return new Option(flags, description).argParser((text: string) => parse(text));
}

/** An error's text as a terminal shows it: control characters escaped, each line and the line count bounded. */
function printable(text: string): string {
    return printableLines(text, 2000);
}

/**
 * Parses `argv` and runs the command (or the subcommand it names); resolves to the exit code: 0 ok (help
 * included), 1 a check failed, 2 a usage error or a refusal. With `report`, a usage error is written to
 * stderr as `uw3-binder <command>: <what>` (and the usage, unless the command's errors are one line);
 * without it, it rejects, for a caller that reports it itself. Any other error is a bug and rejects.
 */
export async function execute(command: CliCommand, argv: string[], report = false): Promise<number> {
    let leaf = command;
    command.hook("preSubcommand", (_parent, sub) => {
        leaf = sub as CliCommand;
    });
    // The root program names itself; a command is named after it.
    const prefix = () => (leaf === command && command.commands.length > 0 ? command.name() : `uw3-binder ${leaf.name()}`);
    try {
        await command.parseAsync(argv, { from: "user" });
        return leaf.exitCode ?? 0;
    } catch (err) {
        // Help asked for (exit 0) or shown for a missing command (a usage error): commander has written it.
        if (err instanceof CommanderError && !(err instanceof UsageError)) return err.exitCode === 0 ? 0 : 2;
        const message = await refusalMessage(err);
        if (message === undefined) throw err;
        if (!(err instanceof UsageError) && leaf.errorsWithoutUsage) {
            leaf.io.stderr(`${prefix()}: ${printable(message)}\n`);
            return 2;
        }
        if (!report) throw err instanceof UsageError ? err : new UsageError(message);
        leaf.io.stderr(`${prefix()}: ${printable(message)}\n${leaf.errorsWithoutUsage || leaf === command ? "" : leaf.usageHint()}`);
        return 2;
    }
}
