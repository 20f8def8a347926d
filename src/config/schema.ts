/**
 * The stack config contract. Each key has its schema (./keySchemas.ts: its shape and the rules inside
 * it); the rules across keys (tags and the release, logins and their secrets, the images and withdrawals
 * a launcher branch names, the secrets that must exist) are one superRefine over the whole config here.
 * Every problem is a zod issue with its key path, reported together by the one formatter (./problems)
 * before any resource is declared; a valid config is then normalised. The plan CLI
 * and `new-release` use it too.
 */
import { z } from "zod";
import { CheckOptions } from "../check/options";
import { BINDER_PLATFORM, MYBINDER_URL } from "../mybinder/facts";
import { DEFAULT_REBUILD_ON } from "../names/globs";
import { previousReleaseProblem } from "../names/release";
import { normaliseHubUrl } from "../names/hubUrl";
import { registryServerProblem } from "../names/oci";
import { capped, shown } from "../text/quotedValue";
import type { BinderConfig, ImageConfig, LauncherConfig, RegistryConfig, RegistryLogin, SecretPresence, WithdrawnRelease } from "./binderConfig";
import { boundProblems } from "./bounds";
import { inDependencyOrder } from "./graph";
import {
    binderHubs,
    branchNames,
    buildArgs,
    builderSchema,
    checkOptions,
    DEFAULT_CACHE_TAG,
    expandTag,
    imagesSchema,
    imageTags,
    launcherSchema,
    ownerSchema,
    parentsOf,
    RawImage,
    RawLauncher,
    registrySchema,
    rehearsalOf,
    releaseSchema,
    resolvePin,
    sourceSchema,
    splitRepository,
    tagTemplates,
    withdrawnReleases,
    withdrawnSchema,
} from "./keySchemas";
import { KEYS, LAUNCHER_PAT_ENV, PLAIN_KEYS, PROJECT, REGISTRY_PASSWORD_ENV, REGISTRY_USERNAME_ENV, SECRET_KEYS } from "./keys";
import { allowedPlaceholdersText, expandPlaceholders, placeholdersAt, placeholdersJudgedByKey, unknownPlaceholders } from "./placeholders";
import { parentBuildName, RefBuild, refBuilds, refImageName, refRules } from "./refs";
import { addRuleIssues, ConfigError, isRuleIssue, issueProblems, keyPath, RuleIssue, ruleIssue } from "./problems";
import { secretCommand, secretMapEntry } from "./secrets";

export { KEYS, PROJECT } from "./keys";
export { ConfigError } from "./problems";

// The validated, normalised config: its types are declared apart (./binderConfig.ts), for the key schemas too.
export type { BinderConfig, ImageConfig, LauncherBranchConfig, LauncherConfig, SecretPresence, WithdrawnRelease } from "./binderConfig";

/**
 * The image a mybinder.org node that ran the previous release has: the image's primary tag with
 * `{release}` expanded to the previous release. None when the tag does not name the release (a fixed
 * tag such as Docker Hub's "2.5.0b" would be the image itself).
 */
export function baselineReference(repositoryUrl: string, tagTemplate: string, previousRelease: string): string | undefined {
    if (!tagTemplate.includes("{release}")) return undefined;
    return `${repositoryUrl}:${expandTag(tagTemplate, previousRelease).tag}`;
}

/**
 * A ref build's baseline: its primary tag as the previous release wrote it, the ref's own `{release}`
 * expanded to the previous release too (`{ref}-slim` of ref `{release}` -> `v3.0.1-slim`). None when that is
 * the tag itself (`main-slim`: the previous release's image under it is gone, replaced by this build's).
 */
function refBaselineReference(repositoryUrl: string, tagTemplate: string, refTemplate: string, release: string, previousRelease: string): string | undefined {
    const expand = (r: string) => expandPlaceholders(tagTemplate, { release: r, ref: expandPlaceholders(refTemplate, { release: r }).text }).text;
    const before = expand(previousRelease);
    return before === expand(release) ? undefined : `${repositoryUrl}:${before}`;
}

/**
 * Every string of the config holding a `{placeholder}` its key does not take (./placeholders.ts declares
 * which keys take which), one problem per string, naming the key. `raw`'s depth is bounded (./bounds.ts).
 */
function placeholderIssues(raw: Record<string, unknown>): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const images = raw[KEYS.images];
    const hasRefs = (name: PropertyKey): boolean => {
        const img = typeof images === "object" && images !== null && Object.hasOwn(images, name) ? (images as Record<PropertyKey, unknown>)[name] : undefined;
        return typeof img === "object" && img !== null && (img as { refs?: unknown }).refs !== undefined;
    };
    const visit = (value: unknown, path: PropertyKey[]): void => {
        if (typeof value === "string") {
            if (placeholdersJudgedByKey(path)) return;
            const allowed = placeholdersAt(path, path[0] === KEYS.images && hasRefs(path[1]));
            const unknown = unknownPlaceholders(value, allowed);
            if (unknown.length === 0) return;
            const hint = unknown.includes("{ref}") && placeholdersAt(path, true).includes("ref") ? " ({ref} is known only in an image with `refs`)" : "";
            issues.push(ruleIssue(path, `unknown placeholder ${unknown.join(", ")}; ${allowedPlaceholdersText(allowed)}${hint}`));
        } else if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i]));
        else if (typeof value === "object" && value !== null)
            for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], [...path, key]);
    };
    for (const key of Object.keys(raw)) visit(raw[key], [key]);
    return issues;
}

// ---------------------------------------------------------------------------------------------------------
// The whole config: every key, and the rules across keys

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
    // The buildx builder of every image that names none (docker-build's default builder when unset).
    [KEYS.builder]: builderSchema.optional(),
});
type RawConfig = z.output<typeof configShape>;
type RawRegistry = RawConfig[typeof KEYS.registry];

/** The keys of a config whose shape is right; the others are undefined (their problems are reported). */
type Shaped = { [K in keyof RawConfig]?: RawConfig[K] };

/**
 * Whether the LAUNCHER_PAT Actions secret is written, read from the raw value so a source with another
 * problem still decides what else is required: unless `launcherPatSecret: false` (its schema's default).
 */
function writesLauncherPat(raw: Record<string, unknown>): boolean {
    const source = raw[KEYS.source];
    return typeof source === "object" && source !== null ? (source as { launcherPatSecret?: unknown }).launcherPatSecret !== false : true;
}

/**
 * A stack that writes nothing to GitHub (no launcher, no LAUNCHER_PAT secret, as the demo and Underworld2
 * stacks) needs no GitHub owner. Read from the raw values: it decides what else is required.
 */
function writesGithub(raw: Record<string, unknown>): boolean {
    return raw[KEYS.launcher] !== undefined || writesLauncherPat(raw);
}

/** A user name as registries take them (GitHub's are at most 39 characters), from outside: bounded. */
const REGISTRY_USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * One login per registry server with a username, each with its password secret; the problems name the key.
 * The default registry's login may come from the environment (REGISTRY_PASSWORD_ENV) when the stack holds
 * no password for it.
 */
function registryLogins(config: Shaped, secrets: SecretPresence): { logins: RegistryLogin[]; servers: Set<string>; issues: RuleIssue[] } {
    const logins: RegistryLogin[] = [];
    const issues: RuleIssue[] = [];
    const usernames = new Map<string, { username: string; path: PropertyKey[] }>();
    const registry = config[KEYS.registry];
    const fromEnv =
        registry !== undefined && !secrets.keys.includes(KEYS.registryPassword) && !secrets.registryPasswordServers.includes(registry.server)
            ? secrets.registryLoginFromEnv
            : undefined;
    if (fromEnv?.username !== undefined && !REGISTRY_USERNAME.test(fromEnv.username)) {
        issues.push(
            ruleIssue(
                [KEYS.registry, "username"],
                `${REGISTRY_USERNAME_ENV}: expected a registry user name (letters, digits, ".", "_", "-", at most 100), found ${shown(capped(fromEnv.username))}`,
            ),
        );
        return { logins, servers: new Set(), issues };
    }
    const add = (reg: RawRegistry, path: PropertyKey[]): void => {
        const envLogin = fromEnv !== undefined && reg.server === registry!.server;
        const username = (envLogin ? fromEnv.username : undefined) ?? reg.username;
        if (!username) return;
        const seen = usernames.get(reg.server);
        if (seen && seen.username !== username) {
            issues.push(
                ruleIssue(
                    [...path, "username"],
                    `registry ${shown(reg.server)} already has username ${shown(seen.username)} (${keyPath(seen.path)}), found ${shown(username)}; one login per registry`,
                ),
            );
            return;
        }
        if (seen) return;
        usernames.set(reg.server, { username, path });
        const inMap = secrets.registryPasswordServers.includes(reg.server);
        const isDefault = registry !== undefined && reg.server === registry.server;
        if (inMap) logins.push({ server: reg.server, username, secret: { key: KEYS.registryPasswords, entry: reg.server } });
        else if (isDefault && secrets.keys.includes(KEYS.registryPassword))
            logins.push({ server: reg.server, username, secret: { key: KEYS.registryPassword } });
        else if (envLogin) logins.push({ server: reg.server, username, secret: { key: KEYS.registryPassword, env: REGISTRY_PASSWORD_ENV } });
        // A server that is not a host name is reported by the registry's rules; it would only make a wrong command here.
        else if (!registryServerProblem(reg.server)) {
            const fix = isDefault ? secretCommand(KEYS.registryPassword) : secretCommand(secretMapEntry(KEYS.registryPasswords, reg.server), { path: true });
            const orEnv = isDefault ? ` (or ${REGISTRY_PASSWORD_ENV})` : "";
            issues.push(
                ruleIssue([...path, "username"], `registry ${shown(reg.server)} has a username but no password secret; set it with \`${fix}\`${orEnv}`),
            );
        }
    };
    if (registry) add(registry, [KEYS.registry]);
    for (const [name, img] of Object.entries(config[KEYS.images] ?? {})) if (img.registry) add(img.registry, [KEYS.images, name, "registry"]);
    for (const server of secrets.registryPasswordServers) {
        if (!usernames.has(server)) {
            issues.push(
                ruleIssue(
                    [KEYS.registryPasswords, server],
                    `no image is pushed to ${shown(server)} with a username; remove the password or set the registry's \`username\``,
                ),
            );
        }
    }
    return { logins, servers: new Set(usernames.keys()), issues };
}

/** The rules across keys, in the order of the keys they name (problems are sorted by key afterwards). */
function crossKeyIssues(config: Shaped, raw: Record<string, unknown>, secrets: SecretPresence): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const known = [...PLAIN_KEYS, ...SECRET_KEYS].filter((k) => k.startsWith(PROJECT));
    for (const key of Object.keys(raw)) {
        if (key.startsWith(`${PROJECT}:`) && !known.includes(key)) issues.push(ruleIssue([key], `unknown key; expected one of ${known.join(", ")}`));
    }
    const owner = config[KEYS.owner];
    if (writesGithub(raw) && raw[KEYS.owner] === undefined) issues.push(ruleIssue([KEYS.owner], "is required (expected string)"));

    const release = config[KEYS.release];
    const previous = config[KEYS.previousRelease];
    // The release `new-release` copied this stack from: each image's size is judged against its tag of that release.
    const previousProblem = release !== undefined && previous !== undefined ? previousReleaseProblem(previous, release) : undefined;
    if (previousProblem) issues.push(ruleIssue([KEYS.previousRelease], `${previousProblem} (\`${KEYS.release}\`), found ${shown(previous)}`));

    const source = config[KEYS.source];
    const sourceRepository = source && splitRepository(source.repository);
    if (source && sourceRepository && source.launcherPatSecret && owner !== undefined && sourceRepository.owner !== owner) {
        issues.push(
            ruleIssue(
                [KEYS.source, "repository"],
                `the LAUNCHER_PAT Actions secret is written with the \`${KEYS.owner}\` provider, so the source repository must belong to ${shown(owner)}, found ${shown(sourceRepository.owner)} (or set \`${KEYS.source}.launcherPatSecret: false\`)`,
            ),
        );
    }

    issues.push(...placeholderIssues(raw));
    const images = config[KEYS.images];
    const registry = config[KEYS.registry];
    const tagRelease = release ?? "0000.00";
    for (const [name, img] of Object.entries(images ?? {})) {
        const below = (i: RuleIssue) => ruleIssue([KEYS.images, name, ...i.path], i.message);
        if (img.refs === undefined) {
            issues.push(...imageTags(img, tagRelease).issues.map(below));
            continue;
        }
        // The ref builds of one image push to one repository: a tag two of them would push is refused.
        const pushedBy = new Map<string, string>();
        for (const build of refBuilds(img, tagRelease).filter((b) => !b.unresolved)) {
            const { tags, issues: tagIssues } = imageTags(img, tagRelease, build);
            issues.push(...tagIssues.map(below));
            for (const tag of tags) {
                const other = pushedBy.get(tag);
                if (other !== undefined && other !== build.ref)
                    issues.push(
                        below(
                            ruleIssue(
                                build.path,
                                `ref ${shown(build.ref)} would push tag ${shown(tag)}, which ref ${shown(other)} pushes; give each ref its own tags (\`{ref}\`)`,
                            ),
                        ),
                    );
                else pushedBy.set(tag, build.ref);
            }
        }
    }
    if (images) issues.push(...refRules(images, tagRelease).map((i) => ruleIssue([KEYS.images, ...i.path], i.message)));

    const logins = registryLogins(config, secrets);
    issues.push(...logins.issues);
    // A child build pulls its parent: across registries, the parent's registry must have a login.
    const serverOf = (img: RawImage): string | undefined => (img.registry ?? registry)?.server;
    for (const [name, img] of Object.entries(images ?? {})) {
        for (const parent of parentsOf(img)) {
            const parentImage = images && Object.hasOwn(images, parent.image) ? images[parent.image] : undefined;
            const [parentServer, server] = [parentImage && serverOf(parentImage), serverOf(img)];
            if (parentServer !== undefined && server !== undefined && parentServer !== server && !logins.servers.has(parentServer)) {
                issues.push(
                    ruleIssue(
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
            // `{release}` expanded: a literal branch may name the release a `{release}` branch becomes.
            if (release !== undefined && b.name.includes("{release}")) {
                const name = branchNames(b, release).name;
                const other = launcher.branches.findIndex((o, j) => j !== i && branchNames(o, release).name === name);
                if (other >= 0) {
                    issues.push(
                        ruleIssue(
                            [...at, "name"],
                            `${shown(b.name)} is ${shown(name)} in release ${shown(release)}, which branch ${other} already is; each branch is listed once`,
                        ),
                    );
                }
            }
            if (images && !Object.hasOwn(images, b.image)) {
                issues.push(
                    ruleIssue(
                        [...at, "image"],
                        `expected one of the images (${Object.keys(images)
                            .map((n) => shown(n))
                            .join(", ")}), found ${shown(b.image)}`,
                    ),
                );
            }
            const builds = images && Object.hasOwn(images, b.image) && images[b.image].refs ? refBuilds(images[b.image], tagRelease) : undefined;
            const refsOfImage = builds?.some((r) => r.unresolved) ? undefined : builds?.map((r) => r.ref);
            const uw3Branch = release === undefined ? b.uw3Branch : branchNames(b, release).uw3Branch;
            // A frozen branch whose ref this stack does not build adopts the pin its launcher branch already has.
            if (refsOfImage && !b.frozen && !refsOfImage.includes(uw3Branch)) {
                issues.push(
                    ruleIssue(
                        [...at, "uw3Branch"],
                        `${shown(b.image)} is built per ref (${refsOfImage.map((r) => shown(r)).join(", ")}), and launcher branch ${shown(b.name)} launches ${shown(uw3Branch)}, which is not one of them; add it to the image's \`refs\`, or freeze the branch (\`frozen: true\`) to keep the image its launcher branch names`,
                    ),
                );
            }
            // A frozen branch without a build here adopts the pin its launcher branch already has.
            if (images?.[b.image]?.build === "on-request" && b.pin === undefined && !b.frozen) {
                issues.push(
                    ruleIssue(
                        [...at, "image"],
                        `${shown(b.image)} is built only on request and not requested, so this run has no build of it for launcher branch ${shown(b.name)}; request it (\`build: requested\`) or give the branch a \`pin:\``,
                    ),
                );
            }
            const pinned = resolvePin(b.pin, withdrawn);
            if (pinned.withdrawn && !pinned.withdrawn.replacement) {
                issues.push(
                    ruleIssue(
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
            const platforms = img.platforms;
            if (!platforms.includes(BINDER_PLATFORM)) {
                issues.push(
                    ruleIssue(
                        [KEYS.images, name, "platforms"],
                        `launcher branch ${users.join(", ")} pins this image and mybinder.org runs ${BINDER_PLATFORM}; include "${BINDER_PLATFORM}", found ${shown(platforms)}`,
                    ),
                );
            }
            const checks = checkOptions(img.checks);
            if (checks.enabled.includes("platform") && !checks.platforms.includes(BINDER_PLATFORM)) {
                issues.push(
                    ruleIssue(
                        [KEYS.images, name, "checks", "platform", "require"],
                        `launcher branch ${users.join(", ")} pins this image, so the platform check must require "${BINDER_PLATFORM}", found ${shown(checks.platforms)}`,
                    ),
                );
            }
        }
    }

    // Secrets that must exist, each with the command that sets it.
    if (writesGithub(raw) && !secrets.keys.includes(KEYS.token) && !secrets.githubTokenFromEnv) {
        issues.push(
            ruleIssue([KEYS.token], `missing secret (the GitHub token that writes the launcher repository); set it with \`${secretCommand(KEYS.token)}\``),
        );
    }
    if (writesLauncherPat(raw) && !secrets.keys.includes(KEYS.launcherPat) && !secrets.launcherPatFromEnv) {
        issues.push(
            ruleIssue(
                [KEYS.launcherPat],
                `missing secret (stored as the LAUNCHER_PAT Actions secret); set it with \`${secretCommand(KEYS.launcherPat)}\` (or ${LAUNCHER_PAT_ENV})`,
            ),
        );
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
    const keys = [
        KEYS.owner,
        KEYS.release,
        KEYS.previousRelease,
        KEYS.registry,
        KEYS.registryPasswords,
        KEYS.source,
        KEYS.images,
        KEYS.launcher,
        KEYS.withdrawn,
        KEYS.builder,
        KEYS.token,
        KEYS.registryPassword,
        KEYS.launcherPat,
    ];
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
    // Reserved names and sizes first: cheap, and the schema never sees a value past its bounds.
    const bounds = boundProblems(raw);
    if (bounds.length > 0) throw new ConfigError(bounds);
    const result = configSchema(raw, secrets).safeParse(raw);
    if (!result.success) throw new ConfigError(sortedProblems(result.error.issues, raw));
    return normalised(result.data, secrets);
}

/**
 * The builds of one configured image: itself, or with `refs` one per ref (named by `refImageName`), each with
 * its tags, args and written-once rule, and FROM its parents' builds of the same ref.
 */
function imageConfigs(name: string, img: RawImage, config: RawConfig, withdrawn: readonly WithdrawnRelease[]): ImageConfig[] {
    const registry: RegistryConfig = img.registry ?? config[KEYS.registry];
    const rebuildOn = img.rebuildOn ?? [...DEFAULT_REBUILD_ON];
    const context = img.context ?? rebuildOn;
    const repositoryUrl = `${registry.server}/${registry.namespace}/${img.repository}`;
    const release = config[KEYS.release];
    const previousRelease = config[KEYS.previousRelease];
    const images = config[KEYS.images];
    const one = (build: RefBuild | undefined, refTemplate: string | undefined): ImageConfig => {
        const { tags } = imageTags(img, release, build);
        const templates = build?.tags?.map((t) => t.template) ?? tagTemplates(img);
        const writeOnce = build ? build.writeOnce : img.writeOnce;
        const checks: CheckOptions = { ...checkOptions(img.checks), withdrawn: withdrawn.map(({ digest, reason }) => ({ digest, reason })) };
        // An explicit `checks.layers.baseline` wins; otherwise the previous release's tag of this build.
        if (previousRelease && checks.baseline === "" && checks.enabled.includes("layers")) {
            const template = build?.tags?.[0].template ?? tagTemplates(img)[0];
            checks.baseline =
                (refTemplate === undefined
                    ? baselineReference(repositoryUrl, template, previousRelease)
                    : refBaselineReference(repositoryUrl, template, refTemplate, release, previousRelease)) ?? "";
        }
        return {
            name: build ? refImageName(name, build.ref) : name,
            key: name,
            ...(build ? { ref: build.ref } : {}),
            registry,
            repository: img.repository,
            repositoryUrl,
            tags,
            imageName: `${repositoryUrl}:${tags[0]}`,
            dockerfile: img.dockerfile,
            context: context.includes(img.dockerfile) ? context : [...context, img.dockerfile],
            rebuildOn,
            parents: parentsOf(img).map(({ image, arg }) => ({ image: parentBuildName(image, images[image]?.refs !== undefined, build?.ref), arg })),
            args: buildArgs(img, release, build),
            refArgs: build ? Object.keys(build.args).filter((arg) => build.args[arg].includes("{ref}")) : [],
            platforms: img.platforms,
            target: img.target,
            checks,
            build: img.build,
            writeOnce,
            writeOnceTags: !writeOnce ? [] : build ? tags.filter((_, i) => /\{(ref|release)\}/.test(templates[i])) : tags,
            // In the image's own registry, so the image's login (and no other) reads and writes it. Off by default
            // for a written-once image: its one build gains little, and a stack that built it before caches existed
            // would see its build inputs change, which docker-build answers by pushing its tags again.
            buildCache:
                img.cache === false || (img.cache === undefined && writeOnce)
                    ? undefined
                    : {
                          repositoryUrl: `${registry.server}/${registry.namespace}/${img.cache?.repository ?? img.repository}`,
                          tag: img.cache?.tag ?? defaultCacheTag(build?.ref),
                      },
            builder: img.builder ?? config[KEYS.builder],
        };
    };
    if (img.refs === undefined) return [one(undefined, undefined)];
    return refBuilds(img, release).map((build) => one(build, build.template));
}

/**
 * The default cache tag: `buildcache`, and for a build per ref `buildcache-<ref>` (a tag's characters), so the
 * refs of one repository never overwrite each other's cache.
 */
function defaultCacheTag(ref: string | undefined): string {
    return ref === undefined ? DEFAULT_CACHE_TAG : `${DEFAULT_CACHE_TAG}-${ref.replace(/[^A-Za-z0-9_.-]/g, "-")}`.slice(0, 128);
}

function launcherConfig(
    launcher: RawLauncher,
    owner: string,
    release: string,
    withdrawn: readonly WithdrawnRelease[],
    builds: readonly ImageConfig[],
): LauncherConfig {
    return {
        owner,
        repository: launcher.repository,
        create: launcher.create,
        defaultBranch: launcher.defaultBranch,
        branches: launcher.branches.map((b) => {
            const { pin, withdrawn: withdrawal } = resolvePin(b.pin, withdrawn);
            const { name, uw3Branch } = branchNames(b, release);
            // A branch of an image built per ref runs its build of the branch's ref; a frozen branch whose ref
            // this stack does not build (adopted) names one of the image's builds, for its repository and checks.
            const perRef = builds.filter((i) => i.key === b.image && i.ref !== undefined);
            const image = perRef.length === 0 ? b.image : (perRef.find((i) => i.ref === uw3Branch) ?? perRef[0]).name;
            return { name, uw3Branch, image, pin, frozen: b.frozen, ...(withdrawal ? { withdrawn: withdrawal } : {}) };
        }),
        warmup: launcher.warmup,
        warmupTimeoutS: launcher.warmupTimeoutS,
        binderUrl: normaliseHubUrl(launcher.binderUrl ?? MYBINDER_URL),
        binderHubs: binderHubs(launcher).hubs,
        commitAuthor: launcher.commitAuthor,
        rehearsal: rehearsalOf(launcher),
    };
}

/** The normalised config of a valid one: defaults filled in, tags expanded, images parents first. */
function normalised(config: RawConfig, secrets: SecretPresence): BinderConfig {
    const owner = config[KEYS.owner] ?? "";
    const source = config[KEYS.source];
    const repository = splitRepository(source.repository) ?? { owner: "", name: "" };
    const withdrawn = withdrawnReleases(config[KEYS.withdrawn] ?? []);
    const images = Object.entries(config[KEYS.images]).flatMap(([name, img]) => imageConfigs(name, img, config, withdrawn));
    const launcher = config[KEYS.launcher];
    const previousRelease = config[KEYS.previousRelease];
    return {
        githubOwner: owner,
        release: config[KEYS.release],
        ...(previousRelease ? { previousRelease } : {}),
        registry: config[KEYS.registry],
        source: {
            repository: source.repository,
            owner: repository.owner,
            name: repository.name,
            path: source.path,
            ...(source.branch !== undefined ? { branch: source.branch } : {}),
            launcherPatSecret: source.launcherPatSecret,
        },
        images: inDependencyOrder(images.map((image) => ({ name: image.name, parents: image.parents.map((p) => p.image), image }))).map((n) => n.image),
        launcher: launcher && launcherConfig(launcher, owner, config[KEYS.release], withdrawn, images),
        logins: registryLogins(config, secrets).logins,
        withdrawn,
    };
}
