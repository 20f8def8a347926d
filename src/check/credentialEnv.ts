/**
 * The environment variables a gate hands registry credentials to `uw3-binder check` in. Apart from
 * ./types.ts (which re-exports it) so that the CLI's command layer reads it without loading the check
 * options' zod schemas: `uw3-binder --help` loads no schema.
 */

/** Environment variables a gate uses to hand credentials to `uw3-binder check`. */
export const CREDENTIAL_ENV = {
    username: "UW3_BINDER_REGISTRY_USERNAME",
    password: "UW3_BINDER_REGISTRY_PASSWORD",
} as const;
