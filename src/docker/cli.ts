/**
 * The docker CLI, run without a shell: every argument is one argv word, whatever it holds. Output is
 * bounded (a container printing gigabytes keeps its start and its end), every call has a timeout, and an
 * engine that cannot be reached is one clear error. The CLI (not the Engine API) is used so whatever
 * DOCKER_HOST or context the operator has configured applies unchanged.
 */
import { spawn } from "node:child_process";
import { printableLine } from "../text/printable";

/**
 * Docker (the CLI, the engine, the host) could not do what was asked: a verdict on the environment, never
 * on an image. A check that meets one was not run.
 */
export class DockerError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DockerError";
    }
}

/** The docker CLI is missing or the engine does not answer. */
export class DockerUnavailableError extends DockerError {
    constructor(message: string) {
        super(message);
        this.name = "DockerUnavailableError";
    }
}

export interface DockerResult {
    code: number;
    stdout: string;
    stderr: string;
    /** The CLI was killed after `timeoutMs`. */
    timedOut: boolean;
}

/** What a docker CLI call needs besides its arguments. */
interface DockerIo {
    /** Written to the CLI's stdin (a password for `docker login --password-stdin`), never to argv. */
    input?: string;
    /** Added to this process's environment (DOCKER_CONFIG for a throwaway login, DOCKER_BUILDKIT). */
    env?: NodeJS.ProcessEnv;
    /** Sees the start of stdout (at most CAPTURE_HEAD_CHARS of it) as it arrives. */
    onStdout?: (stdoutSoFar: string) => void;
}

const ENGINE_UNREACHABLE =
    /Cannot connect to the Docker daemon|error during connect|Is the docker daemon running|dial unix .*: connect: (no such file|permission denied|connection refused)/i;

/** First non-empty line, for one-line messages. */
export function firstLine(text: string): string {
    return (
        text
            .split("\n")
            .map((l) => l.trim())
            .find((l) => l !== "") ?? ""
    );
}

/** Last non-empty line: the one that says what went wrong in a Python traceback or a shell error. */
export function lastLine(text: string): string {
    const lines = text
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "");
    return lines[lines.length - 1] ?? "";
}

/** What is kept of a stream: its start (markers, JSON answers) and its end (the line that says why). */
const CAPTURE_HEAD_CHARS = 1024 * 1024;
const CAPTURE_TAIL_CHARS = 64 * 1024;

/**
 * A stream's text, bounded: at most its head and its tail, joined by a line saying how much was left out.
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

    /** The start of the stream (for markers printed first). */
    get start(): string {
        return this.head;
    }

    toString(): string {
        return this.dropped > 0 ? `${this.head}\n[${this.dropped} characters left out]\n${this.tail}` : this.head + this.tail;
    }
}

/**
 * Runs `docker <args>` without a shell. Resolves whatever the exit code (the caller decides what it
 * means); rejects with `DockerUnavailableError` when the CLI cannot start or the engine does not answer.
 * `timeoutMs` kills the CLI only: a caller that started a container removes it (see ContainerSet).
 *
 * `spawn` with an argument vector, not `execFile`: the same no-shell call, but execFile buffers all of
 * a stream until `maxBuffer` and then kills the CLI, where a container's output must be kept bounded.
 */
export function docker(args: string[], timeoutMs = 120000, io: DockerIo = {}): Promise<DockerResult> {
    return new Promise((resolve, reject) => {
        const child = spawn("docker", args, {
            shell: false,
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
        child.stdout?.setEncoding("utf8");
        child.stderr?.setEncoding("utf8");
        child.stdout?.on("data", (chunk: string) => {
            stdout.add(chunk);
            io.onStdout?.(stdout.start);
        });
        child.stderr?.on("data", (chunk: string) => stderr.add(chunk));
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
                reject(new DockerUnavailableError(`Docker engine unreachable: ${printableLine(firstLine(err))}`));
                return;
            }
            resolve({ code: code ?? 137, stdout: stdout.toString(), stderr: err, timedOut });
        });
    });
}
