/**
 * `user`: the effective UID of a command started through the entrypoint (an entrypoint may switch user)
 * must be `options.uid`; mybinder.org runs notebooks as jovyan, UID 1000, and home files belong to it.
 */
import { lastLine } from "../../docker/cli";
import { BINDER_UID, BINDER_USER } from "../../mybinder/facts";
import { Check, Verdict } from "../checkContext";
import { CommandOutput, runShell, withNote } from "../shell";

/** Decides `user` from `id -u` (pure). `configUser` is Config.User, "" when unset. */
export function evaluateUser(run: CommandOutput, configUser: string, expectedUid: number): Verdict {
    const config = configUser ? `Config.User "${configUser}"` : "Config.User unset, so Docker starts it as root";
    const output = run.stdout.trim();
    if (run.code !== 0 || !/^\d+$/.test(output)) {
        return { ok: false, detail: `id -u failed (exit ${run.code}): ${lastLine(run.stderr) || lastLine(output) || "no output"} (${config})` };
    }
    const uid = Number(output);
    if (uid !== expectedUid) {
        return {
            ok: false,
            detail: `runs as UID ${uid}, expected ${expectedUid} (${config}); mybinder.org runs notebooks as ${BINDER_USER}, UID ${BINDER_UID}`,
        };
    }
    return { ok: true, detail: `runs as UID ${uid} (${config})` };
}

export const user: Check = {
    name: "user",
    kind: "runtime",
    async run(ctx) {
        const image = await ctx.localImage();
        const run = await runShell({ image, containers: ctx.containers, options: ctx.options }, "user", "id -u", []);
        const verdict = evaluateUser(run, image.user, ctx.options.uid);
        return { ok: verdict.ok, detail: withNote(verdict.detail, run) };
    },
};
