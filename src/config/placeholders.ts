/**
 * The placeholders a config string may hold, and their expansion: the one home of the rule "an unknown
 * `{placeholder}` is refused, naming the key". Each key declares which placeholders it takes.
 */

const PLACEHOLDER = /\{([^}]*)\}/g;

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
