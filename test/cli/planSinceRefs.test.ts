import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROGRAM_DIR } from "../../src/plan/program";
import { Checkout, makeTempRoot, makeUnderworld3Checkout } from "../source/checkout";

const CLI = path.join(PROGRAM_DIR, "bin", "uw3-binder.js");

function cli(args: string[]) {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: PROGRAM_DIR, encoding: "utf8", env: { ...process.env, GITHUB_TOKEN: "" } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The path filter of underworld3's .github/workflows/binder-image.yml (push to main/development). */
const WORKFLOW_FILTER = ["container/Dockerfile.base.optimized", "pixi.toml", "pixi.lock", "src/**/*.pyx", "src/**/*.c", "setup.py"];

describe("uw3-binder plan --since: per ref, against the real workflow's path filter (issue 18)", function () {
    this.timeout(60000);
    const temp = makeTempRoot("plan-refs");
    after(() => temp.cleanup());
    let checkout: Checkout;
    let stackFile: string;

    before(() => {
        checkout = makeUnderworld3Checkout(path.join(temp.root, "underworld3"));
        checkout.write("container/Dockerfile.base.optimized", "FROM scratch AS builder\nARG UW3_BRANCH\nRUN git clone --branch ${UW3_BRANCH} x\n");
        checkout.commitAll("the real Dockerfile's shape");
        checkout.git(["tag", "v1"]);
        // development: a header the extensions compile (petsc_tools.c includes it), which the filter misses.
        checkout.git(["checkout", "-q", "-b", "development"]);
        checkout.write("src/underworld3/cython/petsc_tools.h", "int uw_tool(void);\nint uw_other(void);\n");
        checkout.commitAll("development: a header");
        // main: the lock file (the filter and the stack agree) and the README (neither rebuilds).
        checkout.git(["checkout", "-q", "main"]);
        checkout.append("pixi.lock", "# bumped\n");
        checkout.write("README.md", "# Underworld3, edited\n");
        checkout.commitAll("main: lock and docs");
        // An uncommitted edit in the work tree: no ref build sees it.
        checkout.write("setup.py", "# uncommitted\n");
        stackFile = path.join(temp.root, "Pulumi.refs.yaml");
        fs.writeFileSync(
            stackFile,
            [
                "config:",
                '  uw3-binder:release: "2025.01"',
                "  uw3-binder:registry: { server: 127.0.0.1:5000, namespace: demo }",
                `  uw3-binder:source: { repository: underworldcode/underworld3, path: ${JSON.stringify(checkout.dir)}, launcherPatSecret: false }`,
                "  uw3-binder:images:",
                "    base:",
                "      repository: uw3-base",
                '      tag: "{ref}-slim"',
                "      dockerfile: container/Dockerfile.base.optimized",
                "      context: [container/Dockerfile.base.optimized]",
                `      rebuildOn: ${JSON.stringify([...WORKFLOW_FILTER, "src/**/*.h"])}`,
                '      args: { UW3_BRANCH: "{ref}" }',
                "      refs: [main, development]",
                "",
            ].join("\n"),
        );
    });

    it("decides each ref's build from what changed on that ref: the filter's lock file on main, a header it misses on development", () => {
        const r = cli(["plan", "--config-file", stackFile, "--since", "v1", "--json"]);
        assert.strictEqual(r.code, 0, r.stderr);
        const plan = JSON.parse(r.stdout);
        assert.deepStrictEqual(plan.refs, {
            main: { commit: checkout.git(["rev-parse", "main"]), changedPaths: 2 },
            development: { commit: checkout.git(["rev-parse", "development"]), changedPaths: 1 },
        });
        assert.deepStrictEqual(
            plan.rebuilds.map((d: any) => [d.name, d.rebuild, d.reasons]),
            [
                ["base-main", true, [{ kind: "rebuildOn", paths: ["pixi.lock"] }]],
                ["base-development", true, [{ kind: "rebuildOn", paths: ["src/underworld3/cython/petsc_tools.h"] }]],
            ],
        );
        const table = cli(["plan", "--config-file", stackFile, "--since", "v1"]);
        assert.strictEqual(table.code, 0, table.stderr);
        assert.match(
            table.stdout,
            /^images a change since "v1" rebuilds \(ref "main" at [0-9a-f]{12}: 2 changed paths; ref "development" at [0-9a-f]{12}: 1 changed paths\):\n/,
        );
        assert.match(table.stdout, /\n {2}base-development: rebuilds \(rebuildOn: src\/underworld3\/cython\/petsc_tools\.h\)\n$/);
    });

    it("compares each ref with the same revision: a ref that moved by nothing its build uses is unchanged", () => {
        const r = cli(["plan", "--config-file", stackFile, "--since", "main^", "--json"]);
        assert.strictEqual(r.code, 0, r.stderr);
        const rebuilds = JSON.parse(r.stdout).rebuilds.map((d: any) => [d.name, d.rebuild]);
        // Since main's parent (v1): main changed pixi.lock and README; development moved from v1 only by its header.
        assert.deepStrictEqual(rebuilds, [
            ["base-main", true],
            ["base-development", true],
        ]);
        const docsOnly = cli(["plan", "--config-file", stackFile, "--since", "development", "--json"]);
        assert.strictEqual(docsOnly.code, 0, docsOnly.stderr);
        // development..main changes pixi.lock, README and the header back: main rebuilds; development's own build is unchanged.
        assert.deepStrictEqual(
            JSON.parse(docsOnly.stdout).rebuilds.map((d: any) => [d.name, d.rebuild]),
            [
                ["base-main", true],
                ["base-development", false],
            ],
        );
    });

    it("refuses a ref the checkout does not have, in one line with exit 2", () => {
        const other = path.join(temp.root, "Pulumi.missing.yaml");
        fs.writeFileSync(other, fs.readFileSync(stackFile, "utf8").replace("refs: [main, development]", "refs: [main, v9.9]"));
        const r = cli(["plan", "--config-file", other, "--since", "v1"]);
        assert.strictEqual(r.code, 2);
        assert.strictEqual(
            r.stderr,
            `uw3-binder plan: --since: image "base" is built from ref "v9.9", which the checkout "${checkout.dir}" does not have (looked for refs/heads/v9.9, refs/tags/v9.9, refs/remotes/origin/v9.9); fetch it first\n`,
        );
    });
});
