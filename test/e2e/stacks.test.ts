/**
 * `pulumi preview` of every committed stack file on the real engine: each gets past the engine's own
 * config validation and runs the program, and a bad config fails with the program's message.
 */
import * as assert from "assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeEngine, EngineProject } from "./engine";

/** Every stack file committed at the repository root. */
const STACKS = fs
    .readdirSync(path.resolve(__dirname, "..", ".."))
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();

/** Dockerfiles each stack's checkout must have for the program to stage its builds. */
const CHECKOUTS: Record<string, string[]> = {
    underworld3: ["container/Dockerfile.deps", "container/Dockerfile.branch", "pixi.toml", "pixi.lock", "setup.py"],
    underworld2: ["lavavu", "petsc", "base", "underworld2"].map((i) => `docs/development/docker/${i}/Dockerfile`).concat(["setup.py"]),
};

async function fakeCheckout(project: EngineProject, name: string): Promise<void> {
    for (const file of CHECKOUTS[name]) {
        const at = path.join(project.root, name, file);
        await fs.promises.mkdir(path.dirname(at), { recursive: true });
        await fs.promises.writeFile(at, file.endsWith("Dockerfile") || file.includes("Dockerfile.") ? "FROM scratch\n" : `# ${file}\n`);
    }
}

/** Sets every secret the stack file's header asks for, as `pulumi config set --secret` would. */
async function setSecrets(project: EngineProject, stack: string): Promise<void> {
    const config = (await project.stack.getAllConfig()) as Record<string, { value: string }>;
    const source = JSON.parse(config["uw3-binder:source"]?.value ?? "{}") as { launcherPatSecret?: boolean };
    const registry = JSON.parse(config["uw3-binder:registry"]?.value ?? "{}") as { username?: string; server?: string };
    if (source.launcherPatSecret !== false) await project.stack.setConfig("uw3-binder:launcherPat", { value: `pat-${stack}`, secret: true });
    if (stack === "uw2") {
        await project.stack.setConfig('uw3-binder:registryPasswords["docker.io"]', { value: "hub-token", secret: true }, true);
    } else if (registry.username) {
        await project.stack.setConfig("uw3-binder:registryPassword", { value: `password-${stack}`, secret: true });
    }
    if (config["uw3-binder:launcher"]) await project.stack.setConfig("github:token", { value: "ghp_not_a_token", secret: true });
}

describeEngine("engine: preview of every committed stack", (engine) => {
    it("finds the committed stacks", () => {
        assert.deepStrictEqual(STACKS, ["2025-01", "demo", "dev", "uw2"]);
    });

    for (const stack of STACKS.filter((s) => s !== "demo")) {
        it(`${stack}: gets past config and runs the program`, async function () {
            this.timeout(180000);
            const project = await EngineProject.create(engine(), { stack });
            try {
                await fakeCheckout(project, stack === "uw2" ? "underworld2" : "underworld3");
                await setSecrets(project, stack);
                const events: string[] = [];
                const result = await project.stack
                    .preview({
                        onEvent: (e) =>
                            e.resourcePreEvent && events.push(`${e.resourcePreEvent.metadata.type} ${e.resourcePreEvent.metadata.urn.split("::").pop()}`),
                    })
                    .catch((err: Error) => err);
                const planned = events.sort().join("\n");
                if (stack === "uw2") {
                    // No launcher: nothing needs GitHub, and the whole preview succeeds: 4 images x 2 platforms,
                    // a manifest list per tag, a gate per image.
                    assert.ok(!(result instanceof Error), `uw2 preview failed: ${result instanceof Error ? result.message : ""}`);
                    const count = (type: string) => events.filter((e) => e.startsWith(`${type} `)).length;
                    assert.deepStrictEqual(
                        [count("docker-build:index:Image"), count("docker-build:index:Index"), count("pulumi-nodejs:dynamic/uw3-binder:Gate")],
                        [8, 8, 4],
                    );
                    assert.match(planned, /docker-build:index:Image underworld2-image-linux-arm64/);
                } else {
                    // The program ran past config and declared its components; the engine found the GitHub provider
                    // in the plugin cache (no download allowed) and started it, and the provider's first call, to
                    // api.github.com, cannot succeed on a machine with no network: the preview stops there.
                    for (const component of [
                        "BinderImage deps",
                        "BinderImage slim",
                        "BinderGate deps-gate",
                        "BinderGate slim-gate",
                        "Launcher launcher",
                        "LauncherPatSecret launcher-pat",
                    ]) {
                        assert.ok(planned.includes(`uw3-binder:index:${component}`), `${component} missing from:\n${planned}`);
                    }
                    assert.ok(result instanceof Error, "preview should stop at the GitHub provider's first call to GitHub");
                    const owner = { "2025-01": "underworldcode", dev: "your-github-user" }[stack];
                    assert.ok(!/no resource plugin/.test(result.message), result.message);
                    assert.match(
                        result.message,
                        new RegExp(
                            `github:index:\\w+ \\(launcher-[^)]+\\):\\s+error: [^]*failed to lookup organization "${owner}": Get "https://api\\.github\\.com/orgs/${owner}"`,
                        ),
                    );
                    assert.ok(!/invalid uw3-binder stack config|missing configuration value/.test(result.message), result.message);
                }
            } finally {
                await project.remove();
            }
        });
    }

    const badConfigs: { name: string; edit: (c: Record<string, any>) => void; message: RegExp }[] = [
        {
            name: "a release that is not YYYY.MM",
            edit: (c) => (c["uw3-binder:release"] = "2025-13"),
            message:
                /invalid uw3-binder stack config \(1 problem\):\n\s+- `uw3-binder:release`: expected a release month YYYY\.MM \(for example "2025\.01"\), found "2025-13"/,
        },
        {
            name: "a parent that is not an image",
            edit: (c) => (c["uw3-binder:images"].slim.from.image = "base"),
            message: /`uw3-binder:images\.slim\.from\.image`: expected the name of another image \("deps", "slim"\), found "base"/,
        },
        {
            name: "an unknown key",
            edit: (c) => (c["uw3-binder:imges"] = {}),
            message: /`uw3-binder:imges`: unknown key/,
        },
    ];
    for (const bad of badConfigs) {
        it(`demo with ${bad.name}: preview fails with the program's own message`, async function () {
            this.timeout(120000);
            const project = await EngineProject.create(engine(), { stack: "demo", edit: bad.edit });
            try {
                const err = await project.stack.preview().then(
                    () => undefined,
                    (e: Error) => e,
                );
                assert.ok(err, "preview should fail");
                assert.match(err.message, bad.message);
                assert.ok(!/Stack 'demo' is missing configuration value/.test(err.message), "the engine must not be the one refusing");
            } finally {
                await project.remove();
            }
        });
    }
});
