/**
 * Bench: wall time of the compiled CLI (bin/uw3-binder.js on dist/), median of several runs, for
 * `uw3-binder --help` (loads no command: goal under 0.3 s) and `uw3-binder plan --stack 2025-01` (loads
 * the Pulumi SDK and runs the program under its mock runtime: goal under 1 s), beside what they took
 * through ts-node before the CLI was compiled. Needs `npm run build`. `bench/run.ts` calls `benchCli()`;
 * `npx ts-node --transpile-only bench/cli.ts` runs it alone.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { performance } from "node:perf_hooks";

const ROOT = path.join(__dirname, "..");
const BIN = path.join(ROOT, "bin", "uw3-binder.js");
const RUNS = 7;

const CASES: { argv: string[]; goalS: number; tsNodeS: number }[] = [
    { argv: ["--help"], goalS: 0.3, tsNodeS: 1.6 },
    { argv: ["plan", "--stack", "2025-01"], goalS: 1, tsNodeS: 2.2 },
];

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/** Seconds one run of the CLI takes, or an error naming the command when it does not exit 0. */
function timed(argv: string[]): number {
    const start = performance.now();
    const r = spawnSync(process.execPath, [BIN, ...argv], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const seconds = (performance.now() - start) / 1000;
    if (r.status !== 0) throw new Error(`uw3-binder ${argv.join(" ")} exited ${String(r.status)}: ${r.stderr.split("\n")[0]}`);
    return seconds;
}

export function benchCli(): Promise<string[]> {
    if (!fs.existsSync(path.join(ROOT, "dist", "src", "cli", "main.js"))) throw new Error("no compiled CLI in dist/; run `npm run build` first");
    const lines = [`median of ${RUNS} runs (one warm-up run first), wall time of node bin/uw3-binder.js ...`];
    for (const { argv, goalS, tsNodeS } of CASES) {
        timed(argv);
        const seconds = median(Array.from({ length: RUNS }, () => timed(argv)));
        const verdict = seconds < goalS ? "meets" : "MISSES";
        lines.push(`  uw3-binder ${argv.join(" ").padEnd(22)} ${seconds.toFixed(2)} s (goal < ${goalS} s: ${verdict}; ${tsNodeS} s through ts-node before)`);
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
