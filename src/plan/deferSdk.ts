/**
 * `uw3-binder plan` runs the program under the mock runtime, and most of its start-up is spent loading
 * two parts of `@pulumi/pulumi` it never uses: the Automation API and the code-path finder of closure
 * serialization (npm's arborist, pacote, sigstore: about 1,000 modules). Both are loaded eagerly by the
 * SDK's index modules. Before the SDK is first loaded, this puts a stand-in for each in Node's module
 * cache. A stand-in answers `__esModule` itself (what `import * as` asks), gives the listed functions as
 * wrappers that load the real module when called, and loads it on any other use, so everything still
 * works, only later. Used by the CLI's `plan` alone; `pulumi up` and the tests load the SDK as it is.
 */
import Module from "module";

/** Each deferred module, and the functions its importers copy when they load (called only later, if ever). */
const DEFERRED: readonly { specifier: string; functions: readonly string[] }[] = [
    { specifier: "@pulumi/pulumi/automation", functions: [] },
    { specifier: "@pulumi/pulumi/runtime/closure/codePaths", functions: ["computeCodePaths"] },
];

export function deferUnusedSdkModules(): void {
    for (const { specifier, functions } of DEFERRED) defer(specifier, functions);
}

function defer(specifier: string, functions: readonly string[]): void {
    let file: string;
    try {
        file = require.resolve(specifier);
    } catch {
        return; // another SDK layout: nothing to defer, the SDK loads as it is
    }
    if (require.cache[file] !== undefined) return; // already loaded: nothing to save
    let real: Record<string | symbol, unknown> | undefined;
    const load = (): Record<string | symbol, unknown> => {
        if (real === undefined) {
            delete require.cache[file];
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- the real module, at first use
            real = require(file) as Record<string | symbol, unknown>;
            require.cache[file] = entry; // later require() calls get the stand-in, which now forwards
        }
        return real;
    };
    const wrappers = new Map<string | symbol, unknown>(
        functions.map((name) => [name, (...args: unknown[]): unknown => (load()[name] as (...a: unknown[]) => unknown)(...args)]),
    );
    const standIn = new Proxy(
        {},
        {
            get: (_target, key) => {
                if (key === "__esModule") return true;
                if (real === undefined && wrappers.has(key)) return wrappers.get(key);
                return Reflect.get(load(), key);
            },
            has: (_target, key) => Reflect.has(load(), key),
            ownKeys: () => Reflect.ownKeys(load()),
            getOwnPropertyDescriptor: (_target, key) => {
                const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
                return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
            },
        },
    );
    const entry = new Module(file);
    entry.filename = file;
    entry.loaded = true;
    entry.exports = standIn;
    require.cache[file] = entry;
}
