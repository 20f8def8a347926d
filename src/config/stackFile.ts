/**
 * The one home of stack files: the stack-name rules, a stack's file name and path (`Pulumi.<stack>.yaml`),
 * which file a command reads or writes, and reading one without the Pulumi CLI: its plain values, and
 * which secrets it holds (`secure:` values stay encrypted; nothing here decrypts).
 */
import * as fs from "fs";
import * as path from "path";
import { Document, isMap, isScalar, Pair, parseDocument, YAMLMap } from "yaml";
import { BinderConfig, ConfigError, KEYS, parseBinderConfig, PROJECT, SecretPresence } from "./schema";
import { registryPasswordServers as registryPasswordServersOf } from "./secrets";
import { latestReleaseStack, releaseStacksOfFiles } from "../names/release";
import { capped, shown } from "../text/quotedValue";
import { InputFileError, readInputFile, STACK_FILE_MAX_BYTES } from "./inputFile";

export interface StackFile {
    /** Plain config values by full key; secure values are replaced by the placeholder. */
    values: Record<string, unknown>;
    /** Keys whose value (or some value inside) is `secure:`. */
    secretKeys: string[];
    /** Map keys of `uw3-binder:registryPasswords`, when the stack file holds it. */
    registryPasswordServers: string[];
}

/**
 * How a stack file's YAML is read: as Pulumi reads it (Go's yaml.v3), which merges `<<: *anchor` keys.
 * Every parse of a stack file's text uses it, so the CLI sees the values `pulumi up` sees.
 */
const STACK_YAML_OPTIONS = { merge: true } as const;

/** The most YAML aliases (`*name`) a stack file may use: each costs the parser a search, a million cost minutes. */
const MAX_YAML_ALIASES = 100;

/** A token that reads as an alias: `*` and a name, after a space, a line start or a flow indicator. */
const ALIAS_TOKEN = /(?:^|[\s[{,])\*[^\s,[\]{}]+/g;

/**
 * `text` parsed as a stack file's YAML document, as Pulumi reads it; a text with more alias-like tokens than
 * MAX_YAML_ALIASES (comments and quoted strings counted too: the bound is far above any real stack file) is
 * refused before the parser runs, by `fail`.
 */
function parseStackYaml(text: string, fail: (message: string) => Error, options: { keepSourceTokens?: boolean } = {}): Document.Parsed {
    let aliases = 0;
    for (ALIAS_TOKEN.lastIndex = 0; ALIAS_TOKEN.exec(text) !== null;) {
        if (++aliases > MAX_YAML_ALIASES) throw fail(`more than ${MAX_YAML_ALIASES} YAML aliases (*name), expected at most ${MAX_YAML_ALIASES}`);
    }
    return parseDocument(text, { ...STACK_YAML_OPTIONS, ...options });
}

/** A stack file's text parsed to its values, as Pulumi reads them. */
export function stackYamlValues(text: string): unknown {
    return parseStackYaml(text, (message) => new Error(message)).toJS();
}

/** What a secret shows as wherever uw3-binder prints config or plans. */
export const SECRET_PLACEHOLDER = "[secret]";

/** A `{ secure: <ciphertext> }` value, as Pulumi writes a secret into a stack file. */
export function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

function replaceSecure(value: unknown): { value: unknown; secret: boolean } {
    if (isSecure(value)) return { value: SECRET_PLACEHOLDER, secret: true };
    if (Array.isArray(value)) {
        let secret = false;
        const out = value.map((v) => {
            const r = replaceSecure(v);
            secret ||= r.secret;
            return r.value;
        });
        return { value: out, secret };
    }
    if (typeof value === "object" && value !== null) {
        let secret = false;
        // Null-prototype: a key such as `__proto__` stays an own key (and is refused by name), never a prototype.
        const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
        for (const [k, v] of Object.entries(value)) {
            const r = replaceSecure(v);
            secret ||= r.secret;
            out[k] = r.value;
        }
        return { value: out, secret };
    }
    return { value, secret: false };
}

/** The key Pulumi reads a config key as: the project's own keys may be written without the namespace. */
export function fullConfigKey(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/**
 * A key written twice, bare and namespaced (`release` and `uw3-binder:release`): Pulumi reads only one of
 * them, so editing the other (or `new-release` bumping it) would silently change nothing.
 */
function doubledKeyProblems(keys: string[], fileName: string): string[] {
    const seen = new Map<string, string>();
    const problems: string[] = [];
    for (const key of keys) {
        const full = fullConfigKey(key);
        const first = seen.get(full);
        if (first === undefined) seen.set(full, key);
        else
            problems.push(
                `${fileName}: \`${capped(full)}\` is set twice, as \`${capped(first)}\` and as \`${capped(key)}\`; Pulumi reads only one, so keep \`${capped(full)}\``,
            );
    }
    return problems;
}

/** A stack file opened for an edit in place: its document (source tokens kept), its `config:` map, a key's pair. */
export interface StackDocument {
    doc: Document.Parsed;
    config: YAMLMap;
    /** The `config:` entry of a full key, written with or without the project's namespace. */
    pairOf: (fullKey: string) => Pair | undefined;
}

/**
 * Opens a stack file for `new-release`, `rollback` and `withdraw`, which rewrite only the bytes they
 * change: YAML, a top-level `config:` map (with `block`, a non-empty block map, for an edit that adds block
 * lines after its last key), no key set twice. Otherwise throws `fail(message)`, each command's own error
 * naming the file.
 */
export function openStackDocument(text: string, fileName: string, fail: (message: string) => Error, options: { block?: boolean } = {}): StackDocument {
    const doc = parseStackYaml(text, (message) => fail(`${fileName}: ${message}`), { keepSourceTokens: true });
    if (doc.errors.length > 0) throw fail(`${fileName}: not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
    const config = doc.get("config", true);
    if (options.block && (!isMap(config) || config.flow || config.items.length === 0)) throw fail(`${fileName}: expected a top-level block \`config:\` map`);
    if (!isMap(config)) throw fail(`${fileName}: expected a top-level \`config:\` map`);
    const doubled = doubledKeyProblems(
        config.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key)),
        fileName,
    );
    if (doubled.length > 0) throw fail(doubled[0]);
    return { doc, config, pairOf: (fullKey) => config.items.find((p) => isScalar(p.key) && fullConfigKey(String(p.key.value)) === fullKey) };
}

/** Parses a stack file's text; a file that is not a `config:` map is a ConfigError naming the file. */
export function parseStackFileText(text: string, fileName: string): StackFile {
    let doc: unknown;
    try {
        const parsed = parseStackYaml(text, (message) => new Error(message));
        const problem = parsed.errors[0] ?? parsed.warnings[0];
        // A warning (an unknown tag, say) means a value read otherwise than Pulumi reads it: refused, never printed raw.
        if (problem) throw problem;
        doc = parsed.toJS();
    } catch (err) {
        throw new ConfigError([`${fileName}: not valid YAML: ${(err as Error).message.split("\n")[0]}`]);
    }
    const config = (doc as { config?: unknown } | null)?.config;
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new ConfigError([`${fileName}: expected a top-level \`config:\` map, found ${doc === null ? "an empty file" : "none"}`]);
    }
    const doubled = doubledKeyProblems(Object.keys(config), fileName);
    if (doubled.length > 0) throw new ConfigError(doubled);
    const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        const fullKey = fullConfigKey(key);
        const r = replaceSecure(value);
        values[fullKey] = r.value;
        if (r.secret) secretKeys.push(fullKey);
    }
    const passwords = values[KEYS.registryPasswords];
    // A map encrypted whole (`{ secure: ... }`) names no servers; a map set with --path names its keys.
    const registryPasswordServers = typeof passwords === "object" && !isSecure(passwords) ? (registryPasswordServersOf(passwords) ?? []) : [];
    return { values, secretKeys, registryPasswordServers };
}

/**
 * Why a stack name cannot name a stack file, or undefined. Pulumi's stack name characters; a name with a
 * path separator or `..` would read or write a file outside the program directory.
 */
export function stackNameProblem(stack: string): string | undefined {
    if (/^[A-Za-z0-9_.-]{1,100}$/.test(stack) && !stack.includes("..")) return undefined;
    return `expects a stack name such as 2025-01 or v3.0.2, found ${shown(stack)}`;
}

/** The file a stack's config lives in. */
export function stackFileName(stack: string): string {
    return `Pulumi.${stack}.yaml`;
}

/** The stack a file is the config of: `Pulumi.<stack>.yaml`, or the file's name without `.yaml`. */
export function stackNameOfFile(file: string): string {
    const base = path.basename(file);
    const m = /^Pulumi\.(.+)\.ya?ml$/.exec(base);
    return m ? m[1] : base.replace(/\.ya?ml$/, "");
}

/** `Pulumi.<stack>.yaml` in `dir`; a stack name that is not one (see stackNameProblem) is a ConfigError. */
export function stackFilePath(stack: string, dir: string): string {
    const problem = stackNameProblem(stack);
    if (problem) throw new ConfigError([`--stack ${problem}`]);
    return path.join(dir, stackFileName(stack));
}

interface StackFileChoice {
    stack: string;
    fileName: string;
    /** Its path in the directory. */
    file: string;
}

/**
 * The stack file a command writes into: `--stack`'s, or else the current release's in `dir` (the latest
 * version's, else the latest month's: see latestReleaseStack). A bad `--stack` or no release's stack file is a
 * `problem`; `purpose` completes "no release's stack file ... in <dir> ...".
 */
export function stackFileToWrite(dir: string, stack: string | undefined, purpose: string): StackFileChoice | { problem: string } {
    if (stack !== undefined) {
        const problem = stackNameProblem(stack);
        if (problem) return { problem: `--stack ${problem}` };
    } else {
        let names: string[];
        try {
            names = fs.readdirSync(dir);
        } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            if (code === "ENOTDIR") return { problem: `--dir ${dir}: not a directory` };
            if (code !== "ENOENT") return { problem: `--dir ${dir}: cannot read it (${code ?? "unknown error"})` };
            names = [];
        }
        stack = latestReleaseStack(releaseStacksOfFiles(names));
        if (stack === undefined)
            return { problem: `no release's stack file (Pulumi.YYYY-MM.yaml or Pulumi.v3.0.2.yaml) in ${dir} ${purpose}; pass --stack <stack>` };
    }
    return { stack, fileName: stackFileName(stack), file: path.join(dir, stackFileName(stack)) };
}

/**
 * `--stack <name>` (or another `flag`) of a command that reads the stack: `Pulumi.<name>.yaml` in `dir` and
 * its text. A bad name, a missing or an unreadable file is a ConfigError naming the flag.
 */
export function readStackOfFlag(stack: string, dir: string, flag = "--stack"): { fileName: string; file: string; text: string } {
    const problem = stackNameProblem(stack);
    if (problem) throw new ConfigError([`${flag} ${problem}`]);
    const file = path.join(dir, stackFileName(stack));
    const fileName = stackFileName(stack);
    if (!fs.existsSync(file)) throw new ConfigError([`${flag} ${stack}: no ${fileName} in ${dir}`]);
    try {
        return { fileName, file, text: readStackFileText(file) };
    } catch (err) {
        if (err instanceof ConfigError) throw new ConfigError([`${flag} ${stack}: ${err.problems.join("; ")}`]);
        throw err;
    }
}

/**
 * A stack file's text (read by the one reader of given files: a regular file, at most STACK_FILE_MAX_BYTES,
 * UTF-8); a missing file, a directory, a FIFO, a file too large or not UTF-8 is a ConfigError naming it.
 */
export function readStackFileText(file: string): string {
    if (!fs.existsSync(file)) throw new ConfigError([`${file}: no such stack file`]);
    try {
        return readInputFile(file, file, "a stack file (Pulumi.<stack>.yaml)", STACK_FILE_MAX_BYTES).text;
    } catch (err) {
        if (err instanceof InputFileError) throw new ConfigError([err.message]);
        throw err;
    }
}

/**
 * The secrets a plan assumes: every secret the file holds, and every one it does not hold yet
 * (a committed stack file cannot hold secrets made on another machine), stand as placeholders.
 */
export function planSecretPresence(stack: StackFile, config: Record<string, unknown>): SecretPresence {
    type Registry = { username?: unknown; server?: unknown } | undefined;
    const servers = new Set(stack.registryPasswordServers);
    const images = (config[KEYS.images] ?? {}) as Record<string, { registry?: Registry } | undefined>;
    const registries = [config[KEYS.registry] as Registry, ...Object.values(images).map((i) => i?.registry)];
    for (const reg of registries) if (reg && typeof reg === "object" && reg.username && typeof reg.server === "string") servers.add(reg.server);
    const defaultServer = (config[KEYS.registry] as Registry)?.server;
    if (typeof defaultServer === "string" && !stack.registryPasswordServers.includes(defaultServer)) servers.delete(defaultServer);
    return {
        keys: [KEYS.token, KEYS.registryPassword, KEYS.launcherPat, ...(servers.size > 0 ? [KEYS.registryPasswords] : [])],
        registryPasswordServers: [...servers],
        githubTokenFromEnv: false,
    };
}

/** Validates a stack file as the plan would run it; returns the problems (empty when valid). */
export function validateStackFileText(text: string, fileName: string): string[] {
    try {
        parseValidStackFileText(text, fileName);
        return [];
    } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
    }
}

/** A stack file's text and its config validated as the plan would run it; a ConfigError names every problem. */
export function parseValidStackFileText(text: string, fileName: string): { stack: StackFile; config: BinderConfig } {
    const stack = parseStackFileText(text, fileName);
    return { stack, config: parseBinderConfig(stack.values, planSecretPresence(stack, stack.values)) };
}

export function loadPlanConfig(file: string): { stack: StackFile; config: BinderConfig } {
    return parseValidStackFileText(readStackFileText(file), file);
}
