/**
 * Stack configs for the mock tests, in the form `pulumi config` hands them to the program.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { runProgram, ProgramRun, PROGRAM_DIR } from "../../src/plan/program";
import { BinderMocks, RecordedResource, unwrapSecrets } from "../../src/plan/mocks";
import { GATE_RESOURCE_TYPE } from "../../components/gateProvider";
import { ConfigError, parseBinderConfig, SecretPresence } from "../../src/config/schema";

/** The secret values the tests hand in, so they can prove none leaks. */
/** The gate argument for the environment Pulumi.2025-01.yaml requires of the slim image (the setup document's pyvista rendering). */
export const SLIM_ENV_ARG =
    "--env-require=PYVISTA_OFF_SCREEN=true,LIBGL_ALWAYS_SOFTWARE=1,MESA_GL_VERSION_OVERRIDE=3.3,GALLIUM_DRIVER=llvmpipe,VTK_DEFAULT_OPENGL_WINDOW=vtkOSOpenGLRenderWindow";

export const SECRETS = {
    "github:token": "ghtoken-not-a-real-token-1111",
    "uw3-binder:registryPassword": "registry-password-2222",
    "uw3-binder:launcherPat": "launcher-pat-3333",
};

/** The production stack file's plain config, as structured values. */
export function stackConfig(stack = "2025-01"): Record<string, any> {
    const doc = parse(fs.readFileSync(path.join(PROGRAM_DIR, `Pulumi.${stack}.yaml`), "utf8"));
    return JSON.parse(JSON.stringify(doc.config));
}

/**
 * Pulumi.2025-01.yaml with one image per launched ref on the deps image: `main` (image main) and `development`
 * (image dev), as the source repository's workflow updates them one at a time (uw3-binder targets).
 */
export function perRefConfig(): Record<string, any> {
    const config = stackConfig();
    const slim = config["uw3-binder:images"].slim;
    config["uw3-binder:images"] = {
        deps: config["uw3-binder:images"].deps,
        main: { ...slim, tag: "main-slim", args: { UW3_BRANCH: "main" } },
        dev: { ...slim, tag: "development-slim", args: { UW3_BRANCH: "development" } },
    };
    config["uw3-binder:launcher"].branches = [
        { name: "main", uw3Branch: "main", image: "main" },
        { name: "development", uw3Branch: "development", image: "dev" },
    ];
    return config;
}

function toPulumiConfig(values: Record<string, any>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(values)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

/** Runs index.ts under mocks with `values` plus the given secrets. */
export async function runStack(
    values: Record<string, any>,
    secrets: Record<string, string> = SECRETS,
    options: { stack?: string; mocks?: BinderMocks; transformation?: pulumi.ResourceTransformation; plan?: boolean } = {},
): Promise<ProgramRun> {
    return runProgram({
        transformation: options.transformation,
        stack: options.stack ?? "test",
        mocks: options.mocks,
        config: { ...toPulumiConfig(values), ...secrets },
        secretKeys: Object.keys(secrets),
        plan: options.plan ?? true,
    });
}

export function ofType(run: ProgramRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function byName(run: ProgramRun, name: string): RecordedResource {
    const found = run.resources.filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}: ${run.resources.map((r) => r.name).join(", ")}`);
    return found[0];
}

export function inputsOf(resource: RecordedResource): any {
    return unwrapSecrets(resource.inputs);
}

export const TYPES = {
    image: "docker-build:index:Image",
    index: "docker-build:index:Index",
    gate: GATE_RESOURCE_TYPE,
    /** Local commands: only the launcher's warm-ups (gates are `gate`). */
    command: "command:local:Command",
    file: "github:index/repositoryFile:RepositoryFile",
    branch: "github:index/branch:Branch",
    repository: "github:index/repository:Repository",
    actionsSecret: "github:index/actionsSecret:ActionsSecret",
} as const;

/** Every secret of the 2025-01 stack present, as `pulumi config set --secret` would leave it. */
export const ALL_SECRETS: SecretPresence = {
    keys: ["github:token", "uw3-binder:registryPassword", "uw3-binder:launcherPat"],
    registryPasswordServers: [],
    githubTokenFromEnv: false,
};

/** The problems the config schema reports for the 2025-01 stack changed by `mutate`; none when it is valid. */
export function configProblems(mutate: (c: Record<string, any>) => void, secrets: SecretPresence = ALL_SECRETS): string[] {
    const config = stackConfig();
    mutate(config);
    try {
        parseBinderConfig(config, secrets);
    } catch (err) {
        if (!(err instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(err)}`, { cause: err });
        return err.problems;
    }
    return [];
}
