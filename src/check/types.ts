/**
 * The contract between the `check` CLI, the Pulumi gate that runs it and the checks themselves.
 * No Pulumi import: this runs outside the Pulumi engine.
 */

/** The checks, in the order they run and are reported. */
export const CHECK_NAMES = ["layers", "visibility", "user", "jupyter", "kernel", "jit", "import"] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

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
export interface RegistryCredentials {
    username: string;
    password: string;
}

/** Environment variables a gate uses to hand credentials to `uw3-binder check`. */
export const CREDENTIAL_ENV = {
    username: "UW3_BINDER_REGISTRY_USERNAME",
    password: "UW3_BINDER_REGISTRY_PASSWORD",
} as const;

/** Every knob of every check. Defaults follow the Binder setup document. */
export interface CheckOptions {
    /** Checks that run; the others are reported as skipped nowhere (they are simply absent). */
    enabled: CheckName[];
    /** `layers`: largest compressed layer allowed, in MB (10^6 bytes... see DEFAULTS note). */
    maxLayerMb: number;
    /** `layers`: largest compressed image total allowed, in MB. */
    maxImageMb: number;
    /** `user`: the UID the image must run as (mybinder's `jovyan`). */
    uid: number;
    /** `jupyter`: seconds the server has to answer HTTP (mybinder gives 30). */
    startTimeoutS: number;
    /** `jupyter`: port the server is told to listen on (loopback, host network). */
    jupyterPort: number;
    /** `jupyter`: the command handed to the image's entrypoint, as mybinder does. */
    jupyterCommand: string[];
    /** `kernel`: kernelspec name notebooks use. */
    kernel: string;
    /** `jit`: compiler whose `-print-prog-name=cc1` must resolve. */
    compiler: string;
    /** `import`: the Python interpreter. */
    python: string;
    /** `import`: modules that must import. */
    modules: string[];
}

export const DEFAULT_CHECK_OPTIONS: CheckOptions = {
    enabled: [...CHECK_NAMES],
    maxLayerMb: 800,
    maxImageMb: 4096,
    uid: 1000,
    startTimeoutS: 30,
    jupyterPort: 8888,
    jupyterCommand: ["jupyter", "lab", "--ip=127.0.0.1", "--no-browser"],
    kernel: "python3",
    compiler: "gcc",
    python: "python",
    modules: ["underworld3", "nbgitpuller"],
};

/** 1 MB = 1024 * 1024 bytes, as `docker history` and the setup document count them. */
export const BYTES_PER_MB = 1024 * 1024;
