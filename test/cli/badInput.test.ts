/**
 * Bad input at the command line: each gets one line naming the input and exit 2, or output that is safe to
 * paste into a shell. The CLI is spawned where the exit code is what matters.
 */
import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseCheckArgs } from "../../src/cli/check";
import { stackNameProblem, validateStackFileText } from "../../src/config/stackFile";
import { parseImageReference } from "../../src/names/oci";
import { PROGRAM_DIR } from "../../src/plan/program";
import { copyWithRelease, newRelease, NewReleaseError, nextStepsText } from "../../src/release/newRelease";
import { JANUARY, RELEASE_LINE } from "../release/fixtures";
import { hostileValues, runUnderShell } from "./shell";

const BIN = path.join(PROGRAM_DIR, "bin", "uw3-binder.js");

function cli(args: string[], cwd: string) {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, GITHUB_TOKEN: "" } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const firstLine = (text: string) => text.split("\n")[0];

describe("bad input at the command line", function () {
    this.timeout(60000);
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-bad-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    describe("a directory given as a stack file", () => {
        it("plan --config-file <dir>: one line naming it, exit 2", () => {
            fs.mkdirSync(path.join(dir, "Pulumi.x.yaml"));
            const r = cli(["plan", "--config-file", "Pulumi.x.yaml"], dir);
            assert.equal(r.code, 2);
            assert.equal(r.stderr, `uw3-binder plan: ${path.join(dir, "Pulumi.x.yaml")}: is a directory, expected a stack file (Pulumi.<stack>.yaml)\n`);
            assert.equal(r.stdout, "");
        });

        it("link --stack <name> whose file is a directory: a usage error naming it, exit 2", () => {
            fs.mkdirSync(path.join(dir, "Pulumi.x.yaml"));
            const r = cli(["link", "a/b", "--stack", "x"], dir);
            assert.equal(r.code, 2);
            assert.equal(
                firstLine(r.stderr),
                `uw3-binder link: --stack x: ${path.join(dir, "Pulumi.x.yaml")}: is a directory, expected a stack file (Pulumi.<stack>.yaml)`,
            );
        });
    });

    describe("a registry port out of range", () => {
        it("check 127.0.0.1:99999/x:t is a usage error, exit 2, before any request", () => {
            const r = cli(["check", "127.0.0.1:99999/x:t"], dir);
            assert.equal(r.code, 2);
            assert.equal(
                firstLine(r.stderr),
                'uw3-binder check: invalid image reference "127.0.0.1:99999/x:t": registry "127.0.0.1:99999": port 99999 is not a TCP port (1-65535)',
            );
        });

        it("refuses port 0 and accepts 1 and 65535", () => {
            assert.throws(() => parseCheckArgs(["localhost:0/x:t"]), {
                name: "UsageError",
                message: 'invalid image reference "localhost:0/x:t": registry "localhost:0": port 0 is not a TCP port (1-65535)',
            });
            assert.equal(parseImageReference("localhost:1/x:t").registry, "localhost:1");
            assert.equal(parseImageReference("127.0.0.1:65535/x:t").registry, "127.0.0.1:65535");
        });

        it("a stack file's registry server with port 99999 is a config problem", () => {
            const text = JANUARY.replace("server: ghcr.io", "server: ghcr.io:99999");
            assert.deepEqual(validateStackFileText(text, "f"), ['`uw3-binder:registry.server`: port 99999 is not a TCP port (1-65535), found "ghcr.io:99999"']);
        });
    });

    describe("stack names that are paths", () => {
        for (const name of ["../x", "a/b", "..", "x..y", "/etc/passwd", "a\\b", ""]) {
            it(`refuses ${JSON.stringify(name)}`, () => {
                assert.equal(stackNameProblem(name), `expects a stack name such as 2025-01 or v3.0.2, found ${JSON.stringify(name)}`);
            });
        }

        it("accepts the names Pulumi stacks use", () => {
            for (const name of ["2025-01", "dev", "uw2", "my_stack.v2"]) assert.equal(stackNameProblem(name), undefined);
        });

        it("plan --stack ../x: a usage error, exit 2, no file read", () => {
            fs.writeFileSync(path.join(dir, "x.yaml"), "config: {}\n");
            const r = cli(["plan", "--stack", "../x"], path.join(PROGRAM_DIR));
            assert.equal(r.code, 2);
            assert.equal(firstLine(r.stderr), 'uw3-binder plan: --stack expects a stack name such as 2025-01 or v3.0.2, found "../x"');
        });
    });

    describe("new-release: a release value it cannot bump in place", () => {
        const refused = (text: string) => {
            try {
                copyWithRelease(text, "Pulumi.2025-01.yaml", "2025.02");
            } catch (err) {
                assert.ok(err instanceof NewReleaseError, String(err));
                return err.message;
            }
            assert.fail("expected a NewReleaseError");
        };

        it("an alias", () => {
            assert.equal(
                refused('x-month: &month "2025.01"\nconfig:\n  uw3-binder:release: *month\n'),
                'Pulumi.2025-01.yaml: `uw3-binder:release` is a YAML alias (*month); expected a line like uw3-binder:release: "2025.01"',
            );
        });

        it("an anchor other values may share", () => {
            assert.equal(
                refused('config:\n  uw3-binder:release: &month "2025.01"\n  other:month: *month\n'),
                'Pulumi.2025-01.yaml: `uw3-binder:release` carries a YAML anchor (&month), so other values may share it; expected a line like uw3-binder:release: "2025.01"',
            );
        });

        for (const [style, text] of [
            ["|", "config:\n  uw3-binder:release: |\n    2025.01\n"],
            [">-", "config:\n  uw3-binder:release: >-\n    2025.01\n"],
        ]) {
            it(`a block scalar (${style})`, () => {
                assert.equal(
                    refused(text),
                    'Pulumi.2025-01.yaml: `uw3-binder:release` is a block scalar (| or >); expected a line like uw3-binder:release: "2025.01"',
                );
            });
        }

        it("both `release` and `uw3-binder:release`", () => {
            const message =
                "Pulumi.2025-01.yaml: `uw3-binder:release` is set twice, as `release` and as `uw3-binder:release`; Pulumi reads only one, so keep `uw3-binder:release`";
            assert.equal(refused('config:\n  release: "2024.12"\n  uw3-binder:release: "2025.01"\n'), message);
            assert.deepEqual(validateStackFileText(JANUARY.replace(RELEASE_LINE, `release: "2024.12"\n  ${RELEASE_LINE}`), "Pulumi.2025-01.yaml"), [message]);
        });

        it("from the command line: one line naming the file and exit 2, nothing written", () => {
            fs.writeFileSync(path.join(dir, "Pulumi.2025-01.yaml"), JANUARY.replace(RELEASE_LINE, "uw3-binder:release: |\n    2025.01"));
            const r = cli(["new-release", "2025.02"], dir);
            assert.equal(r.code, 2);
            assert.equal(
                firstLine(r.stderr),
                'uw3-binder new-release: Pulumi.2025-01.yaml: `uw3-binder:release` is a block scalar (| or >); expected a line like uw3-binder:release: "2025.01"',
            );
            assert.deepEqual(fs.readdirSync(dir), ["Pulumi.2025-01.yaml"]);
        });
    });

    describe("new-release: the `pulumi config set` lines it prints", () => {
        it("quote keys from the file, so each pastes into a shell as one argument and runs nothing else", () => {
            const marker = path.join(dir, "marker");
            const keys = hostileValues(marker).filter((k) => !k.includes("\n")); // a YAML key on one line
            const secure = "{ secure: v1:AAAAAAAAAAAAAAAA:eA== }";
            const lines = [
                ...keys.map((k) => `  ${JSON.stringify(`other:${k}`)}: ${secure}`),
                "  other:settings:",
                ...keys.map((k) => `    ${JSON.stringify(k)}: ${secure}`),
            ];
            fs.writeFileSync(path.join(dir, "Pulumi.2025-01.yaml"), JANUARY.replace(RELEASE_LINE, `${RELEASE_LINE}\n${lines.join("\n")}`));
            const text = nextStepsText(newRelease({ release: "2025.02", dir }));
            const commands = text
                .split("\n")
                .filter((l) => l.trim().startsWith("pulumi config set"))
                .map((l) => l.trim());
            const expected = [
                ["--secret", "--stack", "2025-02", "github:token"],
                ["--secret", "--stack", "2025-02", "uw3-binder:registryPassword"],
                ["--secret", "--path", "--stack", "2025-02", 'uw3-binder:registryPasswords["docker.io"]'],
                ["--secret", "--stack", "2025-02", "uw3-binder:launcherPat"],
                ...keys.map((k) => ["--secret", "--stack", "2025-02", `other:${k}`]),
                ...keys.map((k) => ["--secret", "--path", "--stack", "2025-02", `other:settings[${JSON.stringify(k)}]`]),
            ];
            assert.equal(commands.length, expected.length);
            const run = runUnderShell(commands.join("\n"), ["pulumi"], dir);
            assert.equal(run.status, 0, run.stderr);
            assert.equal(fs.existsSync(marker), false, "a key ran a command");
            assert.deepEqual(run.calls.map((c) => JSON.stringify(c.argv)).sort(), expected.map((argv) => JSON.stringify(["config", "set", ...argv])).sort());
        });
    });
});
