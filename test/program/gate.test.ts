import * as assert from "assert";
import { gateChanges } from "../../components/gateProvider";

describe("gate: what makes the engine run a gate again", () => {
    const olds = { reference: "127.0.0.1:5000/demo/uw3-base:2025.01-slim@sha256:" + "a".repeat(64), args: ["--skip", "jit"], username: "bot", password: "old" };

    it("a rotated registry password alone does not re-run a gate", () => {
        assert.deepStrictEqual(gateChanges(olds, { ...olds, password: "rotated" }), []);
        assert.deepStrictEqual(gateChanges(olds, { ...olds, username: "other-bot", password: "rotated" }), []);
    });

    it("a new digest re-runs it", () => {
        assert.deepStrictEqual(gateChanges(olds, { ...olds, reference: olds.reference.replace(/a{64}$/, "b".repeat(64)) }), ["reference"]);
    });

    it("new check options re-run it", () => {
        assert.deepStrictEqual(gateChanges(olds, { ...olds, args: ["--skip", "jit,kernel"] }), ["args"]);
        assert.deepStrictEqual(gateChanges(olds, { ...olds, args: [] }), ["args"]);
    });
});
