/** A release month and its stack, from one pattern of months (src/names/release.ts). */
import * as assert from "assert/strict";
import fc from "fast-check";
import { MONTHLY_STACK_FILE_PATTERN, MONTHLY_STACK_PATTERN, RELEASE_PATTERN, releaseOfStack, releaseProblem, stackOfRelease } from "../../src/names/release";

describe("release names", () => {
    it("a release and its stack are the same month: each valid one maps to the other and back (property)", () => {
        const text = fc.oneof(
            fc
                .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }))
                .map(([y, m]) => `${String(y).padStart(4, "0")}.${String(m).padStart(2, "0")}`),
            fc.string({ unit: fc.constantFrom(..."0123456789.-"), maxLength: 8 }),
        );
        fc.assert(
            fc.property(text, (release) => {
                const valid = releaseProblem(release) === undefined;
                assert.equal(RELEASE_PATTERN.test(release), valid);
                const stack = stackOfRelease(release);
                assert.equal(MONTHLY_STACK_PATTERN.test(stack), valid, stack);
                assert.equal(MONTHLY_STACK_FILE_PATTERN.exec(`Pulumi.${stack}.yaml`)?.[1] === stack, valid, stack);
                if (valid) assert.equal(releaseOfStack(stack), release);
            }),
        );
    });

    it("words the refusal once, for the config and the command lines", () => {
        assert.equal(releaseProblem("2025-13"), 'expected a release month YYYY.MM (for example "2025.01")');
        assert.equal(releaseProblem("2025.01"), undefined);
        assert.equal(releaseProblem(202501), 'expected a release month YYYY.MM (for example "2025.01")');
    });
});
