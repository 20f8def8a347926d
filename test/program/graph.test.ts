import * as assert from "assert";
import { isSecretValue, mockImageDigest, mockIndexDigest } from "../../src/plan/mocks";
import { byName, inputsOf, ofType, runStack, stackConfig, TYPES, SLIM_ENV_ARG } from "./fixtures";

const HUB_SECRETS = { "uw3-binder:registryPasswords": JSON.stringify({ "docker.io": "hub-token-4444" }) };

/** A platform build's `ref` as docker-build reports it: its (per-platform) tag pinned by digest. */
function memberRef(repository: string, tag: string, arch: string): string {
    return `${repository}:${tag}-${arch}@${mockImageDigest(repository, `linux/${arch}`)}`;
}

/** The digest the mock registry gives the manifest list of an image built for amd64 and arm64. */
function indexDigest(repository: string, firstTag: string): string {
    return mockIndexDigest([memberRef(repository, firstTag, "amd64"), memberRef(repository, firstTag, "arm64")]);
}

/** The uw2 stack with lavavu also tagged `{release}`: one multi-arch image with two tags, for the mechanics. */
function uw2TwoLavavuTags(): Record<string, any> {
    const config = stackConfig("uw2");
    config["uw3-binder:images"].lavavu.tags = ["latest", "{release}"];
    return config;
}

describe("program: image graphs, tags and multi-arch (Underworld2 stack)", () => {
    let run: Awaited<ReturnType<typeof runStack>>;
    before(async () => {
        run = await runStack(uw2TwoLavavuTags(), HUB_SECRETS);
    });

    it("builds one docker-build Image per platform and one manifest list per tag, no launcher", () => {
        assert.deepStrictEqual(
            ofType(run, TYPES.image).map((r) => [r.name, inputsOf(r).tags, inputsOf(r).platforms]),
            [
                ["openmpi-image", ["docker.io/underworldcode/openmpi:4.1.4"], ["linux/amd64"]],
                ["mpich-image", ["docker.io/underworldcode/mpich:3.4.3"], ["linux/amd64"]],
                ["lavavu-image-linux-amd64", ["docker.io/underworldcode/lavavu:latest-amd64"], ["linux/amd64"]],
                ["lavavu-image-linux-arm64", ["docker.io/underworldcode/lavavu:latest-arm64"], ["linux/arm64"]],
                ["petsc-ompi-image", ["docker.io/underworldcode/petsc:3.22.2-ompi"], ["linux/amd64"]],
                ["petsc-mpich-image", ["docker.io/underworldcode/petsc:3.22.2-mpich"], ["linux/amd64"]],
                ["underworld2-image", ["docker.io/underworldcode/underworld2:dev"], ["linux/amd64"]],
                ["underworld2-mpich-image", ["docker.io/underworldcode/underworld2:dev-mpich"], ["linux/amd64"]],
            ],
        );
        assert.deepStrictEqual(
            ofType(run, TYPES.index).map((r) => inputsOf(r).tag),
            ["docker.io/underworldcode/lavavu:latest", "docker.io/underworldcode/lavavu:2025.01"],
        );
        assert.strictEqual(ofType(run, TYPES.file).length + ofType(run, TYPES.branch).length + ofType(run, TYPES.actionsSecret).length, 0);
        assert.deepStrictEqual(run.outputs.launchers, {});
    });

    it("joins each image's platform builds by digest in its manifest list", () => {
        const index = inputsOf(byName(run, "lavavu-index-latest"));
        assert.deepStrictEqual(index.sources, [
            `docker.io/underworldcode/lavavu:latest-amd64@${mockImageDigest("docker.io/underworldcode/lavavu", "linux/amd64")}`,
            `docker.io/underworldcode/lavavu:latest-arm64@${mockImageDigest("docker.io/underworldcode/lavavu", "linux/arm64")}`,
        ]);
        assert.deepStrictEqual(inputsOf(byName(run, "lavavu-index-2025.01")).sources, index.sources, "every tag's manifest list joins the same builds");
        assert.strictEqual(index.push, true);
    });

    it("pins every parent by its digest (a manifest list's for a multi-arch one), through the named build args", () => {
        const uw2 = inputsOf(byName(run, "underworld2-image")).buildArgs;
        assert.strictEqual(uw2.LAVAVU_IMAGE, `docker.io/underworldcode/lavavu@${indexDigest("docker.io/underworldcode/lavavu", "latest")}`);
        assert.strictEqual(uw2.PETSC_IMAGE, `docker.io/underworldcode/petsc@${mockImageDigest("docker.io/underworldcode/petsc", "linux/amd64")}`);
        const petsc = inputsOf(byName(run, "petsc-mpich-image")).buildArgs;
        assert.strictEqual(petsc.MPI_IMAGE, `docker.io/underworldcode/mpich@${mockImageDigest("docker.io/underworldcode/mpich", "linux/amd64")}`);
    });

    it("reports every tag pinned to the manifest list, and gates the first tag", () => {
        const digest = indexDigest("docker.io/underworldcode/lavavu", "latest");
        assert.deepStrictEqual((run.outputs.imageReferences as any).lavavu, [
            `docker.io/underworldcode/lavavu:latest@${digest}`,
            `docker.io/underworldcode/lavavu:2025.01@${digest}`,
        ]);
        assert.strictEqual(inputsOf(byName(run, "lavavu-gate-check")).reference, `docker.io/underworldcode/lavavu:latest@${digest}`);
    });

    it("pushes images and manifest lists with the docker.io password from registryPasswords, as a secret", () => {
        for (const r of ofType(run, TYPES.image)) assert.ok(isSecretValue(r.inputs.registries), `${r.name}: registry credentials must be secret`);
        for (const r of ofType(run, TYPES.index)) assert.ok(isSecretValue(r.inputs.registry), `${r.name}: registry credentials must be secret`);
        assert.deepStrictEqual(inputsOf(byName(run, "lavavu-index-latest")).registry, {
            address: "docker.io",
            username: "underworldcode",
            password: "hub-token-4444",
        });
        assert.deepStrictEqual(inputsOf(byName(run, "petsc-ompi-image")).registries, [
            { address: "docker.io", username: "underworldcode", password: "hub-token-4444" },
        ]);
    });
});

describe("program: per-image registries and tags", () => {
    it("pushes each image to its own registry with that registry's login, every tag of a single platform image", async () => {
        const config = stackConfig();
        config["uw3-binder:images"].deps.registry = { server: "docker.io", namespace: "underworldcode", username: "hubbot" };
        config["uw3-binder:images"].slim.tags = ["{release}-slim", "latest"];
        delete config["uw3-binder:images"].slim.tag;
        const run = await runStack(config, {
            "github:token": "t",
            "uw3-binder:launcherPat": "p",
            "uw3-binder:registryPasswords": JSON.stringify({ "docker.io": "hub-5555", "ghcr.io": "ghcr-6666" }),
        });
        assert.deepStrictEqual(inputsOf(byName(run, "deps-image")).registries, [{ address: "docker.io", username: "hubbot", password: "hub-5555" }]);
        assert.deepStrictEqual(inputsOf(byName(run, "slim-image")).registries, [{ address: "ghcr.io", username: "underworld-bot", password: "ghcr-6666" }]);
        // One build per single-platform image, pushed under every one of its tags.
        assert.deepStrictEqual(
            ofType(run, TYPES.image).map((r) => [r.name, inputsOf(r).tags]),
            [
                ["deps-image", ["docker.io/underworldcode/uw3-deps:2025.01"]],
                ["slim-image", ["ghcr.io/underworldcode/uw3-base:2025.01-slim", "ghcr.io/underworldcode/uw3-base:latest"]],
            ],
        );
        assert.strictEqual(ofType(run, TYPES.index).length, 0, "a single platform stays a plain image with no index");
        assert.strictEqual(
            inputsOf(byName(run, "slim-image")).buildArgs.DEPS_IMAGE,
            `docker.io/underworldcode/uw3-deps@${mockImageDigest("docker.io/underworldcode/uw3-deps", "linux/amd64")}`,
        );
        const slimDigest = mockImageDigest("ghcr.io/underworldcode/uw3-base", "linux/amd64");
        assert.deepStrictEqual((run.outputs.imageReferences as any).slim, [
            `ghcr.io/underworldcode/uw3-base:2025.01-slim@${slimDigest}`,
            `ghcr.io/underworldcode/uw3-base:latest@${slimDigest}`,
        ]);
    });

    it("holds a branch at a pinned digest without building for it, re-checking only the registry", async () => {
        const config = stackConfig();
        const digest = `sha256:${"b".repeat(64)}`;
        config["uw3-binder:launcher"].branches[0].pin = `2024.12-slim@${digest}`;
        const run = await runStack(config);
        const main = inputsOf(byName(run, "launcher-dockerfile-main")).content as string;
        assert.ok(main.includes(`FROM ghcr.io/underworldcode/uw3-base:2024.12-slim@${digest}\n`));
        const pinGate = inputsOf(byName(run, "launcher-pin-main-gate-check"));
        assert.strictEqual(pinGate.reference, `ghcr.io/underworldcode/uw3-base:2024.12-slim@${digest}`);
        assert.deepStrictEqual(pinGate.args, ["--skip", "user,jupyter,kernel,jit,import", SLIM_ENV_ARG]);
        const dev = inputsOf(byName(run, "launcher-dockerfile-development")).content as string;
        assert.ok(dev.includes(`FROM ghcr.io/underworldcode/uw3-base:2025.01-slim@${mockImageDigest("ghcr.io/underworldcode/uw3-base", "linux/amd64")}\n`));
    });
});

describe("program: warm-up after a repin", () => {
    it("asks every federation member to build each branch's new commit, once per commit", async () => {
        const config = stackConfig();
        config["uw3-binder:launcher"].warmup = true;
        config["uw3-binder:launcher"].warmupTimeoutS = 120;
        const run = await runStack(config);
        const warmups = ofType(run, TYPES.command).filter((c) => c.name.startsWith("launcher-warmup-"));
        assert.deepStrictEqual(
            warmups.map((w) => w.name),
            ["launcher-warmup-main", "launcher-warmup-uw3-release-candidate", "launcher-warmup-development"],
        );
        const main = inputsOf(warmups[0]);
        const readmeSha =
            /^node bin\/uw3-binder\.js warmup underworldcode\/uw3-binder-launcher ([0-9a-f]{40}) --hubs https:\/\/2i2c\.mybinder\.org,https:\/\/gesis\.mybinder\.org,https:\/\/bids\.mybinder\.org --timeout-s 120 --json$/.exec(
                main.create,
            );
        assert.ok(readmeSha, main.create);
        assert.deepStrictEqual(main.triggers, [readmeSha[1]]);
        assert.match((run.outputs.launchers as any).main.warmup, /ready/);
    });

    it("warms the hubs of `launcher.binderHubs`, without their trailing slashes", async () => {
        const config = stackConfig();
        config["uw3-binder:launcher"].warmup = true;
        config["uw3-binder:launcher"].binderHubs = ["https://binder.example.org/hub/", "http://127.0.0.1:8585"];
        const run = await runStack(config);
        const create = inputsOf(byName(run, "launcher-warmup-development")).create as string;
        assert.match(create, / --hubs https:\/\/binder\.example\.org\/hub,http:\/\/127\.0\.0\.1:8585 --timeout-s 600 --json$/);
    });

    it("declares no warm-up unless asked", async () => {
        const run = await runStack(stackConfig());
        assert.deepStrictEqual(
            ofType(run, TYPES.command).map((c) => c.name),
            ["launcher-rehearse-main", "launcher-rehearse-uw3-release-candidate", "launcher-rehearse-development"],
        );
        assert.deepStrictEqual(
            ofType(run, TYPES.gate).map((c) => c.name),
            ["deps-gate-check", "slim-gate-check"],
        );
    });
});
