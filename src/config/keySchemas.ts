/**
 * Each key of the stack config as an exported zod schema: its shape, and the rules inside the key as a
 * superRefine (a registry's server, an image's build args and platforms, the FROM graph of the images,
 * a launcher's branches and hubs, each digest withdrawn once), plus what the rules across keys and the
 * normalisation (./schema.ts) read from a value of the right shape.
 */
import { z } from "zod";
import {
    CHECK_NAMES,
    CheckOptions,
    DEFAULT_CHECK_OPTIONS,
    PLATFORM_PATTERN,
    STACK_CHECKS,
    optionSchema,
    optionsOf,
    withdrawalCountProblem,
    withdrawalReasonProblem,
} from "../check/options";
import { BINDER_PLATFORM, FEDERATION_MEMBERS, MYBINDER_URL } from "../mybinder/facts";
import { branchNameProblem, uw3BranchProblem } from "../names/git";
import { githubOwnerProblem, githubRepositoryProblem, splitOwnerRepository } from "../names/github";
import { globProblems } from "../names/globs";
import { binderUrlProblem, normaliseHubUrl } from "../names/hubUrl";
import { builderNameProblem, buildArgProblem, DIGEST_PATTERN, registryServerProblem, repositoryPathProblem, tagProblem } from "../names/oci";
import { releaseProblem } from "../names/release";
import { DEFAULT_REHEARSAL_OPTIONS, REHEARSAL_OPTION_FIELDS, RehearsalOptions } from "../rehearsal/options";
import { shown } from "../text/quotedValue";
import { DEFAULT_WARMUP_TIMEOUT_S, warmupHubs, warmupTimeoutProblem } from "../warmup/options";
import type { PinConfig, WithdrawnRelease } from "./binderConfig";
import { fromCycles, unknownParents } from "./graph";
import { KEYS } from "./keys";
import { allowedPlaceholdersText, expandPlaceholders, Placeholder, placeholdersAt } from "./placeholders";
import { addRuleIssues, isRuleIssue, RuleIssue, ruleIssue } from "./problems";
import { RefBuild, refEntryIssues, refsSchema } from "./refs";

const PIN_EXPECTED = "expected sha256:<64 hex> or <tag>@sha256:<64 hex>";

// ---------------------------------------------------------------------------------------------------------
// Rules: each a pure function from a value of the right shape to its problems, run by a superRefine.

/** A rule runs on a value whose shape is right (rules' own findings aside): an ill-shaped value has said enough. */
const SHAPED = { when: (payload: z.core.ParsePayload) => payload.issues.every(isRuleIssue) };

function rules<T>(find: (value: T) => RuleIssue[]): (value: T, ctx: z.RefinementCtx<T>) => void {
    return (value, ctx) => addRuleIssues(ctx, find(value));
}

// ---------------------------------------------------------------------------------------------------------
// Registry

const text = z.string().min(1);

function registryRules(reg: { server: string; namespace: string }): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const s = registryServerProblem(reg.server);
    if (s) issues.push(ruleIssue(["server"], `${s}, found ${shown(reg.server)}`));
    const n = repositoryPathProblem(reg.namespace);
    if (n) issues.push(ruleIssue(["namespace"], n));
    return issues;
}

export const registrySchema = z.strictObject({ server: text, namespace: text, username: text.optional() }).superRefine(rules(registryRules), SHAPED);

// ---------------------------------------------------------------------------------------------------------
// Source

/** `<owner>/<repository>` on GitHub, split; undefined when it is not one. */
export function splitRepository(repository: string): { owner: string; name: string } | undefined {
    const split = splitOwnerRepository(repository);
    if (!split || githubOwnerProblem(split.owner) || githubRepositoryProblem(split.repository)) return undefined;
    return { owner: split.owner, name: split.repository };
}

export const sourceSchema = z.strictObject({ repository: text, path: text, branch: text.optional(), launcherPatSecret: z.boolean().default(true) }).superRefine(
    rules((source) => [
        ...(splitRepository(source.repository)
            ? []
            : [ruleIssue(["repository"], `expected <owner>/<repository> on GitHub, found ${shown(source.repository)}`)]),
        ...(source.branch !== undefined && branchNameProblem(source.branch)
            ? [ruleIssue(["branch"], `${branchNameProblem(source.branch)}, found ${shown(source.branch)}`)]
            : []),
    ]),
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
            return [check, z.union([z.boolean(), z.strictObject(shape)], { error: "expected true, false or an object of options" }).optional()];
        }),
    ),
);
export type RawChecks = Partial<Record<(typeof CHECK_NAMES)[number], boolean | Record<string, unknown>>>;

/**
 * An image's check options: the declared defaults, overridden by its `checks`. The jupyter check runs
 * each server in its own container network, so parallel gates never contend for a port.
 */
export function checkOptions(raw: RawChecks | undefined): CheckOptions {
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

/** When an image is built: on every run (`always`), or only in a run that asks for it (`on-request`, asked by `requested`). */
const BUILD_WHEN = ["always", "on-request", "requested"] as const;

const parentShape = z.strictObject({ image: text, arg: text });

/** The tag of an image's registry build cache when its `cache` names none (README "Stacks"). */
export const DEFAULT_CACHE_TAG = "buildcache";
/** `cache`: `false`, or where in the image's own registry the build cache goes (its repository unless `repository` says another). */
const CACHE_EXPECTED = "expected false or { repository?, tag? }";
const cacheShape = z.union([z.literal(false, { error: CACHE_EXPECTED }), z.strictObject({ repository: text.optional(), tag: text.optional() })], {
    error: CACHE_EXPECTED,
});

/** A buildx builder's name (`docker buildx ls`), as `uw3-binder:builder` and an image's `builder` give it. */
export const builderSchema = text.superRefine(
    rules((name: string) => {
        const problem = builderNameProblem(name);
        return problem ? [ruleIssue([], `${problem}, found ${shown(name)}`)] : [];
    }),
    SHAPED,
);
const imageShape = z.strictObject({
    repository: text,
    tag: text.optional(),
    tags: z.array(text).min(1).optional(),
    dockerfile: text,
    context: z.array(text).min(1).optional(),
    rebuildOn: z.array(text).min(1).optional(),
    from: z.union([parentShape, z.array(parentShape).min(1)], { error: "expected a parent { image, arg } or a list of them" }).optional(),
    args: z.record(z.string(), z.string()).optional(),
    platforms: z
        .array(text)
        .min(1)
        .default(() => [BINDER_PLATFORM]),
    target: text.optional(),
    registry: registrySchema.optional(),
    checks: checksSchema.optional(),
    build: z.enum(BUILD_WHEN, { error: `expected one of ${BUILD_WHEN.join(", ")}` }).default("always"),
    writeOnce: z.boolean().default(false),
    refs: refsSchema,
    cache: cacheShape.optional(),
    builder: builderSchema.optional(),
});
export type RawImage = z.output<typeof imageShape>;

/** An image's parents, each with its path below the image (`from` or `from[i]`). */
export function parentsOf(img: RawImage): { image: string; arg: string; path: PropertyKey[] }[] {
    if (img.from === undefined) return [];
    if (!Array.isArray(img.from)) return [{ ...img.from, path: ["from"] }];
    return img.from.map((p, i) => ({ ...p, path: ["from", i] }));
}

function imageRules(img: RawImage): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const rp = repositoryPathProblem(img.repository);
    if (rp) issues.push(ruleIssue(["repository"], rp));
    if (img.tag !== undefined && img.tags !== undefined) issues.push(ruleIssue([], "`tag` and `tags` are mutually exclusive; use one"));
    const parents = parentsOf(img);
    parents.forEach((parent, i) => {
        const bp = buildArgProblem(parent.arg);
        if (bp) issues.push(ruleIssue([...parent.path, "arg"], `${bp}, found ${shown(parent.arg)}`));
        else if (parents.findIndex((p) => p.arg === parent.arg) !== i)
            issues.push(ruleIssue([...parent.path, "arg"], `build arg ${shown(parent.arg)} already carries another parent`));
        if (img.args && Object.hasOwn(img.args, parent.arg))
            issues.push(ruleIssue(["args", parent.arg], "this build arg carries the parent's digest (`from.arg`); remove it from `args`"));
    });
    const argMaps: [PropertyKey[], Record<string, string> | undefined][] = [
        [["args"], img.args],
        ...(img.refs ?? []).map((r, i): [PropertyKey[], Record<string, string> | undefined] => [
            ["refs", i, "args"],
            typeof r === "string" ? undefined : r.args,
        ]),
    ];
    for (const [at, args] of argMaps) {
        for (const arg of Object.keys(args ?? {})) {
            const bp = buildArgProblem(arg);
            if (bp) issues.push(ruleIssue([...at, arg], bp));
            else if (at.length > 1 && parents.some((p) => p.arg === arg))
                issues.push(ruleIssue([...at, arg], "this build arg carries the parent's digest (`from.arg`); remove it from `args`"));
        }
    }
    issues.push(...refEntryIssues(img));
    const platforms = img.platforms;
    platforms.forEach((p, i) => {
        if (!PLATFORM_PATTERN.test(p))
            issues.push(ruleIssue(["platforms", i], `expected a Linux platform such as "linux/amd64" or "linux/arm64", found ${shown(p)}`));
        else if (platforms.indexOf(p) !== i) issues.push(ruleIssue(["platforms", i], `duplicate platform ${shown(p)}`));
    });
    for (const field of ["context", "rebuildOn"] as const) {
        (img[field] ?? []).forEach((pattern, i) => {
            // globProblems words one pattern's problem as "[0]: <why>".
            for (const gp of globProblems([pattern])) issues.push(ruleIssue([field, i], gp.slice(gp.indexOf(": ") + 2)));
        });
    }
    if (img.dockerfile.startsWith("/") || img.dockerfile.split("/").includes("..")) {
        issues.push(ruleIssue(["dockerfile"], `paths are relative to \`${KEYS.source}.path\` and stay inside it, found ${shown(img.dockerfile)}`));
    }
    if (img.cache) {
        const cp = img.cache.repository === undefined ? undefined : repositoryPathProblem(img.cache.repository);
        if (cp) issues.push(ruleIssue(["cache", "repository"], cp));
        const tp = img.cache.tag === undefined ? undefined : tagProblem(img.cache.tag);
        if (tp) issues.push(ruleIssue(["cache", "tag"], `${tp}, found ${shown(img.cache.tag)}`));
    }
    const cacheTag = img.cache === false ? undefined : (img.cache?.tag ?? DEFAULT_CACHE_TAG);
    if (img.cache !== false && (img.cache?.repository ?? img.repository) === img.repository && cacheTag && tagTemplates(img).includes(cacheTag)) {
        issues.push(
            ruleIssue(
                ["cache", "tag"],
                `the build cache would overwrite the image's own tag ${shown(cacheTag)}; give the cache another \`tag\` or \`repository\``,
            ),
        );
    }
    // A ref build's written-once tags are checked when its ref resolves: allowed for a tag, which does not move.
    if (img.writeOnce && img.build === "always" && img.refs === undefined) {
        issues.push(ruleIssue(["writeOnce"], "a written-once image refuses every build after its first push; build it only on request (`build: on-request`)"));
    }
    if (checkOptions(img.checks as RawChecks | undefined).enabled.every((n) => STACK_CHECKS.includes(n))) {
        issues.push(ruleIssue(["checks"], "every check is off, so nothing would gate this image; keep at least `layers`"));
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
    if (names.length === 0) issues.push(ruleIssue([], "expected at least one image, found {}"));
    for (const name of names) {
        if (!/^[a-z][a-z0-9-]*$/.test(name)) issues.push(ruleIssue([name], "an image name is lowercase letters, digits and '-', starting with a letter"));
    }
    const nodes = names.map((name) => ({ name, parents: parentsOf(images[name]).map((p) => p.image) }));
    const parentPath = (name: string, index: number): PropertyKey[] => [name, ...parentsOf(images[name])[index].path, "image"];
    for (const { image, index, parent } of unknownParents(nodes)) {
        issues.push(
            ruleIssue(parentPath(image, index), `expected the name of another image (${names.map((n) => shown(n)).join(", ")}), found ${shown(parent)}`),
        );
    }
    // A run builds an image from its parents' digests of that run: a parent it does not build has none.
    for (const name of names) {
        if (images[name].build === "on-request") continue;
        parentsOf(images[name]).forEach((parent, index) => {
            if (images[parent.image]?.build !== "on-request") return;
            issues.push(
                ruleIssue(
                    parentPath(name, index),
                    `${shown(parent.image)} is built only on request and not requested (\`build: on-request\`), so this run has no digest of it to build ${shown(name)} from; request it (\`build: requested\`) or build ${shown(name)} on request too`,
                ),
            );
        });
    }
    for (const { image, index, path } of fromCycles(nodes)) {
        issues.push(ruleIssue(parentPath(image, index), `images form a cycle: ${path.join(" -> ")} (an image cannot be built FROM itself)`));
    }
    return issues;
}

export const imagesSchema = z.record(z.string(), imageSchema).superRefine(rules(imagesRules), SHAPED);

/** Expands `{release}` in a tag; any other placeholder is a problem. */
export function expandTag(template: string, release: string): { tag: string; unknown: string[] } {
    const { text, unknown } = expandPlaceholders(template, { release });
    return { tag: text, unknown };
}

/** An image's tag templates: `tags`, or the one `tag`, `{release}` by default. */
export function tagTemplates(img: RawImage): string[] {
    return img.tags ?? [img.tag ?? "{release}"];
}

/** The tag templates of a build (a ref's own, else the image's), each with its path below the image. */
function buildTagTemplates(img: RawImage, build?: RefBuild): { template: string; path: PropertyKey[] }[] {
    return build?.tags ?? tagTemplates(img).map((template, i) => ({ template, path: img.tags ? ["tags", i] : ["tag"] }));
}

/** The placeholders' values in a build: the release, and the ref of a ref build. */
function placeholderValues(release: string, build?: RefBuild): Partial<Record<Placeholder, string>> {
    return build ? { release, ref: build.ref } : { release };
}

/**
 * A build's tags for a release (an image's one build, or a ref build), and the problems of its templates
 * (paths below the image). A template with an unknown placeholder is left out: the walk over the whole
 * config (./schema.ts) reports it.
 */
export function imageTags(img: RawImage, release: string, build?: RefBuild): { tags: string[]; issues: RuleIssue[] } {
    const tags: string[] = [];
    const issues: RuleIssue[] = [];
    const forRef = build ? ` for ref ${shown(build.ref)}` : "";
    for (const { template, path } of buildTagTemplates(img, build)) {
        const { text: tag, unknown } = expandPlaceholders(template, placeholderValues(release, build));
        if (unknown.length > 0) continue;
        const tp = tagProblem(tag);
        if (tp) issues.push(ruleIssue(path, `${shown(template)} expands to ${shown(tag)}${forRef}, which ${tp}`));
        else if (tags.includes(tag)) issues.push(ruleIssue(path, `duplicate tag ${shown(tag)}${forRef}`));
        else tags.push(tag);
    }
    return { tags, issues };
}

/** A build's args, `{release}` (and a ref build's `{ref}`) expanded. */
export function buildArgs(img: RawImage, release: string, build?: RefBuild): Record<string, string> {
    const args = build ? build.args : (img.args ?? {});
    return Object.fromEntries(Object.entries(args).map(([name, value]) => [name, expandPlaceholders(value, placeholderValues(release, build)).text]));
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
    // Bounds of what every gate receives in one argument (src/check/options.ts).
    const count = withdrawalCountProblem(list.length);
    if (count) issues.push(ruleIssue([], count));
    list.forEach((w, i) => {
        const reason = withdrawalReasonProblem(w.reason);
        if (reason) issues.push(ruleIssue([i, "reason"], reason));
        if (list.findIndex((o) => o.digest === w.digest) !== i)
            issues.push(ruleIssue([i, "digest"], `${w.digest} is already withdrawn; each digest is listed once`));
        if (w.replacement === undefined) return;
        const replacement = parsePin(w.replacement);
        if (!replacement) issues.push(ruleIssue([i, "replacement"], `${PIN_EXPECTED}, found ${shown(w.replacement)}`));
        else if (list.some((o) => o.digest === replacement.digest))
            issues.push(ruleIssue([i, "replacement"], `${replacement.digest} is itself withdrawn; name a release that is not`));
    });
    return issues;
}

export const withdrawnSchema = z.array(withdrawalShape).superRefine(rules(withdrawnRules), SHAPED);

export function withdrawnReleases(list: readonly RawWithdrawal[]): WithdrawnRelease[] {
    return list.map((w) => ({
        digest: w.digest,
        reason: w.reason.trim(),
        date: w.date,
        replacement: w.replacement === undefined ? undefined : parsePin(w.replacement),
    }));
}

/**
 * A branch's `pin:` as the program pins it: a withdrawal with a replacement repins the branch (the README
 * says why); without one the program has nothing it may pin, which the launcher rules report.
 */
export function resolvePin(pinText: string | undefined, withdrawn: readonly WithdrawnRelease[]): { pin?: PinConfig; withdrawn?: WithdrawnRelease } {
    if (pinText === undefined) return {};
    const pin = parsePin(pinText);
    const withdrawal = withdrawn.find((w) => w.digest === pin?.digest);
    if (!withdrawal) return { pin };
    return { pin: withdrawal.replacement ?? pin, withdrawn: withdrawal };
}

// ---------------------------------------------------------------------------------------------------------
// Launcher

/** The placeholders a launcher branch's `name` and `uw3Branch` take. */
const BRANCH_PLACEHOLDERS = placeholdersAt([KEYS.launcher, "branches", 0, "name"], false);

/**
 * A branch's `name` and `uw3Branch` for a release, `{release}` expanded; `unknown` lists any other
 * placeholder (the key is refused). Every release name is a valid branch name, so the rules below check
 * a template through one sample release.
 */
export function branchNames(b: { name: string; uw3Branch: string }, release: string): { name: string; uw3Branch: string; unknown: [BranchKey, string[]][] } {
    const name = expandPlaceholders(b.name, { release });
    const uw3Branch = expandPlaceholders(b.uw3Branch, { release });
    const unknown = (
        [
            ["name", name.unknown],
            ["uw3Branch", uw3Branch.unknown],
        ] as [BranchKey, string[]][]
    ).filter(([, found]) => found.length > 0);
    return { name: name.text, uw3Branch: uw3Branch.text, unknown };
}
type BranchKey = "name" | "uw3Branch";

const SAMPLE_RELEASE = "0000.00";

export const branchSchema = z.strictObject({ name: text, uw3Branch: text, image: text, pin: text.optional(), frozen: z.boolean().default(false) }).superRefine(
    rules((b) => {
        const issues: RuleIssue[] = [];
        const expanded = branchNames(b, SAMPLE_RELEASE);
        const unknown = new Map(expanded.unknown);
        const checks: [BranchKey, (text: string) => string | undefined][] = [
            ["name", (text) => branchNameProblem(text) && `git refuses this branch name: ${branchNameProblem(text)}`],
            ["uw3Branch", (text) => uw3BranchProblem(text) && `launcher branch ${shown(b.name)}: ${uw3BranchProblem(text)}`],
        ];
        // A character the value cannot hold outside its placeholders is the problem to name; else an unknown placeholder.
        for (const [key, check] of checks) {
            const found = unknown.get(key) ?? [];
            const problem = check(found.reduce((text, placeholder) => text.split(placeholder).join(""), expanded[key]));
            if (problem) issues.push(ruleIssue([key], `${problem}, found ${shown(b[key])}`));
            else if (found.length > 0)
                issues.push(ruleIssue([key], `unknown placeholder ${found.join(", ")}; ${allowedPlaceholdersText(BRANCH_PLACEHOLDERS)}`));
        }
        if (b.pin !== undefined && !parsePin(b.pin)) issues.push(ruleIssue(["pin"], `${PIN_EXPECTED}, found ${shown(b.pin)}`));
        return issues;
    }),
    SHAPED,
);

/** `warmupTimeoutS`: the warm-up's one rule (src/warmup/options.ts), as `warmup --timeout-s` applies it. */
const warmupTimeoutSchema = z
    .unknown()
    .superRefine((value, ctx) => {
        const problem = warmupTimeoutProblem(value);
        if (problem) addRuleIssues(ctx, [ruleIssue([], `expected ${problem}, found ${shown(value)}`)]);
    })
    .transform((value) => value as number);

const launcherShape = z.strictObject({
    repository: text,
    create: z.boolean().default(false),
    defaultBranch: text.default("main"),
    branches: z.array(branchSchema).min(1),
    warmup: z.boolean().default(false),
    warmupTimeoutS: warmupTimeoutSchema.default(DEFAULT_WARMUP_TIMEOUT_S),
    binderUrl: text.optional(),
    binderHubs: z.array(z.string()).min(1).optional(),
    commitAuthor: z.strictObject({ name: text, email: z.email() }).default({ name: "uw3-binder", email: "uw3-binder@users.noreply.github.com" }),
    rehearsal: z
        .strictObject({ enabled: z.boolean().optional(), memory: text.optional(), cpus: z.number().optional(), startTimeoutS: z.number().optional() })
        .optional(),
});
export type RawLauncher = z.output<typeof launcherShape>;

/**
 * The BinderHubs `warmup` asks: `binderHubs`, or the one hub a stack's `binderUrl` names (the setting
 * before federation members were warmed), or every federation member; and the problems of the list.
 */
export function binderHubs(launcher: RawLauncher): { hubs: string[]; issues: RuleIssue[] } {
    if (launcher.binderHubs === undefined)
        return { hubs: launcher.binderUrl !== undefined ? [normaliseHubUrl(launcher.binderUrl)] : [...FEDERATION_MEMBERS], issues: [] };
    const issues: RuleIssue[] = [];
    if (launcher.binderUrl !== undefined)
        issues.push(ruleIssue(["binderHubs"], "`binderUrl` and `binderHubs` are mutually exclusive; list every hub to warm in `binderHubs`"));
    const { hubs, problems } = warmupHubs(launcher.binderHubs);
    for (const p of problems) issues.push(ruleIssue(p.index === undefined ? ["binderHubs"] : ["binderHubs", p.index], p.problem));
    return { hubs, issues };
}

export function rehearsalOf(launcher: RawLauncher): RehearsalOptions & { enabled: boolean } {
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
    if (rp) issues.push(ruleIssue(["repository"], `${rp}, found ${shown(launcher.repository)}`));
    const names = launcher.branches.map((b) => b.name);
    names.forEach((name, i) => {
        if (names.indexOf(name) !== i) issues.push(ruleIssue(["branches", i, "name"], `duplicate launcher branch ${shown(name)}; each branch is listed once`));
    });
    if (launcher.binderUrl !== undefined) {
        const bp = binderUrlProblem(launcher.binderUrl, MYBINDER_URL);
        if (bp) issues.push(ruleIssue(["binderUrl"], `${bp}, found ${shown(launcher.binderUrl)}`));
    }
    const defaultBranch = launcher.defaultBranch;
    const dp = branchNameProblem(defaultBranch);
    if (dp) issues.push(ruleIssue(["defaultBranch"], `git refuses this branch name: ${dp}, found ${shown(defaultBranch)}`));
    else if (!names.includes(defaultBranch)) {
        issues.push(
            ruleIssue(
                ["defaultBranch"],
                `the default branch ${shown(defaultBranch)} must also be listed in \`branches\` (it carries the README with every badge)`,
            ),
        );
    }
    issues.push(...binderHubs(launcher).issues);
    // The rules `uw3-binder rehearse` applies to its flags, so the command a launcher runs never refuses them.
    const rehearsal = rehearsalOf(launcher);
    for (const field of REHEARSAL_OPTION_FIELDS) {
        const value = rehearsal[field.key];
        const problem = field.problem(value);
        if (problem) issues.push(ruleIssue(["rehearsal", field.key], `${problem}, found ${shown(value)}`));
    }
    return issues;
}

export const launcherSchema = launcherShape.superRefine(rules(launcherRules), SHAPED);

// ---------------------------------------------------------------------------------------------------------
// Release and owner

// `refine`, not `z.custom`: a custom schema's issue aborts the parse, and the rules across keys still run.
export const releaseSchema = z
    .unknown()
    .refine((v) => releaseProblem(v) === undefined, { error: releaseProblem(undefined) })
    .transform((v) => v as string);

export const ownerSchema = text.superRefine(
    rules((owner) => {
        const p = githubOwnerProblem(owner);
        return p ? [ruleIssue([], `${p}, found ${shown(owner)}`)] : [];
    }),
    SHAPED,
);
