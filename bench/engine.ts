/**
 * Bench: the real engine. The warm `scripts/pulumi-engine.sh install` (the cold time is the one .ci/run
 * prints on a fresh machine, `engine: ready in N s`), then the demo stack twice: its images alone
 * (`pulumi preview` before anything exists, the first `pulumi up`, a no-change `pulumi up`), and as the
 * README's demo line runs it, with its launcher on the local GitHub (first `up`: builds, gates, the launcher
 * repository, a rehearsal per branch, the repins and LAUNCHER_PAT; then a no-change `up`). Each twice: first as
 * the engine ran the program before issue 21 (index.ts through ts-node, type-checked), then compiled (dist/),
 * so the before and after figures come from the same run on the same machine. Needs the
 * services `scripts/services.sh start` runs, local-github included. `bench/run.ts` calls `benchEngine()`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../test/integration/harness";
import { demoImagesOnly, EngineEnv, EngineProject, engineEnv, REPO_ROOT, RUN_ID } from "../test/e2e/engine";
import { localGitHub } from "../test/e2e/github";
import { formatSeconds, timedAsync } from "./timing";

/**
 * The program as the engine ran it before issue 21: index.ts through ts-node, type-checked on every run
 * (Pulumi.yaml `typescript: true`, package.json `main: index.ts`), for the before figures of the same run.
 */
async function runThroughTsNode(programDir: string): Promise<void> {
    const project = path.join(programDir, "Pulumi.yaml");
    await fs.promises.writeFile(project, (await fs.promises.readFile(project, "utf8")).replace("typescript: false", "typescript: true"));
    const pkg = path.join(programDir, "package.json");
    await fs.promises.writeFile(pkg, (await fs.promises.readFile(pkg, "utf8")).replace('"main": "dist/index.js"', '"main": "index.ts"'));
}

/** One demo stack's preview (optional), first up and no-change up, each timed; the stack is destroyed after. */
async function benchDemo(env: EngineEnv, label: string, edit: (config: Record<string, unknown>) => void, preview: boolean, tsNode = false): Promise<string[]> {
    const lines: string[] = [];
    const project = await EngineProject.create(env, { stack: "demo", edit });
    if (tsNode) {
        await runThroughTsNode(project.programDir);
        label = `${label}, through ts-node (before)`;
    }
    try {
        await project.useExampleSource();
        if (preview) {
            const previewed = await timedAsync(() => project.preview());
            lines.push(`engine: pulumi preview --stack demo, ${label} (nothing built yet) ${formatSeconds(previewed.ms)}`);
        }
        const first = await timedAsync(() => project.up());
        lines.push(`engine: pulumi up --stack demo, ${label}, first ${formatSeconds(first.ms)}: ${JSON.stringify(first.value.summary.resourceChanges)}`);
        const again = await timedAsync(() => project.up());
        lines.push(`engine: pulumi up --stack demo, ${label}, no change ${formatSeconds(again.ms)}: ${JSON.stringify(again.value.summary.resourceChanges)}`);
        const previewedAgain = await timedAsync(() => project.preview());
        lines.push(
            `engine: pulumi preview --stack demo, ${label}, no change ${formatSeconds(previewedAgain.ms)}: ${JSON.stringify(previewedAgain.value.changeSummary)}`,
        );
        await project.destroy();
    } finally {
        await project.remove();
    }
    return lines;
}

export async function benchEngine(): Promise<string[]> {
    const lines: string[] = [];
    const { value: install, ms: installMs } = await timedAsync(() =>
        run("bash", [path.join(REPO_ROOT, "scripts", "pulumi-engine.sh"), "install"], { timeoutMs: 90 * 60 * 1000 }),
    );
    if (install.code !== 0) throw new Error(`scripts/pulumi-engine.sh install failed: ${install.stderr.trim().split("\n").pop()}`);
    lines.push(`engine: scripts/pulumi-engine.sh install (warm, binaries cached) ${formatSeconds(installMs)}`);

    const env = await engineEnv();
    if (!env.ready) throw new Error(`bench engine needs the engine and the loopback services: ${env.problems.join("; ")}`);
    const namespace = (config: Record<string, unknown>, suffix: string) => {
        config["uw3-binder:registry"] = { ...(config["uw3-binder:registry"] as object), namespace: `bench-${suffix}-${RUN_ID}` };
    };
    for (const tsNode of [true, false]) {
        lines.push(
            ...(await benchDemo(
                env,
                "images only (2 builds, 2 gates)",
                (config) => {
                    demoImagesOnly(config);
                    namespace(config, tsNode ? "images-ts" : "images");
                },
                true,
                tsNode,
            )),
        );
    }

    const { github, problem } = await localGitHub();
    if (!github) throw new Error(`bench engine's launcher half needs the local GitHub: ${problem}`);
    // The launcher as the README's demo line writes it, to a repository of this run's own; GITHUB_TOKEN and
    // UW3_BINDER_LAUNCHER_PAT come from `services.sh env`, as in that line.
    for (const tsNode of [true, false]) {
        const suffix = tsNode ? "launcher-ts" : "launcher";
        lines.push(
            ...(await benchDemo(
                env,
                "with its launcher (2 builds, 2 gates, 2 rehearsals, 2 branches repinned, LAUNCHER_PAT)",
                (config) => {
                    namespace(config, suffix);
                    config["uw3-binder:launcher"] = {
                        ...(config["uw3-binder:launcher"] as object),
                        repository: `uw3-binder-${suffix}-bench-${RUN_ID}`,
                    };
                },
                true,
                tsNode,
            )),
        );
    }
    return lines;
}
