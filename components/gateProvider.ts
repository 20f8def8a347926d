/**
 * The gate's dynamic provider: the engine calls `create` when a gate must run, `diff` to decide whether
 * it must run again. Pulumi serializes these functions into the stack's state and runs them in the
 * `pulumi-nodejs` provider process (started in the program's directory), so they reach nothing from
 * this module's scope but plain values and Node's own modules.
 */
import type * as pulumi from "@pulumi/pulumi";

export const GATE_MODULE = "uw3-binder";
export const GATE_TYPE = "Gate";
/** The gate's resource type, as the engine and `uw3-binder plan` show it (dynamic.Resource builds it so). */
export const GATE_RESOURCE_TYPE = `pulumi-nodejs:dynamic/${GATE_MODULE}:${GATE_TYPE}`;

/** What the engine stores for a gate. The password is a secret input: encrypted in state, never an output. */
export interface GateInputs {
    reference: string;
    args: string[];
    username?: string;
    password?: string;
}

export interface GateOutputs extends GateFigures {
    reference: string;
    args: string[];
    username?: string;
    verifiedReference: string;
}

/** What the passing `layers` check measured: what a mybinder.org node pulls. */
export interface GateFigures {
    /** Compressed bytes of the image (its linux/amd64 manifest, or its only one), as the check rounded them. */
    imageBytes?: number;
    /** Compressed bytes of its layers the baseline lacks; only when a baseline was read and compared. */
    newBytes?: number;
    /** The baseline reference `newBytes` was measured against. */
    baseline?: string;
}

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/**
 * The figures of a passing `layers` row in the check's table (renderCheckTable): its detail is
 * `[<platform>: ]largest layers: ...; total <size> over <n> layers[ | ...]`, then with a baseline a
 * continuation line `[<platform>: ]against <reference>: <size> new in ...`. Sizes are formatSize's
 * (one decimal, binary units), read back to bytes. A row that is absent or reads otherwise gives no
 * figure: the figures describe an image, they never decide whether it passes. Pure, and self-contained
 * (the provider's serialized code calls it).
 */
export function gateFigures(table: string): GateFigures {
    const lines = table.split("\n");
    const row = lines.findIndex((line) => /^layers +PASS +\d+\.\d s {2}/.test(line));
    if (row < 0) return {};
    const detail = [lines[row].replace(/^layers +PASS +\d+\.\d s {2}/, "")];
    for (const line of lines.slice(row + 1)) {
        if (!/^ +\S/.test(line)) break;
        detail.push(line.trim());
    }
    // One platform's part of a line: a node pulls linux/amd64, as `check` and mybinder.org measure it.
    const platformPart = (line: string): string => {
        const parts = line.split(" | ");
        return parts.find((p) => p.startsWith("linux/amd64: ")) ?? parts[0];
    };
    const bytes = (value: string, unit: string): number => Math.round(Number(value) * SIZE_UNITS[unit]);
    const figures: GateFigures = {};
    const total = / total (\d+(?:\.\d)?) (B|KB|MB|GB|TB) over \d+ layers?$/.exec(platformPart(detail[0]));
    if (total) figures.imageBytes = bytes(total[1], total[2]);
    for (const line of detail.slice(1)) {
        const against = /^(?:linux\/\S+: )?against (\S+): (\d+(?:\.\d)?) (B|KB|MB|GB|TB) new in /.exec(platformPart(line));
        if (against) {
            figures.baseline = against[1];
            figures.newBytes = bytes(against[2], against[3]);
        }
    }
    return figures;
}

/**
 * Only what decides whether an image passes re-runs a gate: the reference (a new digest) and the check
 * options. Credentials are how to read the image, not what is checked: a rotated password must not
 * re-run every gate of every month (and fail where the old image is no longer local).
 */
export function gateChanges(olds: Partial<GateInputs>, news: GateInputs): string[] {
    const changed: string[] = [];
    if (olds.reference !== news.reference) changed.push("reference");
    if (JSON.stringify(olds.args ?? []) !== JSON.stringify(news.args)) changed.push("args");
    return changed;
}

export const gateProvider: pulumi.dynamic.ResourceProvider = {
    diff(_id: string, olds: GateOutputs, news: GateInputs): Promise<pulumi.dynamic.DiffResult> {
        const changed = gateChanges(olds, news);
        return Promise.resolve({ changes: changed.length > 0, replaces: changed, deleteBeforeReplace: false });
    },

    async create(inputs: GateInputs): Promise<pulumi.dynamic.CreateResult> {
        const { execFile } = await import("child_process");
        const path = await import("path");
        // bin/uw3-binder.js, relative to the program's directory, where the engine starts this provider.
        const cli = path.resolve("bin", "uw3-binder.js");
        const env: Record<string, string> = { ...(process.env as Record<string, string>) };
        delete env.UW3_BINDER_REGISTRY_USERNAME;
        delete env.UW3_BINDER_REGISTRY_PASSWORD;
        if (inputs.username !== undefined && inputs.password !== undefined) {
            env.UW3_BINDER_REGISTRY_USERNAME = inputs.username;
            env.UW3_BINDER_REGISTRY_PASSWORD = inputs.password;
        }
        const argv = [cli, "check", "--print-ref", ...inputs.args, inputs.reference];
        const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
            execFile(process.execPath, argv, { env, maxBuffer: 4 * 1024 * 1024, timeout: 60 * 60 * 1000 }, (err, stdout, stderr) => {
                const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1) : 0;
                resolve({ code, stdout: String(stdout), stderr: String(stderr) });
            });
        });
        // The check's table, bounded and without terminal control sequences, is the error a maintainer reads.
        const table = result.stderr
            .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "")
            .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "?")
            .slice(-8000);
        if (inputs.password) {
            if (table.includes(inputs.password) || result.stdout.includes(inputs.password)) {
                throw new Error(
                    `the gate for ${inputs.reference} failed (exit ${result.code}); its output is withheld because it contained the registry password`,
                );
            }
        }
        if (result.code !== 0) {
            throw new Error(`the gate for ${inputs.reference} failed (uw3-binder check exit ${result.code}):\n${table}`);
        }
        const printed = result.stdout.trim().split("\n").pop() ?? "";
        if (printed !== inputs.reference) {
            throw new Error(
                `the gate for ${inputs.reference} printed "${printed.slice(0, 300)}" instead of the reference it verified; not pinning anything to it`,
            );
        }
        // No undefined values: the engine's wire format (a protobuf Struct) has no such thing.
        const outs: GateOutputs = { reference: inputs.reference, args: inputs.args, verifiedReference: printed, ...gateFigures(result.stderr) };
        if (inputs.username !== undefined) outs.username = inputs.username;
        return { id: printed, outs };
    },
};
