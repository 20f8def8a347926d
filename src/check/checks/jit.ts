/**
 * `jit`: Underworld3 compiles generated C at run time; a slim image without the compiler's `libexec/`
 * fails with "cannot execute 'cc1'", and without `include/` cannot find headers.
 */
import { lastLine } from "../../docker/cli";
import { Check, Verdict } from "../checkContext";
import { CommandOutput, runShell, withNote } from "../shell";

/**
 * Prints `key=value` lines about the compiler: its path on PATH, what `-print-prog-name=cc1` says and
 * whether that is an executable file, and whether `<prefix>/include` exists.
 *
 * The include rule: `<prefix>` is the parent of the directory the compiler is found in (PATH lookup, no
 * symlink resolution). For the conda/pixi compiler that is the environment root
 * (`.pixi/envs/runtime/bin/gcc` → `.pixi/envs/runtime`), whose `include/` holds the Python, PETSc and
 * NumPy headers a JIT build compiles against; the slim image must keep it. `gcc -print-prog-name=cc1`
 * prints the bare name `cc1` when it cannot find the program, hence the `/*` test.
 */
export const JIT_SCRIPT = [
    "cc=$1",
    'path=$(command -v "$cc") || { echo compiler=; exit 0; }',
    'echo "compiler=$path"',
    'cc1=$("$cc" -print-prog-name=cc1 2>/dev/null)',
    'echo "cc1=$cc1"',
    'case $cc1 in /*) if [ -f "$cc1" ] && [ -x "$cc1" ]; then echo cc1_ok=yes; else echo cc1_ok=no; fi ;; *) echo cc1_ok=no ;; esac',
    "bin=${path%/*}",
    "prefix=${bin%/*}",
    'echo "include=$prefix/include"',
    'if [ -d "$prefix/include" ]; then echo include_ok=yes; else echo include_ok=no; fi',
].join("\n");

/** Decides `jit` from JIT_SCRIPT's `key=value` lines (pure). */
export function evaluateJit(run: CommandOutput, compiler: string): Verdict {
    const facts = new Map<string, string>();
    for (const line of run.stdout.split("\n")) {
        const eq = line.indexOf("=");
        if (eq > 0) facts.set(line.slice(0, eq), line.slice(eq + 1));
    }
    if (run.code !== 0 || !facts.has("compiler")) {
        return { ok: false, detail: `the compiler probe failed (exit ${run.code}): ${lastLine(run.stderr) || "no output"}` };
    }
    const path = facts.get("compiler") ?? "";
    if (path === "") return { ok: false, detail: `compiler "${compiler}" not found on the image's PATH` };
    const cc1 = facts.get("cc1") ?? "";
    const include = facts.get("include") ?? "";
    const problems: string[] = [];
    if (facts.get("cc1_ok") !== "yes") {
        problems.push(
            cc1.startsWith("/")
                ? `cc1 at ${cc1} is not an executable file (JIT fails with "cannot execute 'cc1'")`
                : `${compiler} -print-prog-name=cc1 printed "${cc1}", so ${compiler} cannot find cc1 ` +
                      `(JIT fails with "cannot execute 'cc1'"): keep the toolchain's libexec/ in the image`,
        );
    }
    if (facts.get("include_ok") !== "yes") {
        problems.push(`no include/ directory at ${include} (the prefix of ${path}); JIT builds need its headers`);
    }
    if (problems.length > 0) return { ok: false, detail: problems.join("; ") };
    return { ok: true, detail: `cc1 at ${cc1}; include/ at ${include}` };
}

export const jit: Check = {
    name: "jit",
    kind: "runtime",
    async run(ctx) {
        const image = await ctx.localImage();
        const run = await runShell({ image, containers: ctx.containers, options: ctx.options }, "jit", JIT_SCRIPT, [ctx.options.compiler]);
        const verdict = evaluateJit(run, ctx.options.compiler);
        return { ok: verdict.ok, detail: withNote(verdict.detail, run) };
    },
};
