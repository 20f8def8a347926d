import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { BinderMocks } from "../../src/plan/mocks";
import { runStack, SECRETS, stackConfig, TYPES } from "./fixtures";

describe("program: the gate's command options", () => {
    it("a rotated registry password alone does not re-run a gate: `environment` is ignored for changes", async () => {
        // Mocks do not see resource options; a stack transformation does.
        const seen: { type: string; name: string; opts: pulumi.CustomResourceOptions }[] = [];
        await runStack(stackConfig(), SECRETS, {
            mocks: new BinderMocks(),
            transformation: (args) => {
                seen.push({ type: args.type, name: args.name, opts: args.opts as pulumi.CustomResourceOptions });
                return undefined;
            },
        });
        const gates = seen.filter((s) => s.type === TYPES.command);
        assert.deepStrictEqual(gates.map((g) => g.name), ["deps-gate-check", "slim-gate-check"]);
        for (const gate of gates) {
            assert.deepStrictEqual(gate.opts.ignoreChanges, ["environment"], gate.name);
            assert.deepStrictEqual(gate.opts.additionalSecretOutputs, ["stderr"], gate.name);
        }
    });
});
