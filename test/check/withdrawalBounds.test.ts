/**
 * Issue 20, finding 3: every gate receives the whole `uw3-binder:withdrawn` list in one argument, which
 * Linux caps at 128 KiB; a list over it would fail every gate of every `pulumi up` (the check cannot be
 * switched off). The config, `withdraw` and `check` refuse reasons over 500 characters and lists over 20
 * entries, and the largest list they accept is one argument a program can be started with.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gateArgs } from "../../src/check/gateArgs";
import { DEFAULT_CHECK_OPTIONS } from "../../src/check/options";
import { parseCheckArgs } from "../../src/cli/check";
import { loadPlanConfig, validateStackFileText } from "../../src/config/stackFile";
import { PROGRAM_DIR } from "../../src/plan/program";
import { withdraw } from "../../src/release/withdraw";

const PRODUCTION = fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.2025-01.yaml"), "utf8");
const REF = `ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:${"1".repeat(64)}`;
/** The n-th distinct digest. */
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`;
const entry = (n: number, reason: string) => `    - { digest: "${digest(n)}", reason: ${JSON.stringify(reason)}, date: "2025-02-10" }`;
const withList = (entries: string[]) => `${PRODUCTION.trimEnd()}\n  uw3-binder:withdrawn:\n${entries.join("\n")}\n`;
/** Linux's MAX_ARG_STRLEN: the longest single argument execve accepts (32 pages of 4 KiB). */
const ARGUMENT_MAX_BYTES = 131072;

describe("withdrawal bounds: what every gate receives fits one argument (issue 20, finding 3)", () => {
    it("the config refuses a reason over 500 characters, half a surrogate pair and a 21st withdrawal, naming the key", () => {
        assert.deepEqual(validateStackFileText(withList([entry(1, "é".repeat(45000)), entry(2, "x\ud800y")]), "Pulumi.2025-01.yaml"), [
            "`uw3-binder:withdrawn[0].reason`: expected a reason of at most 500 characters (every gate receives it), found 45000",
            "`uw3-binder:withdrawn[1].reason`: expected valid Unicode, found half a surrogate pair",
        ]);
        const entries = Array.from({ length: 21 }, (_, i) => entry(i + 1, "bad"));
        assert.deepEqual(validateStackFileText(withList(entries), "Pulumi.2025-01.yaml"), [
            "`uw3-binder:withdrawn`: expected at most 20 withdrawals (every gate receives them all in one argument), found 21",
        ]);
        assert.deepEqual(validateStackFileText(withList([entry(1, "é".repeat(500))]), "Pulumi.2025-01.yaml"), []);
    });

    it("withdraw refuses a reason of 45,000 characters in one line and writes nothing", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-withdraw-reason-"));
        try {
            const file = path.join(dir, "Pulumi.2025-01.yaml");
            fs.writeFileSync(file, PRODUCTION);
            const request = { target: digest(1), dir, today: "2025-02-10", resolve: () => Promise.reject(new Error("no lookup for a digest")) };
            await assert.rejects(withdraw({ ...request, reason: "é".repeat(45000) }), {
                name: "WithdrawError",
                message: "--reason: expected a reason of at most 500 characters (every gate receives it), found 45000; nothing was written",
            });
            assert.equal(fs.readFileSync(file, "utf8"), PRODUCTION);
            assert.deepEqual(fs.readdirSync(dir), ["Pulumi.2025-01.yaml"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("check refuses --withdrawn with a reason over 500 characters or more than 20 entries", () => {
        const expected =
            "--withdrawn must be a list of at most 20 sha256:<64 hex>=<reason> entries (the reason URI-encoded, non-empty, at most 500 characters), found";
        assert.throws(
            () => parseCheckArgs([REF, `--withdrawn=${digest(1)}=${"x".repeat(501)}`]),
            (err: Error) => err.message.startsWith(expected),
        );
        const many = Array.from({ length: 21 }, (_, i) => `${digest(i + 1)}=bad`).join(",");
        assert.throws(
            () => parseCheckArgs([REF, `--withdrawn=${many}`]),
            (err: Error) => err.message.startsWith(expected),
        );
    });

    it("any reason the config accepts reaches the check whole, in at most 6,072 bytes of argument (property)", () => {
        const reason = fc.oneof(
            fc.string({ unit: "binary", maxLength: 520 }),
            fc.string({ unit: "grapheme", maxLength: 520 }),
            fc.string({ maxLength: 40 }),
            fc
                .array(fc.constantFrom("a", " ", "\t", "\r\n", "\u0085", "\u2028", "\u2029", "\ufeff", "\u202e", "%", ",", "=", "é", "😀", "\ud800"), {
                    maxLength: 12,
                })
                .map((parts) => parts.join("")),
        );
        fc.assert(
            fc.property(reason, (r) => {
                const problems = validateStackFileText(withList([entry(1, r)]), "Pulumi.2025-01.yaml");
                if (problems.length > 0) {
                    assert.equal(problems.length, 1, problems.join("\n"));
                    assert.ok(problems[0].startsWith("`uw3-binder:withdrawn[0].reason`: expected "), problems[0]);
                    return;
                }
                const withdrawn = [{ digest: digest(1), reason: r.trim() }];
                const word = gateArgs({ ...DEFAULT_CHECK_OPTIONS, withdrawn }).find((a) => a.startsWith("--withdrawn="))!;
                assert.ok(Buffer.byteLength(word) <= "--withdrawn=".length + 72 + 6000, `${Buffer.byteLength(word)} bytes`);
                assert.deepEqual(parseCheckArgs([REF, word]).options.withdrawn, withdrawn);
            }),
            { numRuns: 300 },
        );
    });

    it("the largest list the config accepts reaches a gate as one argument a program starts with, and reads back whole", function () {
        this.timeout(30000);
        // 4-byte UTF-8 characters: the longest URI-encoding of a character (12 bytes).
        const reason = "😀".repeat(500);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-withdraw-max-"));
        try {
            const file = path.join(dir, "Pulumi.2025-01.yaml");
            fs.writeFileSync(file, withList(Array.from({ length: 20 }, (_, i) => entry(i + 1, reason))));
            const { config } = loadPlanConfig(file);
            const args = gateArgs(config.images[1].checks);
            const word = args.find((a) => a.startsWith("--withdrawn="))!;
            assert.ok(Buffer.byteLength(word) > 120000 && Buffer.byteLength(word) < ARGUMENT_MAX_BYTES, `${Buffer.byteLength(word)} bytes`);
            const started = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.argv.length))", "--", ...args, REF], { encoding: "utf8" });
            assert.equal(started.error, undefined);
            // The bound is real: one byte more than it and the program does not start at all.
            assert.match(String(spawnSync(process.execPath, ["-e", "", "x".repeat(ARGUMENT_MAX_BYTES)]).error), /E2BIG/);
            assert.equal(started.status, 0, started.stderr);
            assert.deepEqual(
                parseCheckArgs([REF, word]).options.withdrawn,
                Array.from({ length: 20 }, (_, i) => ({ digest: digest(i + 1), reason })),
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
