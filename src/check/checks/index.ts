/**
 * Every check, by name, and the one decision of which run and in which order. The record is complete
 * by type: a name added to CHECK_NAMES (options.ts) without a check here does not compile.
 */
import { Check } from "../checkContext";
import { CHECK_NAMES, CheckName } from "../options";
import { env } from "./env";
import { importCheck } from "./import";
import { jit } from "./jit";
import { jupyter } from "./jupyter";
import { kernel } from "./kernel";
import { layers } from "./layers";
import { platform } from "./platform";
import { user } from "./user";
import { visibility } from "./visibility";
import { withdrawn } from "./withdrawn";

export const CHECKS: Readonly<Record<CheckName, Check>> = {
    withdrawn,
    layers,
    visibility,
    platform,
    env,
    user,
    jupyter,
    kernel,
    jit,
    import: importCheck,
};

/**
 * The checks a run performs, in the order it performs and reports them: the enabled ones, those the
 * registry answers first (they need nothing local and are cheap), then those that run the image, each
 * group in CHECK_NAMES order. Pure.
 */
export function plannedChecks(enabled: readonly CheckName[]): Check[] {
    const chosen = CHECK_NAMES.filter((name) => enabled.includes(name)).map((name) => CHECKS[name]);
    return [...chosen.filter((c) => c.kind === "registry"), ...chosen.filter((c) => c.kind === "runtime")];
}
