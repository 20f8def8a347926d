/**
 * `uw3-binder <command>`: the dispatcher. Each command lives in its own module and returns an exit code:
 * 0 ok, 1 a check failed, 2 usage or config error.
 */
import { shown } from "../config/shown";
import { UsageError } from "./usage";

export interface Command {
    summary: string;
    usage: string;
    run(argv: string[]): Promise<number>;
}

// Commands are loaded lazily so `uw3-binder link` does not pay for loading the Pulumi SDK.
const COMMANDS: Record<string, () => Command> = {
    plan: () => require("./plan").command,
    check: () => require("./check").command,
    link: () => require("./link").command,
    "new-release": () => require("./newRelease").command,
    warmup: () => require("./warmup").command,
    rollback: () => require("./rollback").command,
    withdraw: () => require("./withdraw").command,
    rehearse: () => require("./rehearse").command,
};

export function helpText(): string {
    const lines = ["usage: uw3-binder <command> [options]", "", "commands:"];
    for (const [name, load] of Object.entries(COMMANDS)) {
        let summary = "";
        try {
            summary = load().summary;
        } catch {
            summary = "(unavailable)";
        }
        lines.push(`  ${name.padEnd(12)} ${summary}`);
    }
    lines.push("", "Run `uw3-binder <command> --help` for a command's options.");
    return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
    const [name, ...rest] = argv;
    if (!name || name === "--help" || name === "-h" || name === "help") {
        process.stdout.write(helpText() + "\n");
        return name ? 0 : 2;
    }
    const load = COMMANDS[name];
    if (!load) {
        process.stderr.write(`uw3-binder: unknown command ${shown(name)}; expected one of ${Object.keys(COMMANDS).join(", ")}\n`);
        return 2;
    }
    const command = load();
    if (rest.includes("--help") || rest.includes("-h")) {
        process.stdout.write(command.usage + "\n");
        return 0;
    }
    try {
        return await command.run(rest);
    } catch (err) {
        if (err instanceof UsageError) {
            process.stderr.write(`uw3-binder ${name}: ${err.message}\n${command.usage}\n`);
            return 2;
        }
        throw err;
    }
}
