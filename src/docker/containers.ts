/**
 * What one run (a `check` run, a rehearsal) started or built in the Docker engine and has not removed
 * yet: an object per run, never module-global state. Every container (and image) it names is removed on
 * every path: by its owner when a step ends, by `removeAll` when the run ends, and synchronously by
 * `whileRemovingOnSignal` when the process gets SIGINT/SIGTERM.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { DockerResult, docker } from "./cli";

export class ContainerSet {
    private readonly containers = new Set<string>();
    private readonly images = new Set<string>();

    /** `prefix` starts every name this set makes (`uw3-binder-check-`, `uw3-binder-rehearsal-`). */
    constructor(private readonly prefix: string) {}

    /**
     * A name no other run, or concurrent step of this one, can collide with:
     * `<prefix><label>-<pid>-<random>`; the pid lets tests find what a process left behind.
     */
    uniqueName(label: string): string {
        return `${this.prefix}${label}-${process.pid}-${randomBytes(4).toString("hex")}`;
    }

    /** Records a container about to be started, before `docker run`, so an interruption removes it. */
    add(name: string): void {
        this.containers.add(name);
    }

    /** Forgets a container the engine already removed (`docker run --rm` that ended normally). */
    forget(name: string): void {
        this.containers.delete(name);
    }

    /** Records an image about to be built (removed with `--no-prune`: never the base it was built from). */
    addImage(tag: string): void {
        this.images.add(tag);
    }

    async remove(name: string): Promise<void> {
        try {
            await docker(["rm", "--force", name], 60000);
        } catch {
            // The engine went away; nothing can be removed through it.
        }
        this.containers.delete(name);
    }

    async removeImage(tag: string): Promise<void> {
        try {
            await docker(["image", "rm", "--force", "--no-prune", tag], 60000);
        } catch {
            // As above.
        }
        this.images.delete(tag);
    }

    /** Removes everything still recorded (the end of a run, whatever happened in it). */
    async removeAll(): Promise<void> {
        for (const name of [...this.containers]) await this.remove(name);
        for (const tag of [...this.images]) await this.removeImage(tag);
    }

    /** Removes everything still recorded, synchronously: for SIGINT/SIGTERM, when no promise will settle. */
    removeAllSync(): void {
        if (this.containers.size > 0) spawnSync("docker", ["rm", "--force", ...this.containers], { stdio: "ignore", timeout: 30000 });
        if (this.images.size > 0) spawnSync("docker", ["image", "rm", "--force", "--no-prune", ...this.images], { stdio: "ignore", timeout: 30000 });
        this.containers.clear();
        this.images.clear();
    }
}

/**
 * Runs `work` with a fresh ContainerSet: whatever it leaves recorded is removed when it settles, and a
 * SIGINT/SIGTERM meanwhile removes it synchronously and exits 130/143, as a shell reports those signals.
 */
export async function whileRemovingOnSignal<T>(prefix: string, work: (containers: ContainerSet) => Promise<T>): Promise<T> {
    const containers = new ContainerSet(prefix);
    const onSignal = (signal: NodeJS.Signals) => {
        containers.removeAllSync();
        process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
        return await work(containers);
    } finally {
        await containers.removeAll();
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
    }
}

/**
 * The last `count` lines a container wrote, stdout and stderr merged in time order, as written: the caller
 * escapes them for where they are shown.
 */
export async function containerLogTail(name: string, count: number): Promise<string[]> {
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
    return stamped.slice(-count).map((l) => l.replace(/^\S+Z /, "").trimEnd());
}

/** A log tail, already escaped, as the end of a detail (pure). */
export function formatLogTail(lines: string[]): string {
    return lines.length === 0 ? "; the container wrote no log lines" : `; last log lines:\n${lines.map((l) => `  ${l}`).join("\n")}`;
}
