/**
 * The one formatter of config problems: zod issues, from the shapes and from the rules (superRefine),
 * each turned into one line naming the key path, what was expected and what was found, and the error
 * that reports them all together.
 */
import { z } from "zod";
import { KEYS, PROJECT } from "./keys";
import { capped, shown } from "../text/quotedValue";

export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(formatProblems(problems));
        this.name = "ConfigError";
    }
}

function formatProblems(problems: string[]): string {
    const heading = `invalid ${PROJECT} stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):`;
    return [heading, ...problems.map((p) => `  - ${p}`)].join("\n");
}

/** A problem a rule found: its message is whole (it says what it found, when that helps). */
export interface RuleIssue {
    path: PropertyKey[];
    message: string;
}

export const ruleIssue = (path: PropertyKey[], message: string): RuleIssue => ({ path, message });

/** Adds a rule's problems to a refinement, below `prefix` (relative to the schema being refined). */
export function addRuleIssues(ctx: z.RefinementCtx, issues: readonly RuleIssue[], prefix: readonly PropertyKey[] = []): void {
    for (const issue of issues) ctx.addIssue({ code: "custom", path: [...prefix, ...issue.path], message: issue.message, params: { rule: true } });
}

/** True for an issue a rule added (the value had the right shape); false for a shape issue. */
export function isRuleIssue(issue: { code?: unknown; params?: unknown }): boolean {
    return issue.code === "custom" && (issue.params as { rule?: unknown } | undefined)?.rule === true;
}

/** Maps whose entries are written `key["entry"]`, as `pulumi config set --path` takes them. */
const ENTRY_MAPS: readonly string[] = [KEYS.registryPasswords];

/** `` `uw3-binder:images.slim.from[0].image` ``: the config key (path[0]) and the path below it. */
export function keyPath(path: readonly PropertyKey[]): string {
    const [key, ...rest] = path.map(String);
    let out = capped(key);
    rest.forEach((p, i) => {
        if (typeof path[i + 1] === "number") out += `[${p}]`;
        else if (i === 0 && ENTRY_MAPS.includes(key)) out += `[${shown(p)}]`;
        else out += `.${capped(p)}`;
    });
    return `\`${out}\``;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let v = root;
    for (const p of path) v = typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[p] : undefined;
    return v;
}

function describeIssue(issue: z.core.$ZodIssue, found: unknown): string {
    if (isRuleIssue(issue)) return issue.message;
    switch (issue.code) {
        case "invalid_type":
            return found === undefined ? `is required (expected ${issue.expected})` : `expected ${issue.expected}, found ${shown(found)}`;
        case "unrecognized_keys":
            return `unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => shown(k)).join(", ")}`;
        case "too_small":
            return issue.origin === "array"
                ? `expected at least ${String(issue.minimum)} entr${issue.minimum === 1 ? "y" : "ies"}, found ${shown(found)}`
                : issue.origin === "string"
                  ? `expected a non-empty string, found ${shown(found)}`
                  : `expected a number ${issue.inclusive ? ">=" : ">"} ${String(issue.minimum)}, found ${shown(found)}`;
        case "too_big":
            return `expected a number <= ${String(issue.maximum)}, found ${shown(found)}`;
        case "invalid_union":
            // Each union says what it accepts (its `error`), so the message names the union that failed.
            return `${issue.message}, found ${shown(found)}`;
        case "invalid_format":
            // A pattern's own message says what it expects ("expected a date YYYY-MM-DD").
            if (issue.format === "regex") return `${issue.message}, found ${shown(found)}`;
            return `expected ${issue.format === "url" ? "an http(s) URL" : `a valid ${issue.format}`}, found ${shown(found)}`;
        default:
            return `${issue.message}, found ${shown(found)}`;
    }
}

/**
 * The issues of the one union member whose type the value has (none of its issues says the value itself is
 * of another type), or undefined when no member, or more than one, took the value that far.
 */
function matchedMember(issue: z.core.$ZodIssueInvalidUnion): readonly z.core.$ZodIssue[] | undefined {
    const matched = issue.errors.filter((member) => member.length > 0 && !member.some((inner) => inner.path.length === 0 && inner.code === "invalid_type"));
    return matched.length === 1 ? matched[0] : undefined;
}

/**
 * One line per issue of parsing `raw` (full config keys to values) against a schema of its keys, each
 * issue's path starting with the key. A value that has the shape of one member of a union (an object of
 * check options, a parent or a list of parents) but failed inside it is reported by what failed inside,
 * which says more than the union's summary.
 */
export function issueProblems(issues: readonly z.core.$ZodIssue[], raw: unknown): string[] {
    const problems: string[] = [];
    for (const issue of issues) {
        if (issue.code === "invalid_union") {
            const memberIssues = matchedMember(issue);
            if (memberIssues) {
                for (const inner of memberIssues) {
                    const path = [...issue.path, ...inner.path];
                    problems.push(`${keyPath(path)}: ${describeIssue({ ...inner, path }, valueAt(raw, path))}`);
                }
                continue;
            }
        }
        problems.push(`${keyPath(issue.path)}: ${describeIssue(issue, valueAt(raw, issue.path))}`);
    }
    return problems;
}
