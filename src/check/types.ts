/**
 * The contract between the `check` CLI, the Pulumi gate that runs it and the checks themselves.
 */

import type { CheckName } from "./options";

// The checks and their options are declared once, in options.ts.
export { CHECK_NAMES, DEFAULT_CHECK_OPTIONS } from "./options";
export type { CheckName, CheckOptions } from "./options";

/** One check's outcome. `seconds` is shown in the table; `--json` omits it. */
export interface CheckResult {
    name: CheckName;
    ok: boolean;
    detail: string;
    seconds: number;
}

/** What `uw3-binder check --json` prints. */
export interface CheckReport {
    image: string;
    ok: boolean;
    checks: { name: CheckName; ok: boolean; detail: string }[];
    /** Present when the image was not in the local engine and `check` pulled it (by digest) to run it. */
    pulled?: string;
}

/** Registry credentials; read from the environment (never from argv). */
export type { RegistryCredentials } from "../registry/session";

/** Environment variables a gate uses to hand credentials to `uw3-binder check`. */
export const CREDENTIAL_ENV = {
    username: "UW3_BINDER_REGISTRY_USERNAME",
    password: "UW3_BINDER_REGISTRY_PASSWORD",
} as const;

/** 1 MB = 1024 * 1024 bytes, as `docker history` and the setup document count them. */
export const BYTES_PER_MB = 1024 * 1024;
