/**
 * Bench: wall time of the compiled CLI (bin/uw3-binder.js on dist/), median of several runs, for
 * `uw3-binder --help` (loads no command: goal at most 2x a bare `node -e 0`) and `uw3-binder plan --stack
 * 2025-01` (loads the Pulumi SDK and runs the program under its mock runtime: goal at most 10x), beside what
 * they took through ts-node before the CLI was compiled. The goals are ratios to `node -e 0` timed in the
 * same run, so a loaded machine slows both sides. Needs `npm run build`. `bench/run.ts` calls `benchCli()`;
 * `npx ts-node --transpile-only bench/cli.ts` runs it alone.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { performance } from "node:perf_hooks";

const ROOT = path.join(__dirname, "..");
const BIN = path.join(ROOT, "bin", "uw3-binder.js");
const RUNS = 7;

const CASES: { argv: string[]; goalX: number; tsNodeS: number }[] = [
    { argv: ["--help"], goalX: 2, tsNodeS: 1.6 },
    { argv: ["plan", "--stack", "2025-01"], goalX: 10, tsNodeS: 2.2 },
];

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/** Seconds one run of `node <args>` takes, or an error naming the command when it does not exit 0. */
function timed(args: string[]): number {
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const seconds = (performance.now() - start) / 1000;
    if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${String(r.status)}: ${r.stderr.split("\n")[0]}`);
    return seconds;
}

/** The median of RUNS runs after one warm-up run. */
function medianRun(args: string[]): number {
    timed(args);
    return median(Array.from({ length: RUNS }, () => timed(args)));
}

export function benchCli(): Promise<string[]> {
    if (!fs.existsSync(path.join(ROOT, "dist", "src", "cli", "main.js"))) throw new Error("no compiled CLI in dist/; run `npm run build` first");
    const bare = medianRun(["-e", "0"]);
    const lines = [`median of ${RUNS} runs (one warm-up run first), wall time; node -e 0 ${bare.toFixed(2)} s`];
    for (const { argv, goalX, tsNodeS } of CASES) {
        const seconds = medianRun([BIN, ...argv]);
        const ratio = seconds / bare;
        const verdict = ratio <= goalX ? "meets" : "MISSES";
        lines.push(
            `  uw3-binder ${argv.join(" ").padEnd(22)} ${seconds.toFixed(2)} s = ${ratio.toFixed(1)}x node -e 0 (goal <= ${goalX}x: ${verdict}; ${tsNodeS} s through ts-node before)`,
        );
    }
    return Promise.resolve(lines);
}

if (require.main === module) {
    benchCli().then(
        (lines) => process.stdout.write(lines.join("\n") + "\n"),
        (err: unknown) => {
            process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
            process.exitCode = 1;
        },
    );
}
