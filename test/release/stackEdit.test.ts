/**
 * Issue 20, findings 6, 9, 11 (file parts) and 12: every command that edits a stack file edits it under a
 * lock from its text as it is then, in place (a symlink stays one, CRLF and a BOM stay), and every file a
 * command is given is read bounded, regular and UTF-8, or refused in one line naming it.
 */
import * as assert from "assert/strict";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseValidStackFileText } from "../../src/config/stackFile";
import { stackLockFile } from "../../src/config/stackEdit";
import { PROGRAM_DIR } from "../../src/plan/program";
import { addWithdrawal, withdraw } from "../../src/release/withdraw";

const BIN = path.join(PROGRAM_DIR, "bin", "uw3-binder.js");
const PRODUCTION = fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.2025-01.yaml"), "utf8");
const FEBRUARY = PRODUCTION.replace('uw3-binder:release: "2025.01"', 'uw3-binder:release: "2025.02"');
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const ENV = { ...process.env, GITHUB_TOKEN: "", UW3_BINDER_REGISTRY_USERNAME: "", UW3_BINDER_REGISTRY_PASSWORD: "" };

function cli(args: string[], cwd: string) {
    // A bound on the run: a command that blocks on a FIFO fails the test instead of hanging it.
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: ENV, timeout: 15000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cliAsync(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [BIN, ...args], { cwd, env: ENV, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("close", (code) => resolve({ code, stderr }));
    });
}

/** The digests withdrawn in a stack file's text, in order. */
function withdrawnDigests(text: string): string[] {
    return parseValidStackFileText(text, "f").config.withdrawn.map((w) => w.digest);
}

describe("stack file edits (issue 20)", function () {
    this.timeout(120000);
    let dir: string;
    const file = () => path.join(dir, "Pulumi.2025-02.yaml");
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-stackedit-"));
        fs.writeFileSync(file(), FEBRUARY);
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    describe("finding 6: no lost edits", () => {
        it("keeps a withdrawal another command recorded between this one's first read and its write", async () => {
            const result = await withdraw({
                target: `ghcr.io/underworldcode/uw3-base:2025.02-slim`,
                reason: "second",
                dir,
                today: "2025-02-10",
                // While this command asks the registry, another withdraw lands in the file.
                resolve: () => {
                    const entry = { digest: digest("a"), reason: "first", date: "2025-02-09" };
                    fs.writeFileSync(file(), addWithdrawal(fs.readFileSync(file(), "utf8"), "f", entry));
                    return Promise.resolve(digest("b"));
                },
            });
            assert.equal(result.entry.digest, digest("b"));
            assert.deepEqual(withdrawnDigests(fs.readFileSync(file(), "utf8")), [digest("a"), digest("b")]);
        });

        it("refuses a digest another command withdrew meanwhile, writing nothing", async () => {
            const other = addWithdrawal(FEBRUARY, "f", { digest: digest("b"), reason: "first", date: "2025-02-09" });
            await assert.rejects(
                withdraw({
                    target: `ghcr.io/underworldcode/uw3-base:2025.02-slim`,
                    reason: "again",
                    dir,
                    today: "2025-02-10",
                    resolve: () => {
                        fs.writeFileSync(file(), other);
                        return Promise.resolve(digest("b"));
                    },
                }),
                { name: "WithdrawError", message: `${digest("b")} is already withdrawn in Pulumi.2025-02.yaml (on 2025-02-09: first); nothing was written` },
            );
            assert.equal(fs.readFileSync(file(), "utf8"), other);
        });

        it("refuses to edit while another command holds the stack file's lock: exit 2, one line naming the lock, nothing written", () => {
            const lock = stackLockFile(fs.realpathSync(file()));
            fs.writeFileSync(lock, "12345\n");
            const r = cli(["withdraw", digest("d"), "--reason", "x"], dir);
            assert.equal(r.code, 2);
            assert.equal(
                r.stderr,
                `uw3-binder withdraw: Pulumi.2025-02.yaml is being edited by another command (lock ${lock}), so nothing was written; retry, or remove the lock if no uw3-binder command is running\n`,
            );
            assert.equal(fs.readFileSync(file(), "utf8"), FEBRUARY);
            assert.ok(fs.existsSync(lock), "another command's lock is left alone");
        });

        it("rollback takes the same lock: refused in one line while another command holds it, nothing written", () => {
            const lock = stackLockFile(fs.realpathSync(file()));
            fs.writeFileSync(lock, "12345\n");
            fs.writeFileSync(
                path.join(dir, "jan.json"),
                JSON.stringify({ verifiedReferences: { slim: `ghcr.io/underworldcode/uw3-base:2025.01-slim@${digest("b")}` } }),
            );
            const r = cli(["rollback", "--to", "2025.01", "--from-outputs", "jan.json"], dir);
            assert.equal(r.code, 2);
            assert.equal(
                r.stderr,
                `uw3-binder rollback: Pulumi.2025-02.yaml is being edited by another command (lock ${lock}), so nothing was written; retry, or remove the lock if no uw3-binder command is running\n`,
            );
            assert.equal(fs.readFileSync(file(), "utf8"), FEBRUARY);
        });

        it("two withdraws at once, eight times over: every one that says it recorded its digest did, the others are refused in one line", async () => {
            for (let round = 0; round < 8; round++) {
                fs.writeFileSync(file(), FEBRUARY);
                const targets = [digest("1"), digest("2")];
                const runs = await Promise.all(targets.map((t) => cliAsync(["withdraw", t, "--reason", `round ${round}`], dir)));
                const recorded = targets.filter((_, i) => runs[i].code === 0);
                assert.deepEqual(withdrawnDigests(fs.readFileSync(file(), "utf8")).sort(), recorded, `round ${round}: ${JSON.stringify(runs)}`);
                for (const r of runs.filter((r) => r.code !== 0)) {
                    assert.equal(r.code, 2);
                    assert.match(r.stderr, /^uw3-binder withdraw: Pulumi\.2025-02\.yaml is being edited by another command \(lock [^\n]+\n$/);
                }
                assert.deepEqual(
                    fs.readdirSync(dir).filter((f) => f !== "Pulumi.2025-02.yaml"),
                    [],
                    "no lock or temporary file is left",
                );
            }
        });
    });

    describe("finding 11: an edit in place", () => {
        it("keeps a CRLF stack file's line endings, the new entry's included", () => {
            fs.writeFileSync(file(), FEBRUARY.replace(/\n/g, "\r\n"));
            const r = cli(["withdraw", digest("d"), "--reason", "crlf"], dir);
            assert.equal(r.code, 0, r.stderr);
            const text = fs.readFileSync(file(), "utf8");
            assert.equal(text.split("\n").length - 1, text.split("\r\n").length - 1, "every line ends in CRLF");
            assert.ok(text.startsWith(FEBRUARY.replace(/\n/g, "\r\n").trimEnd()));
            assert.deepEqual(withdrawnDigests(text), [digest("d")]);
        });

        it("keeps a byte order mark", () => {
            fs.writeFileSync(file(), `\ufeff${FEBRUARY}`);
            assert.equal(cli(["withdraw", digest("d"), "--reason", "bom"], dir).code, 0);
            const text = fs.readFileSync(file(), "utf8");
            assert.ok(text.startsWith(`\ufeff${FEBRUARY.trimEnd()}`));
        });

        it("refuses a file that mixes CRLF and LF lines, writing nothing", () => {
            const mixed = FEBRUARY.replace("\n", "\r\n");
            fs.writeFileSync(file(), mixed);
            const r = cli(["withdraw", digest("d"), "--reason", "x"], dir);
            assert.equal(r.code, 2);
            assert.equal(
                r.stderr,
                "uw3-binder withdraw: Pulumi.2025-02.yaml mixes CRLF and LF line endings, so nothing was written; expected one kind throughout\n",
            );
            assert.equal(fs.readFileSync(file(), "utf8"), mixed);
        });

        it("edits a symlinked stack file's target and leaves the symlink a symlink", () => {
            const target = path.join(dir, "stacks", "february.yaml");
            fs.mkdirSync(path.dirname(target));
            fs.renameSync(file(), target);
            fs.symlinkSync(path.join("stacks", "february.yaml"), file());
            const r = cli(["withdraw", digest("d"), "--reason", "linked"], dir);
            assert.equal(r.code, 0, r.stderr);
            assert.ok(fs.lstatSync(file()).isSymbolicLink());
            assert.deepEqual(withdrawnDigests(fs.readFileSync(target, "utf8")), [digest("d")]);
        });

        it("--dir that is a file is named in one line (was a raw ENOTDIR), for withdraw and rollback", () => {
            fs.writeFileSync(path.join(dir, "afile"), "");
            const withdrawn = cli(["withdraw", digest("d"), "--reason", "x", "--dir", "afile"], dir);
            assert.deepEqual([withdrawn.code, withdrawn.stderr], [2, `uw3-binder withdraw: --dir ${path.join(dir, "afile")}: not a directory\n`]);
            const rolled = cli(["rollback", "--to", "2025.01", "--from-outputs", "x.json", "--dir", "afile"], dir);
            assert.deepEqual([rolled.code, rolled.stderr], [2, `uw3-binder rollback: --dir ${path.join(dir, "afile")}: not a directory\n`]);
        });

        it("withdraw <repository> without a tag or digest is refused, not read as :latest", () => {
            const r = cli(["withdraw", "ghcr.io/underworldcode/uw3-base", "--reason", "x"], dir);
            assert.equal(r.code, 2);
            assert.equal(
                r.stderr,
                'uw3-binder withdraw: "ghcr.io/underworldcode/uw3-base" names a repository but no tag or digest; expected <repository>:<tag>, <repository>@sha256:<64 hex> or sha256:<64 hex>\n',
            );
            assert.equal(fs.readFileSync(file(), "utf8"), FEBRUARY);
        });
    });

    describe("findings 9 and 11: files read bounded, regular and UTF-8, or refused in one line naming them", () => {
        const OUTPUTS = "expected the output of `pulumi stack output --json`";
        const refusals: [string, () => string, string][] = [
            ["a directory", () => (fs.mkdirSync(path.join(dir, "out.json")), "out.json"), `--from-outputs out.json: is a directory, ${OUTPUTS}`],
            ["a device (/dev/zero)", () => "/dev/zero", `--from-outputs /dev/zero: is a device, ${OUTPUTS}`],
            ["a FIFO", () => (spawnSync("mkfifo", [path.join(dir, "out.json")]), "out.json"), `--from-outputs out.json: is a FIFO, ${OUTPUTS}`],
            [
                "a file over 16 MiB",
                () => (fs.writeFileSync(path.join(dir, "out.json"), " ".repeat(16 * 1024 * 1024 + 1)), "out.json"),
                `--from-outputs out.json: is 16777217 bytes, over the limit of 16777216, ${OUTPUTS}`,
            ],
            [
                "JSON nested 100,000 deep",
                () => (fs.writeFileSync(path.join(dir, "out.json"), "[".repeat(100000) + "]".repeat(100000)), "out.json"),
                `--from-outputs out.json: nested deeper than 64 levels; ${OUTPUTS}`,
            ],
        ];
        for (const [what, setup, message] of refusals) {
            for (const command of ["withdraw", "rollback"]) {
                it(`${command} --from-outputs ${what}: exit 2, one line, nothing written`, () => {
                    const outputs = setup();
                    const args =
                        command === "withdraw"
                            ? ["withdraw", `ghcr.io/underworldcode/uw3-base@${digest("d")}`, "--reason", "x", "--from-outputs", outputs]
                            : ["rollback", "--to", "2025.01", "--from-outputs", outputs];
                    const r = cli(args, dir);
                    assert.equal(r.code, 2, r.stderr);
                    assert.equal(r.stderr, `uw3-binder ${command}: ${message}\n`);
                    assert.equal(fs.readFileSync(file(), "utf8"), FEBRUARY);
                });
            }
        }

        it("a stack file that is a FIFO is refused, not waited on", () => {
            fs.rmSync(file());
            spawnSync("mkfifo", [file()]);
            const r = cli(["plan", "--stack", "2025-02"], dir);
            assert.equal(r.code, 2);
            assert.equal(r.stderr, `uw3-binder plan: ${file()}: is a FIFO, expected a stack file (Pulumi.<stack>.yaml)\n`);
        });

        it("a stack file over 256 KiB is refused naming the limit", () => {
            fs.writeFileSync(file(), `${FEBRUARY}\n#${"x".repeat(256 * 1024)}\n`);
            const r = cli(["plan", "--stack", "2025-02"], dir);
            assert.equal(r.code, 2);
            assert.match(
                r.stderr,
                /^uw3-binder plan: \S+Pulumi\.2025-02\.yaml: is \d+ bytes, over the limit of 262144, expected a stack file \(Pulumi\.<stack>\.yaml\)\n$/,
            );
        });

        it("a stack file that is not UTF-8 is refused naming the byte, not read with U+FFFD (finding 12)", () => {
            const at = Buffer.byteLength(FEBRUARY);
            fs.writeFileSync(file(), Buffer.concat([Buffer.from(FEBRUARY), Buffer.from("# caf\xe9\n", "latin1")]));
            const r = cli(["plan", "--stack", "2025-02"], dir);
            assert.equal(r.code, 2);
            assert.equal(r.stderr, `uw3-binder plan: ${file()}: is not valid UTF-8 (at byte ${at + 5}), expected a stack file (Pulumi.<stack>.yaml)\n`);
        });
    });
});
