/**
 * Reads a `Pulumi.<stack>.yaml` without the Pulumi CLI: its plain values, and which secrets it holds
 * (`secure:` values stay encrypted; nothing here decrypts). No Pulumi import.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { BinderConfig, ConfigError, KEYS, parseBinderConfig, SecretPresence } from "./schema";

export interface StackFile {
    /** Plain config values by full key; secure values are replaced by the placeholder. */
    values: Record<string, unknown>;
    /** Keys whose value (or some value inside) is `secure:`. */
    secretKeys: string[];
    /** Map keys of `uw3-binder:registryPasswords`, when the stack file holds it. */
    registryPasswordServers: string[];
}

/** What a secret shows as wherever uw3-binder prints config or plans. */
export const SECRET_PLACEHOLDER = "[secret]";

function isSecure(value: unknown): boolean {
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
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            const r = replaceSecure(v);
            secret ||= r.secret;
            out[k] = r.value;
        }
        return { value: out, secret };
    }
    return { value, secret: false };
}

/** Parses a stack file's text; a file that is not a `config:` map is a ConfigError naming the file. */
export function parseStackFileText(text: string, fileName: string): StackFile {
    let doc: unknown;
    try {
        doc = parseYaml(text);
    } catch (err) {
        throw new ConfigError([`${fileName}: not valid YAML: ${(err as Error).message.split("\n")[0]}`]);
    }
    const config = (doc as { config?: unknown } | null)?.config;
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new ConfigError([`${fileName}: expected a top-level \`config:\` map, found ${doc === null ? "an empty file" : "none"}`]);
    }
    const values: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        // Pulumi accepts a bare key for the project's own namespace.
        const fullKey = key.includes(":") ? key : `uw3-binder:${key}`;
        const r = replaceSecure(value);
        values[fullKey] = r.value;
        if (r.secret) secretKeys.push(fullKey);
    }
    const passwords = values[KEYS.registryPasswords];
    const registryPasswordServers = typeof passwords === "object" && passwords !== null && !isSecure(passwords) ? Object.keys(passwords) : [];
    return { values, secretKeys, registryPasswordServers };
}

export function stackFilePath(stack: string, dir = process.cwd()): string {
    return path.join(dir, `Pulumi.${stack}.yaml`);
}

export function readStackFile(file: string): StackFile {
    if (!fs.existsSync(file)) throw new ConfigError([`${file}: no such stack file`]);
    return parseStackFileText(fs.readFileSync(file, "utf8"), file);
}

/**
 * The secrets a plan assumes: every secret the file holds, and every one it does not hold yet
 * (a committed stack file cannot hold secrets made on another machine), stand as placeholders.
 */
export function planSecretPresence(stack: StackFile, config: Record<string, unknown>): SecretPresence {
    const servers = new Set(stack.registryPasswordServers);
    const registries = [config[KEYS.registry], ...Object.values((config[KEYS.images] as Record<string, any>) ?? {}).map((i) => i?.registry)];
    for (const reg of registries) if (reg && typeof reg === "object" && (reg as any).username && (reg as any).server) servers.add((reg as any).server);
    const defaultServer = (config[KEYS.registry] as any)?.server;
    if (!stack.registryPasswordServers.includes(defaultServer)) servers.delete(defaultServer);
    return {
        keys: [KEYS.token, KEYS.registryPassword, KEYS.launcherPat, ...(servers.size > 0 ? [KEYS.registryPasswords] : [])],
        registryPasswordServers: [...servers],
        githubTokenFromEnv: false,
    };
}

/** The secrets a stack file actually holds, for validating it as `pulumi up` would see it. */
export function fileSecretPresence(stack: StackFile): SecretPresence {
    return { keys: stack.secretKeys, registryPasswordServers: stack.registryPasswordServers, githubTokenFromEnv: false };
}

/** Validates a stack file as the plan would run it; returns the problems (empty when valid). */
export function validateStackFileText(text: string, fileName: string): string[] {
    try {
        const stack = parseStackFileText(text, fileName);
        parseBinderConfig(stack.values, planSecretPresence(stack, stack.values));
        return [];
    } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
    }
}

export function loadPlanConfig(file: string): { stack: StackFile; config: BinderConfig } {
    const stack = readStackFile(file);
    return { stack, config: parseBinderConfig(stack.values, planSecretPresence(stack, stack.values)) };
}
