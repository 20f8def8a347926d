/**
 * The one place the program reads its stack config: plain values through the schema in
 * src/config/schema.ts, secrets with `requireSecret`, so they stay Pulumi secrets end to end.
 */
import * as pulumi from "@pulumi/pulumi";
import { BinderConfig, ConfigError, KEYS, parseBinderConfig, PROJECT } from "./src/config/schema";
import { LAUNCHER_PAT_ENV, REGISTRY_PASSWORD_ENV, REGISTRY_USERNAME_ENV, SECRET_KEYS } from "./src/config/keys";
import { registryPasswordServers } from "./src/config/secrets";

export interface RegistryLoginSecret {
    username: string;
    password: pulumi.Output<string>;
}

export interface BinderSecrets {
    /** The login for a registry server, or undefined to push without one (a local registry). */
    login(server: string): RegistryLoginSecret | undefined;
    /** Stored as the LAUNCHER_PAT Actions secret; undefined when `source.launcherPatSecret` is false. */
    launcherPat?: pulumi.Output<string>;
}

const STRUCTURED = [KEYS.registry, KEYS.source, KEYS.images, KEYS.launcher, KEYS.withdrawn];

/**
 * Reads and validates every key before any resource is declared; all problems are reported together
 * as one error (a RunError, so Pulumi prints the message without a stack trace).
 */
export function loadConfig(): { config: BinderConfig; secrets: BinderSecrets } {
    const all = pulumi.runtime.allConfig();
    const raw: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [key, value] of Object.entries(all)) {
        if (!key.startsWith(`${PROJECT}:`) && !key.startsWith("github:")) continue;
        if (SECRET_KEYS.includes(key)) continue; // never read as plain text
        if (STRUCTURED.includes(key as (typeof STRUCTURED)[number])) {
            try {
                raw[key] = JSON.parse(value);
            } catch {
                problems.push(`\`${key}\`: expected an object, found ${JSON.stringify(value)}`);
            }
        } else {
            raw[key] = value;
        }
    }
    // Only the map's keys (registry servers) are looked at here; the values stay inside secret Outputs.
    const passwordServers = all[KEYS.registryPasswords] === undefined ? [] : registryPasswordServers(all[KEYS.registryPasswords]);
    if (passwordServers === undefined) problems.push(`\`${KEYS.registryPasswords}\`: expected a map of registry server to password (set with --path)`);
    const presentKeys = SECRET_KEYS.filter((k) => all[k] !== undefined);
    let config: BinderConfig;
    try {
        if (problems.length > 0) throw new ConfigError(problems);
        config = parseBinderConfig(raw, {
            keys: presentKeys,
            registryPasswordServers: passwordServers ?? [],
            githubTokenFromEnv: !!process.env.GITHUB_TOKEN,
            launcherPatFromEnv: !!process.env[LAUNCHER_PAT_ENV],
            registryLoginFromEnv: process.env[REGISTRY_PASSWORD_ENV] ? { username: process.env[REGISTRY_USERNAME_ENV] || undefined } : undefined,
        });
    } catch (err) {
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }

    const uw3 = new pulumi.Config(PROJECT);
    const registryPasswords: Record<string, pulumi.Output<string>> = {};
    const passwordMap = config.logins.some((l) => l.secret.entry !== undefined)
        ? uw3.requireSecretObject<Record<string, string>>("registryPasswords")
        : undefined;
    for (const login of config.logins) {
        // The environment's password is a secret from here on, as the config's is.
        registryPasswords[login.server] =
            login.secret.env !== undefined
                ? pulumi.secret(process.env[login.secret.env] ?? "")
                : login.secret.entry !== undefined
                  ? pulumi.secret(passwordMap!.apply((m) => m[login.secret.entry!]))
                  : uw3.requireSecret("registryPassword");
    }
    // The stack's secret, else the environment's (a secret from here on, as the config's is).
    const launcherPatFromConfig = all[KEYS.launcherPat] !== undefined;
    const launcherPat = !config.source.launcherPatSecret
        ? undefined
        : launcherPatFromConfig
          ? uw3.requireSecret("launcherPat")
          : pulumi.secret(process.env[LAUNCHER_PAT_ENV] ?? "");
    const login = (server: string) => {
        const found = config.logins.find((l) => l.server === server);
        return found ? { username: found.username, password: registryPasswords[server] } : undefined;
    };
    return { config, secrets: { login, launcherPat } };
}
