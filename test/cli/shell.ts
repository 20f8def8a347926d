/**
 * Runs a generated command line under `sh -c`, as Pulumi's command provider and a user pasting it do, with
 * the programs it names replaced by recorders: each call's argv is kept, so a test can check what arrived
 * and that nothing else ran.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface ShellRun {
    /** Each recorded call's arguments (without the program name), in no particular order. */
    calls: { program: string; argv: string[] }[];
    status: number | null;
    stderr: string;
}

/** `programs` are put first on PATH as recorders; everything else on PATH stays reachable (as `touch` must be, to prove it did not run). */
export function runUnderShell(commandLine: string, programs: string[], dir: string): ShellRun {
    const bin = fs.mkdtempSync(path.join(dir, "bin-"));
    const calls = fs.mkdtempSync(path.join(dir, "calls-"));
    for (const program of programs) {
        const recorder = path.join(bin, program);
        fs.writeFileSync(recorder, `#!/bin/sh\nf=$(mktemp "${calls}/${program}.XXXXXX")\nprintf '%s\\0' "$@" > "$f"\n`, { mode: 0o755 });
    }
    const r = spawnSync("sh", ["-c", commandLine], { encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    return {
        calls: fs.readdirSync(calls).map((f) => {
            const text = fs.readFileSync(path.join(calls, f), "utf8");
            return { program: f.split(".")[0], argv: text === "" ? [] : text.slice(0, -1).split("\0") };
        }),
        status: r.status,
        stderr: r.stderr,
    };
}

/** Values a config, a registry or a file could hand to a command line, each trying to run `touch <marker>`. */
export function hostileValues(marker: string): string[] {
    return [
        `$(touch ${marker})`,
        `\`touch ${marker}\``,
        `x; touch ${marker}`,
        `x && touch ${marker} #`,
        `x | touch ${marker}`,
        `it's "quoted" '$(touch ${marker})'`,
        `line\ntouch ${marker}`,
        `\${IFS}touch\${IFS}${marker}`,
        `x > ${marker}`,
        `-rf * ?`,
    ];
}
