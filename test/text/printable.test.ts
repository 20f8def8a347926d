import * as assert from "node:assert/strict";
import fc from "fast-check";
import { printableJson, printableLines, printableLine } from "../../src/text/printable";
import { redactSecrets } from "../../src/text/redaction";
import { capped, shown } from "../../src/text/quotedValue";

describe("untrusted text (pure)", () => {
    it("escapes ANSI escapes, carriage returns, newlines and bidi overrides", () => {
        assert.equal(printableLine("\u001b[31mred\u001b[0m\rover\nnext\u202egnp.exe"), "\\x1b[31mred\\x1b[0m\\x0dover\\x0anext\\u202egnp.exe");
    });

    it("cuts a long value and says how long it was", () => {
        assert.equal(printableLine("a".repeat(1_000_000), 10), "aaaaaaaaaa… (1000000 characters in all)");
        assert.equal(printableLine("short", 10), "short");
    });

    it("keeps lines apart but makes each safe, and bounds their number", () => {
        assert.equal(printableLines("a\u001b\nb", 50, 5), "a\\x1b\nb");
        assert.equal(printableLines("1\n2\n3\n4", 50, 2), "1\n2\n… (2 more lines)");
    });

    it("redacts a password and its Basic encoding, not short secrets", () => {
        const basic = Buffer.from("robot:hunter22").toString("base64");
        assert.equal(redactSecrets(`pw hunter22 auth ${basic}`, { username: "robot", password: "hunter22" }), "pw *** auth ***");
        assert.equal(redactSecrets("a b c", { username: "u", password: "a" }), "a b c");
        assert.equal(redactSecrets("text", undefined), "text");
    });
});

describe("quoted values (config and CLI messages)", () => {
    it("escape what JSON leaves raw: DEL, C1 controls and bidi overrides", () => {
        assert.equal(shown("a\u202eb\u009b\u007f\n"), '"a\\u202eb\\x9b\\x7f\\n"');
        assert.equal(capped("key\u001b[2J"), "key\\x1b[2J");
    });
});

/** What a terminal, a log viewer or a YAML 1.1 reader may act on: written out here, not taken from the escaper. */
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** Strings made mostly of those characters, and any code points at all. */
const hostile = fc.oneof(
    fc.string({
        unit: fc.constantFrom(
            "a",
            "é",
            " ",
            "\n",
            "\r",
            "\t",
            "\u001b",
            "\u007f",
            "\u0085",
            "\u009b",
            "\u061c",
            "\u200f",
            "\u2028",
            "\u2029",
            "\u202e",
            "\u2066",
        ),
        maxLength: 40,
    }),
    fc.string({ unit: "binary", maxLength: 40 }),
);

describe("one escaper for every printed value", () => {
    it("escapes the line separators and NEL, which end a line for PyYAML and some terminals", () => {
        assert.equal(printableLine("a\u2028b\u2029c\u0085d"), "a\\u2028b\\u2029c\\x85d");
        assert.equal(shown("a\u2028b"), '"a\\u2028b"');
        assert.equal(capped("k\u2029\u061c"), "k\\u2029\\u061c");
    });

    it("never lets a raw control, separator or bidi character through, whatever the text (property)", () => {
        fc.assert(
            fc.property(hostile, (text) => {
                for (const out of [
                    printableLine(text),
                    shown(text),
                    capped(text),
                    shown({ [text]: text }),
                    printableLines(text),
                    printableJson({ [text]: [text] }),
                ]) {
                    assert.ok(!RAW_CONTROL.test(out.replace(/\n/g, "")), JSON.stringify(out));
                }
                // printableLines keeps the lines it was given apart, and no others.
                assert.ok(printableLines(text).split("\n").length <= text.split("\n").length + 1);
                assert.ok(!printableLine(text).includes("\n"));
                // JSON that reads back as the same value.
                assert.deepEqual(JSON.parse(printableJson({ [text]: [text] })), { [text]: [text] });
            }),
            { numRuns: 500 },
        );
    });
});
