/**
 * What every `uw3-binder` command is built on: a commander Command that writes through a CommandIo, turns
 * every parse error into a UsageError worded the project's way (exit 2, one line), keeps the exit code its
 * action returns, and `execute`, the one place that turns errors into exit codes and lines on stderr.
 */
import { Command, CommanderError, Option } from "commander";
import { shown, capped } from "../text/quotedValue";
import { CREDENTIAL_ENV } from "../check/credentialEnv";
import { printableLines } from "../text/printable";
import { redactSecrets } from "../text/redaction";
import { CommandIo } from "./commandIo";
import { refusalMessage, UsageError } from "./errors";

/** How a command words a missing or an extra positional argument. */
interface ArgumentMessages {
    missing(): string;
    excess(args: readonly string[]): string;
}

export class CliCommand extends Command {
    /** What the action returned: 0 ok, 1 a check failed, 2 refused. */
    exitCode: number | undefined;
    /**
     * Whether this command's errors are printed without the usage after them, and its refusals (a stack
     * file, an outputs file, a registry's answer) written here with exit 2 rather than thrown as usage
     * errors: plan, rollback and withdraw, whose errors quote files and registries.
     */
    errorsWithoutUsage = false;
    /** Each pair of options declared exclusive, with what its error says. */
    private readonly conflicts: [Option, Option, string][] = [];
    private readonly missingMessages = new Map<Option, () => string>();
    private argumentMessages: ArgumentMessages | undefined;

    constructor(
        name: string,
        readonly io: CommandIo,
    ) {
        super(name);
        // Every parse error reaches `worded` (commander then neither prints nor exits); no suggestion is added
        // to commander's message, which `worded` replaces anyway.
        this.exitOverride((err) => {
            throw this.worded(err);
        });
        this.showSuggestionAfterError(false);
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
        this.conflicts.push([first, second, message]);
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

    /**
     * commander's parse error, worded as the rest of the CLI words them: a UsageError (exit 2, one line).
     * Only public API: the error's code (CommanderError), this command's parsed `args`, its `options` and
     * their values. Errors that are not parse errors (help shown, a version printed) pass as they are.
     */
    private worded(err: CommanderError): CommanderError {
        // Each message commander words as `error: <what> '<quoted>'`: the quoted part, as given.
        const quoted = /'(.*)'/s.exec(err.message)?.[1] ?? "";
        switch (err.code) {
            case "commander.unknownOption": {
                const eq = quoted.indexOf("=");
                const name = eq < 0 ? quoted : quoted.slice(0, eq);
                const known = this.options.find((o) => o.long === name);
                if (known && !known.required && !known.optional) return new UsageError(`${name} takes no value`);
                const names = this.options.filter((o) => o.long !== undefined && o.long !== "--help").map((o) => o.long);
                return new UsageError(`unknown option ${capped(name)}${names.length > 0 ? `; expected one of ${names.join(", ")}` : ""}`);
            }
            case "commander.unknownCommand":
                return new UsageError(`unknown command ${shown(this.args[0])}; expected one of ${this.commands.map((c) => c.name()).join(", ")}`);
            case "commander.optionMissingArgument": {
                const option = this.options.find((o) => o.flags === quoted);
                return new UsageError(`${option?.long ?? quoted} needs a value`);
            }
            case "commander.missingMandatoryOptionValue": {
                // commander reports the first mandatory option, in declaration order, that has no value.
                const option = this.options.find((o) => o.mandatory && this.getOptionValue(o.attributeName()) === undefined);
                return new UsageError((option && this.missingMessages.get(option)?.()) ?? `missing ${option?.flags ?? quoted}`);
            }
            case "commander.missingArgument":
                return new UsageError(this.argumentMessages?.missing() ?? `missing <${quoted}>`);
            case "commander.excessArguments":
                return new UsageError(this.argumentMessages?.excess(this.args) ?? `unexpected argument ${shown(this.args[this.registeredArguments.length])}`);
            case "commander.conflictingOption": {
                const given = (o: Option) => this.getOptionValue(o.attributeName()) !== undefined && this.getOptionValueSource(o.attributeName()) !== "default";
                const pair = [...this.conflicts].find(([a, b]) => given(a) && given(b));
                return new UsageError(pair ? pair[2] : err.message.replace(/^error: /, ""));
            }
            default:
                return err;
        }
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

/**
 * An error's text as a terminal shows it: the registry credentials this process was given blanked (a
 * registry, or a hub behind one, may echo what it was sent, and every command's refusals are printed here),
 * control characters escaped, each line and the line count bounded.
 */
function printable(text: string): string {
    const credentials = { username: process.env[CREDENTIAL_ENV.username] ?? "", password: process.env[CREDENTIAL_ENV.password] ?? "" };
    return printableLines(redactSecrets(text, credentials), 2000);
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
