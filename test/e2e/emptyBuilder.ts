/**
 * An empty BuildKit builder, as a fresh CI runner has: a buildkitd of its own (the binary
 * `scripts/pulumi-engine.sh` built, the registries' TLS settings of the shared one) with an empty root,
 * registered in the buildx store under a name of its own (remote driver), so a stack's
 * `uw3-binder:builder` can name it. `stop()` ends that buildkitd (by its pid) and removes its root and its
 * buildx entry. Also the image source the build-cache test and bench build: deterministic data layers made
 * by its steps, a step whose output differs on every run, and a code layer.
 */
import { spawn, ChildProcess } from "node:child_process";
import { createCipheriv } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run, servicesDir } from "../integration/harness";
import { REPO_ROOT } from "./engine";

export interface EmptyBuilder {
    readonly name: string;
    stop(): Promise<void>;
}

function buildxStore(): string {
    return path.join(process.env.DOCKER_CONFIG ?? path.join(os.homedir(), ".docker"), "buildx", "instances");
}

/** Starts an empty buildkitd registered as buildx builder `name`; rejects when buildkitd is not built or does not start in 30 s. */
export async function startEmptyBuilder(name: string): Promise<EmptyBuilder> {
    const binary = (await run("bash", [path.join(REPO_ROOT, "scripts", "pulumi-engine.sh"), "buildkitd"], { timeoutMs: 30000 })).stdout.trim();
    if (!binary || !fs.existsSync(binary)) throw new Error("buildkitd is not built (run scripts/pulumi-engine.sh install)");
    const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), `uw3-binder-${name}-`));
    const sock = path.join(root, "buildkitd.sock");
    // The shared buildkitd's config: TLS to the loopback registries with their CA.
    await fs.promises.copyFile(path.join(servicesDir(), "buildkitd.toml"), path.join(root, "buildkitd.toml"));
    const log = fs.openSync(path.join(root, "buildkitd.log"), "w");
    const child: ChildProcess = spawn(
        binary,
        ["--config", path.join(root, "buildkitd.toml"), "--addr", `unix://${sock}`, "--root", path.join(root, "state"), "--oci-worker-net", "host"],
        { stdio: ["ignore", log, log], detached: true },
    );
    fs.closeSync(log);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const entry = path.join(buildxStore(), name);
    const stop = async () => {
        if (child.exitCode === null && child.pid !== undefined) {
            process.kill(child.pid, "SIGTERM");
            await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10000).unref())]);
            if (child.exitCode === null) process.kill(child.pid, "SIGKILL");
        }
        await fs.promises.rm(entry, { force: true });
        await fs.promises.rm(root, { recursive: true, force: true });
    };
    for (let waited = 0; !fs.existsSync(sock); waited += 100) {
        if (waited > 30000 || child.exitCode !== null) {
            await stop();
            throw new Error(`buildkitd for builder ${name} did not start`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await fs.promises.mkdir(buildxStore(), { recursive: true });
    await fs.promises.writeFile(
        entry,
        JSON.stringify({
            Name: name,
            Driver: "remote",
            Nodes: [{ Name: `${name}0`, Endpoint: `unix://${sock}`, Platforms: null, DriverOpts: null, Flags: null, Files: null }],
            Dynamic: false,
        }) + "\n",
    );
    return { name, stop };
}

/**
 * `bytes` of deterministic, incompressible data: AES-256-CTR's keystream for a key derived from `seed`
 * (the same bytes on every machine, and gzip cannot shrink them, as it cannot a real environment's binaries).
 */
function deterministicBytes(seed: string, bytes: number): Buffer {
    const key = Buffer.alloc(32);
    key.write(seed.padEnd(32, "."), "utf8");
    const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
    return Buffer.concat([cipher.update(Buffer.alloc(bytes)), cipher.final()]);
}

/**
 * Writes an image source into `dir`: per data layer a 1 MiB seed (`seeds/part-NN`, deterministic), which a
 * RUN step repeats `layerBytes / 1 MiB` times into one file of the image (gzip's 32 KiB window cannot shrink a
 * repeated 1 MiB block, so each layer's compressed size is its size, as an environment's binaries are); a
 * RUN step that writes the time (a different layer on every build, the same only when it comes from a
 * cache); and `code/`, copied last (what a code-only change touches). The build context stays small, as the
 * real image's does: its large layers are made by its steps. Its Dockerfile is `Dockerfile`.
 */
export async function writeCachedImageSource(dir: string, layers: number, layerBytes: number): Promise<void> {
    const seedBytes = Math.min(layerBytes, 1024 * 1024);
    await fs.promises.mkdir(path.join(dir, "seeds"), { recursive: true });
    await fs.promises.mkdir(path.join(dir, "code"), { recursive: true });
    const steps: string[] = [];
    for (let i = 0; i < layers; i++) {
        const part = `part-${String(i).padStart(2, "0")}`;
        await fs.promises.writeFile(path.join(dir, "seeds", part), deterministicBytes(`uw3-binder cache ${i}`, seedBytes));
        const repeats = Math.max(1, Math.round(layerBytes / seedBytes));
        steps.push(`RUN --mount=type=bind,source=seeds/${part},target=/seed mkdir -p /data && for i in $(seq ${repeats}); do cat /seed; done > /data/${part}`);
    }
    await fs.promises.writeFile(path.join(dir, "code", "main.py"), "print('version 1')\n");
    await fs.promises.writeFile(
        path.join(dir, "Dockerfile"),
        ["ARG BASE_IMAGE=127.0.0.1:5000/uw3-binder-demo/busybox:1", "FROM ${BASE_IMAGE}", ...steps, "RUN date +%s%N > /built-at", "COPY code/ /code/", ""].join(
            "\n",
        ),
    );
}

/** The image config for the stack (`uw3-binder:images`), built on `builder` with or without its registry cache. */
export function cachedImageConfig(builder: string, cache: boolean): Record<string, unknown> {
    return {
        repository: "cached",
        tag: "v1",
        dockerfile: "Dockerfile",
        context: ["Dockerfile", "seeds/**", "code/**"],
        rebuildOn: ["Dockerfile", "seeds/**", "code/**"],
        builder,
        ...(cache ? {} : { cache: false }),
        checks: { layers: { maxNewMb: 100000 }, env: false, user: false, jupyter: false, kernel: false, jit: false, import: false },
    };
}
