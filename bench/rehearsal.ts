/**
 * Bench: a rehearsed launch (`uw3-binder rehearse`) of the good fixture image, with mybinder.org's
 * limits: its time to the first HTTP 200 (what mybinder.org gives 30 s for) and the whole rehearsal's wall
 * time (build, launch, removal), over a few runs. Needs Docker and the open loopback registry
 * (scripts/services.sh start). `bench/run.ts` calls `benchRehearsal()`; `npx ts-node bench/rehearsal.ts`
 * runs it alone.
 */
import { rehearseLaunch } from "../src/rehearsal/launch";
import { DEFAULT_REHEARSAL_OPTIONS } from "../src/rehearsal/options";
import { fixtureSpec } from "../test/integration/fixtureImages";
import { buildAndPushImage, integrationEnv, run } from "../test/integration/harness";
import { formatMs, median, runAlone, timedAsync } from "./timing";

const RUNS = 3;

export async function benchRehearsal(): Promise<string[]> {
    const env = await integrationEnv();
    if (!env.ready) {
        throw new Error(`bench rehearsal needs Docker and the loopback registries (scripts/services.sh start): ${env.problems.join("; ")}`);
    }
    const lines: string[] = [];
    const target = `${env.registry}/uw3-binder-bench/rehearsal:${process.pid.toString(36)}${Date.now().toString(36)}`;
    const { value: pushed, ms: setupMs } = await timedAsync(() => buildAndPushImage(fixtureSpec(), target));
    lines.push(`rehearsal: built and pushed the good fixture image ${pushed.reference} in ${formatMs(setupMs)} (setup)`);
    const reference = `${pushed.localTag}@${pushed.digest}`;
    const options = DEFAULT_REHEARSAL_OPTIONS;
    try {
        const toHttp200: number[] = [];
        const wall: number[] = [];
        for (let i = 1; i <= RUNS; i++) {
            const { value: outcome, ms } = await timedAsync(() =>
                rehearseLaunch(reference, { branch: "development", uw3Branch: "development", release: "2025.01" }, options),
            );
            const elapsed = ms / 1000;
            if (!outcome.ok || outcome.secondsToHttp200 === undefined) {
                lines.push(`rehearsal: run ${i} FAILED: ${outcome.steps.map((s) => `${s.name}: ${s.detail}`).join("; ")}`);
                continue;
            }
            toHttp200.push(outcome.secondsToHttp200);
            wall.push(elapsed);
            const [build, launch] = outcome.steps;
            lines.push(
                `rehearsal: run ${i}: HTTP 200 ${outcome.secondsToHttp200.toFixed(1)} s after start; build ${build.seconds.toFixed(1)} s, ` +
                    `launch ${launch.seconds.toFixed(1)} s, whole rehearsal ${elapsed.toFixed(1)} s`,
            );
        }
        if (toHttp200.length > 0) {
            lines.push(
                `rehearsal: median time to HTTP 200 ${median(toHttp200).toFixed(1)} s (limit ${options.startTimeoutS} s; ` +
                    `${options.cpus} CPU, ${options.memory} memory, no network), median whole rehearsal ${median(wall).toFixed(1)} s over ${toHttp200.length} runs`,
            );
        }
    } finally {
        await run("docker", ["rmi", "--force", pushed.localTag]);
    }
    return lines;
}

runAlone(module, benchRehearsal);
