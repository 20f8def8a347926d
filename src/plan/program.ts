/**
 * Runs index.ts under Pulumi's mock runtime: what `uw3-binder plan` prints and what the mock tests
 * assert on. No engine, no credentials, no network.
 */
import * as pulumi from "@pulumi/pulumi";
import { BinderMocks, RecordedResource, secretsAsPlaceholders } from "./mocks";
import { INDEX, PROGRAM_DIR } from "./programDir";

export { PROGRAM_DIR };

export interface ProgramRun {
    resources: RecordedResource[];
    /** Stack outputs, resolved; a secret output is kept as-is here (see planOutputs for the printable form). */
    outputs: Record<string, unknown>;
    /** Stack outputs with every secret as "[secret]". */
    printableOutputs: Record<string, unknown>;
    mocks: BinderMocks;
}

/** Resolves an Output (or a structure of them), reporting whether any part was secret. */
async function resolveOutput<T>(value: pulumi.Input<T>): Promise<{ value: pulumi.Unwrap<T>; secret: boolean }> {
    const output = pulumi.output(value);
    const resolved = new Promise<pulumi.Unwrap<T>>((resolve) => {
        output.apply((v) => {
            resolve(v);
            return v;
        });
    });
    const [unwrapped, secret] = await Promise.all([resolved, pulumi.isSecret(output)]);
    return { value: unwrapped, secret };
}

/**
 * Sets config and mocks, loads index.ts afresh and waits until every declared resource has been
 * registered. `config` maps full keys to strings (structured values as JSON); `secretKeys` are the keys
 * Pulumi should treat as secret.
 */
export async function runProgram(args: {
    stack: string;
    config: Record<string, string>;
    secretKeys: string[];
    /**
     * Runs as a preview (`pulumi.runtime.isDryRun()`): nothing would be built, so a missing checkout is
     * shown rather than refused. `uw3-binder plan` is one; a mock `up` is not.
     */
    plan: boolean;
    mocks?: BinderMocks;
    /** Sees every resource with its options (mocks do not), for tests of options such as retainOnDelete. */
    transformation?: pulumi.ResourceTransformation;
}): Promise<ProgramRun> {
    const mocks = args.mocks ?? new BinderMocks();
    pulumi.runtime.setAllConfig(args.config, args.secretKeys);
    await pulumi.runtime.setMocks(mocks, "uw3-binder", args.stack, args.plan);
    mocks.watch(pulumi.runtime.getMonitor());
    const previousCwd = process.cwd();
    process.chdir(PROGRAM_DIR);
    let programExports: Record<string, unknown>;
    try {
        // The program is loaded afresh for every run (so it reads this run's config), which import() cannot do.
        delete require.cache[require.resolve(INDEX)];
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
        const loadProgram = (): Record<string, unknown> => require(INDEX) as Record<string, unknown>;
        if (args.transformation) {
            // Stack transformations need the root stack resource, which only runInPulumiStack creates.
            const transformation = args.transformation;
            let loaded: Record<string, unknown> = {};
            await pulumi.runtime.runInPulumiStack(() => {
                pulumi.runtime.registerStackTransformation(transformation);
                loaded = loadProgram();
                return Promise.resolve(undefined);
            });
            programExports = loaded;
        } else {
            programExports = loadProgram();
        }
    } finally {
        process.chdir(previousCwd);
    }
    const outputs: Record<string, unknown> = {};
    const printableOutputs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(programExports)) {
        const { value: resolved, secret } = await resolveOutput(value);
        outputs[name] = resolved;
        printableOutputs[name] = secret ? "[secret]" : secretsAsPlaceholders(resolved);
    }
    // Outputs resolve once everything they depend on is registered; let the last registrations land.
    let count = -1;
    while (count !== mocks.resources.length) {
        count = mocks.resources.length;
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { resources: mocks.resources, outputs, printableOutputs, mocks };
}
