/**
 * The e2e engine suite's harness: the real Pulumi CLI and deployment engine (built by
 * `scripts/pulumi-engine.sh install`), driven through the Automation API the way a maintainer's
 * `pulumi preview|up|refresh|destroy` would, against the loopback Docker engine, registries and buildkitd
 * that `scripts/services.sh start` runs.
 *
 * Each `EngineProject` is a copy of this program (its sources, `node_modules` linked) in a temporary
 * directory, with its own `file://` backend and the passphrase secrets provider, so nothing a test does
 * touches the committed stack files or a maintainer's ~/.pulumi.
 *
 * A suite declared with `describeEngine` skips, with the reason printed, when the engine or a service is
 * missing on a developer machine; under `CI=true` it fails instead.
 */
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { integrationEnv, IntegrationEnv, run, servicesDir } from "../integration/harness";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** What a program copy holds: everything `pulumi up` runs, nothing else. */
const PROGRAM_FILES = ["Pulumi.yaml", "index.ts", "config.ts", "components", "src", "bin", "dist", "package.json", "tsconfig.json"];
const PASSPHRASE = "uw3-binder e2e passphrase";

export interface EngineEnv {
    ready: boolean;
    problems: string[];
    /** The directory holding `pulumi`, the language host and the dynamic-provider launcher. */
    binDir: string;
    pulumiHome: string;
    services: IntegrationEnv;
}

let cached: Promise<EngineEnv> | undefined;
export function engineEnv(): Promise<EngineEnv> {
    cached ??= detect();
    return cached;
}

async function detect(): Promise<EngineEnv> {
    const services = await integrationEnv();
    const problems = [...services.problems];
    const script = path.join(REPO_ROOT, "scripts", "pulumi-engine.sh");
    const env = (await run("bash", [script, "env"], { timeoutMs: 30000 })).stdout;
    const binDir = /^export PATH='?([^':"]+)'?:/m.exec(env)?.[1] ?? "";
    const pulumiHome = /^export PULUMI_HOME='?([^'\n]+)'?$/m.exec(env)?.[1] ?? "";
    if (!binDir || !fs.existsSync(path.join(binDir, "pulumi"))) {
        problems.push("the Pulumi engine is not built (run scripts/pulumi-engine.sh install)");
    }
    if (!fs.existsSync(path.join(servicesDir(), "buildkitd.sock"))) {
        problems.push(
            `buildkitd is not running (${path.join(servicesDir(), "buildkitd.sock")} missing: run scripts/services.sh start after scripts/pulumi-engine.sh install)`,
        );
    }
    return { ready: problems.length === 0, problems, binDir, pulumiHome, services };
}

/** `describe` for engine tests: skips with the reason printed when something is missing, fails under CI=true. */
export function describeEngine(title: string, body: (get: () => EngineEnv) => void): Mocha.Suite {
    return describe(title, function () {
        let env: EngineEnv | undefined;
        before(async function () {
            this.timeout(60000);
            env = await engineEnv();
            if (env.ready) return;
            const reason = env.problems.join("; ");
            if (process.env.CI === "true") throw new Error(`engine environment missing under CI=true: ${reason}`);
            console.log(`    skipping "${title}": ${reason}`);
            this.skip();
        });
        body(() => {
            if (!env) throw new Error("engine environment read before the suite's before hook ran");
            return env;
        });
    });
}

/** A unique suffix per test run, so reruns against long-lived registries never collide. */
export const RUN_ID = `${process.pid.toString(36)}${Date.now().toString(36)}`;

export interface ProjectOptions {
    /** The committed stack file to start from (`Pulumi.demo.yaml`), by stack name. */
    stack: string;
    /** Edits the stack file's `config` map before the stack is created. */
    edit?: (config: Record<string, unknown>) => void;
    /** Extra environment for the engine and the program. */
    env?: Record<string, string>;
}

/** A copy of this program with one stack, a file backend and its own temporary root. */
export class EngineProject {
    private constructor(
        readonly root: string,
        readonly programDir: string,
        readonly stack: Stack,
    ) {}

    static async create(engine: EngineEnv, options: ProjectOptions): Promise<EngineProject> {
        const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), `uw3-binder-e2e-${options.stack}-`));
        const programDir = path.join(root, "program");
        await fs.promises.mkdir(programDir);
        for (const entry of PROGRAM_FILES) {
            await fs.promises.cp(path.join(REPO_ROOT, entry), path.join(programDir, entry), { recursive: true });
        }
        await fs.promises.symlink(path.join(REPO_ROOT, "node_modules"), path.join(programDir, "node_modules"));
        const stackFile = YAML.parse(await fs.promises.readFile(path.join(REPO_ROOT, `Pulumi.${options.stack}.yaml`), "utf8")) as {
            config: Record<string, unknown>;
        };
        options.edit?.(stackFile.config);
        await fs.promises.writeFile(path.join(programDir, `Pulumi.${options.stack}.yaml`), YAML.stringify(stackFile));
        const state = path.join(root, "state");
        await fs.promises.mkdir(state);

        const pulumiCommand = await PulumiCommand.get({ root: path.dirname(engine.binDir), skipVersionCheck: true });
        const envVars: Record<string, string> = {
            PATH: `${engine.binDir}:${process.env.PATH ?? ""}`,
            PULUMI_HOME: engine.pulumiHome,
            PULUMI_BACKEND_URL: `file://${state}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            UW3_BINDER_SERVICES_DIR: servicesDir(),
            // The registries' CA, for the program's own registry client (Node.js) and, without root, Go's.
            ...engine.services.trustEnv,
            ...options.env,
        };
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName: options.stack, workDir: programDir },
            { pulumiCommand, envVars, secretsProvider: "passphrase" },
        );
        return new EngineProject(root, programDir, stack);
    }

    /** Copies the example source tree into a git repository beside the program and points the stack at it. */
    async useExampleSource(): Promise<SourceRepo> {
        const source = await SourceRepo.fromExample(this.root);
        await this.stack.setConfig("uw3-binder:source.path", { value: source.dir }, true);
        return source;
    }

    async remove(): Promise<void> {
        await fs.promises.rm(this.root, { recursive: true, force: true });
    }
}

/** A git repository made from a directory of this repo (the example source tree), for builds to read. */
export class SourceRepo {
    private constructor(readonly dir: string) {}

    static async fromExample(root: string, example = "examples/underworld3-mini"): Promise<SourceRepo> {
        const dir = path.join(root, "source");
        await fs.promises.cp(path.join(REPO_ROOT, example), dir, { recursive: true });
        const repo = new SourceRepo(dir);
        await repo.git(["init", "-q", "-b", "main"]);
        await repo.commitAll("the mini Underworld3");
        return repo;
    }

    async write(file: string, content: string): Promise<void> {
        await fs.promises.mkdir(path.dirname(path.join(this.dir, file)), { recursive: true });
        await fs.promises.writeFile(path.join(this.dir, file), content);
    }

    async append(file: string, content: string): Promise<void> {
        await fs.promises.appendFile(path.join(this.dir, file), content);
    }

    async commitAll(message: string): Promise<void> {
        await this.git(["add", "-A"]);
        await this.git(["commit", "-q", "-m", message]);
    }

    private async git(args: string[]): Promise<string> {
        const result = await run("git", args, {
            cwd: this.dir,
            env: { GIT_AUTHOR_NAME: "e2e", GIT_AUTHOR_EMAIL: "e2e@example.org", GIT_COMMITTER_NAME: "e2e", GIT_COMMITTER_EMAIL: "e2e@example.org" },
        });
        if (result.code !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr.trim()}`);
        return result.stdout;
    }
}

/** The manifest a registry serves for `repository@reference`, following an index to its linux/amd64 entry. */
export async function registryManifest(
    registry: string,
    repository: string,
    reference: string,
    credentials?: { username: string; password: string },
): Promise<{ digest: string; layers: string[]; bytes: number }> {
    const headers: Record<string, string> = {
        Accept: [
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
        ].join(", "),
    };
    if (credentials) headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
    const res = await fetch(`https://${registry}/v2/${repository}/manifests/${reference}`, { headers });
    if (res.status !== 200) throw new Error(`GET ${registry}/${repository}@${reference}: HTTP ${res.status}`);
    const digest = res.headers.get("docker-content-digest") ?? "";
    const body = (await res.json()) as {
        layers?: { digest: string; size: number }[];
        manifests?: { digest: string; platform?: { os: string; architecture: string } }[];
    };
    if (body.manifests) {
        const amd64 = body.manifests.find((m) => m.platform?.os === "linux" && m.platform.architecture === "amd64");
        if (!amd64) throw new Error(`${registry}/${repository}@${reference} is an index without linux/amd64`);
        const inner = await registryManifest(registry, repository, amd64.digest, credentials);
        return { digest, layers: inner.layers, bytes: inner.bytes };
    }
    // Compressed bytes of its distinct layers, as `check` counts an image's size.
    const distinct = new Map((body.layers ?? []).map((l) => [l.digest, l.size]));
    return { digest, layers: (body.layers ?? []).map((l) => l.digest), bytes: [...distinct.values()].reduce((a, b) => a + b, 0) };
}

/** Splits `host:port/namespace/repo:tag@sha256:hex` into the registry, the repository and the digest. */
export function splitPinned(reference: string): { registry: string; repository: string; tag: string; digest: string } {
    const m = /^([^/]+)\/(.+):([^:@/]+)@(sha256:[0-9a-f]{64})$/.exec(reference);
    if (!m) throw new Error(`not a pinned reference: ${reference}`);
    return { registry: m[1], repository: m[2], tag: m[3], digest: m[4] };
}
