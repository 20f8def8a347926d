/**
 * The placeholders a config string may hold, and their expansion: the one home of the rule "an unknown
 * `{placeholder}` is refused, naming the key". Each key declares which placeholders it takes.
 */
import { KEYS } from "./keys";

// `${NAME}` is a shell or Dockerfile variable, which the key's own rules judge, not a placeholder.
const PLACEHOLDER = /(?<!\$)\{([^}]*)\}/g;

/** Every placeholder name, as the config spells it between braces. */
const PLACEHOLDERS = ["release", "ref"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/**
 * Expands the placeholders `values` gives; `unknown` lists every `{...}` it does not (spelled as found),
 * so the caller refuses the key. A placeholder known but without a value here is unknown too.
 */
export function expandPlaceholders(template: string, values: Partial<Record<Placeholder, string>>): { text: string; unknown: string[] } {
    const unknown: string[] = [];
    const text = template.replace(PLACEHOLDER, (whole, name: string) => {
        const value = (PLACEHOLDERS as readonly string[]).includes(name) ? values[name as Placeholder] : undefined;
        if (value !== undefined) return value;
        unknown.push(whole);
        return whole;
    });
    return { text, unknown };
}

/** "the only placeholder is {release}" / "the placeholders here are {ref}, {release}": for a refusal. */
export function allowedPlaceholdersText(allowed: readonly Placeholder[]): string {
    if (allowed.length === 0) return "this key takes no placeholder";
    const list = allowed.map((p) => `{${p}}`).join(", ");
    return allowed.length === 1 ? `the only placeholder is ${list}` : `the placeholders here are ${list}`;
}

/**
 * The keys that take placeholders, as paths from the full config key ("*": any map key or list index), and
 * which. Every other string of the config takes none. `{ref}` is the ref an image with `refs` is built from,
 * so it is known only in such an image (`needsRefs`); a `refs` entry itself takes `{release}` only.
 */
const PLACEHOLDER_KEYS: readonly { path: readonly string[]; takes: readonly Placeholder[]; judgedByKey?: true }[] = [
    { path: [KEYS.images, "*", "tag"], takes: ["ref", "release"] },
    { path: [KEYS.images, "*", "tags", "*"], takes: ["ref", "release"] },
    { path: [KEYS.images, "*", "args", "*"], takes: ["ref", "release"] },
    { path: [KEYS.images, "*", "refs", "*"], takes: ["release"] },
    { path: [KEYS.images, "*", "refs", "*", "ref"], takes: ["release"] },
    { path: [KEYS.images, "*", "refs", "*", "tag"], takes: ["ref", "release"] },
    { path: [KEYS.images, "*", "refs", "*", "tags", "*"], takes: ["ref", "release"] },
    { path: [KEYS.images, "*", "refs", "*", "args", "*"], takes: ["ref", "release"] },
    // A branch's own rules judge its placeholders with its other characters (src/config/keySchemas.ts).
    { path: [KEYS.launcher, "branches", "*", "name"], takes: ["release"], judgedByKey: true },
    { path: [KEYS.launcher, "branches", "*", "uw3Branch"], takes: ["release"], judgedByKey: true },
    // Free text, never expanded: a maintainer's reason may hold braces ("{see #123}"); its own rules bound it.
    { path: [KEYS.withdrawn, "*", "reason"], takes: [], judgedByKey: true },
];

/**
 * The placeholders the string at `path` (full config key first) takes; `inRefImage` says whether the image
 * the path is below has `refs` (`{ref}` is only known there).
 */
export function placeholdersAt(path: readonly PropertyKey[], inRefImage: boolean): readonly Placeholder[] {
    const entry = entryAt(path);
    if (!entry) return [];
    return entry.takes.filter((p) => p !== "ref" || inRefImage);
}

function entryAt(path: readonly PropertyKey[]) {
    return PLACEHOLDER_KEYS.find((k) => k.path.length === path.length && k.path.every((p, i) => p === "*" || p === String(path[i])));
}

/**
 * Whether the walk over every string leaves the key alone: its own rules judge its placeholders (a branch's
 * name), or it is free text that is never expanded (a withdrawal's reason).
 */
export function placeholdersJudgedByKey(path: readonly PropertyKey[]): boolean {
    return entryAt(path)?.judgedByKey === true;
}

/** The `{...}` spelled in `text` that `allowed` does not hold, as found. */
export function unknownPlaceholders(text: string, allowed: readonly Placeholder[]): string[] {
    const values = Object.fromEntries(allowed.map((p) => [p, ""]));
    return expandPlaceholders(text, values).unknown;
}
