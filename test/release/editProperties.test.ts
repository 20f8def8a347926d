/**
 * Issue 20: property tests for the stack-file editors. Any reason is written so that every YAML reader
 * (yaml.v3 and PyYAML end a line at U+0085, U+2028 and U+2029) reads it back whole, with no raw control or
 * bidi character in the file; any stack file, valid or garbage, either gets the entry or is left exactly
 * as it was with a one-line WithdrawError.
 */
import * as assert from "assert/strict";
import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseValidStackFileText } from "../../src/config/stackFile";
import { PROGRAM_DIR } from "../../src/plan/program";
import { addWithdrawal, withdraw, WithdrawError } from "../../src/release/withdraw";
import { rollback, RollbackError } from "../../src/release/rollback";

const PRODUCTION = fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.2025-01.yaml"), "utf8");
const DIGEST = `sha256:${"d".repeat(64)}`;
// C0 and C1 controls (NEL among them), DEL, the line and paragraph separators, bidi marks, embeddings, overrides and isolates.
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** Strings of any code points, the troublesome ones often. */
const anyText = fc.string({
    unit: fc.oneof(
        fc.constantFrom("\u0085", "\u2028", "\u2029", "\u202e", "\u2066", "\u0000", "\u0007", "\u001b", "\t", "\r", "\n", '"', "\\", "#", ":", "'", "é"),
        fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    ),
    maxLength: 40,
});

describe("stack-file editors, any input (issue 20, property tests)", function () {
    this.timeout(120000);

    it("addWithdrawal: any reason reads back whole, and the file gains no raw control, separator or bidi character", () => {
        fc.assert(
            fc.property(anyText, (reason) => {
                fc.pre(reason.trim() !== "" && !/[\ud800-\udfff]/u.test(reason.replace(/[\ud800-\udbff][\udc00-\udfff]/g, "")));
                const out = addWithdrawal(PRODUCTION, "f", { digest: DIGEST, reason, date: "2025-01-02" });
                const added = out.slice(PRODUCTION.trimEnd().length);
                assert.ok(out.startsWith(PRODUCTION.trimEnd()));
                assert.doesNotMatch(added, RAW);
                // The config reads a reason trimmed (its schema), as `withdraw` writes it.
                assert.equal(parseValidStackFileText(out, "f").config.withdrawn[0].reason, reason.trim());
            }),
            { numRuns: 300 },
        );
    });

    it("rollback: any outputs file (any JSON, any bytes) pins every branch or leaves the stack file byte for byte with a RollbackError", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-rollprop-"));
        const file = path.join(dir, "Pulumi.2025-02.yaml");
        const february = PRODUCTION.replace('uw3-binder:release: "2025.01"', 'uw3-binder:release: "2025.02"');
        const reference = fc.oneof(
            anyText,
            fc.constantFrom("2025.01-slim", "2025.011-slim", "x2025.01y", "2024.12-slim").map((tag) => `ghcr.io/underworldcode/uw3-base:${tag}@${DIGEST}`),
            fc.constant(`ghcr.io/underworldcode/uw3-base@${DIGEST}`),
        );
        const outputs = fc.oneof(
            fc.jsonValue().map((v) => JSON.stringify(v)),
            fc.record({ verifiedReferences: fc.record({ slim: fc.oneof(reference, fc.jsonValue()) }) }).map((v) => JSON.stringify(v)),
            fc.record({ launchers: fc.dictionary(anyText, fc.record({ pinnedReference: reference })) }).map((v) => JSON.stringify(v)),
            anyText,
        );
        try {
            fc.assert(
                fc.property(outputs, (text) => {
                    fs.writeFileSync(file, february);
                    fs.writeFileSync(path.join(dir, "jan.json"), text);
                    try {
                        const result = rollback({ to: "2025.01", outputsFile: "jan.json", dir });
                        const pins = parseValidStackFileText(fs.readFileSync(file, "utf8"), "f").config.launcher!.branches.map((b) => b.pin?.tag);
                        assert.deepEqual(pins, ["2025.01-slim", "2025.01-slim", "2025.01-slim"]);
                        assert.equal(result.changed, true);
                    } catch (err) {
                        assert.ok(err instanceof RollbackError, `not a RollbackError: ${String(err)}`);
                        assert.equal(fs.readFileSync(file, "utf8"), february);
                    }
                    assert.deepEqual(fs.readdirSync(dir).sort(), ["Pulumi.2025-02.yaml", "jan.json"], "no lock or temporary file is left");
                }),
                { numRuns: 300 },
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("withdraw: any stack file (random bytes, or the production file with bytes changed) gets the entry or stays byte for byte, with a one-line WithdrawError", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-editprop-"));
        const file = path.join(dir, "Pulumi.2025-02.yaml");
        const february = Buffer.from(PRODUCTION.replace('uw3-binder:release: "2025.01"', 'uw3-binder:release: "2025.02"'));
        const stackBytes = fc.oneof(
            fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
            fc.array(fc.tuple(fc.nat(february.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }).map((edits) => {
                const b = Buffer.from(february);
                for (const [at, byte] of edits) b[at] = byte;
                return b;
            }),
        );
        try {
            await fc.assert(
                fc.asyncProperty(stackBytes, anyText, async (bytes, reason) => {
                    fs.writeFileSync(file, bytes);
                    try {
                        const result = await withdraw({
                            target: DIGEST,
                            reason,
                            dir,
                            today: "2025-02-10",
                            resolve: () => Promise.reject(new Error("no registry")),
                        });
                        const text = fs.readFileSync(file, "utf8");
                        assert.deepEqual(
                            parseValidStackFileText(text, "f").config.withdrawn.map((w) => w.digest),
                            [DIGEST],
                        );
                        assert.equal(result.entry.digest, DIGEST);
                    } catch (err) {
                        assert.ok(err instanceof WithdrawError, `not a WithdrawError: ${String(err)}`);
                        assert.doesNotMatch(err.message, /\n/);
                        assert.deepEqual(fs.readFileSync(file), bytes);
                    }
                    assert.deepEqual(fs.readdirSync(dir), ["Pulumi.2025-02.yaml"], "no lock or temporary file is left");
                }),
                { numRuns: 150 },
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
