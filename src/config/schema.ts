/**
 * The stack config contract. Each key has an exported zod schema: its shape, and the rules inside it as a
 * superRefine (a registry's server, an image's build args, a launcher's branches and hubs). The rules
 * across keys (tags and the release, logins and their secrets, the images and withdrawals a launcher
 * branch names) are one superRefine over the whole config. Every problem is a zod issue with its key
 * path, reported together by the one formatter (./problems) before any resource is declared; a valid
 * config is then normalised. No Pulumi import: the plan CLI and `new-release` use it too.
 */
import { z } from "zod";
import { CHECK_NAMES, CheckOptions, DEFAULT_CHECK_OPTIONS, PLATFORM_PATTERN, STACK_CHECKS, optionSchema, optionsOf } from "../check/options";
import { DIGEST_PATTERN } from "../images/reference";
import { DEFAULT_REHEARSAL_OPTIONS, RehearsalOptions, cpusProblem, memoryProblem, startTimeoutProblem } from "../rehearsal/options";
import { DEFAULT_REBUILD_ON, globProblems } from "../source/globs";
import { FEDERATION_MEMBERS, MAX_BINDER_HUBS, normaliseHubUrl } from "../warmup/federation";
import { fromCycles, inDependencyOrder, unknownParents } from "./graph";
import { KEYS, PLAIN_KEYS, PROJECT, SECRET_KEYS } from "./keys";
import { MAX_TIMEOUT_S } from "./limits";
import {
    binderUrlProblem,
    branchNameProblem,
    buildArgProblem,
    githubOwnerProblem,
    githubRepositoryProblem,
    registryServerProblem,
    repositoryPathProblem,
    tagProblem,
    uw3BranchProblem,
} from "./names";
import { addRuleIssues, ConfigError, isRuleIssue, issueProblems, keyPath, RuleIssue } from "./problems";
import { secretCommand, secretMapEntry } from "./secrets";
import { capped, shown } from "./shown";

export { KEYS, PROJECT } from "./keys";
export { ConfigError } from "./problems";

export const RELEASE_PATTERN = /^(\d{4})\.(0[1-9]|1[0-2])$/;
/** mybinder.org's nodes run this platform: an image a launcher pins must provide it. */
const BINDER_PLATFORM = "linux/amd64";
const TAG_PLACEHOLDER = /\{([^}]*)\}/g;
const PIN_EXPECTED = "expected sha256:<64 hex> or <tag>@sha256:<64 hex>";

// ---------------------------------------------------------------------------------------------------------
// Rules: each a pure function from a value of the right shape to its problems, run by a superRefine.

/** A rule runs on a value whose shape is right (rules' own findings aside): an ill-shaped value has said enough. */
const SHAPED = { when: (payload: z.core.ParsePayload) => payload.issues.every(isRuleIssue) };

function rules<T>(find: (value: T) => RuleIssue[]): (value: T, ctx: z.RefinementCtx<T>) => void {
    return (value, ctx) => addRuleIssues(ctx, find(value));
}

const issue = (path: PropertyKey[], message: string): RuleIssue => ({ path, message });

// ---------------------------------------------------------------------------------------------------------
// Registry

const text = z.string().min(1);

function registryRules(reg: { server: string; namespace: string }): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const s = registryServerProblem(reg.server);
    if (s) issues.push(issue(["server"], `${s}, found ${shown(reg.server)}`));
    const n = repositoryPathProblem(reg.namespace);
    if (n) issues.push(issue(["namespace"], n));
    return issues;
}

export const registrySchema = z.strictObject({ server: text, namespace: text, username: text.optional() }).superRefine(rules(registryRules), SHAPED);

// ---------------------------------------------------------------------------------------------------------
// Source

/** `<owner>/<repository>` on GitHub, split; undefined when it is not one. */
function splitRepository(repository: string): { owner: string; name: string } | undefined {
    const m = /^([^/]+)\/([^/]+)$/.exec(repository);
    if (!m || githubOwnerProblem(m[1]) || githubRepositoryProblem(m[2])) return undefined;
    return { owner: m[1], name: m[2] };
}

export const sourceSchema = z
    .strictObject({ repository: text, path: text, launcherPatSecret: z.boolean().optional() })
    .superRefine(
        rules((source) => (splitRepository(source.repository) ? [] : [issue(["repository"], `expected <owner>/<repository> on GitHub, found ${shown(source.repository)}`)])),
        SHAPED,
    );

// ---------------------------------------------------------------------------------------------------------
// Images

/**
 * `checks`: per check `false`, `true` or an object of its options, derived from the one declaration of
 * the check options (src/check/options.ts), so the config accepts exactly what a gate's `check` accepts.
 */
export const checksSchema = z.strictObject(
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

const parentShape = z.strictObject({ image: text, arg: text });
const imageShape = z.strictObject({
    repository: text,
    tag: text.optional(),
    tags: z.array(text).min(1).optional(),
    dockerfile: text,
    context: z.array(text).min(1).optional(),
    rebuildOn: z.array(text).min(1).optional(),
    from: z.union([parentShape, z.array(parentShape).min(1)]).optional(),
    args: z.record(z.string(), z.string()).optional(),
    platforms: z.array(text).min(1).optional(),
    target: text.optional(),
    registry: registrySchema.optional(),
    checks: checksSchema.optional(),
});
type RawImage = z.output<typeof imageShape>;

/** An image's parents, each with its path below the image (`from` or `from[i]`). */
function parentsOf(img: RawImage): { image: string; arg: string; path: PropertyKey[] }[] {
    if (img.from === undefined) return [];
    if (!Array.isArray(img.from)) return [{ ...img.from, path: ["from"] }];
    return img.from.map((p, i) => ({ ...p, path: ["from", i] }));
}

function imageRules(img: RawImage): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const rp = repositoryPathProblem(img.repository);
    if (rp) issues.push(issue(["repository"], rp));
    if (img.tag !== undefined && img.tags !== undefined) issues.push(issue([], "`tag` and `tags` are mutually exclusive; use one"));
    const parents = parentsOf(img);
    parents.forEach((parent, i) => {
        const bp = buildArgProblem(parent.arg);
        if (bp) issues.push(issue([...parent.path, "arg"], `${bp}, found ${shown(parent.arg)}`));
        else if (parents.findIndex((p) => p.arg === parent.arg) !== i) issues.push(issue([...parent.path, "arg"], `build arg ${shown(parent.arg)} already carries another parent`));
        if (img.args && parent.arg in img.args) issues.push(issue(["args", parent.arg], "this build arg carries the parent's digest (`from.arg`); remove it from `args`"));
    });
    for (const arg of Object.keys(img.args ?? {})) {
        const bp = buildArgProblem(arg);
        if (bp) issues.push(issue(["args", arg], bp));
    }
    const platforms = img.platforms ?? [BINDER_PLATFORM];
    platforms.forEach((p, i) => {
        if (!PLATFORM_PATTERN.test(p)) issues.push(issue(["platforms", i], `expected a Linux platform such as "linux/amd64" or "linux/arm64", found ${shown(p)}`));
        else if (platforms.indexOf(p) !== i) issues.push(issue(["platforms", i], `duplicate platform ${shown(p)}`));
    });
    for (const field of ["context", "rebuildOn"] as const) {
        (img[field] ?? []).forEach((pattern, i) => {
            // globProblems words one pattern's problem as "[0]: <why>".
            for (const gp of globProblems([pattern])) issues.push(issue([field, i], gp.slice(gp.indexOf(": ") + 2)));
        });
    }
    if (img.dockerfile.startsWith("/") || img.dockerfile.split("/").includes("..")) {
        issues.push(issue(["dockerfile"], `paths are relative to \`${KEYS.source}.path\` and stay inside it, found ${shown(img.dockerfile)}`));
    }
    if (checkOptions(img.checks as RawChecks | undefined).enabled.every((n) => STACK_CHECKS.includes(n))) {
        issues.push(issue(["checks"], "every check is off, so nothing would gate this image; keep at least `layers`"));
    }
    return issues;
}

export const imageSchema = imageShape.superRefine(rules(imageRules), SHAPED);

/**
 * The images together: names, and the graph of `from` (src/config/graph.ts). Declaration order is not a
 * rule: the engine hands a config object to the program with its keys sorted (as Go marshals a map).
 */
function imagesRules(images: Record<string, RawImage>): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const names = Object.keys(images);
    if (names.length === 0) issues.push(issue([], "expected at least one image, found {}"));
    for (const name of names) {
        if (!/^[a-z][a-z0-9-]*$/.test(name)) issues.push(issue([name], "an image name is lowercase letters, digits and '-', starting with a letter"));
    }
    const nodes = names.map((name) => ({ name, parents: parentsOf(images[name]).map((p) => p.image) }));
    const parentPath = (name: string, index: number): PropertyKey[] => [name, ...parentsOf(images[name])[index].path, "image"];
    for (const { image, index, parent } of unknownParents(nodes)) {
        issues.push(issue(parentPath(image, index), `expected the name of another image (${names.map((n) => shown(n)).join(", ")}), found ${shown(parent)}`));
    }
    for (const { image, index, path } of fromCycles(nodes)) {
        issues.push(issue(parentPath(image, index), `images form a cycle: ${path.join(" -> ")} (an image cannot be built FROM itself)`));
    }
    return issues;
}

export const imagesSchema = z.record(z.string(), imageSchema).superRefine(rules(imagesRules), SHAPED);

/** Expands `{release}` in a tag; any other placeholder is a problem. */
function expandTag(template: string, release: string): { tag: string; unknown: string[] } {
    const unknown: string[] = [];
    const tag = template.replace(TAG_PLACEHOLDER, (whole, name: string) => {
        if (name === "release") return release;
        unknown.push(whole);
        return whole;
    });
    return { tag, unknown };
}

/** An image's tag templates: `tags`, or the one `tag`, `{release}` by default. */
function tagTemplates(img: RawImage): string[] {
    return img.tags ?? [img.tag ?? "{release}"];
}

/** An image's tags for a release, and the problems of its templates (paths below the image). */
function imageTags(img: RawImage, release: string): { tags: string[]; issues: RuleIssue[] } {
    const tags: string[] = [];
    const issues: RuleIssue[] = [];
    tagTemplates(img).forEach((template, i) => {
        const path = img.tags ? ["tags", i] : ["tag"];
        const { tag, unknown } = expandTag(template, release);
        if (unknown.length > 0) {
            issues.push(issue(path, `unknown placeholder ${unknown.join(", ")}; the only placeholder is {release}`));
            return;
        }
        const tp = tagProblem(tag);
        if (tp) issues.push(issue(path, `${shown(template)} expands to ${shown(tag)}, which ${tp}`));
        else if (tags.includes(tag)) issues.push(issue(path, `duplicate tag ${shown(tag)}`));
        else tags.push(tag);
    });
    return { tags, issues };
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

// ---------------------------------------------------------------------------------------------------------
// Withdrawn releases and pins

/** Parses a launcher `pin`: `sha256:<hex>` or `<tag>@sha256:<hex>`. */
function parsePin(value: string): PinConfig | undefined {
    const at = value.lastIndexOf("@");
    const digest = at >= 0 ? value.slice(at + 1) : value;
    const tag = at >= 0 ? value.slice(0, at) : undefined;
    if (!DIGEST_PATTERN.test(digest)) return undefined;
    if (tag !== undefined && tagProblem(tag) !== undefined) return undefined;
    return { digest, tag };
}

const withdrawalShape = z.strictObject({
    digest: z.string().regex(DIGEST_PATTERN, { error: "expected sha256:<64 hex>" }),
    reason: z.string().trim().min(1),
    date: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { error: "expected a date YYYY-MM-DD" }),
    replacement: text.optional(),
});
type RawWithdrawal = z.output<typeof withdrawalShape>;

function withdrawnRules(list: RawWithdrawal[]): RuleIssue[] {
    const issues: RuleIssue[] = [];
    list.forEach((w, i) => {
        if (list.findIndex((o) => o.digest === w.digest) !== i) issues.push(issue([i, "digest"], `${w.digest} is already withdrawn; each digest is listed once`));
        if (w.replacement === undefined) return;
        const replacement = parsePin(w.replacement);
        if (!replacement) issues.push(issue([i, "replacement"], `${PIN_EXPECTED}, found ${shown(w.replacement)}`));
        else if (list.some((o) => o.digest === replacement.digest)) issues.push(issue([i, "replacement"], `${replacement.digest} is itself withdrawn; name a release that is not`));
    });
    return issues;
}

export const withdrawnSchema = z.array(withdrawalShape).superRefine(rules(withdrawnRules), SHAPED);

function withdrawnReleases(list: readonly RawWithdrawal[]): WithdrawnRelease[] {
    return list.map((w) => ({ digest: w.digest, reason: w.reason.trim(), date: w.date, replacement: w.replacement === undefined ? undefined : parsePin(w.replacement) }));
}

/**
 * A branch's `pin:` as the program pins it: a withdrawal with a replacement repins the branch (the README
 * says why); without one the program has nothing it may pin, which the launcher rules report.
 */
function resolvePin(pinText: string | undefined, withdrawn: readonly WithdrawnRelease[]): { pin?: PinConfig; withdrawn?: WithdrawnRelease } {
    if (pinText === undefined) return {};
    const pin = parsePin(pinText);
    const withdrawal = withdrawn.find((w) => w.digest === pin?.digest);
    if (!withdrawal) return { pin };
    return { pin: withdrawal.replacement ?? pin, withdrawn: withdrawal };
}

// ---------------------------------------------------------------------------------------------------------
// Launcher

export const branchSchema = z
    .strictObject({ name: text, uw3Branch: text, image: text, pin: text.optional() })
    .superRefine(
        rules((b) => {
            const issues: RuleIssue[] = [];
            const bp = branchNameProblem(b.name);
            if (bp) issues.push(issue(["name"], `git refuses this branch name: ${bp}, found ${shown(b.name)}`));
            const up = uw3BranchProblem(b.uw3Branch);
            if (up) issues.push(issue(["uw3Branch"], `launcher branch ${shown(b.name)}: ${up}, found ${shown(b.uw3Branch)}`));
            if (b.pin !== undefined && !parsePin(b.pin)) issues.push(issue(["pin"], `${PIN_EXPECTED}, found ${shown(b.pin)}`));
            return issues;
        }),
        SHAPED,
    );

const launcherShape = z.strictObject({
    repository: text,
    create: z.boolean().optional(),
    defaultBranch: text.optional(),
    branches: z.array(branchSchema).min(1),
    warmup: z.boolean().optional(),
    warmupTimeoutS: z.number().int().positive().max(MAX_TIMEOUT_S).optional(),
    binderUrl: text.optional(),
    binderHubs: z.array(z.string()).min(1).optional(),
    commitAuthor: z.strictObject({ name: text, email: z.email() }).optional(),
    rehearsal: z
        .strictObject({ enabled: z.boolean().optional(), memory: text.optional(), cpus: z.number().optional(), startTimeoutS: z.number().optional() })
        .optional(),
});
type RawLauncher = z.output<typeof launcherShape>;

/**
 * The BinderHubs `warmup` asks: `binderHubs`, or the one hub a stack's `binderUrl` names (the setting
 * before federation members were warmed), or every federation member; and the problems of the list.
 */
function binderHubs(launcher: RawLauncher): { hubs: string[]; issues: RuleIssue[] } {
    if (launcher.binderHubs === undefined) return { hubs: launcher.binderUrl !== undefined ? [normaliseHubUrl(launcher.binderUrl)] : [...FEDERATION_MEMBERS], issues: [] };
    const hubs: string[] = [];
    const issues: RuleIssue[] = [];
    if (launcher.binderUrl !== undefined) issues.push(issue(["binderHubs"], "`binderUrl` and `binderHubs` are mutually exclusive; list every hub to warm in `binderHubs`"));
    if (launcher.binderHubs.length > MAX_BINDER_HUBS) {
        issues.push(issue(["binderHubs"], `expected at most ${MAX_BINDER_HUBS} hubs (each builds every branch), found ${launcher.binderHubs.length}`));
    }
    launcher.binderHubs.forEach((hub, i) => {
        const hp = binderUrlProblem(hub, FEDERATION_MEMBERS[0]);
        if (hp) issues.push(issue(["binderHubs", i], `${hp}, found ${shown(hub)}`));
        else if (hubs.includes(normaliseHubUrl(hub))) issues.push(issue(["binderHubs", i], `duplicate hub ${shown(hub)}; each hub is listed once`));
        else hubs.push(normaliseHubUrl(hub));
    });
    return { hubs, issues };
}

function rehearsalOf(launcher: RawLauncher): RehearsalOptions & { enabled: boolean } {
    const raw = launcher.rehearsal ?? {};
    return {
        enabled: raw.enabled ?? true,
        memory: raw.memory ?? DEFAULT_REHEARSAL_OPTIONS.memory,
        cpus: raw.cpus ?? DEFAULT_REHEARSAL_OPTIONS.cpus,
        startTimeoutS: raw.startTimeoutS ?? DEFAULT_REHEARSAL_OPTIONS.startTimeoutS,
    };
}

function launcherRules(launcher: RawLauncher): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const rp = githubRepositoryProblem(launcher.repository);
    if (rp) issues.push(issue(["repository"], `${rp}, found ${shown(launcher.repository)}`));
    const names = launcher.branches.map((b) => b.name);
    names.forEach((name, i) => {
        if (names.indexOf(name) !== i) issues.push(issue(["branches", i, "name"], `duplicate launcher branch ${shown(name)}; each branch is listed once`));
    });
    if (launcher.binderUrl !== undefined) {
        const bp = binderUrlProblem(launcher.binderUrl);
        if (bp) issues.push(issue(["binderUrl"], `${bp}, found ${shown(launcher.binderUrl)}`));
    }
    const defaultBranch = launcher.defaultBranch ?? "main";
    const dp = branchNameProblem(defaultBranch);
    if (dp) issues.push(issue(["defaultBranch"], `git refuses this branch name: ${dp}, found ${shown(defaultBranch)}`));
    else if (!names.includes(defaultBranch)) {
        issues.push(issue(["defaultBranch"], `the default branch ${shown(defaultBranch)} must also be listed in \`branches\` (it carries the README with every badge)`));
    }
    issues.push(...binderHubs(launcher).issues);
    // The rules `uw3-binder rehearse` applies to its flags, so the command a launcher runs never refuses them.
    const rehearsal = rehearsalOf(launcher);
    const rehearsalProblems: [string, unknown, string | undefined][] = [
        ["memory", rehearsal.memory, memoryProblem(rehearsal.memory)],
        ["cpus", rehearsal.cpus, cpusProblem(rehearsal.cpus)],
        ["startTimeoutS", rehearsal.startTimeoutS, startTimeoutProblem(rehearsal.startTimeoutS)],
    ];
    for (const [field, value, problem] of rehearsalProblems) {
        if (problem) issues.push(issue(["rehearsal", field], `${problem}, found ${shown(value)}`));
    }
    return issues;
}

export const launcherSchema = launcherShape.superRefine(rules(launcherRules), SHAPED);

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

// ---------------------------------------------------------------------------------------------------------
// The whole config: every key, and the rules across keys

// `refine`, not `z.custom`: a custom schema's issue aborts the parse, and the rules across keys still run.
const releaseSchema = z
    .unknown()
    .refine((v) => typeof v === "string" && RELEASE_PATTERN.test(v), { error: 'expected a release month YYYY.MM (for example "2025.01")' })
    .transform((v) => v as string);

const ownerSchema = text.superRefine(
    rules((owner) => {
        const p = githubOwnerProblem(owner);
        return p ? [issue([], `${p}, found ${shown(owner)}`)] : [];
    }),
    SHAPED,
);

const configShape = z.looseObject({
    // Required when the stack writes to GitHub: a rule across keys.
    [KEYS.owner]: ownerSchema.optional(),
    [KEYS.release]: releaseSchema,
    [KEYS.previousRelease]: releaseSchema.optional(),
    [KEYS.registry]: registrySchema,
    [KEYS.source]: sourceSchema,
    [KEYS.images]: imagesSchema,
    // No launcher is a valid stack (the Underworld2 images have none).
    [KEYS.launcher]: launcherSchema.optional(),
    [KEYS.withdrawn]: withdrawnSchema.optional(),
});
type RawConfig = z.output<typeof configShape>;
type RawRegistry = RawConfig[typeof KEYS.registry];

/** The keys of a config whose shape is right; the others are undefined (their problems are reported). */
type Shaped = { [K in keyof RawConfig]?: RawConfig[K] };

/**
 * A stack that writes nothing to GitHub (no launcher, no LAUNCHER_PAT secret, as the demo and Underworld2
 * stacks) needs no GitHub owner. Read from the raw values: it decides what else is required.
 */
function writesGithub(raw: Record<string, unknown>): boolean {
    const source = raw[KEYS.source];
    return raw[KEYS.launcher] !== undefined || (typeof source === "object" && source !== null ? (source as { launcherPatSecret?: unknown }).launcherPatSecret !== false : true);
}

/** One login per registry server with a username, each with its password secret; the problems name the key. */
function registryLogins(config: Shaped, secrets: SecretPresence): { logins: RegistryLogin[]; servers: Set<string>; issues: RuleIssue[] } {
    const logins: RegistryLogin[] = [];
    const issues: RuleIssue[] = [];
    const usernames = new Map<string, { username: string; path: PropertyKey[] }>();
    const registry = config[KEYS.registry];
    const add = (reg: RawRegistry, path: PropertyKey[]): void => {
        if (!reg.username) return;
        const seen = usernames.get(reg.server);
        if (seen && seen.username !== reg.username) {
            issues.push(
                issue(
                    [...path, "username"],
                    `registry ${shown(reg.server)} already has username ${shown(seen.username)} (${keyPath(seen.path)}), found ${shown(reg.username)}; one login per registry`,
                ),
            );
            return;
        }
        if (seen) return;
        usernames.set(reg.server, { username: reg.username, path });
        const inMap = secrets.registryPasswordServers.includes(reg.server);
        const isDefault = registry !== undefined && reg.server === registry.server;
        if (inMap) logins.push({ server: reg.server, username: reg.username, secret: { key: KEYS.registryPasswords, entry: reg.server } });
        else if (isDefault && secrets.keys.includes(KEYS.registryPassword)) logins.push({ server: reg.server, username: reg.username, secret: { key: KEYS.registryPassword } });
        // A server that is not a host name is reported by the registry's rules; it would only make a wrong command here.
        else if (!registryServerProblem(reg.server)) {
            const fix = isDefault ? secretCommand(KEYS.registryPassword) : secretCommand(secretMapEntry(KEYS.registryPasswords, reg.server), { path: true });
            issues.push(issue([...path, "username"], `registry ${shown(reg.server)} has a username but no password secret; set it with \`${fix}\``));
        }
    };
    if (registry) add(registry, [KEYS.registry]);
    for (const [name, img] of Object.entries(config[KEYS.images] ?? {})) if (img.registry) add(img.registry, [KEYS.images, name, "registry"]);
    for (const server of secrets.registryPasswordServers) {
        if (!usernames.has(server)) {
            issues.push(issue([KEYS.registryPasswords, server], `no image is pushed to ${shown(server)} with a username; remove the password or set the registry's \`username\``));
        }
    }
    return { logins, servers: new Set(usernames.keys()), issues };
}

/** The rules across keys, in the order of the keys they name (problems are sorted by key afterwards). */
function crossKeyIssues(config: Shaped, raw: Record<string, unknown>, secrets: SecretPresence): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const known = [...PLAIN_KEYS, ...SECRET_KEYS].filter((k) => k.startsWith(PROJECT));
    for (const key of Object.keys(raw)) {
        if (key.startsWith(`${PROJECT}:`) && !known.includes(key)) issues.push(issue([key], `unknown key; expected one of ${known.join(", ")}`));
    }
    const owner = config[KEYS.owner];
    if (writesGithub(raw) && raw[KEYS.owner] === undefined) issues.push(issue([KEYS.owner], "is required (expected string)"));

    const release = config[KEYS.release];
    const previous = config[KEYS.previousRelease];
    // The month `new-release` copied this stack from: each image's size is judged against its tag of that month.
    if (release !== undefined && previous !== undefined && previous >= release) {
        issues.push(issue([KEYS.previousRelease], `expected a month before \`${KEYS.release}\` (${shown(release)}), found ${shown(previous)}`));
    }

    const source = config[KEYS.source];
    const sourceRepository = source && splitRepository(source.repository);
    if (source && sourceRepository && (source.launcherPatSecret ?? true) && owner !== undefined && sourceRepository.owner !== owner) {
        issues.push(
            issue(
                [KEYS.source, "repository"],
                `the LAUNCHER_PAT Actions secret is written with the \`${KEYS.owner}\` provider, so the source repository must belong to ${shown(owner)}, found ${shown(sourceRepository.owner)} (or set \`${KEYS.source}.launcherPatSecret: false\`)`,
            ),
        );
    }

    const images = config[KEYS.images];
    const registry = config[KEYS.registry];
    for (const [name, img] of Object.entries(images ?? {})) {
        issues.push(...imageTags(img, release ?? "0000.00").issues.map((i) => issue([KEYS.images, name, ...i.path], i.message)));
    }

    const logins = registryLogins(config, secrets);
    issues.push(...logins.issues);
    // A child build pulls its parent: across registries, the parent's registry must have a login.
    const serverOf = (img: RawImage): string | undefined => (img.registry ?? registry)?.server;
    for (const [name, img] of Object.entries(images ?? {})) {
        for (const parent of parentsOf(img)) {
            const parentImage = images?.[parent.image];
            const [parentServer, server] = [parentImage && serverOf(parentImage), serverOf(img)];
            if (parentServer !== undefined && server !== undefined && parentServer !== server && !logins.servers.has(parentServer)) {
                issues.push(
                    issue(
                        [KEYS.images, name, "from"],
                        `parent ${shown(parent.image)} is on registry ${shown(parentServer)} and ${shown(name)} on ${shown(server)}, but ${shown(parentServer)} has no credentials; give it a \`username\` and a password secret`,
                    ),
                );
            }
        }
    }

    const launcher = config[KEYS.launcher];
    if (launcher) {
        const withdrawn = withdrawnReleases(config[KEYS.withdrawn] ?? []);
        launcher.branches.forEach((b, i) => {
            const at = [KEYS.launcher, "branches", i];
            if (images && !(b.image in images)) {
                issues.push(issue([...at, "image"], `expected one of the images (${Object.keys(images).map((n) => shown(n)).join(", ")}), found ${shown(b.image)}`));
            }
            const pinned = resolvePin(b.pin, withdrawn);
            if (pinned.withdrawn && !pinned.withdrawn.replacement) {
                issues.push(
                    issue(
                        [...at, "pin"],
                        `launcher branch ${shown(b.name)} is pinned to ${pinned.withdrawn.digest}, which is withdrawn (${capped(pinned.withdrawn.reason)}); pin it to another release, or give the withdrawal a \`replacement\` (\`uw3-binder withdraw ... --from-outputs <earlier outputs>\`)`,
                    ),
                );
            }
        });
        // mybinder.org's nodes are amd64: an image a launcher pins that does not provide it never starts.
        for (const [name, img] of Object.entries(images ?? {})) {
            const users = launcher.branches.filter((b) => b.image === name).map((b) => shown(b.name));
            if (users.length === 0) continue;
            const platforms = img.platforms ?? [BINDER_PLATFORM];
            if (!platforms.includes(BINDER_PLATFORM)) {
                issues.push(
                    issue(
                        [KEYS.images, name, "platforms"],
                        `launcher branch ${users.join(", ")} pins this image and mybinder.org runs ${BINDER_PLATFORM}; include "${BINDER_PLATFORM}", found ${shown(platforms)}`,
                    ),
                );
            }
            const checks = checkOptions(img.checks as RawChecks | undefined);
            if (checks.enabled.includes("platform") && !checks.platforms.includes(BINDER_PLATFORM)) {
                issues.push(
                    issue(
                        [KEYS.images, name, "checks", "platform", "require"],
                        `launcher branch ${users.join(", ")} pins this image, so the platform check must require "${BINDER_PLATFORM}", found ${shown(checks.platforms)}`,
                    ),
                );
            }
        }
    }

    // Secrets that must exist, each with the command that sets it.
    if (writesGithub(raw) && !secrets.keys.includes(KEYS.token) && !secrets.githubTokenFromEnv) {
        issues.push(issue([KEYS.token], `missing secret (the GitHub token that writes the launcher repository); set it with \`${secretCommand(KEYS.token)}\``));
    }
    if ((source?.launcherPatSecret ?? true) && !secrets.keys.includes(KEYS.launcherPat)) {
        issues.push(issue([KEYS.launcherPat], `missing secret (stored as the LAUNCHER_PAT Actions secret); set it with \`${secretCommand(KEYS.launcherPat)}\``));
    }
    return issues;
}

/** The stack config's schema for the secrets present: every key's schema, and the rules across keys. */
function configSchema(raw: Record<string, unknown>, secrets: SecretPresence) {
    return configShape.superRefine(
        (value, ctx) => {
            // A key with a shape problem is left out of the rules across keys, as if it were absent.
            const shaped: Shaped = { ...value };
            for (const i of ctx.issues) if (!isRuleIssue(i) && i.path !== undefined) delete shaped[i.path[0] as keyof Shaped];
            addRuleIssues(ctx, crossKeyIssues(shaped, raw, secrets));
        },
        { when: () => true },
    );
}

/** The order problems are reported in: unknown keys, then by key, then by image; otherwise as found. */
function reportOrder(raw: Record<string, unknown>): (issue: z.core.$ZodIssue) => number[] {
    const keys = [KEYS.owner, KEYS.release, KEYS.previousRelease, KEYS.registry, KEYS.registryPasswords, KEYS.source, KEYS.images, KEYS.launcher, KEYS.withdrawn, KEYS.token, KEYS.registryPassword, KEYS.launcherPat];
    const imageNames = Object.keys(typeof raw[KEYS.images] === "object" && raw[KEYS.images] !== null ? (raw[KEYS.images] as object) : {});
    return (i) => {
        const key = String(i.path[0]);
        const image = key === KEYS.images && i.path.length > 1 ? imageNames.indexOf(String(i.path[1])) : -1;
        return [keys.indexOf(key as (typeof keys)[number]), image];
    };
}

function sortedProblems(issues: readonly z.core.$ZodIssue[], raw: Record<string, unknown>): string[] {
    const order = reportOrder(raw);
    const ranked = issues.map((i, index) => ({ i, rank: [...order(i), index] }));
    ranked.sort((a, b) => {
        for (let k = 0; k < a.rank.length; k++) if (a.rank[k] !== b.rank[k]) return a.rank[k] - b.rank[k];
        return 0;
    });
    return issueProblems(
        ranked.map((r) => r.i),
        raw,
    );
}

/**
 * Validates the whole stack config. `raw` maps full config keys (`uw3-binder:images`, `github:owner`)
 * to their values, structured values already parsed from YAML/JSON. A ConfigError lists every problem.
 */
export function parseBinderConfig(raw: Record<string, unknown>, secrets: SecretPresence): BinderConfig {
    const result = configSchema(raw, secrets).safeParse(raw);
    if (!result.success) throw new ConfigError(sortedProblems(result.error.issues, raw));
    return normalised(result.data, secrets);
}

function imageConfig(name: string, img: RawImage, config: RawConfig, withdrawn: readonly WithdrawnRelease[]): ImageConfig {
    const registry: RegistryConfig = img.registry ?? config[KEYS.registry];
    const rebuildOn = img.rebuildOn ?? [...DEFAULT_REBUILD_ON];
    const context = img.context ?? rebuildOn;
    const repositoryUrl = `${registry.server}/${registry.namespace}/${img.repository}`;
    const { tags } = imageTags(img, config[KEYS.release]);
    const checks: CheckOptions = { ...checkOptions(img.checks as RawChecks | undefined), withdrawn: withdrawn.map(({ digest, reason }) => ({ digest, reason })) };
    // An explicit `checks.layers.baseline` wins; otherwise the previous release's tag of this image.
    const previousRelease = config[KEYS.previousRelease];
    if (previousRelease && checks.baseline === "" && checks.enabled.includes("layers")) {
        checks.baseline = baselineReference(repositoryUrl, tagTemplates(img)[0], previousRelease) ?? "";
    }
    return {
        name,
        registry,
        repository: img.repository,
        repositoryUrl,
        tags,
        imageName: `${repositoryUrl}:${tags[0]}`,
        dockerfile: img.dockerfile,
        context: context.includes(img.dockerfile) ? context : [...context, img.dockerfile],
        rebuildOn,
        parents: parentsOf(img).map(({ image, arg }) => ({ image, arg })),
        args: img.args ?? {},
        platforms: img.platforms ?? [BINDER_PLATFORM],
        target: img.target,
        checks,
    };
}

function launcherConfig(launcher: RawLauncher, owner: string, withdrawn: readonly WithdrawnRelease[]): LauncherConfig {
    return {
        owner,
        repository: launcher.repository,
        create: launcher.create ?? false,
        defaultBranch: launcher.defaultBranch ?? "main",
        branches: launcher.branches.map((b) => {
            const { pin, withdrawn: withdrawal } = resolvePin(b.pin, withdrawn);
            return { name: b.name, uw3Branch: b.uw3Branch, image: b.image, pin, ...(withdrawal ? { withdrawn: withdrawal } : {}) };
        }),
        warmup: launcher.warmup ?? false,
        warmupTimeoutS: launcher.warmupTimeoutS ?? 600,
        binderUrl: normaliseHubUrl(launcher.binderUrl ?? "https://mybinder.org"),
        binderHubs: binderHubs(launcher).hubs,
        commitAuthor: launcher.commitAuthor ?? { name: "uw3-binder", email: "uw3-binder@users.noreply.github.com" },
        rehearsal: rehearsalOf(launcher),
    };
}

/** The normalised config of a valid one: defaults filled in, tags expanded, images parents first. */
function normalised(config: RawConfig, secrets: SecretPresence): BinderConfig {
    const owner = config[KEYS.owner] ?? "";
    const source = config[KEYS.source];
    const repository = splitRepository(source.repository) ?? { owner: "", name: "" };
    const withdrawn = withdrawnReleases(config[KEYS.withdrawn] ?? []);
    const images = Object.entries(config[KEYS.images]).map(([name, img]) => imageConfig(name, img, config, withdrawn));
    const launcher = config[KEYS.launcher];
    const previousRelease = config[KEYS.previousRelease];
    return {
        githubOwner: owner,
        release: config[KEYS.release],
        ...(previousRelease ? { previousRelease } : {}),
        registry: config[KEYS.registry],
        source: { repository: source.repository, owner: repository.owner, name: repository.name, path: source.path, launcherPatSecret: source.launcherPatSecret ?? true },
        images: inDependencyOrder(images.map((image) => ({ name: image.name, parents: image.parents.map((p) => p.image), image }))).map((n) => n.image),
        launcher: launcher && launcherConfig(launcher, owner, withdrawn),
        logins: registryLogins(config, secrets).logins,
        withdrawn,
    };
}
