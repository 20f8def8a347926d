/**
 * What withdraw and new-release print on stdout carries text from input (a reason, a stack file's keys):
 * every line goes through the one escaper (issue 20, finding 10).
 */
import * as assert from "assert/strict";
import { nextStepsText } from "../../src/release/newRelease";
import { withdrawText } from "../../src/release/withdraw";

/** Characters a terminal or a YAML 1.1 reader would act on, or that reorder what a reader sees. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("printed text of the release commands", () => {
    it("withdraw prints a reason holding NEL, a line separator, a bidi override and an escape sequence escaped, on its own line", () => {
        const reason = "wrong sign\u0085rm -rf\u2028x\u202eevil\u001b[31mred";
        const text = withdrawText({
            stack: "2025-01",
            file: "/x/Pulumi.2025-01.yaml",
            entry: { digest: `sha256:${"a".repeat(64)}`, reason, date: "2025-02-10" },
            pinnedBranches: [],
        });
        assert.ok(!RAW.test(text), JSON.stringify(text));
        assert.equal(text.split("\n")[0], `Withdrew sha256:${"a".repeat(64)} in Pulumi.2025-01.yaml: wrong sign\\x85rm -rf\\u2028x\\u202eevil\\x1b[31mred`);
    });

    it("new-release prints a secure key holding a bidi override or a control character escaped", () => {
        const key = 'uw3-binder:registryPasswords["ghcr.io\u202e\u001b[2J"]';
        const text = nextStepsText({
            stack: "2025-02",
            fromStack: "2025-01",
            file: "/x/Pulumi.2025-02.yaml",
            fromFile: "/x/Pulumi.2025-01.yaml",
            copy: { text: "", previousRelease: "2025.01", secureValues: [{ key, nested: true }], keyMaterial: { kind: "passphrase" }, mentionsOfPrevious: [] },
        });
        assert.ok(!RAW.test(text), JSON.stringify(text));
        assert.ok(text.includes('Secure values copied as ciphertext (1): uw3-binder:registryPasswords["ghcr.io\\u202e\\x1b[2J"]'), text);
    });
});
