/**
 * Issue 20, findings 9 and 12: a stack past the documented sizes (README, "Limits") is refused before the
 * schema or a plan runs; YAML is read as Pulumi reads it (yaml.v3 merges `<<: *anchor` keys).
 */
import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseValidStackFileText } from "../../src/config/stackFile";
import { ConfigError } from "../../src/config/schema";
import { PROGRAM_DIR } from "../../src/plan/program";
import { addWithdrawal } from "../../src/release/withdraw";

const BIN = path.join(PROGRAM_DIR, "bin", "uw3-binder.js");
const PRODUCTION = fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.2025-01.yaml"), "utf8");

/** PRODUCTION with `count` more images, each as the slim image in another repository. */
function withImages(count: number): string {
    const images = Array.from(
        { length: count },
        (_, i) => `    extra${i}: { repository: extra-${i}, tag: "{release}-x", dockerfile: container/Dockerfile.branch }\n`,
    );
    return PRODUCTION.replace("  uw3-binder:images:\n", `  uw3-binder:images:\n${images.join("")}`);
}

/** PRODUCTION with `count` more launcher branches. */
function withBranches(count: number): string {
    const branches = Array.from({ length: count }, (_, i) => `      - { name: extra-${i}, uw3Branch: main, image: slim }\n`);
    return PRODUCTION.replace("    branches:\n", `    branches:\n${branches.join("")}`);
}

function problemsOf(text: string): string[] {
    try {
        parseValidStackFileText(text, "Pulumi.x.yaml");
        return [];
    } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
    }
}

describe("stack sizes (issue 20, finding 9)", function () {
    this.timeout(60000);

    it("accepts 100 images (the production 2 and 98 more) and 100 branches (the production 3 and 97 more)", () => {
        assert.deepEqual(problemsOf(withImages(98)), []);
        assert.deepEqual(problemsOf(withBranches(97)), []);
    });

    it("refuses more than 100 images, naming the key and the bound", () => {
        assert.deepEqual(problemsOf(withImages(99)), ["`uw3-binder:images`: 101 images, expected at most 100"]);
    });

    it("refuses more than 100 launcher branches, naming the key and the bound", () => {
        assert.deepEqual(problemsOf(withBranches(98)), ["`uw3-binder:launcher.branches`: 101 branches, expected at most 100"]);
    });

    it("plan refuses a 1,000-image and a 1,000-branch stack with exit 2 instead of planning it", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-limits-"));
        try {
            for (const [text, problem] of [
                [withImages(1000), "`uw3-binder:images`: 1002 images, expected at most 100"],
                [withBranches(1000), "`uw3-binder:launcher.branches`: 1003 branches, expected at most 100"],
            ]) {
                fs.writeFileSync(path.join(dir, "Pulumi.big.yaml"), text);
                const r = spawnSync(process.execPath, [BIN, "plan", "--stack", "big"], { cwd: dir, encoding: "utf8", timeout: 30000 });
                assert.equal(r.status, 2, r.stderr);
                assert.equal(r.stderr, `invalid uw3-binder stack config (1 problem):\n  - ${problem}\n`);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("YAML as Pulumi reads it (issue 20, finding 12)", () => {
    const MERGED = PRODUCTION.replace(
        "      - { name: main, uw3Branch: main, image: slim }",
        "      - &main { name: main, uw3Branch: main, image: slim }",
    ).replace("      - { name: development, uw3Branch: development, image: slim }", "      - { <<: *main, name: development, uw3Branch: development }");

    it("merges `<<: *anchor` keys, as yaml.v3 does, instead of refusing an unknown key <<", () => {
        assert.notEqual(MERGED, PRODUCTION);
        const { config } = parseValidStackFileText(MERGED, "Pulumi.x.yaml");
        assert.deepEqual(
            config.launcher?.branches.map((b) => [b.name, b.uw3Branch, b.image]),
            [
                ["main", "main", "slim"],
                ["uw3-release-candidate", "uw3-release-candidate", "slim"],
                ["development", "development", "slim"],
            ],
        );
    });

    it("withdraw edits a stack file that uses merge keys", () => {
        const out = addWithdrawal(MERGED, "f", { digest: `sha256:${"d".repeat(64)}`, reason: "x", date: "2025-01-02" });
        assert.deepEqual(
            parseValidStackFileText(out, "f").config.withdrawn.map((w) => w.digest),
            [`sha256:${"d".repeat(64)}`],
        );
    });
});

describe("YAML warnings (issue 20, findings 10 and 12)", () => {
    it("a value YAML only warns about (an unknown tag) is refused in one line, not read otherwise and warned about on stderr", () => {
        const emitted: string[] = [];
        const listener = (w: Error) => emitted.push(w.message);
        process.on("warning", listener);
        try {
            const line = PRODUCTION.slice(0, PRODUCTION.indexOf("uw3-binder:release:")).split("\n").length;
            assert.deepEqual(problemsOf(PRODUCTION.replace('uw3-binder:release: "2025.01"', 'uw3-binder:release: !month "2025.01"')), [
                `Pulumi.x.yaml: not valid YAML: Unresolved tag: !month at line ${line}, column 23:`,
            ]);
        } finally {
            process.off("warning", listener);
        }
        assert.deepEqual(emitted, []);
    });
});

describe("YAML aliases (issue 20, finding 9)", () => {
    const withAliases = (count: number) => `${PRODUCTION.trimEnd()}\n  uw3-binder:extra: { base: &a 1, uses: [${Array(count).fill("*a").join(", ")}] }\n`;

    it("refuses more than 100 aliases before the parser expands any, naming the bound", () => {
        assert.deepEqual(problemsOf(withAliases(101)), ["Pulumi.x.yaml: not valid YAML: more than 100 YAML aliases (*name), expected at most 100"]);
    });

    it("reads a stack with aliases under the bound (and then reports the key as unknown, as for any other)", () => {
        assert.deepEqual(
            problemsOf(withAliases(20)).map((p) => p.split(";")[0]),
            ["`uw3-binder:extra`: unknown key"],
        );
    });
});
