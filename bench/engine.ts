/**
 * Bench: the real engine. The warm `scripts/pulumi-engine.sh install` (the cold time is the one .ci/run
 * prints on a fresh machine, `engine: ready in N s`), then on the demo stack: `pulumi preview` before
 * anything exists, the first `pulumi up`, and a no-change `pulumi up`. Needs the services
 * `scripts/services.sh start` runs. `bench/run.ts` calls `benchEngine()`.
 */
import * as path from "node:path";
import { run } from "../test/integration/harness";
import { EngineProject, engineEnv, REPO_ROOT, RUN_ID } from "../test/e2e/engine";
import { formatSeconds, timedAsync } from "./timing";

export async function benchEngine(): Promise<string[]> {
    const lines: string[] = [];
    const { value: install, ms: installMs } = await timedAsync(() =>
        run("bash", [path.join(REPO_ROOT, "scripts", "pulumi-engine.sh"), "install"], { timeoutMs: 90 * 60 * 1000 }),
    );
    if (install.code !== 0) throw new Error(`scripts/pulumi-engine.sh install failed: ${install.stderr.trim().split("\n").pop()}`);
    lines.push(`engine: scripts/pulumi-engine.sh install (warm, binaries cached) ${formatSeconds(installMs)}`);

    const env = await engineEnv();
    if (!env.ready) throw new Error(`bench engine needs the engine and the loopback services: ${env.problems.join("; ")}`);
    const project = await EngineProject.create(env, {
        stack: "demo",
        edit: (config: Record<string, unknown>) => {
            (config["uw3-binder:registry"] as { namespace: string }).namespace = `bench-${RUN_ID}`;
        },
    });
    try {
        await project.useExampleSource();

        const preview = await timedAsync(() => project.preview());
        lines.push(`engine: pulumi preview --stack demo (nothing built yet) ${formatSeconds(preview.ms)}`);
        const first = await timedAsync(() => project.up());
        lines.push(
            `engine: pulumi up --stack demo, first (2 builds, 2 gates) ${formatSeconds(first.ms)}: ${JSON.stringify(first.value.summary.resourceChanges)}`,
        );
        const again = await timedAsync(() => project.up());
        lines.push(`engine: pulumi up --stack demo, no change ${formatSeconds(again.ms)}: ${JSON.stringify(again.value.summary.resourceChanges)}`);
        await project.destroy();
    } finally {
        await project.remove();
    }
    return lines;
}
