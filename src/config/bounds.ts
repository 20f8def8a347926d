/**
 * What the config is checked for before its schema runs, so a hostile value is refused cheaply and in one
 * line per problem: names that every JavaScript object already has (`constructor`, `toString`,
 * `__proto__`, ...), which would read as present where absent or vanish, and sizes past the documented
 * bounds (README, "Limits"), which would cost a plan minutes and gigabytes.
 */
import { KEYS } from "./keys";
import { keyPath } from "./problems";
import { shown } from "../text/quotedValue";

/** The most images a stack may declare. */
const MAX_IMAGES = 100;
/** The most launcher branches a stack may declare. */
const MAX_BRANCHES = 100;
/** The deepest nesting of maps and lists in a config value. */
const MAX_CONFIG_DEPTH = 32;

const RESERVED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Whether `name` is a property every JavaScript object has, so it cannot name a key, an image or a branch. */
function isReservedName(name: string): boolean {
    return RESERVED_NAMES.has(name);
}

function reserved(path: readonly PropertyKey[], name: string): string {
    return `${keyPath(path)}: ${shown(name)} is a reserved name (a property of every JavaScript object), expected another name`;
}

function ownValue(map: unknown, key: string): unknown {
    return typeof map === "object" && map !== null && Object.hasOwn(map, key) ? (map as Record<string, unknown>)[key] : undefined;
}

/**
 * The problems of `raw` (full config keys to values) found before the schema runs: a map key or a branch
 * name that is reserved, a value nested past MAX_CONFIG_DEPTH, more than MAX_IMAGES images or MAX_BRANCHES
 * launcher branches. Every key is read as an own key.
 */
export function boundProblems(raw: Record<string, unknown>): string[] {
    const problems: string[] = [];
    const stack: [unknown, PropertyKey[]][] = Object.keys(raw).map((key) => [raw[key], [key]]);
    for (const key of Object.keys(raw)) if (isReservedName(key)) problems.push(reserved([key], key));
    while (stack.length > 0) {
        const [value, path] = stack.pop()!;
        if (typeof value !== "object" || value === null) continue;
        if (path.length > MAX_CONFIG_DEPTH) {
            problems.push(`${keyPath(path.slice(0, 1))}: nested deeper than ${MAX_CONFIG_DEPTH} levels, expected a config value as README describes`);
            break;
        }
        if (Array.isArray(value)) {
            value.forEach((item, i) => stack.push([item, [...path, i]]));
            continue;
        }
        for (const key of Object.keys(value)) {
            if (isReservedName(key)) problems.push(reserved([...path, key], key));
            stack.push([(value as Record<string, unknown>)[key], [...path, key]]);
        }
    }
    const images = ownValue(raw, KEYS.images);
    const imageCount = typeof images === "object" && images !== null ? Object.keys(images).length : 0;
    if (imageCount > MAX_IMAGES) problems.push(`${keyPath([KEYS.images])}: ${imageCount} images, expected at most ${MAX_IMAGES}`);
    const branches = ownValue(ownValue(raw, KEYS.launcher), "branches");
    if (Array.isArray(branches)) {
        if (branches.length > MAX_BRANCHES)
            problems.push(`${keyPath([KEYS.launcher, "branches"])}: ${branches.length} branches, expected at most ${MAX_BRANCHES}`);
        else
            branches.forEach((b, i) => {
                const name = ownValue(b, "name");
                if (typeof name === "string" && isReservedName(name)) problems.push(reserved([KEYS.launcher, "branches", i, "name"], name));
            });
    }
    return problems;
}
