/**
 * Bench: `uw3-binder warmup` against hubs that never end their event stream. Runs the CLI's own `main`
 * as a child process against a loopback hub that writes as fast as it is read, and reports the child's
 * peak RSS, its wall time, what the hub managed to send and the outcome. The goal: peak RSS under
 * 100 MB whatever the hub sends (before the bounded parser, `endless-data` grew past 3 GB and
 * `no-newline` spun at 100 % CPU until the timeout).
 *
 * The child runs the sources transpiled to JavaScript beforehand (plain `node`): its peak is what warmup
 * itself costs. The installed CLI (bin/uw3-binder.js, the compiled dist/) is measured too, idle and
 * against one endless stream, to show that the stream adds nothing to it either. `bench/run.ts` calls `benchWarmup()`;
 * `npx ts-node --transpile-only bench/warmup.ts` runs it alone.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { run, RunResult } from "../test/integration/harness";
import { endless, EndlessKind, hub } from "../test/warmup/hub";
import { runAlone, timedAsync } from "./timing";

const ROOT = path.join(__dirname, "..");
const BIN = path.join(ROOT, "bin", "uw3-binder.js");
const PEAK_RSS_BUDGET_MB = 100;
/** Long enough that only the bounds, not the timeout, can end the two hostile streams. */
const TIMEOUT_S = 60;
/**
 * The well-formed endless stream runs to its timeout, twice: a flood of valid events (~100 MB/s on
 * loopback, far beyond any hub's build log) makes V8 grow its heap with the allocation rate, so it has no
 * budget here; what matters is that the peak levels off (about 110-120 MB after 10 s and after 20 s on the
 * 2-core dev machine), i.e. nothing accumulates per event.
 */
const EVENTS_TIMEOUTS_S = [10, 20];

interface Run {
    peakRssMb: number;
    seconds: number;
    outcome: string;
    message: string;
    sentMb: number;
}

/** src/ transpiled to CommonJS in a temporary directory, with an entry that runs the CLI's `main`. */
function transpiledCli(): { entry: string; dir: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-binder-bench-warmup-"));
    const walk = (rel: string): void => {
        for (const entry of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
            const child = path.join(rel, entry.name);
            if (entry.isDirectory()) walk(child);
            else if (entry.name.endsWith(".ts")) {
                const out = ts.transpileModule(fs.readFileSync(path.join(ROOT, child), "utf8"), {
                    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
                }).outputText;
                fs.mkdirSync(path.join(dir, rel), { recursive: true });
                fs.writeFileSync(path.join(dir, child.replace(/\.ts$/, ".js")), out);
            }
        }
    };
    walk("src");
    const entry = path.join(dir, "entry.js");
    fs.writeFileSync(entry, `require("./src/cli/main.js").main(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n`);
    return { entry, dir };
}

/** Runs `node --require peakRss.cjs <script> <args>` to its end. */
function runChild(script: string, args: string[]): Promise<RunResult> {
    // The transpiled sources live outside the repository: they find its node_modules through NODE_PATH.
    return run(process.execPath, ["--require", path.join(__dirname, "peakRss.cjs"), script, ...args], { env: { NODE_PATH: path.join(ROOT, "node_modules") } });
}

/** Runs `node --require peakRss.cjs <script> <args>`; returns its peak RSS (MB), stdout and time. */
async function runMeasured(script: string, args: string[]): Promise<{ peakRssMb: number; stdout: string; seconds: number }> {
    const {
        value: { code, stdout, stderr },
        ms,
    } = await timedAsync(() => runChild(script, args));
    const rss = /uw3-binder-bench maxrss-kib (\d+)/.exec(stderr);
    if (code !== 0 || !rss) throw new Error(`${path.basename(script)} ${args[0]} exited ${code}: ${stderr.trim().split("\n").slice(-3).join(" / ")}`);
    return { peakRssMb: Number(rss[1]) / 1024, stdout, seconds: ms / 1000 };
}

async function runAgainst(script: string, kind: EndlessKind, timeoutS: number): Promise<Run> {
    const hostile = endless(kind);
    const h = await hub(hostile.script);
    try {
        const r = await runMeasured(script, ["warmup", "o/r", "main", "--binder-url", h.url, "--timeout-s", String(timeoutS), "--json"]);
        const member = (JSON.parse(r.stdout) as { members: Array<{ outcome: string; message: string }> }).members[0];
        return { peakRssMb: r.peakRssMb, seconds: r.seconds, outcome: member.outcome, message: member.message, sentMb: hostile.sent() / 1024 / 1024 };
    } finally {
        await h.stop();
    }
}

export async function benchWarmup(): Promise<string[]> {
    const lines: string[] = [];
    let over = false;
    const cli = transpiledCli();
    try {
        const cases: [EndlessKind, string][] = [
            ["endless-data", "data: lines forever, no blank line"],
            ["no-newline", "bytes forever, no newline"],
        ];
        for (const [kind, what] of cases) {
            const r = await runAgainst(cli.entry, kind, TIMEOUT_S);
            over ||= r.peakRssMb >= PEAK_RSS_BUDGET_MB;
            lines.push(
                `warmup vs ${kind} (${what}): peak RSS ${r.peakRssMb.toFixed(1)} MB (${r.peakRssMb < PEAK_RSS_BUDGET_MB ? "within" : "OVER"} the ${PEAK_RSS_BUDGET_MB} MB budget), ` +
                    `${r.seconds.toFixed(1)} s, hub sent ${r.sentMb.toFixed(1)} MB, outcome ${r.outcome}: ${r.message}`,
            );
        }
        const flood: string[] = [];
        for (const timeoutS of EVENTS_TIMEOUTS_S) {
            const r = await runAgainst(cli.entry, "endless-events", timeoutS);
            flood.push(`${r.peakRssMb.toFixed(1)} MB after ${timeoutS} s (${r.sentMb.toFixed(0)} MB read, ${r.outcome})`);
        }
        lines.push(`warmup vs endless-events (well-formed build events forever, no budget: see bench/warmup.ts): peak RSS ${flood.join(", ")}`);
    } finally {
        fs.rmSync(cli.dir, { recursive: true, force: true });
    }
    const idle = await runMeasured(BIN, ["warmup", "--help"]);
    const endlessData = await runAgainst(BIN, "endless-data", TIMEOUT_S);
    lines.push(
        `bin/uw3-binder.js (compiled): peak RSS ${idle.peakRssMb.toFixed(1)} MB printing --help, ${endlessData.peakRssMb.toFixed(1)} MB against endless-data ` +
            `(+${(endlessData.peakRssMb - idle.peakRssMb).toFixed(1)} MB for the stream)`,
    );
    if (over) lines.push("warmup: FAILED (peak RSS over budget, see above)");
    return lines;
}

runAlone(module, benchWarmup);
