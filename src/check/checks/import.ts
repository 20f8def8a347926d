/**
 * `import`: each module must import in the image's Python; the setup document's ImportError
 * (`undefined symbol: DMInterpolationEvaluate_UW`, a Cython extension built without petsc_tools.c) only
 * shows at import time.
 */
import { lastLine } from "../../docker/cli";
import { Check, Verdict } from "../checkContext";
import { MODULE_PATTERN } from "../options";
import { CommandOutput, runShell, withNote } from "../shell";

const IMPORT_BEGIN = "@@uw3-binder-import-begin@@";
const IMPORT_END = "@@uw3-binder-import-end@@";
export const IMPORT_SCRIPT = [
    "py=$1; shift",
    'for m in "$@"; do',
    `  printf '%s %s\\n' '${IMPORT_BEGIN}' "$m"`,
    '  "$py" -c "import $m" </dev/null 2>&1',
    "  rc=$?",
    `  printf '\\n%s %s %s\\n' '${IMPORT_END}' "$m" "$rc"`,
    "done",
].join("\n");

/** Decides `import` from IMPORT_SCRIPT's output (pure). */
export function evaluateImport(run: CommandOutput, python: string, modules: string[]): Verdict {
    const outcomes = new Map<string, { code: number; output: string }>();
    for (const section of run.stdout.split(`${IMPORT_BEGIN} `).slice(1)) {
        const newline = section.indexOf("\n");
        const module = section.slice(0, newline);
        const end = section.lastIndexOf(`\n${IMPORT_END} ${module} `);
        if (newline < 0 || end < 0) continue;
        const code = Number(section.slice(end + 1).split(/\s+/)[2]);
        outcomes.set(module, { code, output: section.slice(newline + 1, end) });
    }
    if (modules.length > 0 && modules.every((m) => outcomes.get(m)?.code === 127)) {
        return { ok: false, detail: `interpreter "${python}" not found on the image's PATH` };
    }
    const failures: string[] = [];
    for (const module of modules) {
        const outcome = outcomes.get(module);
        if (!outcome) failures.push(`${module}: not tried (the probe stopped: ${lastLine(run.stderr) || `exit ${run.code}`})`);
        else if (outcome.code === 127) failures.push(`${module}: interpreter "${python}" not found on the image's PATH`);
        else if (outcome.code !== 0) failures.push(`${module}: ${lastLine(outcome.output) || `exit ${outcome.code}, no output`}`);
    }
    if (failures.length > 0) return { ok: false, detail: failures.join("; ") };
    return { ok: true, detail: `${python} imported ${modules.join(", ")}` };
}

export const importCheck: Check = {
    name: "import",
    kind: "runtime",
    async run(ctx) {
        const { options } = ctx;
        for (const module of options.modules) {
            // The name is interpolated into `python -c "import <name>"`.
            if (!MODULE_PATTERN.test(module)) throw new Error(`invalid module name "${module}": expected a dotted Python module name`);
        }
        const image = await ctx.localImage();
        const run = await runShell({ image, containers: ctx.containers, options }, "import", IMPORT_SCRIPT, [options.python, ...options.modules]);
        const verdict = evaluateImport(run, options.python, options.modules);
        return { ok: verdict.ok, detail: withNote(verdict.detail, run) };
    },
};
