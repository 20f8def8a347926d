/**
 * The contract between the `check` CLI, the Pulumi gate that runs it and the checks themselves.
 */

// The checks and their options are declared once, in options.ts.
export { CHECK_NAMES, DEFAULT_CHECK_OPTIONS } from "./options";
export type { CheckName, CheckOptions } from "./options";

/**
 * One check's outcome, as the table shows it; and what `uw3-binder check --json` prints and
 * `--result-file` writes: the versioned result, declared once in result.ts.
 */
export type { CheckOutcome as CheckResult, CheckResultV1 as CheckReport } from "./result";

/** Registry credentials: a login (read from the environment, never from argv) and the one registry it is for. */
export type { RegistryCredentials, RegistryLogin } from "../registry/session";

export { CREDENTIAL_ENV } from "./credentialEnv";

/** 1 MB = 1024 * 1024 bytes, as `docker history` and the setup document count them. */
export const BYTES_PER_MB = 1024 * 1024;
