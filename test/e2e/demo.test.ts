/**
 * The demo stack's whole life on the real engine: up, a no-change up, source commits that rebuild only
 * what they touch, a failing gate, secrets in state, refresh, the offline plan against the engine, and
 * destroy. One stack, in order: each step starts from the state the previous one left.
 */
import * as assert from "assert";
import { EngineEvent, UpResult } from "@pulumi/pulumi/automation";
import * as path from "node:path";
import { run } from "../integration/harness";
import {
    changes,
    demoImagesOnly,
    describeEngine,
    EngineProject,
    registryManifest,
    touched,
    RUN_ID,
    SourceRepo,
    splitPinned,
    stopAfterFailure,
    UNVERIFIED,
    warnings,
} from "./engine";
import { stepsInOrder } from "./ordered";

const STEP_TIMEOUT = 600000;

/** The `org.opencontainers.image.*` labels of the linux/amd64 image a registry serves for `repository@digest`. */
async function registryOciLabels(registry: string, repository: string, digest: string, credentials: { username: string; password: string }) {
    const headers = {
        Accept: "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
        Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`,
    };
    const read = async (url: string): Promise<any> => {
        const res = await fetch(`https://${registry}/v2/${repository}/${url}`, { headers });
        if (res.status !== 200) throw new Error(`GET ${registry}/${repository}/${url}: HTTP ${res.status}`);
        return res.json();
    };
    let manifest = await read(`manifests/${digest}`);
    if (manifest.manifests) {
        const amd64 = manifest.manifests.find((m: any) => m.platform?.os === "linux" && m.platform?.architecture === "amd64");
        manifest = await read(`manifests/${amd64.digest}`);
    }
    const labels: Record<string, string> = (await read(`blobs/${manifest.config.digest}`)).config?.Labels ?? {};
    return Object.fromEntries(Object.entries(labels).filter(([key]) => key.startsWith("org.opencontainers.image.")));
}

describeEngine("engine: the demo stack from up to destroy", (engine) => {
    const namespace = `e2e-${RUN_ID}`;
    let project: EngineProject;
    let source: SourceRepo;
    let password: string;
    let first: UpResult;
    const allEvents: EngineEvent[] = [];
    stepsInOrder();
    stopAfterFailure(() => project);

    async function up(): Promise<{ result: UpResult; events: EngineEvent[] }> {
        const events: EngineEvent[] = [];
        const result = await project.up({
            onEvent: (e) => {
                events.push(e);
                allEvents.push(e);
            },
        });
        return { result, events };
    }

    before(async function () {
        this.timeout(120000);
        const env = engine();
        password = env.services.authCredentials.password;
        // Both images go to the htpasswd registry, so its password travels through config, engine and state.
        project = await EngineProject.create(env, {
            stack: "demo",
            edit: (config: Record<string, any>) => {
                demoImagesOnly(config);
                config["uw3-binder:registry"] = { server: env.services.authRegistry, namespace, username: env.services.authCredentials.username };
                // A private registry fails `visibility` by design (mybinder.org pulls anonymously): the one check off here.
                const images = config["uw3-binder:images"];
                images.deps.checks = { ...images.deps.checks, visibility: false };
                images.slim.checks = { visibility: false };
            },
        });
        source = await project.useExampleSource();
        await project.stack.setConfig("uw3-binder:registryPassword", { value: password, secret: true });
    });

    after(async function () {
        this.timeout(STEP_TIMEOUT);
        if (!project) return;
        await project.stop();
        if (process.env.UW3_BINDER_E2E_KEEP) {
            console.log(`    kept ${project.root}`);
            return;
        }
        await project.destroy().catch(() => undefined);
        await project.remove();
    });

    it("up builds deps and slim, slim FROM the deps digest, gates both, and outputs pinned references", async function () {
        this.timeout(STEP_TIMEOUT);
        const { result } = await up();
        first = result;
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { create: 9 });
        const verified = result.outputs.verifiedReferences.value as Record<string, string>;
        const deps = splitPinned(verified.deps);
        const slim = splitPinned(verified.slim);
        assert.deepStrictEqual([deps.registry, deps.repository, deps.tag], [engine().services.authRegistry, `${namespace}/uw3-deps`, "2025.01"]);
        assert.deepStrictEqual([slim.registry, slim.repository, slim.tag], [engine().services.authRegistry, `${namespace}/uw3-base`, "2025.01-slim"]);
        assert.deepStrictEqual(result.outputs.imageReferences.value, { deps: [verified.deps], slim: [verified.slim] });

        // Each output resolves in its registry, by tag and by digest, to the same manifest.
        const creds = engine().services.authCredentials;
        const depsManifest = await registryManifest(deps.registry, deps.repository, deps.tag, creds);
        const slimManifest = await registryManifest(slim.registry, slim.repository, slim.tag, creds);
        assert.strictEqual(depsManifest.digest, deps.digest);
        assert.strictEqual(slimManifest.digest, slim.digest);
        // FROM the deps digest: every deps layer is a layer of slim, in order, at the bottom.
        assert.deepStrictEqual(slimManifest.layers.slice(0, depsManifest.layers.length), depsManifest.layers);
        assert.ok(slimManifest.layers.length > depsManifest.layers.length);
        // The OCI labels, set by the build (docker-build's `labels`) from the source's only commit so far.
        const log = await run("git", ["log", "-1", "--format=%H%x00%cI"], { cwd: source.dir });
        const [revision, created] = log.stdout.trim().split("\0");
        for (const image of [deps, slim]) {
            assert.deepStrictEqual(await registryOciLabels(image.registry, image.repository, image.digest, creds), {
                "org.opencontainers.image.created": created,
                "org.opencontainers.image.revision": revision,
                "org.opencontainers.image.source": "https://github.com/underworldcode/underworld3",
                "org.opencontainers.image.version": "2025.01",
            });
        }

        // Each gate's state holds what its layers check measured (issue 11): the image's compressed size in
        // bytes, as the check's versioned result gives it; no baseline figure (null), as the demo has no previous release.
        const state = (await project.stack.exportStack()).deployment as { resources: { urn: string; outputs?: Record<string, unknown> }[] };
        const gate = (name: string) => state.resources.find((r) => r.urn.endsWith(`::${name}`))?.outputs ?? {};
        for (const [name, manifest, reference] of [
            ["deps-gate-check", depsManifest, verified.deps],
            ["slim-gate-check", slimManifest, verified.slim],
        ] as const) {
            const outputs = gate(name);
            assert.strictEqual(outputs.verifiedReference, reference);
            assert.strictEqual(outputs.imageBytes, manifest.bytes, `${name}: ${JSON.stringify(outputs)}`);
            // Present and null: a preview reads an output missing from the state as unknown.
            assert.ok(
                outputs.newBytes === null && outputs.baseline === null,
                `${name}: newBytes ${String(outputs.newBytes)}, baseline ${String(outputs.baseline)}`,
            );
        }
    });

    it("a second up refreshes first, changes nothing, and the gates do not run again", async function () {
        this.timeout(STEP_TIMEOUT);
        const { result, events } = await up();
        // Pulumi.yaml's `options.refresh: always`: every up reads the real state before it diffs.
        const refreshed = events.filter((e) => e.resourcePreEvent?.metadata.op === "refresh").map((e) => e.resourcePreEvent!.metadata.urn.split("::").pop());
        assert.ok(refreshed.includes("slim-image") && refreshed.includes("slim-gate-check"), `refreshed: ${refreshed.join(", ")}`);
        // ... and docker-build read both images' tags from the registry (over TLS), instead of giving up.
        assert.deepStrictEqual(
            warnings(events).filter((w) => w.includes(UNVERIFIED)),
            [],
        );
        assert.deepStrictEqual(changes(result.summary.resourceChanges), {});
        assert.deepStrictEqual(touched(events), []);
        assert.deepStrictEqual(result.outputs.verifiedReferences.value, first.outputs.verifiedReferences.value);
    });

    it("a docs-only commit changes nothing", async function () {
        this.timeout(STEP_TIMEOUT);
        await source.append("docs/index.md", "\nMore documentation.\n");
        await source.commitAll("docs: more");
        const { result, events } = await up();
        assert.deepStrictEqual(changes(result.summary.resourceChanges), {});
        assert.deepStrictEqual(touched(events), []);
    });

    let afterPyx: Record<string, string>;
    it("a .pyx commit rebuilds slim and re-runs its gate only", async function () {
        this.timeout(STEP_TIMEOUT);
        await source.append("src/underworld3/cython/kernels.pyx", "\ndef sub(double a, double b):\n    return a - b\n");
        await source.commitAll("kernels: sub");
        // The preview a maintainer runs first: docker-build previews a rebuild with an empty digest, which the
        // program reads as "known after the build", not as a bad digest (this preview used to fail).
        const preview = await project.preview();
        assert.deepStrictEqual(changes(preview.changeSummary), { replace: 1, update: 1 });
        const { result, events } = await up();
        assert.deepStrictEqual(touched(events), [
            "create-replacement slim-gate-check",
            "delete-replaced slim-gate-check",
            "replace slim-gate-check",
            "update slim-image",
        ]);
        afterPyx = result.outputs.verifiedReferences.value as Record<string, string>;
        const before = first.outputs.verifiedReferences.value as Record<string, string>;
        assert.strictEqual(afterPyx.deps, before.deps);
        assert.notStrictEqual(splitPinned(afterPyx.slim).digest, splitPinned(before.slim).digest);
    });

    it("a pixi.lock commit rebuilds both images and re-runs both gates", async function () {
        this.timeout(STEP_TIMEOUT);
        await source.append("pixi.lock", "        - petsc-3.22.2\n");
        await source.commitAll("lock: petsc");
        const { result, events } = await up();
        const names = touched(events);
        for (const expected of ["update deps-image", "update slim-image", "replace deps-gate-check", "replace slim-gate-check"]) {
            assert.ok(names.includes(expected), `${expected} missing from ${names.join(", ")}`);
        }
        const now = result.outputs.verifiedReferences.value as Record<string, string>;
        assert.notStrictEqual(splitPinned(now.deps).digest, splitPinned(afterPyx.deps).digest);
        assert.notStrictEqual(splitPinned(now.slim).digest, splitPinned(afterPyx.slim).digest);
        afterPyx = now;
    });

    it("a slim image that runs as root fails its gate, naming the check, and the verified references stay", async function () {
        this.timeout(STEP_TIMEOUT);
        await source.append("container/Dockerfile.branch", "USER root\n");
        await source.commitAll("branch image: run as root");
        const err = await up().then(
            () => undefined,
            (e: Error) => e,
        );
        assert.ok(err, "up should fail");
        assert.match(err.message, /the gate for 127\.0\.0\.1:5001\/[^ ]+\/uw3-base:2025\.01-slim@sha256:[0-9a-f]{64} failed \(uw3-binder check exit 1\)/);
        assert.match(err.message, /user/);
        const outputs = await project.stack.outputs();
        assert.deepStrictEqual(outputs.verifiedReferences.value, afterPyx);
        // Back to a good image for the steps that follow.
        const branch = path.join(source.dir, "container/Dockerfile.branch");
        await run("git", ["-C", source.dir, "revert", "--no-edit", "HEAD"], {
            env: { GIT_AUTHOR_NAME: "e2e", GIT_AUTHOR_EMAIL: "e2e@example.org", GIT_COMMITTER_NAME: "e2e", GIT_COMMITTER_EMAIL: "e2e@example.org" },
        });
        assert.ok(branch);
        await up();
    });

    it("the registry password is a secret everywhere: state, outputs, engine events", async function () {
        this.timeout(STEP_TIMEOUT);
        assert.ok(password.length >= 16, "the auth registry's generated password");
        // As a maintainer would read them (the Automation API's exportStack adds --show-secrets).
        const pulumi = (args: string[]) => run(path.join(engine().binDir, "pulumi"), args, { cwd: project.programDir, env: project.stack.workspace.envVars });
        const exported = await pulumi(["stack", "export", "--stack", "demo"]);
        assert.strictEqual(exported.code, 0, exported.stderr);
        assert.ok(!exported.stdout.includes(password), "the password is in the exported state in plain text");
        assert.ok(exported.stdout.includes("4dabf18193072939515e22adb298388d"), "the state holds secrets, encrypted with the secret signature");
        const outputs = await pulumi(["stack", "output", "--json", "--show-secrets=false", "--stack", "demo"]);
        assert.strictEqual(outputs.code, 0, outputs.stderr);
        assert.ok(!outputs.stdout.includes(password));
        assert.ok(allEvents.length > 0);
        assert.ok(!JSON.stringify(allEvents).includes(password), "the password is in the engine's event log");
    });

    it("refresh verifies every image's tags in the registry and reports no drift", async function () {
        this.timeout(STEP_TIMEOUT);
        const events: EngineEvent[] = [];
        const result = await project.refresh({ onEvent: (e) => events.push(e) });
        assert.deepStrictEqual(changes(result.summary.resourceChanges), {});
        // Without a trusted TLS registry, docker-build leaves state unchanged with this warning and "no drift"
        // proves nothing; here it read every tag.
        assert.deepStrictEqual(warnings(events), []);
        const read = events.filter((e) => e.resourcePreEvent?.metadata.op === "refresh").map((e) => e.resourcePreEvent!.metadata.urn.split("::").pop());
        assert.ok(read.includes("deps-image") && read.includes("slim-image"), `refreshed: ${read.join(", ")}`);
    });

    it("uw3-binder plan and the engine agree on types, names and inputs", async function () {
        this.timeout(STEP_TIMEOUT);
        const plan = await run(process.execPath, [path.join(project.programDir, "bin", "uw3-binder.js"), "plan", "--stack", "demo", "--json"], {
            cwd: project.programDir,
        });
        assert.strictEqual(plan.code, 0, plan.stderr);
        const planned = (JSON.parse(plan.stdout).resources as { type: string; name: string; inputs: Record<string, any> }[]).map((r) => ({
            type: r.type,
            name: r.name,
        }));
        const state = (await project.stack.exportStack()).deployment as { resources: { type: string; urn: string; inputs: Record<string, any> }[] };
        const registered = state.resources.filter((r) => !r.type.startsWith("pulumi:")).map((r) => ({ type: r.type, name: r.urn.split("::").pop() as string }));
        const key = (r: { type: string; name: string }) => `${r.type} ${r.name}`;
        assert.deepStrictEqual(planned.map(key).sort(), registered.map(key).sort());

        const planInputs = Object.fromEntries((JSON.parse(plan.stdout).resources as any[]).map((r) => [r.name, r.inputs]));
        const engineInputs = Object.fromEntries(state.resources.map((r) => [r.urn.split("::").pop(), r.inputs]));
        // What decides a build and a gate must match: tags, platforms, build args other than digests the plan mocks.
        for (const name of ["deps-image", "slim-image"]) {
            assert.deepStrictEqual(planInputs[name].tags, engineInputs[name].tags, `${name} tags`);
            assert.deepStrictEqual(planInputs[name].platforms, engineInputs[name].platforms, `${name} platforms`);
            assert.deepStrictEqual(Object.keys(planInputs[name].buildArgs).sort(), Object.keys(engineInputs[name].buildArgs).sort(), `${name} build args`);
            assert.strictEqual(planInputs[name].push, engineInputs[name].push);
        }
        // A child gate's --parents carries its parent's digest, which the plan mocks.
        const options = (args: string[]) => args.map((a) => (a.startsWith("--parents=") ? "--parents=<digests>" : a));
        for (const name of ["deps-gate-check", "slim-gate-check"]) {
            assert.deepStrictEqual(options(planInputs[name].args), options(engineInputs[name].args), `${name} check options`);
        }
    });

    it("destroy removes the stack's resources and leaves every pushed tag in the registry", async function () {
        this.timeout(STEP_TIMEOUT);
        const verified = (await project.stack.outputs()).verifiedReferences.value as Record<string, string>;
        const result = await project.destroy();
        assert.ok((result.summary.resourceChanges?.delete ?? 0) > 0);
        const creds = engine().services.authCredentials;
        for (const reference of Object.values(verified)) {
            const ref = splitPinned(reference);
            const manifest = await registryManifest(ref.registry, ref.repository, ref.tag, creds);
            assert.strictEqual(manifest.digest, ref.digest, `${reference} is gone from the registry after destroy`);
        }
    });
});
