/**
 * `pulumi preview` of every committed stack file on the real engine: each gets past the engine's own
 * config validation and runs the program to the end, the GitHub and command providers included (the
 * stacks with a launcher are pointed at the local GitHub by config edits only), and a bad config fails
 * with the program's message.
 */
import * as assert from "assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeEngine, EngineProject } from "./engine";
import { LocalGitHub, requireLocalGitHub } from "./github";
import { writeUnderworld3Files } from "../source/checkout";
import { writeUnderworld2Files } from "../source/underworld2";

/** Every stack file committed at the repository root. */
const STACKS = fs
    .readdirSync(path.resolve(__dirname, "..", ".."))
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();

/**
 * The checkout a stack builds from, laid out as the real repository is: the program refuses context patterns
 * that match nothing, COPYs of paths its context lacks and build args no ARG declares (issue 19).
 */
function fakeCheckout(project: EngineProject, name: "underworld2" | "underworld3"): void {
    const dir = path.join(project.root, name);
    if (name === "underworld2") writeUnderworld2Files(dir);
    else writeUnderworld3Files(dir);
}

/**
 * A stack with a launcher, pointed at the local GitHub by config alone (`github:baseUrl`, its organisation as
 * `github:owner` and as the source repository's owner); nothing else of the stack file changes.
 */
function atLocalGitHub(github: LocalGitHub): (config: Record<string, any>) => void {
    return (config) => {
        if (!config["uw3-binder:launcher"]) return;
        config["github:baseUrl"] = `${github.origin}/`;
        config["github:owner"] = github.owner;
        const [, name] = String(config["uw3-binder:source"].repository).split("/");
        config["uw3-binder:source"] = { ...config["uw3-binder:source"], repository: `${github.owner}/${name}` };
    };
}

/** Sets every secret the stack file's header asks for, as `pulumi config set --secret` would. */
async function setSecrets(project: EngineProject, stack: string, github: LocalGitHub): Promise<void> {
    const config = (await project.stack.getAllConfig()) as Record<string, { value: string }>;
    const source = JSON.parse(config["uw3-binder:source"]?.value ?? "{}") as { launcherPatSecret?: boolean };
    const registry = JSON.parse(config["uw3-binder:registry"]?.value ?? "{}") as { username?: string; server?: string };
    if (source.launcherPatSecret !== false) await project.stack.setConfig("uw3-binder:launcherPat", { value: `pat-${stack}`, secret: true });
    if (stack === "uw2") {
        await project.stack.setConfig('uw3-binder:registryPasswords["docker.io"]', { value: "hub-token", secret: true }, true);
    } else if (registry.username) {
        await project.stack.setConfig("uw3-binder:registryPassword", { value: `password-${stack}`, secret: true });
    }
    if (config["uw3-binder:launcher"]) await project.stack.setConfig("github:token", { value: github.token, secret: true });
}

describeEngine("engine: preview of every committed stack", (engine) => {
    let github: LocalGitHub;
    before(async function () {
        github = await requireLocalGitHub(this, "engine: preview of every committed stack");
    });

    it("finds the committed stacks", () => {
        assert.deepStrictEqual(STACKS, ["2025-01", "demo", "dev", "uw2"]);
    });

    for (const stack of STACKS.filter((s) => s !== "demo")) {
        it(`${stack}: gets past config and runs the program to the end, the GitHub and command providers included`, async function () {
            this.timeout(180000);
            const project = await EngineProject.create(engine(), { stack, edit: atLocalGitHub(github) });
            try {
                fakeCheckout(project, stack === "uw2" ? "underworld2" : "underworld3");
                await setSecrets(project, stack, github);
                const events: string[] = [];
                const result = await project
                    .preview({
                        onEvent: (e) =>
                            e.resourcePreEvent && events.push(`${e.resourcePreEvent.metadata.type} ${e.resourcePreEvent.metadata.urn.split("::").pop()}`),
                    })
                    .catch((err: Error) => err);
                const planned = events.sort().join("\n");
                if (stack === "uw2") {
                    // No launcher: nothing needs GitHub, and the whole preview succeeds: 7 images built every
                    // run (lavavu for amd64 and arm64, joined by a manifest list), a gate each; base and the
                    // release images are built only on request.
                    assert.ok(!(result instanceof Error), `uw2 preview failed: ${result instanceof Error ? result.message : ""}`);
                    const count = (type: string) => events.filter((e) => e.startsWith(`${type} `)).length;
                    assert.deepStrictEqual(
                        [count("docker-build:index:Image"), count("docker-build:index:Index"), count("pulumi-nodejs:dynamic/uw3-binder:Gate")],
                        [8, 1, 7],
                    );
                    assert.match(planned, /docker-build:index:Image lavavu-image-linux-arm64/);
                } else {
                    // The whole program, the GitHub and command providers included, to the end.
                    assert.ok(!(result instanceof Error), `${stack} preview failed: ${result instanceof Error ? result.message : ""}`);
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
                    const branches = stack === "dev" ? ["main", "development"] : ["main", "uw3-release-candidate", "development"];
                    for (const b of branches) {
                        for (const resource of [
                            `command:local:Command launcher-rehearse-${b}`,
                            `github:index/repositoryFile:RepositoryFile launcher-dockerfile-${b}`,
                            `github:index/repositoryFile:RepositoryFile launcher-readme-${b}`,
                        ]) {
                            assert.ok(planned.includes(resource), `${resource} missing from:\n${planned}`);
                        }
                    }
                    assert.ok(planned.includes("github:index/actionsSecret:ActionsSecret launcher-pat-actions-secret"), planned);
                    // dev makes its launcher repository; 2025-01's exists already (create: false).
                    assert.strictEqual(planned.includes("github:index/repository:Repository launcher-repository"), stack === "dev", planned);
                }
            } finally {
                await project.remove();
            }
        });
    }

    const badConfigs: { name: string; edit: (c: Record<string, any>) => void; message: RegExp }[] = [
        {
            name: "a release that is neither a month YYYY.MM nor a version",
            edit: (c) => (c["uw3-binder:release"] = "2025-13"),
            message:
                /invalid uw3-binder stack config \(1 problem\):\n\s+- `uw3-binder:release`: expected a release: a month YYYY\.MM \(for example "2025\.01"\) or a version such as "v3\.0\.2", found "2025-13"/,
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
                const err = await project.preview().then(
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
