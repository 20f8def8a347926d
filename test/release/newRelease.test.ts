import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bufferIo } from "../../src/cli/commandIo";
import { runNewRelease } from "../../src/cli/newRelease";
import { UsageError } from "../../src/cli/errors";
import { validateStackFileText } from "../../src/config/stackFile";
import { copyWithRelease, NewReleaseError, newRelease, nextStepsText } from "../../src/release/newRelease";
import { JANUARY, RELEASE_LINE } from "./fixtures";

const BIN = path.join(__dirname, "..", "..", "bin", "uw3-binder.js");
const FEBRUARY = JANUARY.replace(/uw3-binder:release: "2025.01"(.*)\n/, 'uw3-binder:release: "2025.02"$1\n  uw3-binder:previousRelease: "2025.01"\n');

describe("new-release", () => {
    let dir: string;
    const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
    const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
    const exists = (name: string) => fs.existsSync(path.join(dir, name));

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-release-"));
        write("Pulumi.2025-01.yaml", JANUARY);
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("starts from a fixture that is itself a valid stack file", () => {
        assert.deepEqual(validateStackFileText(JANUARY, "Pulumi.2025-01.yaml"), []);
        assert.equal(JANUARY.split(RELEASE_LINE).length, 2);
    });

    describe("copyWithRelease", () => {
        it("changes the release value, records the month it came from, and no other byte: comments, spacing, flow maps and the missing final newline survive", () => {
            const copy = copyWithRelease(JANUARY, "Pulumi.2025-01.yaml", "2025.02");
            assert.equal(copy.text, FEBRUARY);
            assert.equal(copy.previousRelease, "2025.01");
        });

        it("keeps single quotes, and quotes a plain value so 2025.10 stays a string", () => {
            assert.equal(
                copyWithRelease("config:\n  uw3-binder:release: '2025.09' # q\n", "f", "2025.10").text,
                "config:\n  uw3-binder:release: '2025.10' # q\n  uw3-binder:previousRelease: '2025.09'\n",
            );
            assert.equal(
                copyWithRelease("config:\n  uw3-binder:release: 2025.09\n", "f", "2025.10").text,
                'config:\n  uw3-binder:release: "2025.10"\n  uw3-binder:previousRelease: "2025.09"\n',
            );
        });

        it("accepts the bare project key Pulumi also reads", () => {
            assert.equal(
                copyWithRelease('config:\n  release: "2025.01"\n', "f", "2025.02").text,
                'config:\n  release: "2025.02"\n  previousRelease: "2025.01"\n',
            );
        });

        it("replaces a previousRelease the source already records (issue 11, item 5)", () => {
            const copy = copyWithRelease(FEBRUARY, "Pulumi.2025-02.yaml", "2025.03");
            assert.equal(
                copy.text,
                FEBRUARY.replace('release: "2025.02"', 'release: "2025.03"').replace('previousRelease: "2025.01"', 'previousRelease: "2025.02"'),
            );
            assert.deepEqual(validateStackFileText(copy.text, "Pulumi.2025-03.yaml"), []);
            // A flow map has no line to add it on; nothing is guessed.
            assert.throws(() => copyWithRelease('config: { uw3-binder:release: "2025.01" }\n', "f", "2025.02"), {
                name: "NewReleaseError",
                message: 'f: `uw3-binder:release` is not on a line of its own in a block map; expected a line like uw3-binder:release: "2025.01"',
            });
        });

        it("finds the secure values, with --path keys for nested ones, and the passphrase salt", () => {
            const copy = copyWithRelease(JANUARY, "Pulumi.2025-01.yaml", "2025.02");
            assert.deepEqual(copy.secureValues, [
                { key: "github:token", nested: false },
                { key: "uw3-binder:registryPassword", nested: false },
                { key: 'uw3-binder:registryPasswords["docker.io"]', nested: true },
                { key: "uw3-binder:launcherPat", nested: false },
            ]);
            assert.deepEqual(copy.keyMaterial, { kind: "passphrase" });
        });

        it("lists settings that still mention the previous release", () => {
            assert.deepEqual(copyWithRelease(JANUARY, "Pulumi.2025-01.yaml", "2025.02").mentionsOfPrevious, [
                "uw3-binder:images.mirror.tags[0]",
                "uw3-binder:launcher.branches[1].pin",
            ]);
        });

        it("tells a KMS provider and Pulumi Cloud's key apart", () => {
            const kms = JANUARY.replace(/^encryptionsalt: .*$/m, "secretsprovider: awskms://alias/uw3\nencryptedkey: AQICAHg=");
            assert.deepEqual(copyWithRelease(kms, "f", "2025.02").keyMaterial, { kind: "kms", provider: "awskms://alias/uw3" });
            const service = JANUARY.replace(/^encryptionsalt: .*\n/m, "");
            assert.deepEqual(copyWithRelease(service, "f", "2025.02").keyMaterial, { kind: "service" });
        });

        it("refuses a file without a release or that is not YAML", () => {
            assert.throws(() => copyWithRelease("config:\n  github:owner: x\n", "Pulumi.2025-01.yaml", "2025.02"), {
                name: "NewReleaseError",
                message: 'Pulumi.2025-01.yaml: no `uw3-binder:release` to bump; expected a line like uw3-binder:release: "2025.01"',
            });
            assert.throws(
                () => copyWithRelease("config: [\n", "Pulumi.2025-01.yaml", "2025.02"),
                (err: unknown) => err instanceof NewReleaseError && err.message.startsWith("Pulumi.2025-01.yaml: not valid YAML: "),
            );
        });
    });

    describe("newRelease", () => {
        it("writes the next month's file from --from", () => {
            const result = newRelease({ release: "2025.02", from: "2025-01", dir });
            assert.equal(read("Pulumi.2025-02.yaml"), FEBRUARY);
            assert.equal(read("Pulumi.2025-01.yaml"), JANUARY);
            assert.equal(result.file, path.join(dir, "Pulumi.2025-02.yaml"));
        });

        it("defaults --from to the latest stack file before the new month", () => {
            write("Pulumi.2024-12.yaml", JANUARY.replace(RELEASE_LINE, 'uw3-binder:release: "2024.12"'));
            write("Pulumi.2025-05.yaml", JANUARY.replace(RELEASE_LINE, 'uw3-binder:release: "2025.05"'));
            assert.equal(newRelease({ release: "2025.03", dir }).fromStack, "2025-01");
            assert.equal(read("Pulumi.2025-03.yaml"), FEBRUARY.replace('release: "2025.02"', 'release: "2025.03"'));
            assert.equal(newRelease({ release: "2025.06", dir }).fromStack, "2025-05");
        });

        const RELEASE = 'a release: a month YYYY.MM (for example "2025.01") or a version such as "v3.0.2"';
        const refusals: [string, { release: string; from?: string }, string][] = [
            ["a month 13", { release: "2025-13" }, `invalid release "2025-13": expected ${RELEASE}`],
            ["a one-digit month", { release: "2025.2" }, `invalid release "2025.2": expected ${RELEASE}`],
            ["a version with a suffix", { release: "v3.0.2-rc1" }, `invalid release "v3.0.2-rc1": expected ${RELEASE}`],
            ["a version with four numbers", { release: "v3.0.2.1" }, `invalid release "v3.0.2.1": expected ${RELEASE}`],
            [
                "the same month as --from",
                { release: "2025.01", from: "2025-01" },
                "release 2025.01 is not after --from 2025-01: a new release copies the stack of a month before 2025.01",
            ],
            [
                "an earlier month than --from",
                { release: "2024.12", from: "2025-01" },
                "release 2024.12 is not after --from 2025-01: a new release copies the stack of a month before 2024.12",
            ],
            [
                "an earlier version than --from (v3.0.9 is before v3.0.10)",
                { release: "v3.0.9", from: "v3.0.10" },
                "release v3.0.9 is not after --from v3.0.10: a new release copies the stack of a version before v3.0.9, or a month (a switch from months to versions)",
            ],
            [
                "a month after a version",
                { release: "2026.04", from: "v3.0.1" },
                "release 2026.04 is not after --from v3.0.1: a new release copies the stack of a month before 2026.04",
            ],
            [
                "a --from in release form",
                { release: "2025.02", from: "2025.01" },
                'invalid --from "2025.01": expected a release\'s stack: a month YYYY-MM (for example "2025-01") or a version such as "v3.0.2"',
            ],
            ["a missing --from file", { release: "2025.02", from: "2024-12" }, "--from 2024-12: no Pulumi.2024-12.yaml in DIR"],
            ["a missing version --from file", { release: "v3.0.2", from: "v3.0.1" }, "--from v3.0.1: no Pulumi.v3.0.1.yaml in DIR"],
            ["no earlier stack file to copy", { release: "2024.06" }, "no stack file of a month before 2024.06 in DIR to copy; pass --from <stack>"],
        ];
        for (const [what, request, message] of refusals) {
            it(`refuses ${what}, writing nothing`, () => {
                const before = fs.readdirSync(dir).sort();
                assert.throws(
                    () => newRelease({ ...request, dir }),
                    (err: unknown) => err instanceof NewReleaseError && err.message === message.replace("DIR", dir),
                );
                assert.deepEqual(fs.readdirSync(dir).sort(), before);
            });
        }

        // Issue 20, finding 11: EISDIR without the file's name.
        it("refuses a --from stack file that is a directory in one line naming it, writing nothing", () => {
            fs.rmSync(path.join(dir, "Pulumi.2025-01.yaml"));
            fs.mkdirSync(path.join(dir, "Pulumi.2025-01.yaml"));
            assert.throws(() => newRelease({ release: "2025.02", dir }), {
                name: "NewReleaseError",
                message: "--from Pulumi.2025-01.yaml: is a directory, expected a stack file (Pulumi.<stack>.yaml)",
            });
            assert.equal(exists("Pulumi.2025-02.yaml"), false);
        });

        // Issue 20, finding 9: a FIFO was read forever (the run is bounded, so a hang fails the test).
        it("refuses a --from stack file that is a FIFO instead of waiting on it, exit 2, writing nothing", () => {
            fs.rmSync(path.join(dir, "Pulumi.2025-01.yaml"));
            spawnSync("mkfifo", [path.join(dir, "Pulumi.2025-01.yaml")]);
            const result = spawnSync(process.execPath, [BIN, "new-release", "2025.02"], { cwd: dir, encoding: "utf8", timeout: 15000 });
            assert.equal(result.status, 2, result.stderr);
            assert.equal(
                result.stderr.split("\n")[0],
                "uw3-binder new-release: --from Pulumi.2025-01.yaml: is a FIFO, expected a stack file (Pulumi.<stack>.yaml)",
            );
            assert.equal(exists("Pulumi.2025-02.yaml"), false);
        });

        it("never overwrites an existing file, and says which", () => {
            write("Pulumi.2025-02.yaml", "# mine\n");
            assert.throws(() => newRelease({ release: "2025.02", dir }), {
                message: `Pulumi.2025-02.yaml already exists in ${dir}; new-release never overwrites a stack file`,
            });
            assert.equal(read("Pulumi.2025-02.yaml"), "# mine\n");
        });

        it("validates the result and writes nothing when it is invalid", () => {
            write("Pulumi.2025-01.yaml", JANUARY.replace("defaultBranch: main", "defaultBranch: stable"));
            assert.throws(() => newRelease({ release: "2025.02", dir }), {
                message: [
                    "Pulumi.2025-02.yaml would not be a valid stack file, so nothing was written (fix Pulumi.2025-01.yaml first):",
                    '  - `uw3-binder:launcher.defaultBranch`: the default branch "stable" must also be listed in `branches` (it carries the README with every badge)',
                ].join("\n"),
            });
            assert.equal(exists("Pulumi.2025-02.yaml"), false);
        });
    });

    describe("next steps", () => {
        it("with the passphrase provider: salt copied, optional re-set commands, init with passphrase", () => {
            const text = nextStepsText(newRelease({ release: "2025.02", dir }));
            assert.equal(
                text,
                [
                    'Wrote Pulumi.2025-02.yaml: uw3-binder:release "2025.01" -> "2025.02", uw3-binder:previousRelease "2025.01" (each image\'s size is checked against its 2025.01 tag); everything else as in Pulumi.2025-01.yaml.',
                    "",
                    'Secure values copied as ciphertext (4): github:token, uw3-binder:registryPassword, uw3-binder:registryPasswords["docker.io"], uw3-binder:launcherPat',
                    "  Pulumi.2025-01.yaml's encryptionsalt is copied too, so they decrypt with the same PULUMI_CONFIG_PASSPHRASE.",
                    "  To give the new stack new values (new tokens each month, or another passphrase), set each again",
                    "  (it prompts for the value, keeping it out of your shell history):",
                    "    pulumi config set --secret --stack 2025-02 github:token",
                    "    pulumi config set --secret --stack 2025-02 uw3-binder:registryPassword",
                    "    pulumi config set --secret --path --stack 2025-02 'uw3-binder:registryPasswords[\"docker.io\"]'",
                    "    pulumi config set --secret --stack 2025-02 uw3-binder:launcherPat",
                    "",
                    "Still mentioning 2025.01, left as they were: uw3-binder:images.mirror.tags[0], uw3-binder:launcher.branches[1].pin",
                    "",
                    "Next steps:",
                    "  1. pulumi stack init 2025-02 --secrets-provider passphrase",
                    "  2. uw3-binder plan --stack 2025-02 --against 2025-01",
                    "  3. pulumi preview --stack 2025-02",
                    "  4. pulumi up --stack 2025-02",
                    "  5. point CI at it: echo 2025-02 > .github/uw3-binder-stack, and commit it with Pulumi.2025-02.yaml",
                    "",
                ].join("\n"),
            );
        });

        it("with Pulumi Cloud's key: the secrets must be set again between init and preview", () => {
            write("Pulumi.2025-01.yaml", JANUARY.replace(/^encryptionsalt: .*\n/m, ""));
            const text = nextStepsText(newRelease({ release: "2025.02", dir }));
            assert.equal(
                text.includes("  Pulumi Cloud encrypts each stack's secrets with that stack's own key, so they will not decrypt for 2025-02.\n"),
                true,
            );
            assert.equal(
                text.slice(text.indexOf("Next steps:")),
                [
                    "Next steps:",
                    "  1. pulumi stack init 2025-02",
                    "  2. pulumi config set --secret --stack 2025-02 github:token",
                    "  3. pulumi config set --secret --stack 2025-02 uw3-binder:registryPassword",
                    "  4. pulumi config set --secret --path --stack 2025-02 'uw3-binder:registryPasswords[\"docker.io\"]'",
                    "  5. pulumi config set --secret --stack 2025-02 uw3-binder:launcherPat",
                    "  6. uw3-binder plan --stack 2025-02 --against 2025-01",
                    "  7. pulumi preview --stack 2025-02",
                    "  8. pulumi up --stack 2025-02",
                    "  9. point CI at it: echo 2025-02 > .github/uw3-binder-stack, and commit it with Pulumi.2025-02.yaml",
                    "",
                ].join("\n"),
            );
        });

        it("with a KMS provider: init names the provider", () => {
            write("Pulumi.2025-01.yaml", JANUARY.replace(/^encryptionsalt: .*$/m, "secretsprovider: awskms://alias/uw3\nencryptedkey: AQICAHg="));
            const text = nextStepsText(newRelease({ release: "2025.02", dir }));
            assert.equal(text.includes("  1. pulumi stack init 2025-02 --secrets-provider awskms://alias/uw3\n"), true);
            assert.equal(
                read("Pulumi.2025-02.yaml").startsWith(
                    "# The production release of January 2025.\n#   new-release must copy this header, and every comment below, byte for byte.\nsecretsprovider: awskms://alias/uw3\nencryptedkey: AQICAHg=\n",
                ),
                true,
            );
        });
    });

    describe("CLI", () => {
        it("writes the file and prints the next steps, --dir relative to the working directory", async () => {
            const io = bufferIo(path.dirname(dir));
            assert.equal(await runNewRelease(["2025.02", "--dir", path.basename(dir)], io), 0);
            assert.equal(read("Pulumi.2025-02.yaml"), FEBRUARY);
            assert.equal(io.out.startsWith('Wrote Pulumi.2025-02.yaml: uw3-binder:release "2025.01" -> "2025.02"'), true);
        });

        it("turns refusals into usage errors", async () => {
            await assert.rejects(
                runNewRelease([], bufferIo(dir)),
                (err: unknown) => err instanceof UsageError && err.message === "expected one release (a month YYYY.MM or a version such as v3.0.2), found none",
            );
            await assert.rejects(
                runNewRelease(["2025.13"], bufferIo(dir)),
                (err: unknown) => err instanceof UsageError && err.message.startsWith('invalid release "2025.13"'),
            );
        });

        it("exits 2 naming the file it will not overwrite", () => {
            write("Pulumi.2025-02.yaml", "# mine\n");
            const result = spawnSync(process.execPath, [BIN, "new-release", "2025.02"], { cwd: dir, encoding: "utf8" });
            assert.equal(result.status, 2);
            assert.equal(
                result.stderr.split("\n")[0],
                `uw3-binder new-release: Pulumi.2025-02.yaml already exists in ${dir}; new-release never overwrites a stack file`,
            );
            assert.equal(read("Pulumi.2025-02.yaml"), "# mine\n");
        });

        it("exits 0 from the command line and writes the file", () => {
            const result = spawnSync(process.execPath, [BIN, "new-release", "2025.02", "--from", "2025-01"], { cwd: dir, encoding: "utf8" });
            assert.equal(result.status, 0, result.stderr);
            assert.equal(read("Pulumi.2025-02.yaml"), FEBRUARY);
        });
    });
});
