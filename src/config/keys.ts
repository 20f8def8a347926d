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
} as const;

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
];
