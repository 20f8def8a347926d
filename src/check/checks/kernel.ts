/**
 * `kernel`: a kernelspec named `options.kernel` must exist; notebooks name their kernel, and the setup
 * document's "Kernel not found" came from an image that only had `pixi-kernel-python3`.
 */
import { firstLine, lastLine } from "../../docker/cli";
import { Check, Verdict } from "../checkContext";
import { CommandOutput, runShell, withNote } from "../shell";

/** Decides `kernel` from `<jupyter> kernelspec list --json` (pure). */
export function evaluateKernel(run: CommandOutput, jupyter: string, kernel: string): Verdict {
    const invocation = `${jupyter} kernelspec list --json`;
    if (run.code !== 0) {
        return { ok: false, detail: `${invocation} failed (exit ${run.code}): ${lastLine(run.stderr) || lastLine(run.stdout) || "no output"}` };
    }
    let names: string[];
    try {
        const listing = JSON.parse(run.stdout) as { kernelspecs?: unknown };
        if (!listing.kernelspecs || typeof listing.kernelspecs !== "object") throw new Error("no kernelspecs object");
        names = Object.keys(listing.kernelspecs).sort();
    } catch {
        return { ok: false, detail: `${invocation} did not print a {"kernelspecs": {...}} object: ${firstLine(run.stdout) || "no output"}` };
    }
    const found = names.length > 0 ? names.join(", ") : "none";
    if (!names.includes(kernel)) {
        return { ok: false, detail: `no kernelspec named "${kernel}"; kernels found: ${found} (notebooks ask for "${kernel}" by name)` };
    }
    return { ok: true, detail: `kernelspec "${kernel}" found; kernels: ${found}` };
}

export const kernel: Check = {
    name: "kernel",
    kind: "runtime",
    async run(ctx) {
        const jupyter = ctx.options.jupyterCommand[0];
        const image = await ctx.localImage();
        const run = await runShell({ image, containers: ctx.containers, options: ctx.options }, "kernel", 'exec "$@"', [
            jupyter,
            "kernelspec",
            "list",
            "--json",
        ]);
        const verdict = evaluateKernel(run, jupyter, ctx.options.kernel);
        return { ok: verdict.ok, detail: withNote(verdict.detail, run) };
    },
};
