/**
 * The gate's dynamic provider: a thin adapter between the engine and src/check/gate.ts, which does the
 * work. The engine calls `diff` to decide whether a gate must run again and `create` when it must; Pulumi
 * serializes this provider (and the plain functions it calls) into the stack's state and runs it in the
 * `pulumi-nodejs` provider process, started in the program's directory.
 */
import * as pulumi from "@pulumi/pulumi";
import { GateFigures, GateInputs, GateOutputs, gateChanges, runGate } from "../src/check/gate";

export type { GateFigures, GateInputs, GateOutputs } from "../src/check/gate";

const GATE_MODULE = "uw3-binder";
const GATE_TYPE = "Gate";
/** The gate's resource type, as the engine and `uw3-binder plan` show it (dynamic.Resource builds it so). */
export const GATE_RESOURCE_TYPE = `pulumi-nodejs:dynamic/${GATE_MODULE}:${GATE_TYPE}`;

/**
 * A gate's outputs as the engine stores them: every figure present, `null` where nothing was measured. A preview
 * reads an output that is missing from the state as unknown, so a gate without a baseline would show every
 * launcher README it feeds as changing on every `pulumi preview`.
 */
export type StoredGateOutputs = Omit<GateOutputs, keyof GateFigures> & { [K in keyof GateFigures]-?: GateFigures[K] | null };

/** Every figure of `outs`, `null` where the check measured none. */
function storedGateOutputs(outs: GateOutputs): StoredGateOutputs {
    return { ...outs, imageBytes: outs.imageBytes ?? null, newBytes: outs.newBytes ?? null, baseline: outs.baseline ?? null };
}

/** The engine's view of a gate: typed inputs in, typed outputs out; nothing decided here. */
export class GateProvider implements pulumi.dynamic.ResourceProvider<GateInputs, StoredGateOutputs> {
    /** A new reference or new check options replace (re-run) the gate; nothing else does (gateChanges). `olds` may be a state from before every figure was stored. */
    diff(_id: pulumi.ID, olds: Partial<GateInputs>, news: GateInputs): Promise<pulumi.dynamic.DiffResult> {
        const changed = gateChanges(olds, news);
        return Promise.resolve({ changes: changed.length > 0, replaces: changed, deleteBeforeReplace: false });
    }

    /** Runs the check; a gate that did not pass rejects, and its resource is not created. */
    async create(inputs: GateInputs): Promise<pulumi.dynamic.CreateResult<StoredGateOutputs>> {
        const outs = await runGate(inputs);
        return { id: outs.verifiedReference, outs: storedGateOutputs(outs) };
    }
}

/**
 * The one provider every gate is declared with: Pulumi serializes a dynamic provider once per provider
 * object (a provider made per gate was serialized again, with TypeScript's parser, for each gate).
 */
const GATE_PROVIDER = new GateProvider();

/** A gate in the stack: the provider's outputs as typed properties. */
export class GateResource extends pulumi.dynamic.Resource {
    declare readonly verifiedReference: pulumi.Output<string>;
    declare readonly imageBytes: pulumi.Output<number | null | undefined>;
    declare readonly newBytes: pulumi.Output<number | null | undefined>;
    declare readonly baseline: pulumi.Output<string | null | undefined>;

    constructor(name: string, inputs: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(GATE_PROVIDER, name, inputs, opts, GATE_MODULE, GATE_TYPE);
    }
}
