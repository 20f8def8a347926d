/**
 * Secret config keys: the command that sets one, and the one reader of `uw3-binder:registryPasswords`,
 * which looks at the map's keys (registry servers) and never at its values.
 */
import { shellQuote } from "../text/shellQuote";

/**
 * The `pulumi config set --secret` command for `key`, every word shell-quoted: with `--path` when the key
 * reaches inside a map (`uw3-binder:registryPasswords["docker.io"]`), with `--stack` when given, and ending
 * in `<value>` for the person to fill in, unless `prompt` (pulumi then asks, keeping it out of the history).
 */
export function secretCommand(key: string, options: { path?: boolean; stack?: string; prompt?: boolean } = {}): string {
    const words = ["pulumi", "config", "set", "--secret"];
    if (options.path) words.push("--path");
    if (options.stack !== undefined) words.push("--stack", shellQuote(options.stack));
    words.push(shellQuote(key));
    if (!options.prompt) words.push("<value>");
    return words.join(" ");
}

/** The `--path` key of one entry of a secret map: `uw3-binder:registryPasswords["docker.io"]`. */
export function secretMapEntry(key: string, entry: string): string {
    return `${key}[${JSON.stringify(entry)}]`;
}

/**
 * The registry servers `uw3-binder:registryPasswords` holds a password for: the keys of its map, given as
 * the map or as its JSON text (as the Pulumi engine hands config over). Undefined when the value is not a
 * non-empty map (a value encrypted whole, or set without `--path`).
 */
export function registryPasswordServers(value: unknown): string[] | undefined {
    let map = value;
    if (typeof value === "string") {
        try {
            map = JSON.parse(value);
        } catch {
            return undefined;
        }
    }
    if (typeof map !== "object" || map === null || Array.isArray(map)) return undefined;
    const servers = Object.keys(map);
    return servers.length > 0 ? servers : undefined;
}
