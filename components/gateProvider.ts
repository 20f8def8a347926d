/**
 * The gate's dynamic provider: a thin adapter between the engine and src/check/gate.ts, which does the
 * work. The engine calls `diff` to decide whether a gate must run again and `create` when it must; Pulumi
 * serializes this provider (and the plain functions it calls) into the stack's state and runs it in the
 * `pulumi-nodejs` provider process, started in the program's directory.
 */
import * as pulumi from "@pulumi/pulumi";
import { GateInputs, GateOutputs, gateChanges, runGate } from "../src/check/gate";

export type { GateFigures, GateInputs, GateOutputs } from "../src/check/gate";

const GATE_MODULE = "uw3-binder";
const GATE_TYPE = "Gate";
/** The gate's resource type, as the engine and `uw3-binder plan` show it (dynamic.Resource builds it so). */
export const GATE_RESOURCE_TYPE = `pulumi-nodejs:dynamic/${GATE_MODULE}:${GATE_TYPE}`;

/** The engine's view of a gate: typed inputs in, typed outputs out; nothing decided here. */
export class GateProvider implements pulumi.dynamic.ResourceProvider<GateInputs, GateOutputs> {
    /** A new reference or new check options replace (re-run) the gate; nothing else does (gateChanges). */
    diff(_id: pulumi.ID, olds: GateOutputs, news: GateInputs): Promise<pulumi.dynamic.DiffResult> {
        const changed = gateChanges(olds, news);
        return Promise.resolve({ changes: changed.length > 0, replaces: changed, deleteBeforeReplace: false });
    }

    /** Runs the check; a gate that did not pass rejects, and its resource is not created. */
    async create(inputs: GateInputs): Promise<pulumi.dynamic.CreateResult<GateOutputs>> {
        const outs = await runGate(inputs);
        return { id: outs.verifiedReference, outs };
    }
}

/** A gate in the stack: the provider's outputs as typed properties. */
export class GateResource extends pulumi.dynamic.Resource {
    declare readonly verifiedReference: pulumi.Output<string>;
    declare readonly imageBytes: pulumi.Output<number | undefined>;
    declare readonly newBytes: pulumi.Output<number | undefined>;
    declare readonly baseline: pulumi.Output<string | undefined>;

    constructor(name: string, inputs: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(new GateProvider(), name, inputs, opts, GATE_MODULE, GATE_TYPE);
    }
}
