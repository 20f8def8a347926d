/**
 * The stack config contract: shape (zod) plus the cross-key rules (image graph, branches, credentials).
 * Every problem is collected with its key path, what was expected and what was found, and reported
 * together, before any resource is declared. No Pulumi import: the plan CLI and `new-release` use it too.
 */
import { z } from "zod";
import { CHECK_NAMES, CheckOptions, DEFAULT_CHECK_OPTIONS, PLATFORM_PATTERN, STACK_CHECKS, optionSchema, optionsOf } from "../check/options";
import { shellQuote } from "../check/gateArgs";
import { DIGEST_PATTERN } from "../images/reference";
import {
    branchNameProblem,
    buildArgProblem,
    githubOwnerProblem,
    githubRepositoryProblem,
    registryServerProblem,
    repositoryPathProblem,
    tagProblem,
    uw3BranchProblem,
    binderUrlProblem,
} from "./names";
import { MAX_TIMEOUT_REASON, MAX_TIMEOUT_S } from "./limits";
import { capped, shown } from "./shown";
import { DEFAULT_REBUILD_ON, globProblems } from "../source/globs";
import { binderHubUrlProblem, FEDERATION_MEMBERS, MAX_BINDER_HUBS, normaliseHubUrl } from "../warmup/federation";
import { DEFAULT_REHEARSAL_OPTIONS, RehearsalOptions, cpusProblem, memoryProblem, startTimeoutProblem } from "../rehearsal/options";

export const PROJECT = "uw3-binder";

/** Config keys, as they appear in `Pulumi.<stack>.yaml`. */
export const KEYS = {
    owner: "github:owner",
    token: "github:token",
    release: `${PROJECT}:release`,
    previousRelease: `${PROJECT}:previousRelease`,
    registry: `${PROJECT}:registry`,
    source: `${PROJECT}:source`,
    images: `${PROJECT}:images`,
    launcher: `${PROJECT}:launcher`,
    registryPassword: `${PROJECT}:registryPassword`,
    registryPasswords: `${PROJECT}:registryPasswords`,
    launcherPat: `${PROJECT}:launcherPat`,
    withdrawn: `${PROJECT}:withdrawn`,
} as const;

const SECRET_KEYS: string[] = [KEYS.token, KEYS.registryPassword, KEYS.registryPasswords, KEYS.launcherPat];
const PLAIN_KEYS: string[] = [KEYS.owner, KEYS.release, KEYS.previousRelease, KEYS.registry, KEYS.source, KEYS.images, KEYS.launcher, KEYS.withdrawn];


export const RELEASE_PATTERN = /^(\d{4})\.(0[1-9]|1[0-2])$/;
/** mybinder.org's nodes run this platform: an image a launcher pins must provide it. */
export const BINDER_PLATFORM = "linux/amd64";
const TAG_PLACEHOLDER = /\{([^}]*)\}/g;

// ---------------------------------------------------------------------------------------------------------
// Shapes

const text = z.string().min(1);
const registryShape = z.strictObject({
    server: text,
    namespace: text,
    username: text.optional(),
});
const globList = z.array(text).min(1);
/**
 * `checks`: per check `false`, `true` or an object of its options, derived from the one declaration of
 * the check options (src/check/options.ts), so the config accepts exactly what a gate's `check` accepts.
 */
const checksShape = z.strictObject(
    Object.fromEntries(
        CHECK_NAMES.filter((check) => !STACK_CHECKS.includes(check)).map((check) => {
            const options = optionsOf(check);
            if (options.length === 0) return [check, z.boolean().optional()];
            const shape = Object.fromEntries(options.map((o) => [o.configKey, optionSchema(o).optional()]));
            return [check, z.union([z.boolean(), z.strictObject(shape)]).optional()];
        }),
    ),
);
type RawChecks = Partial<Record<(typeof CHECK_NAMES)[number], boolean | Record<string, unknown>>>;
const imageShape = z.strictObject({
    repository: text,
    tag: text.optional(),
    tags: z.array(text).min(1).optional(),
    dockerfile: text,
    context: globList.optional(),
    rebuildOn: globList.optional(),
    from: z.union([z.strictObject({ image: text, arg: text }), z.array(z.strictObject({ image: text, arg: text })).min(1)]).optional(),
    args: z.record(z.string(), z.string()).optional(),
    platforms: z.array(text).min(1).optional(),
    target: text.optional(),
    registry: registryShape.optional(),
    checks: checksShape.optional(),
});
const branchShape = z.strictObject({
    name: text,
    uw3Branch: text,
    image: text,
    pin: text.optional(),
});
const launcherShape = z.strictObject({
    repository: text,
    create: z.boolean().optional(),
    defaultBranch: text.optional(),
    branches: z.array(branchShape).min(1),
    warmup: z.boolean().optional(),
    warmupTimeoutS: z.number().int().positive().max(MAX_TIMEOUT_S).optional(),
    binderUrl: text.optional(),
    binderHubs: z.array(z.string()).min(1).optional(),
    commitAuthor: z.strictObject({ name: text, email: z.email() }).optional(),
    rehearsal: z
        .strictObject({ enabled: z.boolean().optional(), memory: text.optional(), cpus: z.number().optional(), startTimeoutS: z.number().optional() })
        .optional(),
});
const withdrawnShape = z.array(
    z.strictObject({
        digest: z.string().regex(DIGEST_PATTERN, { error: "expected sha256:<64 hex>" }),
        reason: z.string().trim().min(1),
        date: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { error: "expected a date YYYY-MM-DD" }),
        replacement: text.optional(),
    }),
);
const sourceShape = z.strictObject({
    repository: text,
    path: text,
    launcherPatSecret: z.boolean().optional(),
});

// ---------------------------------------------------------------------------------------------------------
// The validated, normalised config

export interface RegistryConfig {
    server: string;
    namespace: string;
    username?: string;
}

export interface ImageConfig {
    /** The key under `uw3-binder:images`. */
    name: string;
    registry: RegistryConfig;
    repository: string;
    /** `<server>/<namespace>/<repository>` */
    repositoryUrl: string;
    /** Tags with `{release}` expanded; the first is the primary one. */
    tags: string[];
    /** `<repositoryUrl>:<tags[0]>` */
    imageName: string;
    dockerfile: string;
    /** Source paths (globs) copied into the build context. */
    context: string[];
    /** Source paths (globs) whose fingerprint is a build arg: a change to them forces a rebuild. */
    rebuildOn: string[];
    /** The images this one is built FROM, each handed in by digest through its build arg. */
    parents: { image: string; arg: string }[];
    args: Record<string, string>;
    platforms: string[];
    target?: string;
    checks: CheckOptions;
}

export interface PinConfig {
    digest: string;
    /** The tag that digest was published under, when the pin names one. */
    tag?: string;
}

export interface LauncherBranchConfig {
    name: string;
    uw3Branch: string;
    image: string;
    pin?: PinConfig;
    /** Set when the branch's `pin:` was withdrawn: `pin` is then the withdrawal's replacement. */
    withdrawn?: WithdrawnRelease;
}

/** An entry of `uw3-binder:withdrawn`: a published digest no gate passes again, and why. */
export interface WithdrawnRelease {
    digest: string;
    reason: string;
    /** YYYY-MM-DD */
    date: string;
    /** `<tag>@sha256:<hex>` (a `pin:`): what a branch pinned to the withdrawn digest is repinned to. */
    replacement?: PinConfig;
}

export interface LauncherConfig {
    owner: string;
    repository: string;
    create: boolean;
    defaultBranch: string;
    branches: LauncherBranchConfig[];
    warmup: boolean;
    /** How long `pulumi up` waits for mybinder.org's build of each repinned branch. */
    warmupTimeoutS: number;
    binderUrl: string;
    /** The BinderHubs `warmup` asks to build each repinned branch: every federation member by default. */
    binderHubs: string[];
    commitAuthor: { name: string; email: string };
    /** Each branch's launch is rehearsed (`uw3-binder rehearse`) before it is repinned, unless disabled. */
    rehearsal: RehearsalOptions & { enabled: boolean };
}

export interface RegistryLogin {
    server: string;
    username: string;
    /** The secret config key, and the map key inside it when the key holds a map. */
    secret: { key: string; entry?: string };
}

export interface BinderConfig {
    githubOwner: string;
    release: string;
    /** The release this stack was copied from (`new-release`), whose tags are each image's baseline. */
    previousRelease?: string;
    registry: RegistryConfig;
    source: { repository: string; owner: string; name: string; path: string; launcherPatSecret: boolean };
    /** In dependency order: every parent before its children. */
    images: ImageConfig[];
    /** Undefined when the stack publishes images only. */
    launcher?: LauncherConfig;
    /** One login per registry server that has a username. */
    logins: RegistryLogin[];
    /** `uw3-binder:withdrawn`: every gate refuses these digests. */
    withdrawn: WithdrawnRelease[];
}

/** Which secrets exist; their values are never needed to validate. */
export interface SecretPresence {
    keys: string[];
    /** Map keys present under `uw3-binder:registryPasswords`. */
    registryPasswordServers: string[];
    /** `GITHUB_TOKEN` in the environment stands in for `github:token`, as the provider accepts it. */
    githubTokenFromEnv: boolean;
}

export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(formatProblems(problems));
        this.name = "ConfigError";
    }
}

export function formatProblems(problems: string[]): string {
    const heading = `invalid ${PROJECT} stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):`;
    return [heading, ...problems.map((p) => `  - ${p}`)].join("\n");
}

function keyPath(key: string, path: readonly PropertyKey[]): string {
    let out = key;
    for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${capped(String(p))}`;
    return `\`${out}\``;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let v: any = root;
    for (const p of path) v = v == null ? undefined : v[p as any];
    return v;
}

function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
    const found = valueAt(root, issue.path);
    switch (issue.code) {
        case "invalid_type":
            return found === undefined ? `is required (expected ${issue.expected})` : `expected ${issue.expected}, found ${shown(found)}`;
        case "unrecognized_keys":
            return `unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => shown(k)).join(", ")}`;
        case "too_small":
            return issue.origin === "array"
                ? `expected at least ${issue.minimum} entr${issue.minimum === 1 ? "y" : "ies"}, found ${shown(found)}`
                : issue.origin === "string"
                  ? `expected a non-empty string, found ${shown(found)}`
                  : `expected a number ${issue.inclusive ? ">=" : ">"} ${issue.minimum}, found ${shown(found)}`;
        case "too_big":
            return issue.maximum === MAX_TIMEOUT_S
                ? `expected at most ${MAX_TIMEOUT_REASON}, found ${shown(found)}`
                : `expected a number <= ${issue.maximum}, found ${shown(found)}`;
        case "invalid_union":
            return `expected true, false or an object of options, found ${shown(found)}`;
        case "invalid_format":
            // A pattern's own message says what it expects ("expected a date YYYY-MM-DD").
            if (issue.format === "regex") return `${issue.message}, found ${shown(found)}`;
            return `expected ${issue.format === "url" ? "an http(s) URL" : `a valid ${issue.format}`}, found ${shown(found)}`;
        default:
            return `${issue.message}, found ${shown(found)}`;
    }
}

/** Validates one key's value against a zod shape, adding a problem per issue. */
function shape<T>(schema: z.ZodType<T>, key: string, value: unknown, problems: string[]): T | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
        // An object-typed union member that failed deep inside says more than the union's summary.
        if (issue.code === "invalid_union" && issue.errors.length > 1) {
            const objectIssues = issue.errors[1];
            if (objectIssues.length > 0 && typeof valueAt(value, issue.path) === "object") {
                for (const inner of objectIssues) {
                    const full = { ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue;
                    problems.push(`${keyPath(key, full.path)}: ${describeIssue(full, value)}`);
                }
                continue;
            }
        }
        problems.push(`${keyPath(key, issue.path)}: ${describeIssue(issue, value)}`);
    }
    return undefined;
}

function secretCommand(key: string, entry?: string): string {
    return entry === undefined
        ? `pulumi config set --secret ${key} <value>`
        : `pulumi config set --secret --path ${shellQuote(`${key}[${JSON.stringify(entry)}]`)} <value>`;
}

/** Expands `{release}` in a tag; any other placeholder is a problem. */
export function expandTag(template: string, release: string): { tag: string; unknown: string[] } {
    const unknown: string[] = [];
    const tag = template.replace(TAG_PLACEHOLDER, (whole, name: string) => {
        if (name === "release") return release;
        unknown.push(whole);
        return whole;
    });
    return { tag, unknown };
}

/**
 * The image a mybinder.org node that ran the previous release has: the image's primary tag with
 * `{release}` expanded to the previous release. None when the tag does not name the release (a fixed
 * tag such as Docker Hub's "2.5.0b" would be the image itself).
 */
export function baselineReference(repositoryUrl: string, tagTemplate: string, previousRelease: string): string | undefined {
    if (!tagTemplate.includes("{release}")) return undefined;
    return `${repositoryUrl}:${expandTag(tagTemplate, previousRelease).tag}`;
}

/** Parses a launcher `pin`: `sha256:<hex>` or `<tag>@sha256:<hex>`. */
export function parsePin(value: string): PinConfig | undefined {
    const at = value.lastIndexOf("@");
    const digest = at >= 0 ? value.slice(at + 1) : value;
    const tag = at >= 0 ? value.slice(0, at) : undefined;
    if (!DIGEST_PATTERN.test(digest)) return undefined;
    if (tag !== undefined && tagProblem(tag) !== undefined) return undefined;
    return { digest, tag };
}

/**
 * An image's check options: the declared defaults, overridden by its `checks`. The jupyter check runs
 * each server in its own container network, so parallel gates never contend for a port.
 */
function checkOptions(raw: RawChecks | undefined): CheckOptions {
    const options: CheckOptions = { ...DEFAULT_CHECK_OPTIONS, enabled: [...CHECK_NAMES] };
    for (const check of CHECK_NAMES) {
        const value = raw?.[check];
        if (value === false) options.enabled = options.enabled.filter((n) => n !== check);
        if (typeof value !== "object") continue;
        for (const option of optionsOf(check)) {
            if (value[option.configKey] !== undefined) (options as unknown as Record<string, unknown>)[option.key] = value[option.configKey];
        }
    }
    return options;
}

/**
 * Checks the image graph: every parent exists and there are no cycles. Problems name the images involved.
 * Declaration order is not a rule: the engine hands a config object to the program with its keys sorted
 * (as Go marshals a map), so `images` arrives alphabetically, whatever the stack file says.
 */
export function imageGraphProblems(images: { name: string; parents: string[] }[]): string[] {
    const problems: string[] = [];
    const names = images.map((i) => i.name);
    const parentsOf = new Map(images.map((i) => [i.name, i.parents]));
    const reportedCycles = new Set<string>();
    /** A path from `from` back to `target` through parents, if there is one. */
    const pathBack = (from: string, target: string, seen: Set<string>): string[] | undefined => {
        if (from === target) return [target];
        if (seen.has(from)) return undefined;
        seen.add(from);
        for (const p of parentsOf.get(from) ?? []) {
            const rest = pathBack(p, target, seen);
            if (rest) return [from, ...rest];
        }
        return undefined;
    };
    images.forEach((image) => {
        image.parents.forEach((parent, i) => {
            const where = `\`${KEYS.images}.${capped(image.name)}.from${image.parents.length > 1 ? `[${i}]` : ""}.image\``;
            if (!names.includes(parent)) {
                problems.push(`${where}: expected the name of another image (${names.map((n) => shown(n)).join(", ")}), found ${shown(parent)}`);
                return;
            }
            const cycle = pathBack(parent, image.name, new Set());
            if (cycle) {
                const members = [image.name, ...cycle];
                const key = [...new Set(members)].sort().join(",");
                if (!reportedCycles.has(key)) {
                    reportedCycles.add(key);
                    problems.push(`${where}: images form a cycle: ${members.join(" -> ")} (an image cannot be built FROM itself)`);
                }
            }
        });
    });
    return problems;
}

/** The images with every parent before its children, otherwise in the order given. Needs an acyclic graph. */
export function inDependencyOrder<T extends { name: string; parents: { image: string }[] }>(images: readonly T[]): T[] {
    const byName = new Map(images.map((i) => [i.name, i]));
    const ordered: T[] = [];
    const placed = new Set<string>();
    const place = (image: T) => {
        if (placed.has(image.name)) return;
        placed.add(image.name);
        for (const p of image.parents) {
            const parent = byName.get(p.image);
            if (parent) place(parent);
        }
        ordered.push(image);
    };
    images.forEach(place);
    return ordered;
}

/**
 * Validates the whole stack config. `raw` maps full config keys (`uw3-binder:images`, `github:owner`)
 * to their values, structured values already parsed from YAML/JSON.
 */
export function parseBinderConfig(raw: Record<string, unknown>, secrets: SecretPresence): BinderConfig {
    const problems: string[] = [];

    for (const key of Object.keys(raw)) {
        if (key.startsWith(`${PROJECT}:`) && !PLAIN_KEYS.includes(key) && !SECRET_KEYS.includes(key)) {
            problems.push(`\`${capped(key)}\`: unknown key; expected one of ${[...PLAIN_KEYS, ...SECRET_KEYS].filter((k) => k.startsWith(PROJECT)).join(", ")}`);
        }
    }

    // A stack that writes nothing to GitHub (no launcher, no LAUNCHER_PAT secret, as the demo and Underworld2
    // stacks) needs no GitHub owner.
    const sourceRaw = raw[KEYS.source] as { launcherPatSecret?: unknown } | undefined;
    const writesGithub = raw[KEYS.launcher] !== undefined || (typeof sourceRaw === "object" && sourceRaw !== null ? sourceRaw.launcherPatSecret !== false : true);
    const owner = writesGithub || raw[KEYS.owner] !== undefined ? shape(text, KEYS.owner, raw[KEYS.owner], problems) : "";
    if (owner && githubOwnerProblem(owner)) problems.push(`\`${KEYS.owner}\`: ${githubOwnerProblem(owner)}, found ${shown(owner)}`);

    const releaseRaw = raw[KEYS.release];
    let release: string | undefined;
    if (typeof releaseRaw === "string" && RELEASE_PATTERN.test(releaseRaw)) release = releaseRaw;
    else problems.push(`\`${KEYS.release}\`: expected a release month YYYY.MM (for example "2025.01"), found ${shown(releaseRaw)}`);
    // The month `new-release` copied this stack from: each image's size is judged against its tag of that month.
    const previousRaw = raw[KEYS.previousRelease];
    let previousRelease: string | undefined;
    if (previousRaw !== undefined) {
        if (typeof previousRaw !== "string" || !RELEASE_PATTERN.test(previousRaw)) {
            problems.push(`\`${KEYS.previousRelease}\`: expected a release month YYYY.MM (for example "2025.01"), found ${shown(previousRaw)}`);
        } else if (release && previousRaw >= release) {
            problems.push(`\`${KEYS.previousRelease}\`: expected a month before \`${KEYS.release}\` (${shown(release)}), found ${shown(previousRaw)}`);
        } else previousRelease = previousRaw;
    }

    const registry = shape(registryShape, KEYS.registry, raw[KEYS.registry], problems);
    const source = shape(sourceShape, KEYS.source, raw[KEYS.source], problems);
    const imagesRaw = shape(z.record(z.string(), imageShape), KEYS.images, raw[KEYS.images], problems);
    // No launcher is a valid stack (the Underworld2 images have none).
    const launcherRaw = raw[KEYS.launcher] === undefined ? undefined : shape(launcherShape, KEYS.launcher, raw[KEYS.launcher], problems);
    const withdrawnRaw = raw[KEYS.withdrawn] === undefined ? [] : (shape(withdrawnShape, KEYS.withdrawn, raw[KEYS.withdrawn], problems) ?? []);
    const withdrawn: WithdrawnRelease[] = [];
    withdrawnRaw.forEach((w, i) => {
        const at = `\`${KEYS.withdrawn}[${i}]`;
        if (withdrawnRaw.findIndex((o) => o.digest === w.digest) !== i) problems.push(`${at}.digest\`: ${w.digest} is already withdrawn; each digest is listed once`);
        let replacement: PinConfig | undefined;
        if (w.replacement !== undefined) {
            replacement = parsePin(w.replacement);
            if (!replacement) problems.push(`${at}.replacement\`: expected sha256:<64 hex> or <tag>@sha256:<64 hex>, found ${shown(w.replacement)}`);
            else if (withdrawnRaw.some((o) => o.digest === replacement!.digest)) problems.push(`${at}.replacement\`: ${replacement.digest} is itself withdrawn; name a release that is not`);
        }
        withdrawn.push({ digest: w.digest, reason: w.reason.trim(), date: w.date, replacement });
    });

    const registryChecks = (reg: RegistryConfig, where: string) => {
        const s = registryServerProblem(reg.server);
        if (s) problems.push(`${where}.server\`: ${s}, found ${shown(reg.server)}`);
        const n = repositoryPathProblem(reg.namespace);
        if (n) problems.push(`${where}.namespace\`: ${n}`);
    };
    if (registry) registryChecks(registry, `\`${KEYS.registry}`);

    let sourceOwner = "";
    let sourceName = "";
    if (source) {
        const m = /^([^/]+)\/([^/]+)$/.exec(source.repository);
        if (!m || githubOwnerProblem(m[1]) || githubRepositoryProblem(m[2])) {
            problems.push(`\`${KEYS.source}.repository\`: expected <owner>/<repository> on GitHub, found ${shown(source.repository)}`);
        } else {
            [sourceOwner, sourceName] = [m[1], m[2]];
            if ((source.launcherPatSecret ?? true) && owner !== undefined && sourceOwner !== owner) {
                problems.push(
                    `\`${KEYS.source}.repository\`: the LAUNCHER_PAT Actions secret is written with the \`${KEYS.owner}\` provider, so the source repository must belong to ${shown(owner)}, found ${shown(sourceOwner)} (or set \`${KEYS.source}.launcherPatSecret: false\`)`,
                );
            }
        }
    }

    // Images
    const images: ImageConfig[] = [];
    if (imagesRaw) {
        const entries = Object.entries(imagesRaw);
        if (entries.length === 0) problems.push(`\`${KEYS.images}\`: expected at least one image, found {}`);
        for (const [name, img] of entries) {
            const at = `\`${KEYS.images}.${capped(name)}`;
            if (!/^[a-z][a-z0-9-]*$/.test(name)) problems.push(`${at}\`: an image name is lowercase letters, digits and '-', starting with a letter`);
            const rp = repositoryPathProblem(img.repository);
            if (rp) problems.push(`${at}.repository\`: ${rp}`);
            if (img.tag !== undefined && img.tags !== undefined) problems.push(`${at}\`: \`tag\` and \`tags\` are mutually exclusive; use one`);
            const templates = img.tags ?? [img.tag ?? "{release}"];
            const tags: string[] = [];
            templates.forEach((template, i) => {
                const where = img.tags ? `${at}.tags[${i}]\`` : `${at}.tag\``;
                const { tag, unknown } = expandTag(template, release ?? "0000.00");
                if (unknown.length > 0) {
                    problems.push(`${where}: unknown placeholder ${unknown.join(", ")}; the only placeholder is {release}`);
                    return;
                }
                const tp = tagProblem(tag);
                if (tp) problems.push(`${where}: ${shown(template)} expands to ${shown(tag)}, which ${tp}`);
                else if (tags.includes(tag)) problems.push(`${where}: duplicate tag ${shown(tag)}`);
                else tags.push(tag);
            });
            if (img.registry) registryChecks(img.registry, `${at}.registry`);
            const parents = img.from === undefined ? [] : Array.isArray(img.from) ? img.from : [img.from];
            parents.forEach((parent, i) => {
                const fromAt = `${at}.from${Array.isArray(img.from) ? `[${i}]` : ""}`;
                const bp = buildArgProblem(parent.arg);
                if (bp) problems.push(`${fromAt}.arg\`: ${bp}, found ${shown(parent.arg)}`);
                else if (parents.findIndex((p) => p.arg === parent.arg) !== i) problems.push(`${fromAt}.arg\`: build arg ${shown(parent.arg)} already carries another parent`);
                if (img.args && parent.arg in img.args) problems.push(`${at}.args.${parent.arg}\`: this build arg carries the parent's digest (\`from.arg\`); remove it from \`args\``);
            });
            for (const arg of Object.keys(img.args ?? {})) {
                const bp = buildArgProblem(arg);
                if (bp) problems.push(`${at}.args.${arg}\`: ${bp}`);
            }
            const platforms = img.platforms ?? ["linux/amd64"];
            platforms.forEach((p, i) => {
                if (!PLATFORM_PATTERN.test(p)) problems.push(`${at}.platforms[${i}]\`: expected a Linux platform such as "linux/amd64" or "linux/arm64", found ${shown(p)}`);
                else if (platforms.indexOf(p) !== i) problems.push(`${at}.platforms[${i}]\`: duplicate platform ${shown(p)}`);
            });
            for (const field of ["context", "rebuildOn"] as const) {
                for (const gp of globProblems(img[field] ?? [])) {
                    const split = gp.indexOf(": ");
                    problems.push(`${at}.${field}${gp.slice(0, split)}\`${gp.slice(split)}`);
                }
            }
            for (const field of ["dockerfile"] as const) {
                const values = ([] as string[]).concat(img[field] ?? []);
                values.forEach((v) => {
                    if (v.startsWith("/") || v.split("/").includes("..")) {
                        problems.push(`${at}.${field}\`: paths are relative to \`${KEYS.source}.path\` and stay inside it, found ${shown(v)}`);
                    }
                });
            }
            const imageRegistry: RegistryConfig = img.registry ?? registry ?? { server: "", namespace: "" };
            const rebuildOn = img.rebuildOn ?? [...DEFAULT_REBUILD_ON];
            const context = img.context ?? rebuildOn;
            const repositoryUrl = `${imageRegistry.server}/${imageRegistry.namespace}/${img.repository}`;
            images.push({
                name,
                registry: imageRegistry,
                repository: img.repository,
                repositoryUrl,
                tags,
                imageName: `${repositoryUrl}:${tags[0] ?? ""}`,
                dockerfile: img.dockerfile,
                context: context.includes(img.dockerfile) ? context : [...context, img.dockerfile],
                rebuildOn,
                parents,
                args: img.args ?? {},
                platforms,
                target: img.target,
                checks: { ...checkOptions(img.checks as RawChecks | undefined), withdrawn: withdrawn.map(({ digest, reason }) => ({ digest, reason })) },
            });
            const checks = images[images.length - 1].checks;
            // An explicit `checks.layers.baseline` wins; otherwise the previous release's tag of this image.
            if (previousRelease && checks.baseline === "" && checks.enabled.includes("layers")) {
                checks.baseline = baselineReference(repositoryUrl, templates[0], previousRelease) ?? "";
            }
            if (images[images.length - 1].checks.enabled.every((n) => STACK_CHECKS.includes(n))) {
                problems.push(`${at}.checks\`: every check is off, so nothing would gate this image; keep at least \`layers\``);
            }
        }
        const graphProblems = imageGraphProblems(images.map((i) => ({ name: i.name, parents: i.parents.map((p) => p.image) })));
        problems.push(...graphProblems);
        if (graphProblems.length === 0) images.splice(0, images.length, ...inDependencyOrder(images));
    }

    // Registry logins: one per server with a username, and a password secret for each.
    const logins: RegistryLogin[] = [];
    const usernames = new Map<string, { username: string; where: string }>();
    const addRegistry = (reg: RegistryConfig, where: string) => {
        if (!reg.username) return;
        const seen = usernames.get(reg.server);
        if (seen && seen.username !== reg.username) {
            problems.push(`${where}.username\`: registry ${shown(reg.server)} already has username ${shown(seen.username)} (${seen.where}\`), found ${shown(reg.username)}; one login per registry`);
            return;
        }
        if (seen) return;
        usernames.set(reg.server, { username: reg.username, where });
        const inMap = secrets.registryPasswordServers.includes(reg.server);
        const isDefault = registry !== undefined && reg.server === registry.server;
        if (inMap) logins.push({ server: reg.server, username: reg.username, secret: { key: KEYS.registryPasswords, entry: reg.server } });
        else if (isDefault && secrets.keys.includes(KEYS.registryPassword)) logins.push({ server: reg.server, username: reg.username, secret: { key: KEYS.registryPassword } });
        // A server that is not a host name is reported above; it would only make a wrong command here.
        else if (!registryServerProblem(reg.server)) {
            const fix = isDefault ? secretCommand(KEYS.registryPassword) : secretCommand(KEYS.registryPasswords, reg.server);
            problems.push(`${where}.username\`: registry ${shown(reg.server)} has a username but no password secret; set it with \`${fix}\``);
        }
    };
    if (registry) addRegistry(registry, `\`${KEYS.registry}`);
    if (imagesRaw) for (const [name, img] of Object.entries(imagesRaw)) if (img.registry) addRegistry(img.registry, `\`${KEYS.images}.${capped(name)}.registry`);
    for (const server of secrets.registryPasswordServers) {
        if (!usernames.has(server)) problems.push(`\`${KEYS.registryPasswords}[${shown(server)}]\`: no image is pushed to ${shown(server)} with a username; remove the password or set the registry's \`username\``);
    }
    // A child build pulls its parent: across registries, the parent's registry must have a login.
    const byName = new Map(images.map((i) => [i.name, i]));
    for (const image of images) {
        for (const parent of image.parents.map((p) => byName.get(p.image))) {
        if (parent && parent.registry.server !== image.registry.server && !usernames.has(parent.registry.server)) {
            problems.push(
                `\`${KEYS.images}.${capped(image.name)}.from\`: parent ${shown(parent.name)} is on registry ${shown(parent.registry.server)} and ${shown(image.name)} on ${shown(image.registry.server)}, but ${shown(parent.registry.server)} has no credentials; give it a \`username\` and a password secret`,
            );
        }
        }
    }

    // Launcher
    let launcher: LauncherConfig | undefined;
    if (launcherRaw) {
        const at = `\`${KEYS.launcher}`;
        const rp = githubRepositoryProblem(launcherRaw.repository);
        if (rp) problems.push(`${at}.repository\`: ${rp}, found ${shown(launcherRaw.repository)}`);
        const defaultBranch = launcherRaw.defaultBranch ?? "main";
        const names = new Set<string>();
        const branches: LauncherBranchConfig[] = [];
        launcherRaw.branches.forEach((b, i) => {
            const where = `${at}.branches[${i}]`;
            const bp = branchNameProblem(b.name);
            if (bp) problems.push(`${where}.name\`: git refuses this branch name: ${bp}, found ${shown(b.name)}`);
            if (names.has(b.name)) problems.push(`${where}.name\`: duplicate launcher branch ${shown(b.name)}; each branch is listed once`);
            names.add(b.name);
            const up = uw3BranchProblem(b.uw3Branch);
            if (up) problems.push(`${where}.uw3Branch\`: launcher branch ${shown(b.name)}: ${up}, found ${shown(b.uw3Branch)}`);
            if (imagesRaw && !(b.image in imagesRaw)) {
                problems.push(`${where}.image\`: expected one of the images (${Object.keys(imagesRaw).map((n) => shown(n)).join(", ")}), found ${shown(b.image)}`);
            }
            let pin: PinConfig | undefined;
            let withdrawnPin: WithdrawnRelease | undefined;
            if (b.pin !== undefined) {
                pin = parsePin(b.pin);
                if (!pin) problems.push(`${where}.pin\`: expected sha256:<64 hex> or <tag>@sha256:<64 hex>, found ${shown(b.pin)}`);
                withdrawnPin = withdrawn.find((w) => w.digest === pin?.digest);
                // A withdrawal with a replacement repins the branch (the README says why); without one the
                // program has nothing it may pin, and pinning the withdrawn digest is what must not happen.
                if (withdrawnPin?.replacement) pin = withdrawnPin.replacement;
                else if (withdrawnPin) {
                    problems.push(
                        `${where}.pin\`: launcher branch ${shown(b.name)} is pinned to ${withdrawnPin.digest}, which is withdrawn (${capped(withdrawnPin.reason)}); pin it to another release, or give the withdrawal a \`replacement\` (\`uw3-binder withdraw ... --from-outputs <earlier outputs>\`)`,
                    );
                }
            }
            branches.push({ name: b.name, uw3Branch: b.uw3Branch, image: b.image, pin, ...(withdrawnPin ? { withdrawn: withdrawnPin } : {}) });
        });
        // mybinder.org's nodes are amd64: an image a launcher pins that does not provide it never starts.
        for (const image of images.filter((i) => branches.some((b) => b.image === i.name))) {
            const users = branches.filter((b) => b.image === image.name).map((b) => `"${b.name}"`).join(", ");
            if (!image.platforms.includes(BINDER_PLATFORM)) {
                problems.push(
                    `\`${KEYS.images}.${image.name}.platforms\`: launcher branch ${users} pins this image and mybinder.org runs ${BINDER_PLATFORM}; include "${BINDER_PLATFORM}", found ${shown(image.platforms)}`,
                );
            }
            if (image.checks.enabled.includes("platform") && !image.checks.platforms.includes(BINDER_PLATFORM)) {
                problems.push(
                    `\`${KEYS.images}.${image.name}.checks.platform.require\`: launcher branch ${users} pins this image, so the platform check must require "${BINDER_PLATFORM}", found ${shown(image.checks.platforms)}`,
                );
            }
        }
        if (launcherRaw.binderUrl !== undefined) {
            const bp = binderUrlProblem(launcherRaw.binderUrl);
            if (bp) problems.push(`${at}.binderUrl\`: ${bp}, found ${shown(launcherRaw.binderUrl)}`);
        }
        const dp = branchNameProblem(defaultBranch);
        if (dp) problems.push(`${at}.defaultBranch\`: git refuses this branch name: ${dp}, found ${shown(defaultBranch)}`);
        else if (!names.has(defaultBranch)) {
            problems.push(`${at}.defaultBranch\`: the default branch ${shown(defaultBranch)} must also be listed in \`branches\` (it carries the README with every badge)`);
        }
        // One hub named by `binderUrl` (the setting before federation members were warmed) stays one hub.
        let binderHubs = launcherRaw.binderUrl !== undefined ? [launcherRaw.binderUrl] : [...FEDERATION_MEMBERS];
        const urlProblem = launcherRaw.binderUrl === undefined ? undefined : binderHubUrlProblem(launcherRaw.binderUrl);
        if (urlProblem && launcherRaw.binderHubs === undefined) problems.push(`${at}.binderUrl\`: ${urlProblem}, found ${shown(launcherRaw.binderUrl)}`);
        if (launcherRaw.binderHubs !== undefined) {
            if (launcherRaw.binderUrl !== undefined) {
                problems.push(`${at}.binderHubs\`: \`binderUrl\` and \`binderHubs\` are mutually exclusive; list every hub to warm in \`binderHubs\``);
            }
            binderHubs = [];
            if (launcherRaw.binderHubs.length > MAX_BINDER_HUBS) {
                problems.push(`${at}.binderHubs\`: expected at most ${MAX_BINDER_HUBS} hubs (each builds every branch), found ${launcherRaw.binderHubs.length}`);
            }
            launcherRaw.binderHubs.forEach((hub, i) => {
                const hp = binderHubUrlProblem(hub);
                if (hp) problems.push(`${at}.binderHubs[${i}]\`: ${hp}, found ${shown(hub)}`);
                else if (binderHubs.includes(normaliseHubUrl(hub))) problems.push(`${at}.binderHubs[${i}]\`: duplicate hub ${shown(hub)}; each hub is listed once`);
                else binderHubs.push(normaliseHubUrl(hub));
            });
        }
        const rehearsalRaw = launcherRaw.rehearsal ?? {};
        const rehearsal = {
            enabled: rehearsalRaw.enabled ?? true,
            memory: rehearsalRaw.memory ?? DEFAULT_REHEARSAL_OPTIONS.memory,
            cpus: rehearsalRaw.cpus ?? DEFAULT_REHEARSAL_OPTIONS.cpus,
            startTimeoutS: rehearsalRaw.startTimeoutS ?? DEFAULT_REHEARSAL_OPTIONS.startTimeoutS,
        };
        // The rules `uw3-binder rehearse` applies to its flags, so the command a launcher runs never refuses them.
        const rehearsalProblems: [string, unknown, string | undefined][] = [
            ["memory", rehearsal.memory, memoryProblem(rehearsal.memory)],
            ["cpus", rehearsal.cpus, cpusProblem(rehearsal.cpus)],
            ["startTimeoutS", rehearsal.startTimeoutS, startTimeoutProblem(rehearsal.startTimeoutS)],
        ];
        for (const [field, value, problem] of rehearsalProblems) {
            if (problem) problems.push(`${at}.rehearsal.${field}\`: ${problem}, found ${shown(value)}`);
        }
        launcher = {
            owner: owner ?? "",
            repository: launcherRaw.repository,
            create: launcherRaw.create ?? false,
            defaultBranch,
            branches,
            warmup: launcherRaw.warmup ?? false,
            warmupTimeoutS: launcherRaw.warmupTimeoutS ?? 600,
            binderUrl: (launcherRaw.binderUrl ?? "https://mybinder.org").replace(/\/+$/, ""),
            binderHubs: binderHubs.map(normaliseHubUrl),
            commitAuthor: launcherRaw.commitAuthor ?? { name: "uw3-binder", email: "uw3-binder@users.noreply.github.com" },
            rehearsal,
        };
    }

    // Secrets that must exist, each with the command that sets it.
    if (writesGithub && !secrets.keys.includes(KEYS.token) && !secrets.githubTokenFromEnv) {
        problems.push(`\`${KEYS.token}\`: missing secret (the GitHub token that writes the launcher repository); set it with \`${secretCommand(KEYS.token)}\``);
    }
    if ((source?.launcherPatSecret ?? true) && !secrets.keys.includes(KEYS.launcherPat)) {
        problems.push(`\`${KEYS.launcherPat}\`: missing secret (stored as the LAUNCHER_PAT Actions secret); set it with \`${secretCommand(KEYS.launcherPat)}\``);
    }

    if (problems.length > 0 || owner === undefined || !release || !registry || !source || (raw[KEYS.launcher] !== undefined && !launcher)) {
        throw new ConfigError(problems.length > 0 ? problems : ["the config is incomplete"]);
    }
    return {
        githubOwner: owner,
        release,
        ...(previousRelease ? { previousRelease } : {}),
        registry,
        source: { repository: source.repository, owner: sourceOwner, name: sourceName, path: source.path, launcherPatSecret: source.launcherPatSecret ?? true },
        images,
        launcher,
        logins,
        withdrawn,
    };
}
