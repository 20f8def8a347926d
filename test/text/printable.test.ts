import * as assert from "node:assert/strict";
import { printableLines, printableLine } from "../../src/text/printable";
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
