/**
 * Bench: the real engine. The warm `scripts/pulumi-engine.sh install` (the cold time is the one .ci/run
 * prints on a fresh machine, `engine: ready in N s`), then on the demo stack: `pulumi preview` before
 * anything exists, the first `pulumi up`, and a no-change `pulumi up`. Needs the services
 * `scripts/services.sh start` runs. `bench/run.ts` calls `benchEngine()`.
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { run } from "../test/integration/harness";
import { EngineProject, engineEnv, REPO_ROOT, RUN_ID } from "../test/e2e/engine";

function seconds(start: number): string {
    return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

export async function benchEngine(): Promise<string[]> {
    const lines: string[] = [];
    let start = performance.now();
    const install = await run("bash", [path.join(REPO_ROOT, "scripts", "pulumi-engine.sh"), "install"], { timeoutMs: 90 * 60 * 1000 });
    if (install.code !== 0) throw new Error(`scripts/pulumi-engine.sh install failed: ${install.stderr.trim().split("\n").pop()}`);
    lines.push(`engine: scripts/pulumi-engine.sh install (warm, binaries cached) ${seconds(start)}`);

    const env = await engineEnv();
    if (!env.ready) throw new Error(`bench engine needs the engine and the loopback services: ${env.problems.join("; ")}`);
    const project = await EngineProject.create(env, {
        stack: "demo",
        edit: (config: Record<string, any>) => (config["uw3-binder:registry"].namespace = `bench-${RUN_ID}`),
    });
    try {
        await project.useExampleSource();

        start = performance.now();
        await project.stack.preview();
        lines.push(`engine: pulumi preview --stack demo (nothing built yet) ${seconds(start)}`);
        start = performance.now();
        const first = await project.stack.up();
        lines.push(`engine: pulumi up --stack demo, first (2 builds, 2 gates) ${seconds(start)}: ${JSON.stringify(first.summary.resourceChanges)}`);
        start = performance.now();
        const again = await project.stack.up();
        lines.push(`engine: pulumi up --stack demo, no change ${seconds(start)}: ${JSON.stringify(again.summary.resourceChanges)}`);
        await project.stack.destroy();
    } finally {
        await project.remove();
    }
    return lines;
}
