/**
 * The runtime checks: run the image in the local Docker engine the way mybinder.org does and look for the
 * failures the Binder setup document lists (root user, Jupyter too slow or never started because the
 * start script does not `exec "$@"`, kernel named `pixi-kernel-python3`, JIT without `cc1`, the
 * `DMInterpolationEvaluate_UW` ImportError). No Pulumi import.
 *
 * Every container is `--network=none` (the jupyter server included: it is probed from inside its own
 * network namespace with `docker exec`, so the image under test reaches no service of the host, such as
 * the Pulumi engine's ports during `pulumi up`), `--pull=never`, uniquely named, and removed on every
 * path, including timeouts and SIGINT/SIGTERM (`removeActiveContainersSync`).
 *
 * Two kinds of failure are kept apart: a `CheckNotRunError` (Docker missing or unreachable, image not in
 * the local engine, port taken) says nothing about the image; a CheckResult with `ok: false` does.
 *
 * The image must have a POSIX `/bin/sh` (every Binder image has bash): the checks run small shell
 * scripts through it so one container answers each check.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MODULE_PATTERN } from "./options";
import { CheckName, CheckOptions, CheckResult } from "./types";
import { untrustedText } from "./untrusted";

// ---------------------------------------------------------------------------------------------------
// Errors

/** The check could not be run (Docker, the host): a verdict on the environment, not on the image. */
export class CheckNotRunError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CheckNotRunError";
    }
}

/** The docker CLI is missing or the engine does not answer. */
export class DockerUnavailableError extends CheckNotRunError {
    constructor(message: string) {
        super(message);
        this.name = "DockerUnavailableError";
    }
}

/** The image is not in the local engine (`runChecks` then pulls it when the reference has a digest). */
export class ImageNotLocalError extends CheckNotRunError {
    constructor(message: string) {
        super(message);
        this.name = "ImageNotLocalError";
    }
}

// ---------------------------------------------------------------------------------------------------
// docker CLI calls. The CLI (not the Engine API) is used so whatever DOCKER_HOST or context the operator
// has configured applies unchanged.

export interface DockerResult {
    code: number;
    stdout: string;
    stderr: string;
    /** The CLI was killed after `timeoutMs`. */
    timedOut: boolean;
}

const ENGINE_UNREACHABLE =
    /Cannot connect to the Docker daemon|error during connect|Is the docker daemon running|dial unix .*: connect: (no such file|permission denied|connection refused)/i;

/** First non-empty line, for one-line messages. */
export function firstLine(text: string): string {
    return text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";
}

/** Last non-empty line: the one that says what went wrong in a Python traceback or a shell error. */
export function lastLine(text: string): string {
    const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    return lines[lines.length - 1] ?? "";
}

/** What is kept of a stream: its start (markers, JSON answers) and its end (the line that says why). */
const CAPTURE_HEAD_CHARS = 1024 * 1024;
const CAPTURE_TAIL_CHARS = 64 * 1024;

/**
 * A container's output, bounded: an image printing gigabytes keeps at most the head and the tail,
 * joined by a line saying how much was left out.
 */
class BoundedCapture {
    private head = "";
    private tail = "";
    private dropped = 0;

    add(chunk: string): void {
        if (this.head.length < CAPTURE_HEAD_CHARS) {
            const room = CAPTURE_HEAD_CHARS - this.head.length;
            this.head += chunk.slice(0, room);
            chunk = chunk.slice(room);
        }
        if (chunk === "") return;
        this.tail += chunk;
        if (this.tail.length > CAPTURE_TAIL_CHARS) {
            this.dropped += this.tail.length - CAPTURE_TAIL_CHARS;
            this.tail = this.tail.slice(-CAPTURE_TAIL_CHARS);
        }
    }

    /** The start of the stream (for markers the checks print first). */
    get start(): string {
        return this.head;
    }

    toString(): string {
        return this.dropped > 0 ? `${this.head}\n[${this.dropped} characters left out]\n${this.tail}` : this.head + this.tail;
    }
}

/** What a docker CLI call needs besides its arguments. */
export interface DockerIo {
    /** Written to the CLI's stdin (a password for `docker login --password-stdin`), never to argv. */
    input?: string;
    /** Added to this process's environment (DOCKER_CONFIG for a throwaway login). */
    env?: NodeJS.ProcessEnv;
}

/**
 * Runs `docker <args>` without a shell. Resolves whatever the exit code (the caller decides what it
 * means); rejects with `DockerUnavailableError` when the CLI cannot start or the engine does not answer,
 * since no check can then say anything about the image. `timeoutMs` kills the CLI only: a caller that
 * started a container removes it. `onStdout` sees the start of stdout (at most 1 MiB of it).
 */
export function docker(args: string[], timeoutMs = 120000, onStdout?: (stdoutSoFar: string) => void, io: DockerIo = {}): Promise<DockerResult> {
    return new Promise((resolve, reject) => {
        const child = spawn("docker", args, {
            stdio: [io.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
            env: io.env ? { ...process.env, ...io.env } : process.env,
        });
        if (io.input !== undefined) {
            // A CLI that exits before reading its stdin must not crash this process with EPIPE.
            child.stdin?.on("error", () => undefined);
            child.stdin?.end(io.input);
        }
        const stdout = new BoundedCapture();
        const stderr = new BoundedCapture();
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
        }, timeoutMs);
        child.stdout!.setEncoding("utf8");
        child.stderr!.setEncoding("utf8");
        child.stdout!.on("data", (chunk: string) => {
            stdout.add(chunk);
            onStdout?.(stdout.start);
        });
        child.stderr!.on("data", (chunk: string) => stderr.add(chunk));
        child.on("error", (err: NodeJS.ErrnoException) => {
            clearTimeout(timer);
            reject(
                new DockerUnavailableError(
                    err.code === "ENOENT" ? "the docker CLI is not installed or not on PATH" : `could not start the docker CLI: ${err.message}`,
                ),
            );
        });
        child.on("close", (code) => {
            clearTimeout(timer);
            const err = stderr.toString();
            if (ENGINE_UNREACHABLE.test(err)) {
                reject(new DockerUnavailableError(`Docker engine unreachable: ${untrustedText(firstLine(err))}`));
                return;
            }
            resolve({ code: code ?? 137, stdout: stdout.toString(), stderr: err, timedOut });
        });
    });
}

/** What the checks need from `docker image inspect`. */
export interface LocalImage {
    /** The reference the image is run by. */
    ref: string;
    /** Image (config) ID, `sha256:...`. */
    id: string;
    /** Config.User; "" when unset, which means root. */
    user: string;
    /** Config.Entrypoint; [] when unset. */
    entrypoint: string[];
    /** RepoDigests, e.g. `127.0.0.1:5000/uw3-base@sha256:...` (Docker Hub ones in familiar form). */
    repoDigests: string[];
}

/**
 * Looks the image up in the local engine. Does not pull (see `pullImage`, which `runChecks` calls when
 * this says the image is missing and the reference has a digest).
 */
export async function inspectLocalImage(ref: string): Promise<LocalImage> {
    const result = await docker(["image", "inspect", "--format", "{{json .}}", ref], 60000);
    if (result.code !== 0) {
        if (/no such image/i.test(result.stderr)) {
            throw new ImageNotLocalError(
                `image ${ref} is not in the local Docker engine (the runtime checks run it locally): ` +
                    "build or push it from this engine, `docker pull` it first, or pass it by digest (<repository>@sha256:<hex>) so check pulls it",
            );
        }
        throw new CheckNotRunError(`docker image inspect ${ref} failed (exit ${result.code}): ${firstLine(result.stderr)}`);
    }
    let parsed: { Id?: string; RepoDigests?: string[] | null; Config?: { User?: string; Entrypoint?: string[] | null } | null };
    try {
        parsed = JSON.parse(result.stdout);
    } catch {
        throw new CheckNotRunError(`docker image inspect ${ref} printed something that is not JSON: ${firstLine(result.stdout)}`);
    }
    return {
        ref,
        id: parsed.Id ?? "",
        user: parsed.Config?.User ?? "",
        entrypoint: parsed.Config?.Entrypoint ?? [],
        repoDigests: parsed.RepoDigests ?? [],
    };
}

/** How long a pull may take: the Underworld3 images are several GB. */
const PULL_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * Pulls `digestRef` (`host/repository@sha256:...`: a digest, so the image pulled is the one the registry
 * checks read, whatever a tag points to meanwhile) into the local engine. Credentials come from the
 * caller (CREDENTIAL_ENV) and reach the docker CLI through `docker login --password-stdin` into a
 * throwaway DOCKER_CONFIG, removed afterwards: never argv, never the user's ~/.docker. Without
 * credentials the pull is anonymous, from an equally empty config. The operator's docker context, if
 * one is selected in their config, still applies.
 */
export async function pullImage(digestRef: string, registry: string, credentials?: { username: string; password: string }): Promise<void> {
    const config = await fs.promises.mkdtemp(path.join(os.tmpdir(), "uw3-binder-docker-config-"));
    try {
        const env: NodeJS.ProcessEnv = { DOCKER_CONFIG: config, ...(await operatorContext(config)) };
        if (credentials) {
            const login = await docker(["login", "--username", credentials.username, "--password-stdin", registry], 60000, undefined, {
                input: credentials.password,
                env,
            });
            if (login.code !== 0) {
                throw new CheckNotRunError(`docker login ${registry} as "${untrustedText(credentials.username)}" failed (exit ${login.code}): ${untrustedText(lastLine(login.stderr))}`);
            }
        }
        const pulled = await docker(["pull", "--quiet", digestRef], PULL_TIMEOUT_MS, undefined, { env });
        if (pulled.code !== 0 || pulled.timedOut) {
            const why = pulled.timedOut ? `no result within ${PULL_TIMEOUT_MS / 60000} min` : `exit ${pulled.code}: ${untrustedText(lastLine(pulled.stderr))}`;
            throw new CheckNotRunError(`image ${digestRef} is not in the local Docker engine and pulling it failed (${credentials ? "with" : "without"} credentials; ${why})`);
        }
    } finally {
        await fs.promises.rm(config, { recursive: true, force: true });
    }
}

/**
 * The docker context the operator selected in their own config, carried into a throwaway DOCKER_CONFIG
 * (contexts live under the config directory), unless DOCKER_HOST or DOCKER_CONTEXT already decide.
 */
async function operatorContext(throwaway: string): Promise<NodeJS.ProcessEnv> {
    if (process.env.DOCKER_HOST || process.env.DOCKER_CONTEXT) return {};
    const own = process.env.DOCKER_CONFIG || path.join(os.homedir(), ".docker");
    try {
        const parsed = JSON.parse(await fs.promises.readFile(path.join(own, "config.json"), "utf8")) as { currentContext?: unknown };
        if (typeof parsed.currentContext !== "string" || parsed.currentContext === "" || parsed.currentContext === "default") return {};
        await fs.promises.symlink(path.join(own, "contexts"), path.join(throwaway, "contexts"));
        return { DOCKER_CONTEXT: parsed.currentContext };
    } catch {
        return {};
    }
}

/** Containers started by this process and not yet removed. */
const activeContainers = new Set<string>();

/** A name no other run, or concurrent check in this run, can collide with. */
export function uniqueContainerName(check: string): string {
    return `uw3-binder-check-${check}-${process.pid}-${randomBytes(4).toString("hex")}`;
}

async function removeContainer(name: string): Promise<void> {
    try {
        await docker(["rm", "--force", name], 60000);
    } catch {
        // The engine went away; nothing can be removed through it.
    }
    activeContainers.delete(name);
}

/**
 * Removes every container still running for this process, synchronously: for SIGINT/SIGTERM handlers,
 * so an interrupted `check` does not leave a container (a jupyter server) running behind it.
 */
export function removeActiveContainersSync(): void {
    if (activeContainers.size === 0) return;
    spawnSync("docker", ["rm", "--force", ...activeContainers], { stdio: "ignore", timeout: 30000 });
    activeContainers.clear();
}

/** The last `count` lines a container wrote, stdout and stderr merged in time order. */
async function containerLogTail(name: string, count: number): Promise<string[]> {
    let result: DockerResult;
    try {
        result = await docker(["logs", "--timestamps", "--tail", String(count), name], 30000);
    } catch {
        return [];
    }
    if (result.code !== 0) return [];
    // `docker logs --timestamps` prefixes fixed-width UTC RFC 3339 times, so the two streams merge by text sort.
    const stamped = [...result.stdout.split("\n"), ...result.stderr.split("\n")].filter((l) => l.trim() !== "");
    stamped.sort();
    return stamped.slice(-count).map((l) => l.replace(/^\S+Z /, ""));
}

function formatLogTail(lines: string[]): string {
    return lines.length === 0 ? "; the container wrote no log lines" : `; last log lines:\n${lines.map((l) => `  ${untrustedText(l)}`).join("\n")}`;
}

function describeEntrypoint(image: LocalImage): string {
    return image.entrypoint.length > 0 ? untrustedText(image.entrypoint.join(" ")) : "(no ENTRYPOINT)";
}

function seconds(since: number): number {
    return Math.round((Date.now() - since) / 100) / 10;
}

// ---------------------------------------------------------------------------------------------------
// Running a shell script in the image

/** Printed by our shell once the entrypoint has handed over to it; its absence means it never did. */
const COMMAND_STARTED = "@@uw3-binder-check: command started@@";

/** How long a check's own command (import, kernelspec list...) may take once it has started. */
const COMMAND_TIMEOUT_S = 120;
/**
 * Extra time, beyond `startTimeoutS`, for the entrypoint to hand over to the command: container creation
 * is not part of mybinder's budget, and a busy engine can take seconds for it.
 */
const START_GRACE_S = 15;

interface ShellOutcome {
    /** The entrypoint ran our command (its marker appeared on stdout). */
    started: boolean;
    /** stdout after the marker. */
    stdout: string;
    stderr: string;
    code: number;
}

/**
 * One `docker run --rm --network=none` of `/bin/sh -c script sh args...`, through the image's entrypoint
 * (as mybinder starts it, so the start script's PATH applies) or, with `viaEntrypoint` false, bypassing it.
 */
async function runShellOnce(
    image: LocalImage,
    check: CheckName,
    script: string,
    args: string[],
    options: CheckOptions,
    viaEntrypoint: boolean,
): Promise<ShellOutcome> {
    const name = uniqueContainerName(check);
    const runArgs = ["run", "--rm", "--name", name, "--network=none", "--pull=never"];
    if (!viaEntrypoint) runArgs.push("--entrypoint", "/bin/sh");
    runArgs.push(image.ref);
    if (viaEntrypoint) runArgs.push("/bin/sh");
    runArgs.push("-c", `printf '%s\\n' '${COMMAND_STARTED}'; ${script}`, "sh", ...args);

    activeContainers.add(name);
    // An entrypoint that ignores its arguments may run forever (e.g. start its own server): once it had
    // the start budget without handing over, remove the container, which ends the `docker run`.
    let started = false;
    let removed = false;
    const startDeadline = setTimeout(() => {
        if (!started) {
            removed = true;
            void removeContainer(name);
        }
    }, (options.startTimeoutS + START_GRACE_S) * 1000);
    let result: DockerResult | undefined;
    try {
        result = await docker(runArgs, (options.startTimeoutS + START_GRACE_S + COMMAND_TIMEOUT_S) * 1000, (stdout) => {
            started ||= stdout.includes(COMMAND_STARTED);
        });
        const at = result.stdout.indexOf(COMMAND_STARTED);
        started = at >= 0;
        const limit = options.startTimeoutS + START_GRACE_S + COMMAND_TIMEOUT_S;
        return {
            started,
            stdout: started ? result.stdout.slice(at + COMMAND_STARTED.length + 1) : result.stdout,
            // Last, so details quoting the last line of stderr say why the output stops short.
            stderr: result.timedOut ? `${result.stderr}\nstopped: no result within ${limit} s` : result.stderr,
            code: result.code,
        };
    } finally {
        clearTimeout(startDeadline);
        // `docker run --rm` removes the container itself when the run ends normally.
        if (!result || result.timedOut || removed) await removeContainer(name);
        else activeContainers.delete(name);
    }
}

interface ShellRun {
    stdout: string;
    stderr: string;
    code: number;
    /** Set when the entrypoint did not run the command, so it was rerun with the entrypoint bypassed. */
    bypassNote?: string;
}

/**
 * Runs a script through the entrypoint; when the entrypoint does not hand over (no `exec "$@"`), reruns it
 * with the entrypoint bypassed, so each check still reports on its own property and the entrypoint fault
 * is reported once, by `jupyter`, instead of failing every check with the same cause.
 */
async function runShell(image: LocalImage, check: CheckName, script: string, args: string[], options: CheckOptions): Promise<ShellRun> {
    const first = await runShellOnce(image, check, script, args, options, true);
    if (first.started) return first;
    if (first.code === 125) {
        throw new CheckNotRunError(`docker run ${image.ref} failed: ${firstLine(first.stderr)}`);
    }
    const second = await runShellOnce(image, check, script, args, options, false);
    if (!second.started) {
        if (second.code === 125) throw new CheckNotRunError(`docker run ${image.ref} failed: ${firstLine(second.stderr)}`);
        throw new CheckNotRunError(
            `could not run /bin/sh in ${image.ref} (the runtime checks need a POSIX shell in the image): ` +
                `exit ${second.code}, ${firstLine(second.stderr) || "no output"}`,
        );
    }
    return {
        ...second,
        bypassNote: `checked bypassing the entrypoint, since ${describeEntrypoint(image)} did not run its arguments (see jupyter)`,
    };
}

function withNote(detail: string, run: ShellRun): string {
    return run.bypassNote ? `${detail}; ${run.bypassNote}` : detail;
}

function result(name: CheckName, ok: boolean, detail: string, since: number): CheckResult {
    return { name, ok, detail, seconds: seconds(since) };
}

// ---------------------------------------------------------------------------------------------------
// The checks

/** What one command in the image produced (stdout after the started-marker). */
export interface CommandOutput {
    stdout: string;
    stderr: string;
    code: number;
}

/** A check's decision, before timing and the entrypoint-bypass note are added. */
export interface Verdict {
    ok: boolean;
    detail: string;
}

/** Decides `user` from `id -u` (pure). `configUser` is Config.User, "" when unset. */
export function evaluateUser(run: CommandOutput, configUser: string, expectedUid: number): Verdict {
    const config = configUser ? `Config.User "${configUser}"` : "Config.User unset, so Docker starts it as root";
    const output = run.stdout.trim();
    if (run.code !== 0 || !/^\d+$/.test(output)) {
        return { ok: false, detail: `id -u failed (exit ${run.code}): ${lastLine(run.stderr) || lastLine(output) || "no output"} (${config})` };
    }
    const uid = Number(output);
    if (uid !== expectedUid) {
        return { ok: false, detail: `runs as UID ${uid}, expected ${expectedUid} (${config}); mybinder.org runs notebooks as jovyan, UID 1000` };
    }
    return { ok: true, detail: `runs as UID ${uid} (${config})` };
}

/**
 * `user`: the effective UID of a command started through the entrypoint (an entrypoint may switch user)
 * must be `options.uid`; mybinder.org runs notebooks as jovyan, UID 1000, and home files belong to it.
 */
export async function checkUser(image: LocalImage, options: CheckOptions): Promise<CheckResult> {
    const since = Date.now();
    const run = await runShell(image, "user", "id -u", [], options);
    const verdict = evaluateUser(run, image.user, options.uid);
    return result("user", verdict.ok, withNote(verdict.detail, run), since);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Log lines quoted in a failing jupyter detail. */
const LOG_TAIL_LINES = 8;

const PROBE_MARK = "@@uw3-binder-probe:";

/**
 * Polls http://127.0.0.1:$1/ from inside the container (so inside its own network namespace, which has
 * nothing but loopback) until an answer ends in HTTP 200 after redirects (Jupyter sends `/` to `/lab`,
 * then to `/login`). It uses whatever HTTP client the image has: curl (the Underworld3 base image
 * installs it), wget (busybox), or Python's urllib (every Jupyter image has Python; `$2` is the `import`
 * check's interpreter). Prints `@@uw3-binder-probe: client <name>@@` first, `... status <code>@@` when a
 * non-200 answer changes, `... 200@@` and exits 0 on success, `... no-client@@` and exits 3 without a client.
 * wget gets no `-T`: busybox 1.35's static wget (Debian 12's busybox-static) crashes with it; a hanging
 * request is ended with the whole exec at the start budget.
 */
export const HTTP_PROBE_SCRIPT = [
    'port=$1; py=$2; url="http://127.0.0.1:$port/"',
    'if command -v curl >/dev/null 2>&1; then client=curl',
    'elif command -v wget >/dev/null 2>&1; then client=wget',
    'elif command -v python3 >/dev/null 2>&1; then client=python3',
    'elif command -v "$py" >/dev/null 2>&1; then client=$py',
    `else echo '${PROBE_MARK} no-client@@'; exit 3; fi`,
    `echo "${PROBE_MARK} client $client@@"`,
    'last=',
    'while :; do',
    '  case $client in',
    "  curl) status=$(curl -s -L -o /dev/null -w '%{http_code}' --max-time 2 \"$url\" 2>/dev/null) ;;",
    "  wget) status=$(wget -S -O /dev/null \"$url\" 2>&1 | sed -n 's/^ *HTTP\\/[0-9.]* \\([0-9][0-9][0-9]\\).*/\\1/p' | tail -n 1) ;;",
    '  *) status=$("$client" -c \'import sys, urllib.request, urllib.error',
    'try:',
    '    print(urllib.request.urlopen(sys.argv[1], timeout=2).status)',
    'except urllib.error.HTTPError as e:',
    '    print(e.code)',
    'except Exception:',
    "    pass' \"$url\" 2>/dev/null) ;;",
    '  esac',
    `  if [ "$status" = 200 ]; then echo '${PROBE_MARK} 200@@'; exit 0; fi`,
    `  if [ -n "$status" ] && [ "$status" != 000 ] && [ "$status" != "$last" ]; then echo "${PROBE_MARK} status $status@@"; last=$status; fi`,
    '  sleep 0.2 2>/dev/null || sleep 1',
    'done',
].join("\n");

/** What HTTP_PROBE_SCRIPT reported so far (pure). */
export interface ProbeReport {
    client?: string;
    noClient: boolean;
    answered: boolean;
    /** The last non-200 status seen, e.g. "403". */
    lastStatus?: string;
}

export function parseProbeOutput(stdout: string): ProbeReport {
    const report: ProbeReport = { noClient: false, answered: false };
    for (const line of stdout.split("\n")) {
        const m = /^@@uw3-binder-probe: (.*)@@$/.exec(line.trim());
        if (!m) continue;
        if (m[1] === "no-client") report.noClient = true;
        else if (m[1] === "200") report.answered = true;
        else if (m[1].startsWith("client ")) report.client = m[1].slice("client ".length);
        else if (/^status \d{3}$/.test(m[1])) report.lastStatus = m[1].slice("status ".length);
    }
    return report;
}

/**
 * `jupyter`: started as mybinder.org starts it — the image's ENTRYPOINT given the jupyter command, with
 * the port appended — the server must answer HTTP 200 within `startTimeoutS` (mybinder gives up after
 * 30 s, which is why the start script must not rebuild Cython extensions).
 *
 * The container has no network (`--network=none`): the image under test reaches nothing on the host. The
 * server is probed from inside its own network namespace by HTTP_PROBE_SCRIPT under `docker exec`, one
 * exec polling every 0.2 s. The time reported is taken on the host when the probe's 200 arrives, counted
 * from the moment `docker run` returned: it never undercounts, and overcounts by at most one poll plus
 * `docker exec`'s start-up when the server was already up.
 */
export async function checkJupyter(image: LocalImage, options: CheckOptions): Promise<CheckResult> {
    const since = Date.now();
    const port = options.jupyterPort;
    const where = `127.0.0.1:${port}`;
    const command = [...options.jupyterCommand, `--port=${port}`];
    const name = uniqueContainerName("jupyter");
    activeContainers.add(name);
    let waiting: Promise<void> | undefined;
    try {
        const started = await docker(["run", "--detach", "--name", name, "--network=none", "--pull=never", image.ref, ...command], 120000);
        // 125 is the engine refusing (image gone, bad option); 126/127 the entrypoint failing to exec.
        if (started.code === 125 || started.timedOut) {
            throw new CheckNotRunError(`docker run ${image.ref} failed: ${untrustedText(firstLine(started.stderr)) || "timed out"}`);
        }
        if (started.code !== 0) {
            return result(
                "jupyter",
                false,
                `the container did not start (exit ${started.code}): ${untrustedText(firstLine(started.stderr.replace(/^docker: /, "")))}` +
                    ` (ENTRYPOINT ${describeEntrypoint(image)})`,
                since,
            );
        }
        const startedAt = Date.now();
        let exitCode: number | undefined;
        let exitedAfter = 0;
        waiting = docker(["wait", name], (options.startTimeoutS + 60) * 1000).then(
            (waited) => {
                if (waited.code === 0 && /^\d+$/.test(waited.stdout.trim())) {
                    exitCode = Number(waited.stdout.trim());
                    exitedAfter = seconds(startedAt);
                }
            },
            () => undefined,
        );
        const budgetMs = options.startTimeoutS * 1000;
        let answeredAt: number | undefined;
        const probe = await docker(
            ["exec", name, "/bin/sh", "-c", HTTP_PROBE_SCRIPT, "sh", String(port), options.python],
            budgetMs,
            (stdout) => {
                if (answeredAt === undefined && stdout.includes(`${PROBE_MARK} 200@@`)) answeredAt = Date.now();
            },
        );
        const report = parseProbeOutput(probe.stdout);
        if (report.answered && answeredAt !== undefined && answeredAt - startedAt <= budgetMs) {
            const took = (Math.round((answeredAt - startedAt) / 100) / 10).toFixed(1);
            return result("jupyter", true, `HTTP 200 on ${where} ${took} s after start (limit ${options.startTimeoutS} s)`, since);
        }
        if (report.noClient) {
            throw new CheckNotRunError(
                `the image has none of curl, wget, python3 or ${untrustedText(options.python)} on its PATH, so its server cannot be probed ` +
                    "from inside its own network namespace (the container has no network)",
            );
        }
        // A probe that ended early (the container exited under it): let `docker wait` report the exit.
        for (let i = 0; i < 20 && exitCode === undefined && !probe.timedOut; i++) await sleep(100);
        const logs = formatLogTail(await containerLogTail(name, LOG_TAIL_LINES));
        if (exitCode === undefined) {
            const last = report.lastStatus ? `no HTTP 200 on ${where} within ${options.startTimeoutS} s (last answer: HTTP ${report.lastStatus})` : `no HTTP answer on ${where} within ${options.startTimeoutS} s`;
            return result("jupyter", false, `${last}${logs}`, since);
        }
        const ranTime = exitedAfter.toFixed(1);
        // It exited: find out whether the entrypoint ran the command at all (the `exec "$@"` fault).
        const entrypointProbe = await runShellOnce(image, "jupyter", ":", [], options, true);
        if (!entrypointProbe.started) {
            return result(
                "jupyter",
                false,
                `the container exited (code ${exitCode}) ${ranTime} s after start without running ${untrustedText(options.jupyterCommand[0])}: ` +
                    `the entrypoint ${describeEntrypoint(image)} does not run its arguments; it must end with exec "$@", ` +
                    `since mybinder.org passes the jupyter command as arguments${logs}`,
                since,
            );
        }
        return result(
            "jupyter",
            false,
            `${untrustedText(options.jupyterCommand[0])} exited with code ${exitCode} ${ranTime} s after start, before answering HTTP on ${where}${logs}`,
            since,
        );
    } finally {
        await removeContainer(name);
        // `docker wait` returns once the container is gone; do not leave the CLI process behind.
        await waiting;
    }
}

/** Decides `kernel` from `<jupyter> kernelspec list --json` (pure). */
export function evaluateKernel(run: CommandOutput, jupyter: string, kernel: string): Verdict {
    const invocation = `${jupyter} kernelspec list --json`;
    if (run.code !== 0) {
        return { ok: false, detail: `${invocation} failed (exit ${run.code}): ${lastLine(run.stderr) || lastLine(run.stdout) || "no output"}` };
    }
    let names: string[];
    try {
        const listing = JSON.parse(run.stdout) as { kernelspecs?: unknown };
        if (!listing.kernelspecs || typeof listing.kernelspecs !== "object") throw new Error("no kernelspecs object");
        names = Object.keys(listing.kernelspecs).sort();
    } catch {
        return { ok: false, detail: `${invocation} did not print a {"kernelspecs": {...}} object: ${firstLine(run.stdout) || "no output"}` };
    }
    const found = names.length > 0 ? names.join(", ") : "none";
    if (!names.includes(kernel)) {
        return { ok: false, detail: `no kernelspec named "${kernel}"; kernels found: ${found} (notebooks ask for "${kernel}" by name)` };
    }
    return { ok: true, detail: `kernelspec "${kernel}" found; kernels: ${found}` };
}

/**
 * `kernel`: a kernelspec named `options.kernel` must exist; notebooks name their kernel, and the setup
 * document's "Kernel not found" came from an image that only had `pixi-kernel-python3`.
 */
export async function checkKernel(image: LocalImage, options: CheckOptions): Promise<CheckResult> {
    const since = Date.now();
    const jupyter = options.jupyterCommand[0];
    const run = await runShell(image, "kernel", 'exec "$@"', [jupyter, "kernelspec", "list", "--json"], options);
    const verdict = evaluateKernel(run, jupyter, options.kernel);
    return result("kernel", verdict.ok, withNote(verdict.detail, run), since);
}

/**
 * Prints `key=value` lines about the compiler: its path on PATH, what `-print-prog-name=cc1` says and
 * whether that is an executable file, and whether `<prefix>/include` exists.
 *
 * The include rule: `<prefix>` is the parent of the directory the compiler is found in (PATH lookup, no
 * symlink resolution). For the conda/pixi compiler that is the environment root
 * (`.pixi/envs/runtime/bin/gcc` → `.pixi/envs/runtime`), whose `include/` holds the Python, PETSc and
 * NumPy headers a JIT build compiles against; the slim image must keep it. `gcc -print-prog-name=cc1`
 * prints the bare name `cc1` when it cannot find the program, hence the `/*` test.
 */
export const JIT_SCRIPT = [
    'cc=$1',
    'path=$(command -v "$cc") || { echo compiler=; exit 0; }',
    'echo "compiler=$path"',
    'cc1=$("$cc" -print-prog-name=cc1 2>/dev/null)',
    'echo "cc1=$cc1"',
    'case $cc1 in /*) if [ -f "$cc1" ] && [ -x "$cc1" ]; then echo cc1_ok=yes; else echo cc1_ok=no; fi ;; *) echo cc1_ok=no ;; esac',
    'bin=${path%/*}',
    'prefix=${bin%/*}',
    'echo "include=$prefix/include"',
    'if [ -d "$prefix/include" ]; then echo include_ok=yes; else echo include_ok=no; fi',
].join("\n");

/** Decides `jit` from JIT_SCRIPT's `key=value` lines (pure). */
export function evaluateJit(run: CommandOutput, compiler: string): Verdict {
    const facts = new Map<string, string>();
    for (const line of run.stdout.split("\n")) {
        const eq = line.indexOf("=");
        if (eq > 0) facts.set(line.slice(0, eq), line.slice(eq + 1));
    }
    if (run.code !== 0 || !facts.has("compiler")) {
        return { ok: false, detail: `the compiler probe failed (exit ${run.code}): ${lastLine(run.stderr) || "no output"}` };
    }
    const path = facts.get("compiler") ?? "";
    if (path === "") return { ok: false, detail: `compiler "${compiler}" not found on the image's PATH` };
    const cc1 = facts.get("cc1") ?? "";
    const include = facts.get("include") ?? "";
    const problems: string[] = [];
    if (facts.get("cc1_ok") !== "yes") {
        problems.push(
            cc1.startsWith("/")
                ? `cc1 at ${cc1} is not an executable file (JIT fails with "cannot execute 'cc1'")`
                : `${compiler} -print-prog-name=cc1 printed "${cc1}", so ${compiler} cannot find cc1 ` +
                      `(JIT fails with "cannot execute 'cc1'"): keep the toolchain's libexec/ in the image`,
        );
    }
    if (facts.get("include_ok") !== "yes") {
        problems.push(`no include/ directory at ${include} (the prefix of ${path}); JIT builds need its headers`);
    }
    if (problems.length > 0) return { ok: false, detail: problems.join("; ") };
    return { ok: true, detail: `cc1 at ${cc1}; include/ at ${include}` };
}

/**
 * `jit`: Underworld3 compiles generated C at run time; a slim image without the compiler's `libexec/`
 * fails with "cannot execute 'cc1'", and without `include/` cannot find headers.
 */
export async function checkJit(image: LocalImage, options: CheckOptions): Promise<CheckResult> {
    const since = Date.now();
    const run = await runShell(image, "jit", JIT_SCRIPT, [options.compiler], options);
    const verdict = evaluateJit(run, options.compiler);
    return result("jit", verdict.ok, withNote(verdict.detail, run), since);
}


const IMPORT_BEGIN = "@@uw3-binder-import-begin@@";
const IMPORT_END = "@@uw3-binder-import-end@@";
export const IMPORT_SCRIPT = [
    'py=$1; shift',
    'for m in "$@"; do',
    `  printf '%s %s\\n' '${IMPORT_BEGIN}' "$m"`,
    '  "$py" -c "import $m" </dev/null 2>&1',
    '  rc=$?',
    `  printf '\\n%s %s %s\\n' '${IMPORT_END}' "$m" "$rc"`,
    'done',
].join("\n");

/** Decides `import` from IMPORT_SCRIPT's output (pure). */
export function evaluateImport(run: CommandOutput, python: string, modules: string[]): Verdict {
    const outcomes = new Map<string, { code: number; output: string }>();
    for (const section of run.stdout.split(`${IMPORT_BEGIN} `).slice(1)) {
        const newline = section.indexOf("\n");
        const module = section.slice(0, newline);
        const end = section.lastIndexOf(`\n${IMPORT_END} ${module} `);
        if (newline < 0 || end < 0) continue;
        const code = Number(section.slice(end + 1).split(/\s+/)[2]);
        outcomes.set(module, { code, output: section.slice(newline + 1, end) });
    }
    if (modules.length > 0 && modules.every((m) => outcomes.get(m)?.code === 127)) {
        return { ok: false, detail: `interpreter "${python}" not found on the image's PATH` };
    }
    const failures: string[] = [];
    for (const module of modules) {
        const outcome = outcomes.get(module);
        if (!outcome) failures.push(`${module}: not tried (the probe stopped: ${lastLine(run.stderr) || `exit ${run.code}`})`);
        else if (outcome.code === 127) failures.push(`${module}: interpreter "${python}" not found on the image's PATH`);
        else if (outcome.code !== 0) failures.push(`${module}: ${lastLine(outcome.output) || `exit ${outcome.code}, no output`}`);
    }
    if (failures.length > 0) return { ok: false, detail: failures.join("; ") };
    return { ok: true, detail: `${python} imported ${modules.join(", ")}` };
}

/**
 * `import`: each module must import in the image's Python; the setup document's ImportError
 * (`undefined symbol: DMInterpolationEvaluate_UW`, a Cython extension built without petsc_tools.c) only
 * shows at import time.
 */
export async function checkImport(image: LocalImage, options: CheckOptions): Promise<CheckResult> {
    const since = Date.now();
    for (const module of options.modules) {
        // The name is interpolated into `python -c "import <name>"`.
        if (!MODULE_PATTERN.test(module)) throw new Error(`invalid module name "${module}": expected a dotted Python module name`);
    }
    const run = await runShell(image, "import", IMPORT_SCRIPT, [options.python, ...options.modules], options);
    const verdict = evaluateImport(run, options.python, options.modules);
    return result("import", verdict.ok, withNote(verdict.detail, run), since);
}

/** The runtime checks by name, in CHECK_NAMES order. */
export const RUNTIME_CHECKS: Partial<Record<CheckName, (image: LocalImage, options: CheckOptions) => Promise<CheckResult>>> = {
    user: checkUser,
    jupyter: checkJupyter,
    kernel: checkKernel,
    jit: checkJit,
    import: checkImport,
};
