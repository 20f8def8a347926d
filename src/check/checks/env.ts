/** `env`: each platform's image config sets what `envRequire` asks and nothing `envForbid` names. */
import { ImageConfigBlob } from "../../registry/client";
import { RegistryError } from "../../registry/errors";
import { Check, Verdict } from "../checkContext";
import { printableLine } from "../../text/printable";

/** Decides `env` for one image config (pure). `require` entries are `NAME` or `NAME=value`. */
export function evaluateEnv(config: ImageConfigBlob, require: string[], forbid: string[]): { ok: boolean; detail: string } {
    const set = new Map<string, string>();
    for (const entry of config.env) {
        const eq = entry.indexOf("=");
        set.set(eq < 0 ? entry : entry.slice(0, eq), eq < 0 ? "" : entry.slice(eq + 1));
    }
    const problems: string[] = [];
    for (const requirement of require) {
        const eq = requirement.indexOf("=");
        const name = eq < 0 ? requirement : requirement.slice(0, eq);
        if (!set.has(name)) problems.push(`${name} is not set${eq < 0 ? "" : ` (expected ${requirement})`}`);
        else if (eq >= 0 && set.get(name) !== requirement.slice(eq + 1)) {
            problems.push(`${name} is "${printableLine(set.get(name) ?? "", 80)}", expected "${requirement.slice(eq + 1)}"`);
        }
    }
    for (const name of forbid) if (set.has(name)) problems.push(`${name} is set ("${printableLine(set.get(name) ?? "", 80)}") and must not be`);
    if (problems.length > 0) return { ok: false, detail: `${problems.join("; ")} in the image config's Env` };
    if (require.length === 0 && forbid.length === 0) return { ok: true, detail: "no variables required or forbidden" };
    const parts = [require.length > 0 ? `sets ${require.join(", ")}` : "", forbid.length > 0 ? `does not set ${forbid.join(", ")}` : ""];
    return { ok: true, detail: parts.filter(Boolean).join("; ") };
}

export const env: Check = {
    name: "env",
    kind: "registry",
    async run(ctx): Promise<Verdict> {
        const { envRequire, envForbid } = ctx.options;
        const client = ctx.registry();
        try {
            const manifests = await client.manifests();
            const multi = manifests.platforms.length > 1;
            const verdicts: Verdict[] = [];
            for (const platform of manifests.platforms) {
                const verdict = evaluateEnv(await client.config(platform.configDigest), envRequire, envForbid);
                verdicts.push({ ...verdict, detail: multi ? `${platform.platform}: ${verdict.detail}` : verdict.detail });
            }
            const failed = verdicts.filter((v) => !v.ok);
            return { ok: failed.length === 0, detail: (failed.length > 0 ? failed : verdicts.slice(0, 1)).map((v) => v.detail).join(" | ") };
        } catch (err) {
            if (!(err instanceof RegistryError)) throw err;
            return { ok: false, detail: `cannot read the image config: ${err.message}` };
        }
    },
};
