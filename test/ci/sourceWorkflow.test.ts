/**
 * examples/source-repository/binder-image.yml, the workflow the source repository runs: its steps' scripts run
 * with bash as the runner would, `uw3-binder targets` and a stand-in `pulumi` that prints its arguments.
 */
import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PROGRAM_DIR } from "../../src/plan/programDir";
import { perRefConfig } from "../program/fixtures";

const FILE = path.join(PROGRAM_DIR, "examples", "source-repository", "binder-image.yml");
interface Step {
    name?: string;
    run?: string;
    env?: Record<string, string>;
    if?: string;
    uses?: string;
    with?: Record<string, unknown>;
}
interface Workflow {
    on: { push: { branches: string[]; tags: string[]; paths: string[] } };
    permissions: Record<string, string>;
    jobs: { image: { steps: Step[] } };
}
const TEXT = fs.readFileSync(FILE, "utf8");
const WORKFLOW = parse(TEXT) as Workflow;
const step = (prefix: string): Step => {
    const found = WORKFLOW.jobs.image.steps.find((s) => s.name?.startsWith(prefix));
    assert.ok(found, `no step "${prefix}..."`);
    return found;
};

/** Runs a step's script with bash in `cwd`, with its outputs file; returns the outputs as a map. */
function runStep(prefix: string, cwd: string, env: Record<string, string>) {
    const output = path.join(cwd, "output");
    fs.writeFileSync(output, "");
    const r = spawnSync("bash", ["-e", "-c", step(prefix).run!], {
        cwd,
        env: { ...process.env, GITHUB_TOKEN: "", GITHUB_OUTPUT: output, RUNNER_TEMP: cwd, ...env },
        encoding: "utf8",
    });
    const outputs = Object.fromEntries(
        fs
            .readFileSync(output, "utf8")
            .split("\n")
            .filter((l) => l.includes("="))
            .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs };
}

describe("examples/source-repository/binder-image.yml", function () {
    this.timeout(60000);
    let dir: string;
    before(() => {
        // A uw3-binder checkout: the CLI and a stack with one image per launched ref.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-source-workflow-"));
        fs.symlinkSync(path.join(PROGRAM_DIR, "bin"), path.join(dir, "bin"));
        fs.writeFileSync(path.join(dir, "Pulumi.v3.0.1.yaml"), stringify({ config: perRefConfig() }));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("runs on pushes to main and development with today's path filter and its gaps, and on every v* tag", () => {
        assert.deepEqual(WORKFLOW.on.push.branches, ["main", "development"]);
        assert.deepEqual(WORKFLOW.on.push.tags, ["v*"]);
        assert.deepEqual(WORKFLOW.on.push.paths, [
            "container/Dockerfile.base.optimized",
            "pixi.toml",
            "pixi.lock",
            "src/**/*.pyx",
            "src/**/*.c",
            "setup.py",
            "src/**/*.h",
            "src/**/*.pxd",
            "src/**/*.py",
        ]);
        assert.deepEqual(WORKFLOW.permissions, { contents: "read", packages: "write" });
    });

    it("takes the ref from the run and refuses a name no branch or tag has", () => {
        const ok = runStep("The ref this run updates", dir, { REF_NAME: "v3.0.2", REF_TYPE: "tag" });
        assert.equal(ok.status, 0, ok.stderr);
        assert.deepEqual(ok.outputs, { name: "v3.0.2", type: "tag" });
        const bad = runStep("The ref this run updates", dir, { REF_NAME: "main$(touch pwned)", REF_TYPE: "branch" });
        assert.equal(bad.status, 1);
        assert.equal(bad.stdout, "::error::expected a branch or tag name, found 'main$(touch pwned)'\n");
        assert.equal(fs.existsSync(path.join(dir, "pwned")), false);
    });

    it("a push to development: the targets of development's branch, image and gate, and `pulumi up` gets each as one argument", () => {
        const targets = runStep("uw3-binder targets", dir, { STACK: "v3.0.1", REF: "development", REF_TYPE: "branch" });
        assert.equal(targets.status, 0, targets.stderr);
        assert.deepEqual(targets.outputs, { run: "true" });
        const lines = fs.readFileSync(path.join(dir, "targets"), "utf8").trimEnd().split("\n");
        assert.ok(lines.includes("--target=urn:pulumi:v3.0.1::uw3-binder::uw3-binder:index:BinderImage::dev"), lines.join("\n"));
        assert.equal(
            lines.some((l) => l.endsWith("::main") || l.endsWith("-main")),
            false,
        );
        // A stand-in `pulumi` that prints its arguments one a line: each URN (with its `$`) arrives whole.
        const bin = path.join(dir, "fakebin");
        fs.mkdirSync(bin, { recursive: true });
        fs.writeFileSync(path.join(bin, "pulumi"), '#!/bin/bash\n[[ "$1" == login ]] && exit 0\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
        const up = runStep("pulumi up for", dir, { PATH: `${bin}:${process.env.PATH}`, STACK: "v3.0.1", PULUMI_BACKEND_URL: "" });
        assert.equal(up.status, 0, up.stderr);
        assert.deepEqual(up.stdout.trimEnd().split("\n"), ["up", "--stack", "v3.0.1", "--yes", "--refresh", ...lines]);
        // The registry login is this run's token; nothing dispatches to the launcher any more.
        assert.deepEqual(
            { user: step("pulumi up for").env!.UW3_BINDER_REGISTRY_USERNAME, password: step("pulumi up for").env!.UW3_BINDER_REGISTRY_PASSWORD },
            { user: "${{ github.actor }}", password: "${{ secrets.GITHUB_TOKEN }}" },
        );
        assert.equal(TEXT.includes("secrets.LAUNCHER_PAT"), false);
        assert.equal(TEXT.includes("repository-dispatch"), false);
    });

    it("a tag no launcher branch launches yet: no update, a notice naming the release step", () => {
        const r = runStep("uw3-binder targets", dir, { STACK: "v3.0.1", REF: "v3.0.2", REF_TYPE: "tag" });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.outputs, { run: "false" });
        assert.match(r.stdout, /^::notice::uw3-binder targets: --ref "v3\.0\.2": no launcher branch of stack "v3\.0\.1" launches it/);
        assert.match(r.stdout, /::notice::To release v3\.0\.2: in uw3-binder, run `uw3-binder new-release v3\.0\.2`/);
    });

    it("a branch no launcher branch launches fails the run, with the CLI's reason", () => {
        const r = runStep("uw3-binder targets", dir, { STACK: "v3.0.1", REF: "release/3.1", REF_TYPE: "branch" });
        assert.equal(r.status, 2);
        assert.match(r.stderr, /--ref "release\/3\.1": no launcher branch of stack "v3\.0\.1" launches it/);
    });
});
