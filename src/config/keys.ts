/**
 * The stack config's keys, as they appear in `Pulumi.<stack>.yaml`, and which of them are secrets.
 * No imports.
 */

export const PROJECT = "uw3-binder";

/** Config keys, as they appear in `Pulumi.<stack>.yaml`. */
export const KEYS = {
    owner: "github:owner",
    token: "github:token",
    release: `${PROJECT}:release`,
    previousRelease: `${PROJECT}:previousRelease`,
    registry: `${PROJECT}:registry`,
    source: `${PROJECT}:source`,
    images: `${PROJECT}:images`,
    launcher: `${PROJECT}:launcher`,
    registryPassword: `${PROJECT}:registryPassword`,
    registryPasswords: `${PROJECT}:registryPasswords`,
    launcherPat: `${PROJECT}:launcherPat`,
    withdrawn: `${PROJECT}:withdrawn`,
    builder: `${PROJECT}:builder`,
} as const;

/**
 * The environment variable that stands in for `uw3-binder:launcherPat` when the stack does not set it, as
 * `GITHUB_TOKEN` does for `github:token` (`scripts/services.sh env` exports the demo's). Its value is made a
 * secret the moment the program reads it.
 */
export const LAUNCHER_PAT_ENV = "UW3_BINDER_LAUNCHER_PAT";

/**
 * The environment variables that stand in for the default registry's login when the stack sets no
 * `uw3-binder:registryPassword`: a CI job's short-lived token (GitHub Actions: `github.actor` and the
 * workflow's `GITHUB_TOKEN` with `packages: write`) instead of a stored password. The password is made a
 * secret the moment the program reads it; the user name, when given, replaces `registry.username`.
 */
export const REGISTRY_USERNAME_ENV = "UW3_BINDER_REGISTRY_USERNAME";
export const REGISTRY_PASSWORD_ENV = "UW3_BINDER_REGISTRY_PASSWORD";

/** The keys set with `pulumi config set --secret`; their values are never read as plain text. */
export const SECRET_KEYS: readonly string[] = [KEYS.token, KEYS.registryPassword, KEYS.registryPasswords, KEYS.launcherPat];
/** The plain keys, in the order problems with them are reported (the secrets' problems come last). */
export const PLAIN_KEYS: readonly string[] = [
    KEYS.owner,
    KEYS.release,
    KEYS.previousRelease,
    KEYS.registry,
    KEYS.source,
    KEYS.images,
    KEYS.launcher,
    KEYS.withdrawn,
    KEYS.builder,
];
