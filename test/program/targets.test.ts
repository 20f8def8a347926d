/**
 * `uw3-binder targets`: the `pulumi up --target` options that update one source ref only. The URNs must be
 * those the engine gives (every ancestor's type in the qualified type), and must hold that ref's launcher
 * branch with what it pins and nothing of another ref's.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { branchTargets } from "../../src/plan/targets";
import { PROGRAM_DIR } from "../../src/plan/program";
import { perRefConfig, runStack } from "./fixtures";

const PREFIX = "urn:pulumi:test::uw3-binder::";

describe("targets: one source ref's share of the stack", function () {
    this.timeout(60000);

    it("development: its branch's files, its image and gate and their parent image; nothing of main's", async () => {
        const run = await runStack(perRefConfig());
        const urns = branchTargets(run.mocks.registrations, run.resources, ["development"]);
        const branch = `${PREFIX}uw3-binder:index:Launcher$uw3-binder:index:LauncherBranch`;
        assert.deepStrictEqual([...urns].sort(), [
            `${PREFIX}uw3-binder:index:BinderGate$pulumi-nodejs:dynamic/uw3-binder:Gate::dev-gate-check`,
            `${PREFIX}uw3-binder:index:BinderGate::dev-gate`,
            `${PREFIX}uw3-binder:index:BinderImage$docker-build:index:Image::deps-image`,
            `${PREFIX}uw3-binder:index:BinderImage$docker-build:index:Image::dev-image`,
            `${PREFIX}uw3-binder:index:BinderImage::deps`,
            `${PREFIX}uw3-binder:index:BinderImage::dev`,
            `${branch}$command:local:Command::launcher-rehearse-development`,
            `${branch}$github:index/branch:Branch::launcher-branch-development`,
            `${branch}$github:index/repositoryFile:RepositoryFile::launcher-dockerfile-development`,
            `${branch}$github:index/repositoryFile:RepositoryFile::launcher-readme-development`,
            `${branch}$github:index/repositoryFile:RepositoryFile::launcher-workflow-development`,
            `${branch}::launcher-development`,
        ]);
    });

    it("main: the default branch's files and main's image, never the shared Launcher (which would pull in every branch)", async () => {
        const run = await runStack(perRefConfig());
        const urns = branchTargets(run.mocks.registrations, run.resources, ["main"]);
        assert.ok(urns.includes(`${PREFIX}uw3-binder:index:BinderImage::main`));
        assert.ok(urns.includes(`${PREFIX}uw3-binder:index:Launcher$uw3-binder:index:LauncherBranch::launcher-main`));
        assert.ok(!urns.includes(`${PREFIX}uw3-binder:index:Launcher::launcher`));
        assert.deepStrictEqual(
            urns.filter((u) => /dev|development/.test(u)),
            [],
        );
        // Every URN is one the program registered, under the name it registered.
        const names = new Set(run.mocks.registrations.map((r) => r.name));
        for (const urn of urns) assert.ok(names.has(urn.slice(urn.lastIndexOf("::") + 2)), urn);
    });

    it("a branch the program writes nothing to is an error, not an empty list", async () => {
        const run = await runStack(perRefConfig());
        assert.throws(() => branchTargets(run.mocks.registrations, run.resources, ["v3.0.2"]), /no launcher branch resources write branch "v3.0.2"/);
    });
});

describe("uw3-binder targets (CLI)", function () {
    this.timeout(60000);
    const CLI = path.join(PROGRAM_DIR, "bin", "uw3-binder.js");
    const cli = (args: string[], cwd: string) =>
        spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, GITHUB_TOKEN: "" } });
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-binder-targets-"));
        fs.writeFileSync(path.join(dir, "Pulumi.per-ref.yaml"), stringify({ config: perRefConfig() }));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("prints one --target=<urn> a line, so a workflow reads them into an array", () => {
        const r = cli(["targets", "--stack", "per-ref", "--ref", "development"], dir);
        assert.strictEqual(r.status, 0, r.stderr);
        const lines = r.stdout.trimEnd().split("\n");
        assert.strictEqual(lines.length, 12);
        for (const line of lines) assert.match(line, /^--target=urn:pulumi:per-ref::uw3-binder::\S+$/);
        assert.ok(lines.includes("--target=urn:pulumi:per-ref::uw3-binder::uw3-binder:index:BinderImage::dev"));
    });

    it("a ref no launcher branch launches: exit 2, one line naming the refs it does launch", () => {
        const r = cli(["targets", "--stack", "per-ref", "--ref", "release/3.1"], dir);
        assert.strictEqual(r.status, 2);
        assert.strictEqual(r.stdout, "");
        assert.strictEqual(
            r.stderr,
            'uw3-binder targets: --ref "release/3.1": no launcher branch of stack "per-ref" launches it (uw3-binder:launcher.branches[].uw3Branch); expected one of: "main", "development"\n',
        );
    });

    it("no --ref: exit 2", () => {
        const r = cli(["targets", "--stack", "per-ref"], dir);
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /--ref/);
    });
});
