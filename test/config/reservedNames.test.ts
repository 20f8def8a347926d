/**
 * Finding 7 of issue 20: names that every JavaScript object has (`constructor`, `toString`, `valueOf`,
 * `__proto__`) are refused naming the key, never read as present where absent, never silently dropped.
 */
import * as assert from "assert/strict";
import { parseValidStackFileText, parseStackFileText } from "../../src/config/stackFile";
import { ConfigError } from "../../src/config/schema";
import { configProblems } from "../program/fixtures";

const NAMES = ["constructor", "toString", "valueOf", "__proto__", "hasOwnProperty"];

describe("config: names that are Object.prototype properties (issue 20, finding 7)", () => {
    for (const name of NAMES) {
        it(`a launcher branch with image: ${name} is an unknown image`, () => {
            assert.deepEqual(
                configProblems((c) => (c["uw3-binder:launcher"].branches[0].image = name)),
                [`\`uw3-binder:launcher.branches[0].image\`: expected one of the images ("deps", "slim"), found "${name}"`],
            );
        });

        it(`a build arg named ${name} is refused naming the key`, () => {
            assert.deepEqual(
                configProblems((c) => (c["uw3-binder:images"].slim.args = { [name]: "x" })),
                [`\`uw3-binder:images.slim.args.${name}\`: "${name}" is a reserved name (a property of every JavaScript object), expected another name`],
            );
        });

        it(`a launcher branch named ${name} is refused naming the key`, () => {
            assert.deepEqual(
                configProblems((c) => (c["uw3-binder:launcher"].branches[1].name = name)),
                [`\`uw3-binder:launcher.branches[1].name\`: "${name}" is a reserved name (a property of every JavaScript object), expected another name`],
            );
        });
    }

    it("an image named __proto__ in a stack file stays an own key and is refused, not dropped", () => {
        const text = "config:\n  uw3-binder:images:\n    __proto__: { repository: a }\n    b: { repository: b }\n";
        const values = parseStackFileText(text, "Pulumi.x.yaml").values;
        assert.deepEqual(Object.keys(values["uw3-binder:images"] as object), ["__proto__", "b"]);
        assert.throws(
            () => parseValidStackFileText(text, "Pulumi.x.yaml"),
            (err: unknown) =>
                err instanceof ConfigError &&
                err.problems.includes(
                    '`uw3-binder:images.__proto__`: "__proto__" is a reserved name (a property of every JavaScript object), expected another name',
                ),
        );
    });
});
