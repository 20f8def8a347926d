/** Image references and digest arguments (src/names/oci.ts): what never becomes a reference. */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { formatImageReference, parseDigestArgument, parseImageReference } from "../../src/names/oci";

const DIGEST = `sha256:${"a".repeat(64)}`;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe("OCI names: digests are never references (issue 20, finding 1)", () => {
    it("a digest, or what claims to be one, is refused as an image reference, in one line", () => {
        for (const text of [DIGEST, "sha256:8cbaba94226c", `SHA256:${"a".repeat(64)}`, `sha512:${"a".repeat(128)}`, "sha384:"]) {
            assert.throws(
                () => parseImageReference(text),
                (err: Error) => err.message.startsWith(`invalid image reference "${text}": `) && !err.message.includes("\n"),
            );
        }
        assert.throws(() => parseImageReference("sha256:8cbaba94226c"), {
            message:
                'invalid image reference "sha256:8cbaba94226c": "sha256:8cbaba94226c" is not a digest: expected sha256:<64 lowercase hex>, found 12 hex digits' +
                " (a short id, as `docker images` shows; `docker images --digests` shows the digest); a reference is [host/]namespace/repository[:tag][@sha256:<64 hex>]",
        });
        // A registry host named like an algorithm, with a port and a path, is still a host.
        assert.deepEqual(parseImageReference("sha256:5000/uw3/base:1"), { registry: "sha256:5000", repository: "uw3/base", tag: "1", digest: undefined });
    });

    it("issue 20: a name over 255 characters (Docker's limit) is refused in one line, before anything uses it", () => {
        const path = `underworldcode/${"a".repeat(232)}`;
        assert.equal(parseImageReference(`ghcr.io/${path}:1`).repository, path);
        assert.throws(() => parseImageReference(`ghcr.io/${path}b:1`), {
            message: `invalid image reference "ghcr.io/${path}b:1": the name is 256 characters; a registry accepts at most 255`,
        });
    });

    it("parseDigestArgument: exactly sha256:<64 lowercase hex>, a problem for any other sha*: text, nothing for the rest (property)", () => {
        fc.assert(
            fc.property(fc.oneof(fc.string({ maxLength: 90 }), fc.stringMatching(/^[sS][hH][aA]\d{0,3}:[0-9a-fA-Fx]{0,70}$/)), (text) => {
                const parsed = parseDigestArgument(text);
                if (/^sha256:[0-9a-f]{64}$/.test(text)) assert.deepEqual(parsed, { digest: text });
                else if (/^sha\d+:[^/@]*$/i.test(text)) {
                    assert.ok(parsed && "problem" in parsed, text);
                    assert.ok(parsed.problem.includes("expected sha256:<64 lowercase hex>, found ") && !CONTROL.test(parsed.problem), parsed.problem);
                } else assert.equal(parsed, undefined);
            }),
            { numRuns: 2000 },
        );
    });

    it("any text is refused in one line, or is a reference that round-trips and never claimed to be a digest (property)", () => {
        const part = fc.constantFrom("ghcr.io", "127.0.0.1:5000", "sha256", "SHA256", "library", "uw3-base", "a..b", "", "x");
        const tail = fc.constantFrom("", ":1", ":8cbaba94226c", `@${DIGEST}`, ":t@sha256:abc", ":", "@");
        const text = fc.oneof(
            fc.string({ maxLength: 80 }),
            fc.tuple(fc.array(part, { minLength: 1, maxLength: 4 }), tail).map(([parts, t]) => parts.join("/") + t),
        );
        fc.assert(
            fc.property(text, (t) => {
                let ref;
                try {
                    ref = parseImageReference(t);
                } catch (err) {
                    assert.ok(err instanceof Error && !err.message.includes("\n") && !CONTROL.test(err.message), String(err));
                    return;
                }
                assert.equal(parseDigestArgument(t.trim()), undefined, t);
                assert.deepEqual(parseImageReference(formatImageReference(ref)), ref);
            }),
            { numRuns: 2000 },
        );
    });
});
