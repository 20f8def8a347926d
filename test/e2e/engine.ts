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
import {
    DestroyOptions,
    DestroyResult,
    EngineEvent,
    LocalWorkspace,
    OpMap,
    PreviewOptions,
    PreviewResult,
    PulumiCommand,
    RefreshOptions,
    RefreshResult,
    Stack,
    UpOptions,
    UpResult,
} from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { integrationEnv, IntegrationEnv, run, servicesDir } from "../integration/harness";
import { stepsInOrder } from "./ordered";

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

/** Counts of the engine's operations, without the `same` ones. */
export function changes(summary: OpMap | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0));
}

/**
 * The demo stack without its launcher (images and gates only), for the suites about images: no GitHub
 * resource, no rehearsal, no LAUNCHER_PAT. The launcher suite (launcher.test.ts) keeps it.
 */
export function demoImagesOnly(config: Record<string, any>): void {
    delete config["uw3-binder:launcher"];
    for (const key of Object.keys(config)) if (key.startsWith("github:")) delete config[key];
    config["uw3-binder:source"] = { ...config["uw3-binder:source"], launcherPatSecret: false };
}

/** The resources (by name) an update or preview did something to, with what; refreshes and reads left out. */
export function touched(events: EngineEvent[]): string[] {
    return events
        .map((e) => e.resOutputsEvent?.metadata ?? e.resourcePreEvent?.metadata)
        .filter((m): m is NonNullable<typeof m> => !!m && m.op !== "same" && m.op !== "read" && m.op !== "refresh")
        .map((m) => `${m.op} ${m.urn.split("::").pop()}`)
        .filter((v, i, all) => all.indexOf(v) === i)
        .sort();
}

/** The demo stack of an ordered suite, on the open registry, with its own example source repository. */
export interface DemoSteps {
    readonly project: EngineProject;
    readonly source: SourceRepo;
}

/**
 * For an ordered suite's `describe` body: the demo stack's images (demoImagesOnly) on the open registry under `namespace`, made
 * before the first step, its update stopped after a failed step (`stopAfterFailure`), the steps after a
 * failed one skipped (`stepsInOrder`), destroyed and removed after the last.
 */
export function demoSteps(engine: () => EngineEnv, namespace: string): DemoSteps {
    let project: EngineProject | undefined;
    let source: SourceRepo | undefined;
    stepsInOrder();
    stopAfterFailure(() => project);
    before(async function () {
        this.timeout(120000);
        project = await EngineProject.create(engine(), {
            stack: "demo",
            edit: (config: Record<string, any>) => {
                demoImagesOnly(config);
                config["uw3-binder:registry"] = { ...config["uw3-binder:registry"], namespace };
            },
        });
        source = await project.useExampleSource();
    });
    after(async function () {
        this.timeout(600000);
        if (!project) return;
        await project.discard();
    });
    return {
        get project() {
            if (!project) throw new Error("the demo stack read before the suite's before hook made it");
            return project;
        },
        get source() {
            if (!source) throw new Error("the demo source read before the suite's before hook made it");
            return source;
        },
    };
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

/** How long a stopped operation gets to end on its own (pulumi's SIGINT: cancel, finish what is in flight). */
const STOP_GRACE_MS = 60000;

/** The running operation of a project: what `stop()` ends. */
interface Running {
    name: string;
    controller: AbortController;
    done: Promise<unknown>;
}

/**
 * A copy of this program with one stack, a file backend and its own temporary root. Engine operations go
 * through `up`/`preview`/`refresh`/`destroy` here, one at a time, so that a step that fails or times out
 * can be stopped (`stop()`) before anything else touches the stack.
 */
export class EngineProject {
    private running?: Running;

    private constructor(
        readonly root: string,
        readonly programDir: string,
        readonly stack: Stack,
    ) {}

    up(opts: UpOptions = {}): Promise<UpResult> {
        return this.operation("up", (signal) => this.stack.up({ ...opts, signal }));
    }
    preview(opts: PreviewOptions = {}): Promise<PreviewResult> {
        return this.operation("preview", (signal) => this.stack.preview({ ...opts, signal }));
    }
    refresh(opts: RefreshOptions = {}): Promise<RefreshResult> {
        return this.operation("refresh", (signal) => this.stack.refresh({ ...opts, signal }));
    }
    destroy(opts: DestroyOptions = {}): Promise<DestroyResult> {
        return this.operation("destroy", (signal) => this.stack.destroy({ ...opts, signal }));
    }

    private async operation<T>(name: string, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
        if (this.running) throw new Error(`pulumi ${name}: pulumi ${this.running.name} is still running on this stack (stop() it first)`);
        const controller = new AbortController();
        const done = start(controller.signal);
        const running = { name, controller, done };
        this.running = running;
        try {
            return await done;
        } finally {
            if (this.running === running) this.running = undefined;
        }
    }

    /**
     * Ends the operation still running (a step that failed or timed out while its `up` went on): SIGINT to
     * the pulumi CLI (it cancels and waits for what is in flight), then, after STOP_GRACE_MS, SIGKILL to it
     * and every process under it or working in the program folder; then removes the stack lock a killed CLI
     * leaves in the file backend.
     * Returns what it stopped; never throws (it runs in hooks, after a failure that matters more).
     */
    async stop(): Promise<string | undefined> {
        const running = this.running;
        if (!running) return undefined;
        running.controller.abort();
        const settled = (ms: number) =>
            Promise.race([
                running.done.then(
                    () => true,
                    () => true,
                ),
                new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref()),
            ]);
        if (!(await settled(STOP_GRACE_MS))) {
            killTree(processesIn(this.programDir));
            await settled(10000);
        }
        // A plugin may outlive the CLI for a moment; whatever still works in the folder after 10 s is killed.
        for (let waited = 0; processesIn(this.programDir).length > 0 && waited < 10000; waited += 100) {
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        killTree(processesIn(this.programDir));
        this.running = undefined;
        await fs.promises.rm(path.join(this.root, "state", ".pulumi", "locks"), { recursive: true, force: true });
        return running.name;
    }

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

    /**
     * Another stack of this program copy, in the same backend, from its stack file in the program folder (a
     * later release's, written there by `uw3-binder new-release`). It shares this project's folder: remove() one.
     */
    async addStack(name: string): Promise<EngineProject> {
        return new EngineProject(this.root, this.programDir, await Stack.create(name, this.stack.workspace));
    }

    /** `uw3-binder <args>` of this program copy, run in its folder as a maintainer runs it in the repository. */
    cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
        return run(process.execPath, [path.join(this.programDir, "bin", "uw3-binder.js"), ...args], { cwd: this.programDir, timeoutMs: 120000 });
    }

    /** The URNs `uw3-binder targets --stack <stack> --ref <ref>` prints, for `up({ target })`; throws when it fails. */
    async refTargets(stack: string, ref: string): Promise<string[]> {
        const printed = await this.cli(["targets", "--stack", stack, "--ref", ref]);
        if (printed.code !== 0) throw new Error(`uw3-binder targets --stack ${stack} --ref ${ref}: exit ${printed.code}: ${printed.stderr}`);
        return printed.stdout
            .trimEnd()
            .split("\n")
            .map((l) => l.replace(/^--target=/, ""));
    }

    /** Copies the example source tree into a git repository beside the program and points the stack at it. */
    async useExampleSource(): Promise<SourceRepo> {
        const source = await SourceRepo.fromExample(this.root);
        await this.stack.setConfig("uw3-binder:source.path", { value: source.dir }, true);
        return source;
    }

    /**
     * The end of a suite: stops what is still running, destroys the stack (what it made on the services; a
     * destroy that fails is ignored, a hook must not hide the failure that matters) and removes its files.
     */
    async discard(): Promise<void> {
        await this.stop();
        await this.destroy().catch(() => undefined);
        await this.remove();
    }

    /** Stops what is still running, then removes the project's files (the program folder, state, source). */
    async remove(): Promise<void> {
        await this.stop();
        await fs.promises.rm(this.root, { recursive: true, force: true });
    }
}

/** Parent pid of each process, from /proc (Linux, where the engine tests run). */
function parentPids(): Map<number, number> {
    const parents = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
        } catch {
            // Gone between the listing and the read.
        }
    }
    return parents;
}

/**
 * The processes working in `dir` (the pulumi CLI the Automation API runs there, the language host and the
 * program it starts), this one excepted.
 */
export function processesIn(dir: string): number[] {
    return [...parentPids().keys()].filter((pid) => {
        try {
            return pid !== process.pid && fs.readlinkSync(`/proc/${pid}/cwd`) === dir;
        } catch {
            return false;
        }
    });
}

/** SIGKILL to each of `pids` and everything under them (plugins, the program, the providers). */
function killTree(pids: number[]): void {
    const parents = parentPids();
    const doomed = new Set(pids);
    for (let grew = true; grew;) {
        grew = false;
        for (const [pid, parent] of parents) {
            if (doomed.has(parent) && !doomed.has(pid)) {
                doomed.add(pid);
                grew = true;
            }
        }
    }
    for (const pid of doomed) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // Already gone.
        }
    }
}

/**
 * For an ordered engine suite's `describe` body: after a step that failed, stops whatever engine operation
 * it left running (an `up` its timeout did not end), so no update holds the stack when the suite moves on.
 */
export function stopAfterFailure(project: () => EngineProject | undefined): void {
    afterEach(async function () {
        if (this.currentTest?.state !== "failed") return;
        this.timeout(STOP_GRACE_MS + 30000);
        const stopped = await project()?.stop();
        if (stopped) console.log(`      stopped the pulumi ${stopped} that "${this.currentTest.title}" left running`);
    });
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

/** The warnings an operation's engine events carry (a provider's, the program's), one line each. */
export function warnings(events: EngineEvent[]): string[] {
    return events
        .map((e) => e.diagnosticEvent)
        .filter((d): d is NonNullable<typeof d> => !!d && d.severity === "warning")
        .map((d) => `${d.urn?.split("::").pop() ?? "(stack)"}: ${d.message.trim()}`);
}

/** docker-build's refresh when it could not ask the registry for a tag (docker-build v0.0.22, Image.Read). */
export const UNVERIFIED = "unable to verify image tags";

/** Deletes a manifest by digest through the registry API (behind the engine's back: every tag on it goes). */
export async function deleteManifest(registry: string, repository: string, digest: string): Promise<void> {
    const res = await fetch(`https://${registry}/v2/${repository}/manifests/${digest}`, { method: "DELETE" });
    if (res.status !== 202) throw new Error(`DELETE ${registry}/${repository}@${digest}: HTTP ${res.status} ${await res.text()}`);
}

/** Splits `host:port/namespace/repo:tag@sha256:hex` into the registry, the repository and the digest. */
export function splitPinned(reference: string): { registry: string; repository: string; tag: string; digest: string } {
    const m = /^([^/]+)\/(.+):([^:@/]+)@(sha256:[0-9a-f]{64})$/.exec(reference);
    if (!m) throw new Error(`not a pinned reference: ${reference}`);
    return { registry: m[1], repository: m[2], tag: m[3], digest: m[4] };
}
