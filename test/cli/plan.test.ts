import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GATE_RESOURCE_TYPE } from "../../components/gateProvider";
import { mockImageDigest } from "../../src/plan/mocks";
import { PROGRAM_DIR } from "../../src/plan/program";

const CLI = path.join(PROGRAM_DIR, "bin", "uw3-binder.js");

function cli(args: string[], cwd = PROGRAM_DIR) {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, GITHUB_TOKEN: "" } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("uw3-binder plan", function () {
    this.timeout(60000);

    it("--stack 2025-01 --json shows two images, three pinned Dockerfiles, three READMEs and a secret LAUNCHER_PAT", () => {
        const r = cli(["plan", "--stack", "2025-01", "--json"]);
        assert.strictEqual(r.code, 0, r.stderr);
        const plan = JSON.parse(r.stdout);
        assert.deepStrictEqual(Object.keys(plan), ["stack", "resources", "outputs", "adopted"]);
        assert.strictEqual(plan.stack, "2025-01");
        assert.deepStrictEqual(plan.adopted, []);
        for (const res of plan.resources) assert.deepStrictEqual(Object.keys(res), ["type", "name", "inputs"]);
        const of = (type: string) => plan.resources.filter((x: any) => x.type === type);
        assert.deepStrictEqual(
            of("docker-build:index:Image").map((x: any) => x.inputs.tags),
            [["ghcr.io/underworldcode/uw3-deps:2025.01"], ["ghcr.io/underworldcode/uw3-base:2025.01-slim"]],
        );
        const files = of("github:index/repositoryFile:RepositoryFile");
        const digest = mockImageDigest("ghcr.io/underworldcode/uw3-base", "linux/amd64");
        const dockerfiles = files.filter((f: any) => f.inputs.file === ".binder/Dockerfile");
        assert.deepStrictEqual(
            dockerfiles.map((f: any) => f.inputs.branch),
            ["main", "uw3-release-candidate", "development"],
        );
        for (const f of dockerfiles)
            assert.ok(f.inputs.content.includes(`FROM ghcr.io/underworldcode/uw3-base:2025.01-slim@${digest}\nENV UW3_BRANCH=${f.inputs.branch}\n`));
        assert.strictEqual(files.filter((f: any) => f.inputs.file === "README.md").length, 3);
        assert.deepStrictEqual(
            of("github:index/actionsSecret:ActionsSecret").map((x: any) => x.inputs),
            [{ repository: "underworld3", secretName: "LAUNCHER_PAT", value: "[secret]" }],
        );
        assert.strictEqual(of("docker-build:index:Image")[0].inputs.registries, "[secret]");
        // A gate shows what it checks and with which options; its password as "[secret]", its provider code not at all.
        assert.deepStrictEqual(
            of(GATE_RESOURCE_TYPE).map((x: any) => [x.name, x.inputs]),
            [
                [
                    "deps-gate-check",
                    {
                        args: ["--skip", "user,jupyter,kernel,jit,import"],
                        password: "[secret]",
                        reference: `ghcr.io/underworldcode/uw3-deps:2025.01@${mockImageDigest("ghcr.io/underworldcode/uw3-deps", "linux/amd64")}`,
                        username: "underworld-bot",
                    },
                ],
                [
                    "slim-gate-check",
                    {
                        args: [
                            `--parents=${mockImageDigest("ghcr.io/underworldcode/uw3-deps", "linux/amd64")}`,
                            "--env-require=PYVISTA_OFF_SCREEN=true,LIBGL_ALWAYS_SOFTWARE=1,MESA_GL_VERSION_OVERRIDE=3.3,GALLIUM_DRIVER=llvmpipe,VTK_DEFAULT_OPENGL_WINDOW=vtkOSOpenGLRenderWindow",
                        ],
                        password: "[secret]",
                        reference: `ghcr.io/underworldcode/uw3-base:2025.01-slim@${digest}`,
                        username: "underworld-bot",
                    },
                ],
            ],
        );
    });

    it("prints a readable table by default", () => {
        const r = cli(["plan", "--stack", "2025-01"]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /^stack 2025-01: 28 resources\n/);
        assert.match(r.stdout, /\ndocker-build:index:Image +slim-image +ghcr\.io\/underworldcode\/uw3-base:2025\.01-slim \(linux\/amd64\)\n/);
        assert.match(
            r.stdout,
            /\npulumi-nodejs:dynamic\/uw3-binder:Gate +slim-gate-check +uw3-binder check --parents=sha256:[0-9a-f]{64} --env-require=PYVISTA_OFF_SCREEN=true,\S+ ghcr\.io\/underworldcode\/uw3-base:2025\.01-slim@sha256:[0-9a-f]{64}\n/,
        );
    });

    it("--stack uw2 --json shows the Underworld2 chain, each parent pinned by digest through its ARG, and nothing built only on request", () => {
        const r = cli(["plan", "--stack", "uw2", "--json"]);
        assert.strictEqual(r.code, 0, r.stderr);
        const plan = JSON.parse(r.stdout);
        const builds = plan.resources.filter((x: any) => x.type === "docker-build:index:Image");
        // Sorted: the engine (and the mock runtime) receives resources as their inputs resolve, not in declaration order.
        assert.deepStrictEqual(builds.map((x: any) => [x.name, x.inputs.tags.join(","), x.inputs.platforms.join(",")]).sort(), [
            ["lavavu-image-linux-amd64", "docker.io/underworldcode/lavavu:latest-amd64", "linux/amd64"],
            ["lavavu-image-linux-arm64", "docker.io/underworldcode/lavavu:latest-arm64", "linux/arm64"],
            ["mpich-image", "docker.io/underworldcode/mpich:3.4.3", "linux/amd64"],
            ["openmpi-image", "docker.io/underworldcode/openmpi:4.1.4", "linux/amd64"],
            ["petsc-mpich-image", "docker.io/underworldcode/petsc:3.22.2-mpich", "linux/amd64"],
            ["petsc-ompi-image", "docker.io/underworldcode/petsc:3.22.2-ompi", "linux/amd64"],
            ["underworld2-image", "docker.io/underworldcode/underworld2:dev", "linux/amd64"],
            ["underworld2-mpich-image", "docker.io/underworldcode/underworld2:dev-mpich", "linux/amd64"],
        ]);
        const args = (name: string) => plan.resources.find((x: any) => x.name === name).inputs.buildArgs;
        assert.match(args("petsc-ompi-image").MPI_IMAGE, /^docker\.io\/underworldcode\/openmpi@sha256:[0-9a-f]{64}$/);
        assert.match(args("petsc-mpich-image").MPI_IMAGE, /^docker\.io\/underworldcode\/mpich@sha256:[0-9a-f]{64}$/);
        assert.match(args("underworld2-image").PETSC_IMAGE, /^docker\.io\/underworldcode\/petsc@sha256:[0-9a-f]{64}$/);
        assert.match(args("underworld2-image").LAVAVU_IMAGE, /^docker\.io\/underworldcode\/lavavu@sha256:[0-9a-f]{64}$/);
        assert.strictEqual(args("underworld2-image").BASE_IMAGE, undefined); // the Python runtime stays the Dockerfile's own
        // The user check is on for every gate: every image runs as its non-root user.
        for (const gate of plan.resources.filter((x: any) => x.name.endsWith("-gate-check"))) assert.doesNotMatch(gate.inputs.args.join(" "), /user/);
    });

    it("shows a frozen branch adopted at up with a stand-in FROM, clearly marked, and its files as written (GitHub is not read offline)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-plan-"));
        try {
            const text = fs
                .readFileSync(path.join(PROGRAM_DIR, "Pulumi.2025-01.yaml"), "utf8")
                .replace("    branches:\n", "    branches:\n      - { name: v3.0.0, uw3Branch: v3.0.0, image: slim, frozen: true }\n");
            const file = path.join(dir, "Pulumi.adopting.yaml");
            fs.writeFileSync(file, text);
            const json = cli(["plan", "--config-file", file, "--json"]);
            assert.strictEqual(json.code, 0, json.stderr);
            const plan = JSON.parse(json.stdout);
            const standIn = `ghcr.io/underworldcode/uw3-base:adopted-at-up@${mockImageDigest("ghcr.io/underworldcode/uw3-base v3.0.0", "adopted")}`;
            assert.deepStrictEqual(plan.adopted, [{ branch: "v3.0.0", standIn }]);
            const files = plan.resources.filter((r: any) => r.type === "github:index/repositoryFile:RepositoryFile" && r.inputs.branch === "v3.0.0");
            assert.deepStrictEqual(files.map((f: any) => f.inputs.file).sort(), [".binder/Dockerfile", ".github/workflows/update-image.yml", "README.md"]);
            assert.ok(files.find((f: any) => f.inputs.file === ".binder/Dockerfile").inputs.content.includes(`\nFROM ${standIn}\nENV UW3_BRANCH=v3.0.0\n`));
            // The stand-in is gated as the pin it stands for.
            assert.ok(plan.resources.some((r: any) => r.name === "launcher-pin-v3-0-0-gate-check" && r.inputs.reference === standIn));
            const table = cli(["plan", "--config-file", file]);
            assert.strictEqual(table.code, 0, table.stderr);
            assert.ok(table.stdout.includes(`adopted at up (frozen, nothing pins or builds them): offline GitHub is not read`), table.stdout);
            assert.ok(table.stdout.endsWith(`  v3.0.0: ${standIn}\n`), table.stdout);
            // The targets of another ref do not need GitHub either.
            const targets = cli(["targets", "--stack", "adopting", "--ref", "main"], dir);
            assert.strictEqual(targets.code, 0, targets.stderr);
            assert.ok(targets.stdout.includes("launcher-dockerfile-main\n") && !targets.stdout.includes("v3-0-0"), targets.stdout);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("exits 2 with every problem of an invalid stack file, before declaring anything", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-plan-"));
        const text = fs
            .readFileSync(path.join(PROGRAM_DIR, "Pulumi.2025-01.yaml"), "utf8")
            .replace('"2025.01"', '"2025-13"')
            .replace("image: slim }\n      - { name: development", "image: full }\n      - { name: development");
        const file = path.join(dir, "Pulumi.bad.yaml");
        fs.writeFileSync(file, text);
        const r = cli(["plan", "--config-file", file, "--json"]);
        assert.strictEqual(r.code, 2);
        assert.strictEqual(r.stdout, "");
        assert.strictEqual(
            r.stderr,
            [
                "invalid uw3-binder stack config (2 problems):",
                '  - `uw3-binder:release`: expected a release: a month YYYY.MM (for example "2025.01") or a version such as "v3.0.2", found "2025-13"',
                '  - `uw3-binder:launcher.branches[1].image`: expected one of the images ("deps", "slim"), found "full"',
                "",
            ].join("\n"),
        );
    });

    it("exits 2 for a missing stack or a bad command line", () => {
        const missing = cli(["plan", "--stack", "1999-01"]);
        assert.strictEqual(missing.code, 2);
        assert.match(missing.stderr, /Pulumi\.1999-01\.yaml: no such stack file/);
        const both = cli(["plan", "--stack", "2025-01", "--config-file", "x.yaml"]);
        assert.strictEqual(both.code, 2);
        assert.match(both.stderr, /give exactly one of --stack <name> or --config-file <path>/);
    });
});

describe("uw3-binder plan --since", function () {
    this.timeout(60000);
    let dir: string;
    let stackFile: string;
    const git = (...args: string[]) => {
        const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.org", ...args], { cwd: path.join(dir, "checkout"), encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
    };

    before(() => {
        // The demo stack's images over a checkout of their own: one commit, then edits to compare with it.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-since-"));
        fs.cpSync(path.join(PROGRAM_DIR, "examples", "underworld3-mini"), path.join(dir, "checkout"), { recursive: true });
        git("init", "-q", "-b", "main");
        git("add", "-A");
        git("commit", "-q", "-m", "release");
        const demo = fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.demo.yaml"), "utf8");
        stackFile = path.join(dir, "Pulumi.since.yaml");
        fs.writeFileSync(stackFile, demo.replace("path: examples/underworld3-mini", `path: ${JSON.stringify(path.join(dir, "checkout"))}`));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("names the images a change rebuilds and why: nothing, then the slim image for a source edit, then both for pixi.lock", () => {
        const since = () => {
            const r = cli(["plan", "--config-file", stackFile, "--since", "HEAD", "--json"]);
            assert.strictEqual(r.code, 0, r.stderr);
            return JSON.parse(r.stdout).rebuilds.map((d: any) => [d.name, d.rebuild, d.reasons]);
        };
        assert.deepStrictEqual(since(), [
            ["deps", false, []],
            ["slim", false, []],
        ]);
        fs.writeFileSync(path.join(dir, "checkout", "src", "underworld3", "edited.py"), "x = 1\n");
        assert.deepStrictEqual(since(), [
            ["deps", false, []],
            [
                "slim",
                true,
                [
                    { kind: "context", paths: ["src/underworld3/edited.py"] },
                    { kind: "rebuildOn", paths: ["src/underworld3/edited.py"] },
                ],
            ],
        ]);
        fs.appendFileSync(path.join(dir, "checkout", "pixi.lock"), "# changed\n");
        const table = cli(["plan", "--config-file", stackFile, "--since", "HEAD"]);
        assert.strictEqual(table.code, 0, table.stderr);
        assert.match(table.stdout, /^images a change since "HEAD" rebuilds \(2 changed paths in .*\):\n/);
        assert.match(table.stdout, /\n {2}deps: rebuilds \(context: pixi\.lock; rebuildOn: pixi\.lock\)\n/);
        assert.match(
            table.stdout,
            /\n {2}slim: rebuilds \(parent deps rebuilds; context: src\/underworld3\/edited\.py; rebuildOn: src\/underworld3\/edited\.py\)\n$/,
        );
    });

    it("refuses a revision the checkout does not have, or a missing checkout, in one line with exit 2", () => {
        const bad = cli(["plan", "--config-file", stackFile, "--since", "no-such-tag"]);
        assert.strictEqual(bad.code, 2);
        assert.match(bad.stderr, /^uw3-binder plan: --since "no-such-tag": cannot compare the checkout .* with it \(.*bad revision 'no-such-tag'\)\n$/);
        const option = cli(["plan", "--config-file", stackFile, "--since", "--all"]);
        assert.strictEqual(option.code, 2);
        const missing = cli(["plan", "--stack", "2025-01", "--since", "HEAD"], PROGRAM_DIR);
        if (!fs.existsSync(path.resolve(PROGRAM_DIR, "..", "underworld3"))) {
            assert.strictEqual(missing.code, 2);
            assert.match(
                missing.stderr,
                /^uw3-binder plan: --since: no checkout of underworldcode\/underworld3 at ".*underworld3" \(uw3-binder:source\.path\); clone it there first\n$/,
            );
        }
    });
});
