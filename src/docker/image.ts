/**
 * Images in the local engine: what `docker image inspect` says of one, and pulling one by digest with
 * credentials that never reach argv or the operator's own ~/.docker.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { printableLine } from "../text/printable";
import { DockerError, docker, firstLine, lastLine } from "./cli";

/** The image is not in the local engine (`runChecks` then pulls it when the reference has a digest). */
export class ImageNotLocalError extends DockerError {
    constructor(message: string) {
        super(message);
        this.name = "ImageNotLocalError";
    }
}

/** What the checks and the rehearsal need from `docker image inspect`. */
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

function stringList(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Looks the image up in the local engine. Never pulls (see `pullImage`). */
export async function inspectLocalImage(ref: string): Promise<LocalImage> {
    const result = await docker(["image", "inspect", "--format", "{{json .}}", ref], 60000);
    if (result.code !== 0) {
        if (/no such image/i.test(result.stderr)) {
            throw new ImageNotLocalError(
                `image ${ref} is not in the local Docker engine (the runtime checks run it locally): ` +
                    "build or push it from this engine, `docker pull` it first, or pass it by digest (<repository>@sha256:<hex>) so check pulls it",
            );
        }
        throw new DockerError(`docker image inspect ${ref} failed (exit ${result.code}): ${firstLine(result.stderr)}`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(result.stdout);
    } catch {
        throw new DockerError(`docker image inspect ${ref} printed something that is not JSON: ${firstLine(result.stdout)}`);
    }
    const image = (typeof parsed === "object" && parsed !== null ? parsed : {}) as { Id?: unknown; RepoDigests?: unknown; Config?: unknown };
    const config = (typeof image.Config === "object" && image.Config !== null ? image.Config : {}) as { User?: unknown; Entrypoint?: unknown };
    return {
        ref,
        id: typeof image.Id === "string" ? image.Id : "",
        user: typeof config.User === "string" ? config.User : "",
        entrypoint: stringList(config.Entrypoint),
        repoDigests: stringList(image.RepoDigests),
    };
}

/** How long a pull may take: the Underworld3 images are several GB. */
const PULL_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * Pulls `digestRef` (`host/repository@sha256:...`: a digest, so the image pulled is the one the registry
 * checks read, whatever a tag points to meanwhile) into the local engine. Credentials reach the docker
 * CLI through `docker login --password-stdin` into a throwaway DOCKER_CONFIG, removed afterwards: never
 * argv, never the user's ~/.docker. Without credentials the pull is anonymous, from an equally empty
 * config. The operator's docker context, if one is selected in their config, still applies.
 */
export async function pullImage(digestRef: string, registry: string, credentials?: { username: string; password: string }): Promise<void> {
    const config = await fs.promises.mkdtemp(path.join(os.tmpdir(), "uw3-binder-docker-config-"));
    try {
        const env: NodeJS.ProcessEnv = { DOCKER_CONFIG: config, ...(await operatorContext(config)) };
        if (credentials) {
            const login = await docker(["login", "--username", credentials.username, "--password-stdin", registry], 60000, {
                input: credentials.password,
                env,
            });
            if (login.code !== 0) {
                throw new DockerError(
                    `docker login ${registry} as "${printableLine(credentials.username)}" failed (exit ${login.code}): ${printableLine(lastLine(login.stderr))}`,
                );
            }
        }
        const pulled = await docker(["pull", "--quiet", digestRef], PULL_TIMEOUT_MS, { env });
        if (pulled.code !== 0 || pulled.timedOut) {
            const why = pulled.timedOut ? `no result within ${PULL_TIMEOUT_MS / 60000} min` : `exit ${pulled.code}: ${printableLine(lastLine(pulled.stderr))}`;
            throw new DockerError(
                `image ${digestRef} is not in the local Docker engine and pulling it failed (${credentials ? "with" : "without"} credentials; ${why})`,
            );
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
