/**
 * The one declaration of every check option: which check it belongs to, its key under the stack config's
 * `checks.<check>`, its `check` CLI flag, its rule, its default and how it is written on a command line.
 * The config schema (src/config/schema.ts), the CLI's flags and their help (src/cli/check.ts) and the
 * gate's arguments (gateArgs.ts) are all derived from OPTIONS, so whatever the config accepts, a gate's `check` accepts
 * unchanged (test/check/options.test.ts round-trips random valid option sets).
 */
import { z } from "zod";
import { BINDER_PLATFORM, BINDER_PORT, BINDER_START_TIMEOUT_S, BINDER_UID, MAX_START_TIMEOUT_S } from "../mybinder/facts";
import { DIGEST_PATTERN, parseImageReference } from "../names/oci";
import { shown } from "../text/quotedValue";

/** The checks, in the order they run and are reported. */
export const CHECK_NAMES = ["withdrawn", "layers", "visibility", "platform", "env", "user", "jupyter", "kernel", "jit", "import"] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** The checks answered from the registry alone (manifests and the image config blob, never a layer). */
export const REGISTRY_CHECKS: readonly CheckName[] = ["withdrawn", "layers", "visibility", "platform", "env"];

/**
 * Checks whose options come from the stack as a whole, not from an image's `checks`: a withdrawn release
 * (`uw3-binder:withdrawn`) must be refused by every gate, so no image can switch the check off or edit
 * its list. The program fills their options (withdrawnCheckOptions in src/config/withdrawn.ts).
 */
export const STACK_CHECKS: readonly CheckName[] = ["withdrawn"];

/** A withdrawn digest and why, as a gate receives it (`uw3-binder:withdrawn` without the date). */
export interface Withdrawal {
    digest: string;
    reason: string;
}

/**
 * Every gate receives the whole `uw3-binder:withdrawn` list (the check cannot be switched off) in one
 * argv word, `--withdrawn=<digest>=<URI-encoded reason>,...`, and Linux refuses to start a program with
 * a word over 128 KiB (MAX_ARG_STRLEN): an unbounded list would fail every gate of every `pulumi up`.
 * URI-encoding writes a character as at most 12 bytes (a 4-byte UTF-8 character as %XX%XX%XX%XX), so
 * 20 entries of 500 characters stay under 122 KB.
 */
const MAX_WITHDRAWAL_REASON_CHARS = 500;
const MAX_WITHDRAWALS = 20;

/** Why a withdrawal reason cannot travel to a gate (empty, too long, not valid Unicode), or undefined. */
export function withdrawalReasonProblem(reason: string): string | undefined {
    if (reason.trim() === "") return "expected a non-empty reason";
    const chars = [...reason].length;
    if (chars > MAX_WITHDRAWAL_REASON_CHARS)
        return `expected a reason of at most ${MAX_WITHDRAWAL_REASON_CHARS} characters (every gate receives it), found ${chars}`;
    // encodeURIComponent throws on half a surrogate pair, which a YAML "\ud800" escape can produce.
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(reason)) return "expected valid Unicode, found half a surrogate pair";
    return undefined;
}

/** Why a list of withdrawals cannot travel to a gate (too many), or undefined. */
export function withdrawalCountProblem(count: number): string | undefined {
    return count > MAX_WITHDRAWALS
        ? `expected at most ${MAX_WITHDRAWALS} withdrawals (every gate receives them all in one argument), found ${count}`
        : undefined;
}

/** A dotted Python module name: the only thing interpolated into `python -c "import ..."`. */
export const MODULE_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** The Linux platforms an image may be built for (BuildKit's names). */
export const PLATFORM_PATTERN = /^linux\/(amd64|arm64|arm\/v6|arm\/v7|386|ppc64le|s390x|riscv64)$/;
/** `NAME` (must be set) or `NAME=value` (must be set to exactly value); no comma, which separates entries. */
const ENV_REQUIREMENT = /^[A-Za-z_][A-Za-z0-9_]*(=[^,\n\r]*)?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** One argv word: a command on the image's PATH or an absolute path. Never starts a flag. */
const COMMAND_WORD = /^[^\s-][^\s]*$/;

/** A jupyter command word that sets the port itself, which the check appends (`--port=<jupyter.port>`). */
function setsPort(word: string): boolean {
    return word === "--port" || word.startsWith("--port=") || word.endsWith(".port") || word.includes(".port=");
}

/** Every knob of every check. Defaults follow the Binder setup document. */
export interface CheckOptions {
    /** Checks that run; the others are simply absent from the report. */
    enabled: CheckName[];
    withdrawn: Withdrawal[];
    parents: string[];
    maxLayerMb: number;
    maxImageMb: number;
    /** The image a mybinder.org node already has (the previous release), or "" for none. */
    baseline: string;
    maxNewMb: number;
    maxGrowthPercent: number;
    platforms: string[];
    envRequire: string[];
    envForbid: string[];
    uid: number;
    startTimeoutS: number;
    jupyterPort: number;
    jupyterCommand: string[];
    kernel: string;
    compiler: string;
    python: string;
    modules: string[];
}
export type OptionKey = Exclude<keyof CheckOptions, "enabled">;

/** How a value is written as one command-line argument. */
type Kind = "number" | "integer" | "word" | "list" | "words" | "withdrawals";

export interface OptionDeclaration<K extends OptionKey = OptionKey> {
    key: K;
    check: CheckName;
    /** The key under `checks.<check>` in the stack config. */
    configKey: string;
    /** The `check` flag, without `--`. */
    flag: string;
    kind: Kind;
    /** Completes "must be ..." (CLI) and "expected ..." (config). */
    expected: string;
    /** The rule; `expected` is its only message. */
    valid: (value: unknown) => boolean;
    default: CheckOptions[K];
    /** The usage line's description. */
    help: string;
}

const isNumberIn = (min: number, max: number, integer: boolean) => (v: unknown) =>
    typeof v === "number" && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v));
const positive = (max: number) => (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0 && v <= max;
/** "" (no baseline) or an image reference `check` can resolve. */
const imageReferenceOrNone = (v: unknown) => {
    if (v === "") return true;
    if (typeof v !== "string") return false;
    try {
        parseImageReference(v);
        return v.trim() === v;
    } catch {
        return false;
    }
};
const matches = (re: RegExp) => (v: unknown) => typeof v === "string" && re.test(v);
const listOf = (item: (v: unknown) => boolean, min: number) => (v: unknown) => Array.isArray(v) && v.length >= min && v.every(item);

function declare<K extends OptionKey>(d: OptionDeclaration<K>): OptionDeclaration<K> {
    return d;
}

/** Every option, grouped by check in CHECK_NAMES order. */
export const OPTIONS = [
    declare({
        key: "withdrawn",
        check: "withdrawn",
        configKey: "withdrawn",
        flag: "withdrawn",
        kind: "withdrawals",
        expected: `a list of at most ${MAX_WITHDRAWALS} sha256:<64 hex>=<reason> entries (the reason URI-encoded, non-empty, at most ${MAX_WITHDRAWAL_REASON_CHARS} characters)`,
        valid: (v) =>
            Array.isArray(v) &&
            withdrawalCountProblem(v.length) === undefined &&
            (v as unknown[]).every(
                (w) =>
                    typeof w === "object" &&
                    w !== null &&
                    DIGEST_PATTERN.test((w as Withdrawal).digest) &&
                    typeof (w as Withdrawal).reason === "string" &&
                    withdrawalReasonProblem((w as Withdrawal).reason) === undefined &&
                    Object.keys(w).length === 2,
            ),
        default: [],
        help: "withdrawn releases: the image, any platform manifest of it or a parent with one of these digests fails",
    }),
    declare({
        key: "parents",
        check: "withdrawn",
        configKey: "parents",
        flag: "parents",
        kind: "list",
        expected: "a list of sha256:<64 hex> digests",
        valid: listOf(matches(DIGEST_PATTERN), 0),
        default: [],
        help: "digests of the images this one was built FROM",
    }),
    declare({
        key: "maxLayerMb",
        check: "layers",
        configKey: "maxLayerMb",
        flag: "max-layer-mb",
        kind: "number",
        expected: "a positive number of MB up to 1000000",
        valid: positive(1e6),
        default: 800,
        help: "largest compressed layer, MB (mybinder fails near 1 GB)",
    }),
    declare({
        key: "maxImageMb",
        check: "layers",
        configKey: "maxImageMb",
        flag: "max-image-mb",
        kind: "number",
        expected: "a positive number of MB up to 1000000",
        valid: positive(1e6),
        default: 4096,
        help: "largest compressed image, MB",
    }),
    declare({
        key: "baseline",
        check: "layers",
        configKey: "baseline",
        flag: "baseline",
        kind: "word",
        expected: 'an image reference such as "ghcr.io/underworldcode/uw3-base:2025.01-slim" (or "" for none)',
        valid: imageReferenceOrNone,
        default: "",
        help: "the image mybinder.org nodes already have (last release); layers it lacks are new",
    }),
    declare({
        key: "maxNewMb",
        check: "layers",
        configKey: "maxNewMb",
        flag: "max-new-mb",
        kind: "number",
        // A monthly rebuild of the top layers is expected; a re-pull of the whole 3.4 GB deps image is not.
        expected: "a number of MB from 0 to 1000000",
        valid: isNumberIn(0, 1e6, false),
        default: 1024,
        help: "compressed bytes of layers the baseline lacks (what every node must pull again), MB",
    }),
    declare({
        key: "maxGrowthPercent",
        check: "layers",
        configKey: "maxGrowthPercent",
        flag: "max-growth-percent",
        kind: "number",
        expected: "a number of percent from 0 to 1000000",
        valid: isNumberIn(0, 1e6, false),
        default: 25,
        help: "growth of the compressed image over the baseline, percent",
    }),
    declare({
        key: "platforms",
        check: "platform",
        configKey: "require",
        flag: "platforms",
        kind: "list",
        expected: 'a list of Linux platforms such as "linux/amd64"',
        valid: listOf(matches(PLATFORM_PATTERN), 1),
        default: [BINDER_PLATFORM],
        help: "platforms the image must provide (mybinder.org's nodes are linux/amd64)",
    }),
    declare({
        key: "envRequire",
        check: "env",
        configKey: "require",
        flag: "env-require",
        kind: "list",
        expected: "a list of NAME or NAME=value entries (no commas)",
        valid: listOf(matches(ENV_REQUIREMENT), 0),
        default: [],
        help: "variables the image config must set (NAME) or set to a value (NAME=value)",
    }),
    declare({
        key: "envForbid",
        check: "env",
        configKey: "forbid",
        flag: "env-forbid",
        kind: "list",
        expected: "a list of variable names",
        valid: listOf(matches(ENV_NAME), 0),
        default: [],
        help: "variables the image config must not set",
    }),
    declare({
        key: "uid",
        check: "user",
        configKey: "uid",
        flag: "uid",
        kind: "integer",
        expected: "a whole number from 0 to 2147483647",
        valid: isNumberIn(0, 2 ** 31 - 1, true),
        default: BINDER_UID,
        help: "the UID the image must run as (jovyan)",
    }),
    declare({
        key: "startTimeoutS",
        check: "jupyter",
        configKey: "startTimeoutS",
        flag: "start-timeout-s",
        kind: "number",
        // A bound well inside setTimeout's 2^31 ms.
        expected: `a positive number of seconds up to ${MAX_START_TIMEOUT_S}`,
        valid: positive(MAX_START_TIMEOUT_S),
        default: BINDER_START_TIMEOUT_S,
        help: "seconds the server has to answer HTTP 200 (mybinder's limit)",
    }),
    declare({
        key: "jupyterPort",
        check: "jupyter",
        configKey: "port",
        flag: "jupyter-port",
        kind: "integer",
        // jovyan cannot bind a privileged port.
        expected: "a port number from 1024 to 65535",
        valid: isNumberIn(1024, 65535, true),
        default: BINDER_PORT,
        help: "port the server is told to use, inside the container's own network",
    }),
    declare({
        key: "jupyterCommand",
        check: "jupyter",
        configKey: "command",
        flag: "jupyter-command",
        kind: "words",
        expected: "a command of words without spaces that does not set the port (the check appends --port=<port>)",
        // The first word is the program, so it cannot look like a flag.
        valid: (v) => listOf(matches(/^\S+$/), 1)(v) && COMMAND_WORD.test((v as string[])[0]) && !(v as string[]).some(setsPort),
        default: ["jupyter", "lab", "--ip=127.0.0.1", "--no-browser"],
        help: "command handed to the entrypoint; --port is appended",
    }),
    declare({
        key: "kernel",
        check: "kernel",
        configKey: "name",
        flag: "kernel",
        kind: "word",
        expected: 'a kernelspec name (letters, digits, ".", "_", "-")',
        valid: matches(/^[A-Za-z0-9._-]+$/),
        default: "python3",
        help: "kernelspec that must exist",
    }),
    declare({
        key: "compiler",
        check: "jit",
        configKey: "compiler",
        flag: "compiler",
        kind: "word",
        expected: "one word (a command on the image's PATH or an absolute path)",
        valid: matches(COMMAND_WORD),
        default: "gcc",
        help: "compiler whose cc1 must resolve",
    }),
    declare({
        key: "python",
        check: "import",
        configKey: "python",
        flag: "python",
        kind: "word",
        expected: "one word (a command on the image's PATH or an absolute path)",
        valid: matches(COMMAND_WORD),
        default: "python",
        help: "interpreter",
    }),
    declare({
        key: "modules",
        check: "import",
        configKey: "modules",
        flag: "modules",
        kind: "list",
        expected: "a list of Python module names (dotted identifiers, e.g. underworld3.function)",
        valid: listOf(matches(MODULE_PATTERN), 1),
        default: ["underworld3", "nbgitpuller"],
        help: "modules that must import",
    }),
] as const satisfies readonly OptionDeclaration[];

export const DEFAULT_CHECK_OPTIONS: CheckOptions = {
    enabled: [...CHECK_NAMES],
    ...(Object.fromEntries(OPTIONS.map((o) => [o.key, o.default])) as Omit<CheckOptions, "enabled">),
};

/** The options of one check. */
export function optionsOf(check: CheckName): OptionDeclaration[] {
    return (OPTIONS as readonly OptionDeclaration[]).filter((o) => o.check === check);
}

/** A value as the one argument after its flag (the inverse of `decodeOption`). */
export function encodeOption(option: OptionDeclaration, value: unknown): string {
    if (option.kind === "list") return (value as string[]).join(",");
    if (option.kind === "words") return (value as string[]).join(" ");
    // The reason is free text: URI-encoding keeps its commas and spaces from splitting the list or the argv.
    if (option.kind === "withdrawals") return (value as Withdrawal[]).map((w) => `${w.digest}=${encodeURIComponent(w.reason)}`).join(",");
    return String(value);
}

/** The candidate value an argument stands for; `option.valid` then decides. */
function decodeOption(option: OptionDeclaration, text: string): unknown {
    switch (option.kind) {
        case "number":
            return /^\s*[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?\s*$/i.test(text) ? Number(text) : NaN;
        case "integer":
            return /^[0-9]+$/.test(text) ? Number(text) : NaN;
        case "list":
            return text.split(",").map((s) => (option.key === "envRequire" ? s : s.trim()));
        case "words":
            return text
                .trim()
                .split(/\s+/)
                .filter((w) => w !== "");
        case "withdrawals":
            return text.split(",").map((entry) => {
                const eq = entry.indexOf("=");
                if (eq < 0) return { digest: entry, reason: "" };
                try {
                    return { digest: entry.slice(0, eq), reason: decodeURIComponent(entry.slice(eq + 1)) };
                } catch {
                    return { digest: entry.slice(0, eq), reason: "" };
                }
            });
        default:
            return text;
    }
}

/** How the usage shows a value of each kind. */
const PLACEHOLDER: Record<Kind, string> = { number: "N", integer: "N", word: "NAME", list: "a,b", words: '"WORDS"', withdrawals: "d=why,.." };

/** The option's `check` flag as the usage shows it, e.g. `--max-layer-mb <N>`. */
export function optionFlags(option: OptionDeclaration): string {
    return `--${option.flag} <${PLACEHOLDER[option.kind]}>`;
}

/** The option's line in the `check` usage: its check, what it does and its default. */
export function optionHelp(option: OptionDeclaration): string {
    const text = encodeOption(option, option.default);
    return `${option.check}: ${option.help} (default ${text === "" ? "none" : option.kind === "words" ? `"${text}"` : text})`;
}

/** The value one command-line argument gives an option, or the one line saying what the flag expects. */
export function readOption(option: OptionDeclaration, text: string): { value: unknown } | { problem: string } {
    const value = decodeOption(option, text);
    return option.valid(value) ? { value } : { problem: `--${option.flag} must be ${option.expected}, found ${shown(text)}` };
}

/** The zod rule of one option for the config schema; its message is `expected ...`. */
export function optionSchema(option: OptionDeclaration): z.ZodType {
    return z.custom((value) => option.valid(value), { error: `expected ${option.expected}` });
}

/** Two option values are the same (lists element by element). */
export function sameValue(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}
