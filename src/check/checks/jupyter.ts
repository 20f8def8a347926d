/**
 * `jupyter`: the image's own server starts through its ENTRYPOINT — given the configured jupyter command,
 * with the port appended — and must answer HTTP 200 within `startTimeoutS` (mybinder gives up after 30 s,
 * which is why the start script must not rebuild Cython extensions). This is the gate's quick look at the
 * image alone; the launch exactly as mybinder.org does it (BinderHub's `python3 -c` start command, the base
 * URL, JupyterHub's environment, the hub's readiness request) is the rehearsal's (src/rehearsal/launch.ts),
 * which runs on the launcher built FROM the gated image. Both ask with the one probe (src/docker/httpProbe.ts).
 *
 * The container has no network (`--network=none`): the image under test reaches nothing on the host. The
 * server is probed from inside its own network namespace by HTTP_PROBE_SCRIPT under `docker exec`, one
 * exec polling every 0.2 s. The time reported is taken on the host when the probe's 200 arrives, counted
 * from the moment `docker run` returned: it never undercounts, and overcounts by at most one poll plus
 * `docker exec`'s start-up when the server was already up.
 */
import { DockerError, docker, firstLine } from "../../docker/cli";
import { containerLogTail, formatLogTail } from "../../docker/containers";
import { Check, CheckContext, CheckNotRunError, Verdict } from "../checkContext";
import { HTTP_PROBE_SCRIPT, PROBE_MARK, parseProbeOutput } from "../../docker/httpProbe";
import { describeEntrypoint, runShellOnce } from "../shell";
import { printableLine } from "../../text/printable";

/** Log lines quoted in a failing detail. */
const LOG_TAIL_LINES = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function secondsSince(since: number): number {
    return Math.round((Date.now() - since) / 100) / 10;
}

async function runJupyter(ctx: CheckContext): Promise<Verdict> {
    const { options, containers } = ctx;
    const image = await ctx.localImage();
    const port = options.jupyterPort;
    const where = `127.0.0.1:${port}`;
    const command = [...options.jupyterCommand, `--port=${port}`];
    const name = containers.uniqueName("jupyter");
    containers.add(name);
    let waiting: Promise<void> | undefined;
    try {
        const started = await docker(["run", "--detach", "--name", name, "--network=none", "--pull=never", image.ref, ...command], 120000);
        // 125 is the engine refusing (image gone, bad option); 126/127 the entrypoint failing to exec.
        if (started.code === 125 || started.timedOut) {
            throw new DockerError(`docker run ${image.ref} failed: ${printableLine(firstLine(started.stderr)) || "timed out"}`);
        }
        if (started.code !== 0) {
            return {
                ok: false,
                detail:
                    `the container did not start (exit ${started.code}): ${printableLine(firstLine(started.stderr.replace(/^docker: /, "")))}` +
                    ` (ENTRYPOINT ${describeEntrypoint(image)})`,
            };
        }
        const startedAt = Date.now();
        let exitCode: number | undefined;
        let exitedAfter = 0;
        waiting = docker(["wait", name], (options.startTimeoutS + 60) * 1000).then(
            (waited) => {
                if (waited.code === 0 && /^\d+$/.test(waited.stdout.trim())) {
                    exitCode = Number(waited.stdout.trim());
                    exitedAfter = secondsSince(startedAt);
                }
            },
            () => undefined,
        );
        const budgetMs = options.startTimeoutS * 1000;
        let answeredAt: number | undefined;
        const probe = await docker(["exec", name, "/bin/sh", "-c", HTTP_PROBE_SCRIPT, "sh", String(port), options.python], budgetMs, {
            onStdout: (stdout) => {
                if (answeredAt === undefined && stdout.includes(`${PROBE_MARK} 200@@`)) answeredAt = Date.now();
            },
        });
        const report = parseProbeOutput(probe.stdout);
        if (report.answered && answeredAt !== undefined && answeredAt - startedAt <= budgetMs) {
            const took = (Math.round((answeredAt - startedAt) / 100) / 10).toFixed(1);
            return { ok: true, detail: `HTTP 200 on ${where} ${took} s after start (limit ${options.startTimeoutS} s)` };
        }
        if (report.noClient) {
            throw new CheckNotRunError(
                `the image has none of curl, wget, python3 or ${printableLine(options.python)} on its PATH, so its server cannot be probed ` +
                    "from inside its own network namespace (the container has no network)",
            );
        }
        // A probe that ended early (the container exited under it): let `docker wait` report the exit.
        for (let i = 0; i < 20 && exitCode === undefined && !probe.timedOut; i++) await sleep(100);
        const logs = formatLogTail((await containerLogTail(name, LOG_TAIL_LINES)).map((l) => printableLine(l)));
        if (exitCode === undefined) {
            const last = report.lastStatus
                ? `no HTTP 200 on ${where} within ${options.startTimeoutS} s (last answer: HTTP ${report.lastStatus})`
                : `no HTTP answer on ${where} within ${options.startTimeoutS} s`;
            return { ok: false, detail: `${last}${logs}` };
        }
        const ranTime = exitedAfter.toFixed(1);
        // It exited: find out whether the entrypoint ran the command at all (the `exec "$@"` fault).
        const entrypointProbe = await runShellOnce({ image, containers, options }, "jupyter", ":", [], true);
        if (!entrypointProbe.started) {
            return {
                ok: false,
                detail:
                    `the container exited (code ${exitCode}) ${ranTime} s after start without running ${printableLine(options.jupyterCommand[0])}: ` +
                    `the entrypoint ${describeEntrypoint(image)} does not run its arguments; it must end with exec "$@", ` +
                    `since mybinder.org passes its start command (python3 -c ..., then jupyter-lab) as arguments${logs}`,
            };
        }
        return {
            ok: false,
            detail: `${printableLine(options.jupyterCommand[0])} exited with code ${exitCode} ${ranTime} s after start, before answering HTTP on ${where}${logs}`,
        };
    } finally {
        await containers.remove(name);
        // `docker wait` returns once the container is gone; do not leave the CLI process behind.
        await waiting;
    }
}

export const jupyter: Check = { name: "jupyter", kind: "runtime", run: runJupyter };
