/**
 * The in-container shell protocol of the runtime checks: one `docker run --rm --network=none` of
 * `/bin/sh -c <script> sh <args...>`, through the image's entrypoint as mybinder.org starts it, with a
 * marker printed first so the output says whether the entrypoint handed over to the command at all.
 * When it did not (no `exec "$@"`), the script is run again with the entrypoint bypassed, so each check
 * still reports on its own property and the entrypoint fault is reported once, by `jupyter`.
 * The image must have a POSIX `/bin/sh` (every Binder image has bash).
 */
import { ContainerSet } from "../docker/containers";
import { DockerError, DockerResult, docker, firstLine } from "../docker/cli";
import { LocalImage } from "../docker/image";
import { CheckOptions } from "./options";
import { printableLine } from "../text/printable";

/** Printed by our shell once the entrypoint has handed over to it; its absence means it never did. */
const COMMAND_STARTED = "@@uw3-binder-check: command started@@";

/** How long a check's own command (import, kernelspec list...) may take once it has started. */
const COMMAND_TIMEOUT_S = 120;
/**
 * Extra time, beyond `startTimeoutS`, for the entrypoint to hand over to the command: container creation
 * is not part of mybinder's budget, and a busy engine can take seconds for it.
 */
const START_GRACE_S = 15;

/** What one command in the image produced (stdout after the started-marker). */
export interface CommandOutput {
    stdout: string;
    stderr: string;
    code: number;
}

interface ShellOutcome extends CommandOutput {
    /** The entrypoint ran our command (its marker appeared on stdout). */
    started: boolean;
}

/** Where and how a script runs: the image, the run's containers, the start budget. */
interface ShellTarget {
    image: LocalImage;
    containers: ContainerSet;
    options: Pick<CheckOptions, "startTimeoutS">;
}

/** The image's ENTRYPOINT as a detail names it. */
export function describeEntrypoint(image: LocalImage): string {
    return image.entrypoint.length > 0 ? printableLine(image.entrypoint.join(" ")) : "(no ENTRYPOINT)";
}

/**
 * One `docker run --rm --network=none` of `/bin/sh -c script sh args...`, through the image's entrypoint
 * or, with `viaEntrypoint` false, bypassing it. `label` names the container (`...-<label>-<pid>-<random>`).
 */
export async function runShellOnce(target: ShellTarget, label: string, script: string, args: string[], viaEntrypoint: boolean): Promise<ShellOutcome> {
    const { image, containers, options } = target;
    const name = containers.uniqueName(label);
    const runArgs = ["run", "--rm", "--name", name, "--network=none", "--pull=never"];
    if (!viaEntrypoint) runArgs.push("--entrypoint", "/bin/sh");
    runArgs.push(image.ref);
    if (viaEntrypoint) runArgs.push("/bin/sh");
    runArgs.push("-c", `printf '%s\\n' '${COMMAND_STARTED}'; ${script}`, "sh", ...args);

    containers.add(name);
    // An entrypoint that ignores its arguments may run forever (e.g. start its own server): once it had
    // the start budget without handing over, remove the container, which ends the `docker run`.
    let started = false;
    let removed = false;
    const startDeadline = setTimeout(
        () => {
            if (!started) {
                removed = true;
                void containers.remove(name);
            }
        },
        (options.startTimeoutS + START_GRACE_S) * 1000,
    );
    let result: DockerResult | undefined;
    const limit = options.startTimeoutS + START_GRACE_S + COMMAND_TIMEOUT_S;
    try {
        result = await docker(runArgs, limit * 1000, {
            onStdout: (stdout) => {
                started ||= stdout.includes(COMMAND_STARTED);
            },
        });
        const at = result.stdout.indexOf(COMMAND_STARTED);
        started = at >= 0;
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
        if (!result || result.timedOut || removed) await containers.remove(name);
        else containers.forget(name);
    }
}

interface ShellRun extends CommandOutput {
    /** Set when the entrypoint did not run the command, so it was rerun with the entrypoint bypassed. */
    bypassNote?: string;
}

/**
 * Runs a script through the entrypoint; when the entrypoint does not hand over, reruns it with the
 * entrypoint bypassed. Throws a DockerError when Docker could not run the image or it has no /bin/sh.
 */
export async function runShell(target: ShellTarget, label: string, script: string, args: string[]): Promise<ShellRun> {
    const { image } = target;
    const first = await runShellOnce(target, label, script, args, true);
    if (first.started) return first;
    if (first.code === 125) {
        throw new DockerError(`docker run ${image.ref} failed: ${firstLine(first.stderr)}`);
    }
    const second = await runShellOnce(target, label, script, args, false);
    if (!second.started) {
        if (second.code === 125) throw new DockerError(`docker run ${image.ref} failed: ${firstLine(second.stderr)}`);
        throw new DockerError(
            `could not run /bin/sh in ${image.ref} (the runtime checks need a POSIX shell in the image): ` +
                `exit ${second.code}, ${firstLine(second.stderr) || "no output"}`,
        );
    }
    return {
        stdout: second.stdout,
        stderr: second.stderr,
        code: second.code,
        bypassNote: `checked bypassing the entrypoint, since ${describeEntrypoint(image)} did not run its arguments (see jupyter)`,
    };
}

/** A detail with the entrypoint-bypass note, when the run needed it. */
export function withNote(detail: string, run: ShellRun): string {
    return run.bypassNote ? `${detail}; ${run.bypassNote}` : detail;
}
