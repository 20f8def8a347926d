/**
 * A rehearsed launch: what mybinder.org does with a launcher branch, done in the local Docker engine
 * before the branch is repinned.
 *
 *   1. build: repo2docker finds `.binder/Dockerfile` and runs a plain `docker build` of the repository
 *      with `NB_USER=jovyan` and `NB_UID=1000` as build args (the classic builder, as docker-py drives it);
 *      the base image is pulled anonymously when it is not in the engine, as a mybinder.org node pulls it;
 *   2. launch: the container is started as KubeSpawner starts BinderHub's pod (src/mybinder/facts.ts has each
 *      fact and its source): UID 1000, the CPU and memory limits, the image's ENTRYPOINT and WORKDIR, its CMD
 *      replaced by BinderHub's start command (`python3 -c <script>`: jupyter-lab when jupyterlab>=3 imports,
 *      else jupyter-notebook) and the spawner's arguments (`--ip=0.0.0.0 --port=8888`, base URL
 *      `/user/<name>/`, a token, as `--NotebookApp.*` and again as `--ServerApp.*`), the JupyterHub
 *      environment (JUPYTERHUB_*, MEM_LIMIT, CPU_LIMIT, ...), and an empty read-only /etc/jupyter where
 *      mybinder.org mounts its own configuration.
 *
 * What is emulated, and why no hub is needed: mybinder.org's BinderHub runs without hub authentication, so the
 * server is a plain jupyter-lab with a token that never calls the hub (JUPYTERHUB_API_URL points at a hub this
 * container cannot reach, as nothing in such a server uses it). The hub's part of a launch is to wait for the
 * server: `GET /user/<name>/api`, redirects not followed, any status under 500 within 30 s of the start (else
 * the launch fails). The rehearsal asks exactly that, then asks what the user's browser is sent to,
 * `/user/<name>/?token=<token>` through its redirects, which must answer 200 (a server that ignores the base
 * URL satisfies the hub with a 404 but shows the user nothing). The proxy in between forwards the path as is.
 * The container has no network at all (`--network=none`), so both requests run inside it (`docker exec`)
 * against 127.0.0.1:8888, and parallel rehearsals never compete for a port.
 *
 * The built image and the container are removed on every path, including SIGINT/SIGTERM (exit
 * 130/143; see ContainerSet). Whatever the image writes is escaped and cut short before it is shown.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DockerUnavailableError, docker, firstLine } from "../docker/cli";
import { ContainerSet, containerLogTail, formatLogTail, whileRemovingOnSignal } from "../docker/containers";
import { HTTP_PROBE_SCRIPT, parseProbeOutput } from "../docker/httpProbe";
import { inspectLocalImage } from "../docker/image";
import { printableLine } from "../text/printable";
import {
    BINDER_JUPYTER_CONFIG_DIR,
    BINDER_NO_LAB_MESSAGE,
    BINDER_PLATFORM,
    BINDER_PORT,
    BINDER_READY_PATH,
    BINDER_READY_STATUS_BELOW,
    BINDER_UID,
    BINDER_USER,
    binderServerArgs,
    binderServerEnv,
    binderServerPrefix,
    binderStartCommand,
} from "../mybinder/facts";
import { branchSlug } from "../names/git";
import { LauncherPin, launcherDockerfile } from "../render/launcher";
import { DEFAULT_REHEARSAL_OPTIONS, RehearsalOptions, RehearsalTarget, memoryBytes } from "./options";

/** Where the launcher's Dockerfile sits in its repository (repo2docker looks there first). */
const LAUNCHER_DOCKERFILE_PATH = ".binder/Dockerfile";

/** The steps of a rehearsal, in the order they run and are reported. */
const REHEARSAL_STEPS = ["build", "launch"] as const;
export type RehearsalStep = (typeof REHEARSAL_STEPS)[number];

export interface RehearsalStepResult {
    name: RehearsalStep;
    ok: boolean;
    detail: string;
    seconds: number;
}

export interface RehearsalOutcome {
    /** The pinned reference rehearsed (the launcher's FROM). */
    reference: string;
    branch: string;
    ok: boolean;
    /** Seconds from the container's start to the first HTTP 200; undefined when there was none. */
    secondsToHttp200?: number;
    steps: RehearsalStepResult[];
}

/** What `uw3-binder rehearse --json` prints. */
export interface RehearsalReport {
    reference: string;
    branch: string;
    ok: boolean;
    secondsToHttp200: number | null;
    checks: { name: RehearsalStep; ok: boolean; detail: string }[];
}

export function rehearsalReport(outcome: RehearsalOutcome): RehearsalReport {
    return {
        reference: outcome.reference,
        branch: outcome.branch,
        ok: outcome.ok,
        secondsToHttp200: outcome.secondsToHttp200 ?? null,
        checks: outcome.steps.map((s) => ({ name: s.name, ok: s.ok, detail: s.detail })),
    };
}

// ---------------------------------------------------------------------------------------------------
// Pure parts

/** One launch's own names and secrets: the server's URL prefix, its token and its hub API token. */
export interface LaunchIdentity {
    /** `/user/<name>/`, as BinderHub names a launch's user. */
    prefix: string;
    token: string;
    apiToken: string;
}

/** The repository path a rehearsal's user is named after, as BinderHub names users after the repository. */
const REHEARSAL_USER_REPOSITORY = "uw3-binder/rehearsal";
const USER_SUFFIX_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A fresh launch identity: BinderHub's eight-character suffix and its token shape (16 random bytes, URL-safe base64). */
export function newLaunchIdentity(): LaunchIdentity {
    const suffix = Array.from(randomBytes(8), (b) => USER_SUFFIX_CHARS[b % USER_SUFFIX_CHARS.length]).join("");
    return {
        prefix: binderServerPrefix(REHEARSAL_USER_REPOSITORY, suffix),
        token: randomBytes(16).toString("base64url"),
        apiToken: randomBytes(16).toString("hex"),
    };
}

/** BinderHub's start command and the spawner's arguments, handed to the image's entrypoint. */
export function binderLaunchCommand(launch: Pick<LaunchIdentity, "prefix" | "token">): string[] {
    return [...binderStartCommand(), ...binderServerArgs(launch.prefix, launch.token)];
}

/** The launch command as details show it: the script named, not quoted; the token is this run's own, but has no business in a log. */
export function describedLaunchCommand(): string {
    const [python, flag] = binderStartCommand();
    const args = binderServerArgs("/user/<name>/", "<token>").filter((a) => !a.startsWith("--ServerApp."));
    return `${python} ${flag} <BinderHub's start script: jupyter-lab if jupyterlab>=3 imports, else jupyter-notebook> ${args.join(" ")} (and each --NotebookApp. option as --ServerApp.)`;
}

/** `docker build` of the launcher context as repo2docker builds a `.binder/Dockerfile`. */
export function rehearsalBuildArgs(contextDir: string, tag: string): string[] {
    return [
        "build",
        "--file",
        path.join(contextDir, LAUNCHER_DOCKERFILE_PATH),
        "--build-arg",
        `NB_USER=${BINDER_USER}`,
        "--build-arg",
        `NB_UID=${BINDER_UID}`,
        "--tag",
        tag,
        contextDir,
    ];
}

/**
 * `docker run` of the built image as KubeSpawner starts BinderHub's pod: its user, limits, environment and
 * command, mybinder.org's /etc/jupyter mount (empty here), and no network.
 */
export function rehearsalRunArgs(container: string, image: string, options: RehearsalOptions, launch: LaunchIdentity): string[] {
    const env = binderServerEnv(launch.prefix, launch.apiToken, image, memoryBytes(options.memory), options.cpus);
    return [
        "run",
        "--detach",
        "--name",
        container,
        "--user",
        String(BINDER_UID),
        "--memory",
        options.memory,
        // Kubernetes nodes run without swap: the memory limit is the whole budget.
        "--memory-swap",
        options.memory,
        "--cpus",
        String(options.cpus),
        "--network=none",
        "--pull=never",
        "--tmpfs",
        `${BINDER_JUPYTER_CONFIG_DIR}:ro`,
        ...Object.entries(env).flatMap(([key, value]) => ["--env", `${key}=${value}`]),
        image,
        ...binderLaunchCommand(launch),
    ];
}

/** What the launch's server is asked, in order: the hub's readiness request, then the page the user is sent to. */
export function launchProbes(launch: Pick<LaunchIdentity, "prefix" | "token">): { ready: string; open: string } {
    return { ready: `${launch.prefix}${BINDER_READY_PATH}`, open: `${launch.prefix}?token=${launch.token}` };
}

/** Whether the hub counts an answer to its readiness request as "up" (any status under 500, even 404). */
export function hubCountsReady(status: number): boolean {
    return status < BINDER_READY_STATUS_BELOW;
}

/**
 * Why a container that exited before it was ready did not start (pure): a missing python3 or a missing
 * Jupyter server, from BinderHub's start command's own messages and exit code, or undefined when the logs do
 * not say. `logs` is the container's output, before it is made printable.
 */
export function describeStartFailure(exitCode: number, logs: string): string | undefined {
    const decided = logs.includes(BINDER_NO_LAB_MESSAGE) || logs.includes("Launching jupyter-lab");
    if (logs.includes(BINDER_NO_LAB_MESSAGE) && /FileNotFoundError|No such file or directory/.test(logs)) {
        return (
            "no Jupyter server in the image: jupyterlab 3 or later does not import in its python3 and there is no jupyter-notebook on its PATH " +
            "(BinderHub's start command runs jupyter-lab when jupyterlab>=3 imports, else jupyter-notebook)"
        );
    }
    if (logs.includes("Launching jupyter-lab") && /FileNotFoundError|No such file or directory/.test(logs)) {
        return "jupyterlab imports in the image's python3 but there is no jupyter-lab command on its PATH, which BinderHub's start command runs";
    }
    if (!decided && (exitCode === 127 || /python3: (not found|No such file)/.test(logs))) {
        return "no python3 on the PATH the image's entrypoint gives its command: BinderHub's start command is python3 -c <script>, whatever the image's CMD";
    }
    return undefined;
}

/** What one probe found: an HTTP status, no answer, no HTTP client in the image, or no probe at all. */
export type ProbeResult = { kind: "status"; status: number } | { kind: "none" } | { kind: "noclient" } | { kind: "failed" };

/** One round of the one HTTP probe (src/docker/httpProbe.ts), read by its one parser. `failed`: the exec did not run (container gone). */
export function parseProbe(code: number, stdout: string): ProbeResult {
    const report = parseProbeOutput(stdout);
    if (report.noClient) return { kind: "noclient" };
    if (code !== 0) return { kind: "failed" };
    if (report.answered) return { kind: "status", status: 200 };
    if (report.lastStatus !== undefined) return { kind: "status", status: Number(report.lastStatus) };
    return { kind: "none" };
}

/** Characters of one line of the image's output a detail quotes. */
const LINE_MAX = 240;

/** The last `count` non-empty lines of `text`, each made printable (pure). */
export function printableTail(text: string, count: number): string[] {
    return text
        .split(/\r?\n/)
        .filter((l) => l.trim() !== "")
        .slice(-count)
        .map((l) => printableLine(l.trimEnd().replace(/\t/g, " "), LINE_MAX));
}

/**
 * The detail of a failed build (pure): the step that failed and the builder's last error line. A failed
 * FROM means a mybinder.org node could not pull the image either.
 */
export function describeBuildFailure(reference: string, code: number, stdout: string, stderr: string, timedOutAfterS?: number): string {
    const steps = stdout.split("\n").filter((l) => /^Step \d+\/\d+ : /.test(l));
    const step = steps.length > 0 ? printableLine(steps[steps.length - 1].trim(), LINE_MAX) : undefined;
    // The legacy builder's deprecation notice comes first on stderr; the error is the last line.
    const error = printableTail(stderr, 1)[0] ?? printableTail(stdout, 1)[0] ?? "no output";
    const head =
        timedOutAfterS !== undefined
            ? `docker build of ${LAUNCHER_DOCKERFILE_PATH} did not finish within ${timedOutAfterS} s`
            : `docker build of ${LAUNCHER_DOCKERFILE_PATH} failed (exit ${code})`;
    const at = step ? ` at "${step}"` : "";
    const hint = step?.includes(" : FROM ")
        ? `; a mybinder.org node pulls the base image anonymously and could not build this launcher either: check that ${reference} exists in its registry, is public and has ${BINDER_PLATFORM}`
        : "";
    return `${head}${at}: ${error}${hint}`;
}

/** Log lines quoted in a failing launch's detail. */
const LOG_TAIL_LINES = 8;

// ---------------------------------------------------------------------------------------------------
// The rehearsal

/** Pulling a multi-GB base image on a slow link is part of the build; beyond this something is stuck. */
const BUILD_TIMEOUT_S = 1800;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function secondsSince(since: number): number {
    return Math.round((Date.now() - since) / 100) / 10;
}

/** The repository rehearsal images are tagged in (`uw3-binder-rehearsal:<branch>-<pid>-<random>`). */
const REHEARSAL_IMAGE_REPOSITORY = "uw3-binder-rehearsal";
/** The prefix of rehearsal container names (`uw3-binder-rehearsal-<branch>-<pid>-<random>`). */
const REHEARSAL_CONTAINER_PREFIX = "uw3-binder-rehearsal-";

function step(name: RehearsalStep, ok: boolean, detail: string, since: number): RehearsalStepResult {
    return { name, ok, detail, seconds: secondsSince(since) };
}

/**
 * Rehearses one launcher branch: builds its `.binder/Dockerfile` exactly as the program commits it and
 * starts the result as mybinder.org would. Never throws for what Docker or the image did: each step
 * reports. Throws only for a `reference` launcherDockerfile refuses (the CLI validates it first).
 *
 * With `checkout` (a clone of the launcher branch), the build is of that repository as committed, its
 * `.binder/Dockerfile` and all, as repo2docker builds a clone, instead of the text rendered here.
 */
export async function rehearseLaunch(reference: string, target: RehearsalTarget, options: RehearsalOptions, checkout?: string): Promise<RehearsalOutcome> {
    const pin: LauncherPin = { ...target, reference };
    const dockerfile = checkout === undefined ? launcherDockerfile(pin) : undefined;
    const outcome = (steps: RehearsalStepResult[], secondsToHttp200?: number): RehearsalOutcome => ({
        reference,
        branch: target.branch,
        ok: steps.every((s) => s.ok),
        secondsToHttp200,
        steps,
    });

    const since = Date.now();
    try {
        await docker(["version", "--format", "{{.Server.Version}}"], 30000);
    } catch (err) {
        const detail = `not run: ${(err as Error).message}`;
        return outcome(REHEARSAL_STEPS.map((name) => step(name, false, detail, since)));
    }
    return whileRemovingOnSignal(REHEARSAL_CONTAINER_PREFIX, async (containers) => {
        try {
            return await buildAndLaunch(reference, target, options, dockerfile ?? { checkout: checkout! }, containers, outcome);
        } catch (err) {
            // The engine went away mid-build (DockerUnavailableError): a verdict on the host, not the image.
            if (!(err instanceof DockerUnavailableError)) throw err;
            const detail = `not run: ${err.message}`;
            return outcome(REHEARSAL_STEPS.map((name) => step(name, false, detail, since)));
        }
    });
}

async function buildAndLaunch(
    reference: string,
    target: RehearsalTarget,
    options: RehearsalOptions,
    dockerfile: string | { checkout: string },
    containers: ContainerSet,
    outcome: (steps: RehearsalStepResult[], secondsToHttp200?: number) => RehearsalOutcome,
): Promise<RehearsalOutcome> {
    let since = Date.now();
    // A name (and image tag) no concurrent rehearsal can collide with; the pid lets tests find leftovers.
    const name = containers.uniqueName(branchSlug(target.branch).slice(0, 60).toLowerCase());
    const tag = `${REHEARSAL_IMAGE_REPOSITORY}:${name.slice(REHEARSAL_CONTAINER_PREFIX.length)}`;
    const context = typeof dockerfile === "string" ? await fs.promises.mkdtemp(path.join(os.tmpdir(), "uw3-binder-rehearsal-")) : dockerfile.checkout;
    try {
        if (typeof dockerfile === "string") {
            await fs.promises.mkdir(path.join(context, path.dirname(LAUNCHER_DOCKERFILE_PATH)), { recursive: true });
            await fs.promises.writeFile(path.join(context, LAUNCHER_DOCKERFILE_PATH), dockerfile);
        }

        containers.addImage(tag);
        // The classic builder, as repo2docker drives it through docker-py (no BuildKit).
        const built = await docker(rehearsalBuildArgs(context, tag), BUILD_TIMEOUT_S * 1000, { env: { DOCKER_BUILDKIT: "0" } });
        if (built.code !== 0 || built.timedOut) {
            const detail = describeBuildFailure(reference, built.code, built.stdout, built.stderr, built.timedOut ? BUILD_TIMEOUT_S : undefined);
            return outcome([step("build", false, detail, since), step("launch", false, "not run: the launcher did not build", Date.now())]);
        }
        const buildStep = step(
            "build",
            true,
            `built ${LAUNCHER_DOCKERFILE_PATH} (FROM ${reference}, ENV UW3_BRANCH=${target.uw3Branch}) as repo2docker does, NB_USER=${BINDER_USER} NB_UID=${BINDER_UID}`,
            since,
        );

        since = Date.now();
        let launch: LaunchVerdict;
        try {
            launch = await launchAndProbe(name, tag, options, containers);
        } catch (err) {
            // The engine went away mid-launch (DockerUnavailableError): a verdict on the host, not the image.
            launch = { ok: false, detail: `not run: ${(err as Error).message}` };
        }
        return outcome([buildStep, step("launch", launch.ok, launch.detail, since)], launch.secondsToHttp200);
    } finally {
        await containers.removeImage(tag);
        if (typeof dockerfile === "string") await fs.promises.rm(context, { recursive: true, force: true });
    }
}

/**
 * Starts an image built elsewhere (by repo2docker itself) as the rehearsal starts its own build, with the
 * same user, limits, command and probe; the container is removed afterwards, the image is left alone.
 */
export async function rehearseStart(image: string, branch: string, options: RehearsalOptions): Promise<RehearsalStepResult & { secondsToHttp200?: number }> {
    const since = Date.now();
    return whileRemovingOnSignal(REHEARSAL_CONTAINER_PREFIX, async (containers) => {
        const name = containers.uniqueName(branchSlug(branch).slice(0, 60).toLowerCase());
        const launch = await launchAndProbe(name, image, options, containers);
        return {
            ...step("launch", launch.ok, launch.detail, since),
            ...(launch.secondsToHttp200 !== undefined ? { secondsToHttp200: launch.secondsToHttp200 } : {}),
        };
    });
}

interface LaunchVerdict {
    ok: boolean;
    detail: string;
    secondsToHttp200?: number;
}

interface ContainerState {
    running: boolean;
    exitCode: number;
    oomKilled: boolean;
}

async function containerState(name: string): Promise<ContainerState | undefined> {
    const inspected = await docker(["container", "inspect", "--format", "{{.State.Running}} {{.State.ExitCode}} {{.State.OOMKilled}}", name], 30000);
    const match = /^(true|false) (-?\d+) (true|false)$/.exec(inspected.stdout.trim());
    if (inspected.code !== 0 || !match) return undefined;
    return { running: match[1] === "true", exitCode: Number(match[2]), oomKilled: match[3] === "true" };
}

/** The limits a launch ran with, for details. */
function describeLimits(options: RehearsalOptions): string {
    return `UID ${BINDER_UID}, ${options.cpus} CPU, ${options.memory} memory, no network`;
}

/** Seconds the page the user is sent to has, once the hub counts the server up, to answer 200. */
const OPEN_TIMEOUT_S = 10;

/** One round of the probe inside the container: `path` on 127.0.0.1:8888, redirects followed or not. */
async function probeOnce(
    name: string,
    path: string,
    redirects: "first" | "last",
    timeoutMs: number,
): Promise<{ probe: ProbeResult; code: number; stderr: string }> {
    const ran = await docker(["exec", name, "/bin/sh", "-c", HTTP_PROBE_SCRIPT, "sh", String(BINDER_PORT), "python3", "once", path, redirects], timeoutMs);
    return { probe: ran.timedOut ? { kind: "none" } : parseProbe(ran.code, ran.stdout), code: ran.code, stderr: ran.stderr };
}

async function launchAndProbe(name: string, image: string, options: RehearsalOptions, containers: ContainerSet): Promise<LaunchVerdict> {
    let entrypoint = "(no ENTRYPOINT)";
    try {
        const local = await inspectLocalImage(image);
        if (local.entrypoint.length > 0) entrypoint = local.entrypoint.map((w) => printableLine(w, 120)).join(" ");
    } catch (err) {
        return { ok: false, detail: `not run: ${(err as Error).message}` };
    }
    const launch = newLaunchIdentity();
    const probes = launchProbes(launch);
    const where = `127.0.0.1:${BINDER_PORT}`;
    const openShown = `${launch.prefix}?token=<token>`;
    containers.add(name);
    try {
        const started = await docker(rehearsalRunArgs(name, image, options, launch), 120000);
        if (started.code !== 0 || started.timedOut) {
            // 125: the engine refused (a limit it cannot give, the image gone); 126/127: the entrypoint cannot run.
            const why = printableLine(firstLine(started.stderr.replace(/^docker: /, "")) || (started.timedOut ? "timed out" : "no output"), LINE_MAX);
            const prefix = started.code === 125 || started.timedOut ? "not run: " : "";
            return { ok: false, detail: `${prefix}the container did not start (exit ${started.code}): ${why} (ENTRYPOINT ${entrypoint})` };
        }
        const startedAt = Date.now();
        const deadline = startedAt + options.startTimeoutS * 1000;
        let readyAfter: number | undefined;
        let readyStatus = 0;
        let openDeadline = 0;
        let last = "no answer";
        let exited: ContainerState | undefined;
        while (readyAfter === undefined ? Date.now() < deadline : Date.now() < openDeadline) {
            const until = readyAfter === undefined ? deadline : openDeadline;
            const probeTimeoutMs = Math.max(1000, Math.min(10000, until - Date.now() + 1000));
            const ran =
                readyAfter === undefined
                    ? await probeOnce(name, probes.ready, "first", probeTimeoutMs)
                    : await probeOnce(name, probes.open, "last", probeTimeoutMs);
            const { probe } = ran;
            if (probe.kind === "noclient") {
                return {
                    ok: false,
                    detail: `not run: the image has none of curl, wget or python3 on its PATH, so nothing inside it can ask ${where} for an answer`,
                };
            }
            if (probe.kind === "status" && readyAfter === undefined && hubCountsReady(probe.status)) {
                readyAfter = secondsSince(startedAt);
                readyStatus = probe.status;
                openDeadline = Date.now() + OPEN_TIMEOUT_S * 1000;
                continue;
            }
            if (probe.kind === "status" && readyAfter !== undefined && probe.status === 200) {
                const after = secondsSince(startedAt);
                return {
                    ok: true,
                    secondsToHttp200: after,
                    detail:
                        `the hub's GET ${probes.ready} on ${where} had HTTP ${readyStatus} ${readyAfter.toFixed(1)} s after start (limit ${options.startTimeoutS} s), ` +
                        `${openShown} HTTP 200 at ${after.toFixed(1)} s (${describeLimits(options)})`,
                };
            }
            if (probe.kind === "status") last = `HTTP ${probe.status}`;
            if (probe.kind === "failed") {
                const state = await containerState(name);
                if (state && !state.running) {
                    exited = state;
                    break;
                }
                // 126/127 from a running container: docker exec could not start /bin/sh in it.
                if (state && (ran.code === 126 || ran.code === 127)) {
                    return {
                        ok: false,
                        detail: `not run: the probe needs /bin/sh in the image to ask ${where} for an answer: ${printableLine(firstLine(ran.stderr) || `exit ${ran.code}`, LINE_MAX)}`,
                    };
                }
            }
            await sleep(200);
        }
        const ranFor = secondsSince(startedAt);
        exited ??= await containerState(name).then((s) => (s && !s.running ? s : undefined));
        const rawLogs = (await containerLogTail(name, LOG_TAIL_LINES)).join("\n");
        const logs = formatLogTail(printableTail(rawLogs, LOG_TAIL_LINES));
        if (exited?.oomKilled) {
            return {
                ok: false,
                detail:
                    `out of memory: the kernel killed the container's process at the ${options.memory} memory limit ` +
                    `within ${ranFor.toFixed(1)} s of start (exit ${exited.exitCode}); mybinder.org gives each user ` +
                    `${DEFAULT_REHEARSAL_OPTIONS.memory}, so the start script and the server must stay under it${logs}`,
            };
        }
        if (exited) {
            const cause = describeStartFailure(exited.exitCode, rawLogs);
            return {
                ok: false,
                detail: cause
                    ? `${cause} (exit ${exited.exitCode} ${ranFor.toFixed(1)} s after start; ENTRYPOINT ${entrypoint})${logs}`
                    : `the container exited with code ${exited.exitCode} within ${ranFor.toFixed(1)} s of start, before the hub's GET ${probes.ready} on ${where} had an answer under HTTP 500 (ENTRYPOINT ${entrypoint})${logs}`,
            };
        }
        if (readyAfter !== undefined) {
            return {
                ok: false,
                detail:
                    `the hub would count it up (GET ${probes.ready}: HTTP ${readyStatus} ${readyAfter.toFixed(1)} s after start), but ${openShown}, where BinderHub ` +
                    `sends the user, had no HTTP 200 within ${OPEN_TIMEOUT_S} s more (last: ${last}); the server must serve under the base URL it is given${logs}`,
            };
        }
        return {
            ok: false,
            detail:
                `no answer under HTTP 500 to the hub's GET ${probes.ready} on ${where} within ${options.startTimeoutS} s (last: ${last}); mybinder.org passes ` +
                `"${describedLaunchCommand()}" to the entrypoint ${entrypoint}, which must exec it so the server listens on port ${BINDER_PORT}${logs}`,
        };
    } finally {
        await containers.remove(name);
    }
}
