/**
 * The check's machine-readable result, version 1: what `uw3-binder check --json` prints and
 * `--result-file <path>` writes, and what the Pulumi gate (components/gateProvider.ts) reads back. One
 * declaration, a zod schema, for the writer's type and the reader's parser; the human table
 * (renderCheckTable) is for people only and nobody parses it. No Pulumi import.
 *
 * A reader meets a result of another version (an older or newer uw3-binder in the provider's directory)
 * or of another shape with one line naming what was wrong, never with a guess.
 */
import { z } from "zod";
import { CHECK_NAMES, CheckName } from "./options";

export const CHECK_RESULT_VERSION = 1;

/** What the `layers` check measured of one platform's image (compressed bytes, as a node pulls them). */
export interface PlatformFigures {
    platform: string;
    /** Bytes of its distinct layers: what a pull transfers. */
    imageBytes: number;
    /** Layers in its manifest (a digest listed twice counts twice, as the table counts them). */
    layerCount: number;
    largestLayerBytes: number;
    /** Bytes of its layers the baseline's image for the same platform lacks; only when that was read. */
    newBytes?: number;
    /** How many distinct layers those are. */
    newLayerCount?: number;
    /** The baseline's image for the same platform, in bytes. */
    baselineImageBytes?: number;
}

/** A check's measurements; only `layers` measures today. */
export interface CheckFigures {
    platforms: PlatformFigures[];
    /** The baseline reference the platforms' `newBytes` were measured against; absent when none was read. */
    baseline?: string;
}

export interface CheckOutcome {
    name: CheckName;
    ok: boolean;
    /** As the table shows it: escaped, capped, credentials blanked. */
    detail: string;
    seconds: number;
    figures?: CheckFigures;
}

/** Version 1 of the result. */
export interface CheckResultV1 {
    version: typeof CHECK_RESULT_VERSION;
    /** The reference as given. */
    image: string;
    /** Every check that ran passed (and at least one ran). */
    ok: boolean;
    /**
     * The digest-pinned reference the checks ran on (`host/repo[:tag]@sha256:<hex>`): the reference itself
     * when it has a digest, else the local image's repo digest; absent when neither is known.
     */
    reference?: string;
    /** The digest reference `check` pulled because the image was not in the local engine. */
    pulled?: string;
    checks: CheckOutcome[];
}

/**
 * The schema of version 1; `z.ZodType<CheckResultV1>` holds it to the interfaces above. Built when a
 * result is read, not when the module loads: the gate's provider is serialized with this function, and
 * a schema object cannot be (zod itself is then loaded by name in the provider's process).
 */
function resultSchema(): z.ZodType<CheckResultV1> {
    const count = z.number().int().nonnegative();
    const platform = z.strictObject({
        platform: z.string(),
        imageBytes: count,
        layerCount: count,
        largestLayerBytes: count,
        newBytes: count.optional(),
        newLayerCount: count.optional(),
        baselineImageBytes: count.optional(),
    });
    const check = z.strictObject({
        name: z.enum(CHECK_NAMES),
        ok: z.boolean(),
        detail: z.string(),
        seconds: z.number().nonnegative(),
        figures: z.strictObject({ platforms: z.array(platform), baseline: z.string().optional() }).optional(),
    });
    return z.strictObject({
        version: z.literal(CHECK_RESULT_VERSION),
        image: z.string(),
        ok: z.boolean(),
        reference: z.string().optional(),
        pulled: z.string().optional(),
        checks: z.array(check),
    });
}

/** The longest result a reader accepts: ten checks of at most 40 lines of 2000 characters, and room. */
const RESULT_MAX_CHARS = 1024 * 1024;

/** A result that cannot be read: its message is one line naming what was wrong. */
class CheckResultError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CheckResultError";
    }
}

/** Where in the result an issue is, as a reader finds it: `checks[1].figures.platforms[0].imageBytes`. */
function issuePath(path: readonly PropertyKey[]): string {
    return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("") || "the result";
}

/** Parses the text a check wrote; throws a CheckResultError naming the first thing wrong. */
export function parseCheckResult(text: string): CheckResultV1 {
    if (text.length > RESULT_MAX_CHARS)
        throw new CheckResultError(`the check's result is ${text.length} characters, over the ${RESULT_MAX_CHARS} a result may have`);
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        throw new CheckResultError(`the check's result is not JSON (${(err as Error).message.split("\n")[0]})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new CheckResultError("the check's result is not a JSON object");
    const version = (value as { version?: unknown }).version;
    if (version !== CHECK_RESULT_VERSION) {
        throw new CheckResultError(
            `the check's result has version ${JSON.stringify(version) ?? "(none)"}; this uw3-binder reads version ${CHECK_RESULT_VERSION} (is the gate's uw3-binder another release?)`,
        );
    }
    const parsed = resultSchema().safeParse(value);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new CheckResultError(
            `the check's result (version ${CHECK_RESULT_VERSION}) is not as expected: ${issuePath(issue.path)}: ${issue.message.split("\n")[0]}`,
        );
    }
    return parsed.data;
}

/** The result as `--json` prints it and `--result-file` writes it. */
export function renderCheckResult(result: CheckResultV1): string {
    return JSON.stringify(result, null, 2) + "\n";
}
