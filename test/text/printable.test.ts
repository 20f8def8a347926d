import * as assert from "node:assert/strict";
import { redactSecrets, untrustedLines, untrustedText } from "../../src/text/printable";

describe("untrusted text (pure)", () => {
    it("escapes ANSI escapes, carriage returns, newlines and bidi overrides", () => {
        assert.equal(untrustedText("\u001b[31mred\u001b[0m\rover\nnext\u202egnp.exe"), "\\x1b[31mred\\x1b[0m\\x0dover\\x0anext\\u202egnp.exe");
    });

    it("cuts a long value and says how long it was", () => {
        assert.equal(untrustedText("a".repeat(1_000_000), 10), "aaaaaaaaaa… (1000000 characters in all)");
        assert.equal(untrustedText("short", 10), "short");
    });

    it("keeps lines apart but makes each safe, and bounds their number", () => {
        assert.equal(untrustedLines("a\u001b\nb", 50, 5), "a\\x1b\nb");
        assert.equal(untrustedLines("1\n2\n3\n4", 50, 2), "1\n2\n… (2 more lines)");
    });

    it("redacts a password and its Basic encoding, not short secrets", () => {
        const basic = Buffer.from("robot:hunter22").toString("base64");
        assert.equal(redactSecrets(`pw hunter22 auth ${basic}`, { username: "robot", password: "hunter22" }), "pw *** auth ***");
        assert.equal(redactSecrets("a b c", { username: "u", password: "a" }), "a b c");
        assert.equal(redactSecrets("text", undefined), "text");
    });
});
