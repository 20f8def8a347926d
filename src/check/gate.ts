/**
 * What a Pulumi gate does, in plain code: which input changes make it run again, and the run itself:
 * `uw3-binder check --result-file` on one pinned reference (no shell: an argument list), the registry
 * login in the child's environment only, the versioned result (result.ts) read back and turned into the
 * gate's outputs. components/gateProvider.ts is the engine's thin adapter around these; Pulumi serializes
 * that adapter, and these functions with it, into the stack's state and runs them in the `pulumi-nodejs`
 * provider process, started in the program's directory. No Pulumi import.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CheckResultV1, parseCheckResult } from "./result";
import { CREDENTIAL_ENV } from "./types";
import { redactSecrets } from "../text/redaction";

/** What the engine stores for a gate. The password is a secret input: encrypted in state, never an output. */
export interface GateInputs {
    /** The pinned reference to check (`<repo>:<tag>@sha256:<hex>`). */
    reference: string;
    /** The check's options as `uw3-binder check` arguments (gateArgs.ts). */
    args: string[];
    username?: string;
    password?: string;
}

/** What the passing `layers` check measured of the image a mybinder.org node pulls. */
export interface GateFigures {
    /** Compressed bytes of the image (its linux/amd64 manifest, or its only one). */
    imageBytes?: number;
    /** Compressed bytes of its layers the baseline lacks; only when a baseline was read and compared. */
    newBytes?: number;
    /** The baseline reference `newBytes` was measured against. */
    baseline?: string;
}

/** A passed gate: its inputs (but the password) and what the check verified and measured. */
export interface GateOutputs extends GateFigures {
    reference: string;
    args: string[];
    username?: string;
    /** The digest-pinned reference every check ran on and passed. */
    verifiedReference: string;
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

/**
 * The figures of a passing `layers` check, for the platform a mybinder.org node pulls: linux/amd64, or
 * the image's first platform when it has no linux/amd64. None when `layers` did not run or did not pass:
 * the figures describe an image, they never decide whether it passes.
 */
export function gateFigures(result: CheckResultV1): GateFigures {
    const figures = result.checks.find((c) => c.name === "layers" && c.ok)?.figures;
    const platform = figures?.platforms.find((p) => p.platform === "linux/amd64") ?? figures?.platforms[0];
    if (!figures || !platform) return {};
    // No undefined values: the engine's wire format (a protobuf Struct) has no such thing.
    return platform.newBytes !== undefined && figures.baseline !== undefined
        ? { imageBytes: platform.imageBytes, newBytes: platform.newBytes, baseline: figures.baseline }
        : { imageBytes: platform.imageBytes };
}

/** How much of the check's output a failed gate's error quotes (its end, where the verdict is). */
const TABLE_MAX_CHARS = 8000;
/** The check's output a gate keeps in memory, and the longest a gate waits for it. */
const OUTPUT_MAX_BYTES = 4 * 1024 * 1024;
const CHECK_TIMEOUT_MS = 60 * 60 * 1000;
/** The largest result file a gate reads. */
const RESULT_MAX_BYTES = 1024 * 1024;

/** The check's output as a gate's error shows it: without terminal control sequences, its end only. */
function printableTable(text: string): string {
    return text
        .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "")
        .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "?")
        .slice(-TABLE_MAX_CHARS);
}

/** Runs `node <argv>` without a shell; resolves with its exit code (-1 when it could not run) and output. */
function runNode(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(process.execPath, argv, { env, maxBuffer: OUTPUT_MAX_BYTES, timeout: CHECK_TIMEOUT_MS }, (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
    });
}

/** The result file's text, or undefined when the check wrote none; a file over the bound is an error. */
function readResultFile(file: string, reference: string): string | undefined {
    let size: number;
    try {
        size = fs.statSync(file).size;
    } catch {
        return undefined;
    }
    if (size > RESULT_MAX_BYTES) throw new Error(`the gate for ${reference}: the check's result is ${size} bytes, over the ${RESULT_MAX_BYTES} a gate reads`);
    return fs.readFileSync(file, "utf8");
}

/**
 * Runs the gate: `uw3-binder check` (the program's `bin/uw3-binder.js` unless `cli` says otherwise) on
 * `inputs.reference` with `inputs.args`, the login in its environment only. Resolves to the gate's outputs
 * when every check passed on exactly that reference; otherwise rejects with what a maintainer reads in
 * `pulumi up`: the check's table, or one line naming what was wrong with its result. Nothing the check
 * printed is quoted when it holds the password.
 */
export async function runGate(inputs: GateInputs, cli = path.resolve("bin", "uw3-binder.js")): Promise<GateOutputs> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env[CREDENTIAL_ENV.username];
    delete env[CREDENTIAL_ENV.password];
    if (inputs.username !== undefined && inputs.password !== undefined) {
        env[CREDENTIAL_ENV.username] = inputs.username;
        env[CREDENTIAL_ENV.password] = inputs.password;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-binder-gate-"));
    try {
        const resultFile = path.join(dir, "result.json");
        const run = await runNode([cli, "check", "--result-file", resultFile, ...inputs.args, inputs.reference], env);
        const text = readResultFile(resultFile, inputs.reference);
        // The password, or the Basic header a registry may echo (src/text/redaction.ts says what counts).
        const password = inputs.password;
        const login = password ? { username: inputs.username ?? "", password } : undefined;
        if (login && [run.stdout, run.stderr, text ?? ""].some((out) => out.includes(login.password) || redactSecrets(out, login) !== out)) {
            throw new Error(`the gate for ${inputs.reference} failed (exit ${run.code}); its output is withheld because it contained the registry password`);
        }
        const failed = () =>
            new Error(`the gate for ${inputs.reference} failed (uw3-binder check exit ${run.code}):\n${printableTable(run.stdout + run.stderr)}`);
        if (text === undefined) throw failed();
        let result: CheckResultV1;
        try {
            result = parseCheckResult(text);
        } catch (err) {
            throw new Error(`the gate for ${inputs.reference}: ${(err as Error).message}`, { cause: err });
        }
        if (run.code !== 0 || !result.ok) throw failed();
        if (result.reference !== inputs.reference) {
            throw new Error(
                `the gate for ${inputs.reference} verified ${JSON.stringify((result.reference ?? "").slice(0, 300))} instead of the reference it was given; not pinning anything to it`,
            );
        }
        const outs: GateOutputs = { reference: inputs.reference, args: inputs.args, verifiedReference: result.reference, ...gateFigures(result) };
        if (inputs.username !== undefined) outs.username = inputs.username;
        return outs;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
