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
import { normaliseHubUrl } from "../names/hubUrl";
import { registryServerProblem } from "../names/oci";
import { capped, shown } from "../text/quotedValue";
import type { BinderConfig, ImageConfig, LauncherConfig, RegistryConfig, RegistryLogin, SecretPresence, WithdrawnRelease } from "./binderConfig";
import { boundProblems } from "./bounds";
import { inDependencyOrder } from "./graph";
import {
    binderHubs,
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
import { KEYS, LAUNCHER_PAT_ENV, PLAIN_KEYS, PROJECT, SECRET_KEYS } from "./keys";
import { addRuleIssues, ConfigError, isRuleIssue, issueProblems, keyPath, RuleIssue, ruleIssue } from "./problems";
import { secretCommand, secretMapEntry } from "./secrets";

export { KEYS, PROJECT } from "./keys";
export { ConfigError } from "./problems";

// The validated, normalised config: its types are declared apart (./binderConfig.ts), for the key schemas too.
export type { BinderConfig, ImageConfig, LauncherConfig, SecretPresence, WithdrawnRelease } from "./binderConfig";

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
                ruleIssue(
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
        else if (isDefault && secrets.keys.includes(KEYS.registryPassword))
            logins.push({ server: reg.server, username: reg.username, secret: { key: KEYS.registryPassword } });
        // A server that is not a host name is reported by the registry's rules; it would only make a wrong command here.
        else if (!registryServerProblem(reg.server)) {
            const fix = isDefault ? secretCommand(KEYS.registryPassword) : secretCommand(secretMapEntry(KEYS.registryPasswords, reg.server), { path: true });
            issues.push(ruleIssue([...path, "username"], `registry ${shown(reg.server)} has a username but no password secret; set it with \`${fix}\``));
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
    // The month `new-release` copied this stack from: each image's size is judged against its tag of that month.
    if (release !== undefined && previous !== undefined && previous >= release) {
        issues.push(ruleIssue([KEYS.previousRelease], `expected a month before \`${KEYS.release}\` (${shown(release)}), found ${shown(previous)}`));
    }

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

    const images = config[KEYS.images];
    const registry = config[KEYS.registry];
    for (const [name, img] of Object.entries(images ?? {})) {
        issues.push(...imageTags(img, release ?? "0000.00").issues.map((i) => ruleIssue([KEYS.images, name, ...i.path], i.message)));
    }

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
            if (images?.[b.image]?.build === "on-request" && b.pin === undefined) {
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

function imageConfig(name: string, img: RawImage, config: RawConfig, withdrawn: readonly WithdrawnRelease[]): ImageConfig {
    const registry: RegistryConfig = img.registry ?? config[KEYS.registry];
    const rebuildOn = img.rebuildOn ?? [...DEFAULT_REBUILD_ON];
    const context = img.context ?? rebuildOn;
    const repositoryUrl = `${registry.server}/${registry.namespace}/${img.repository}`;
    const { tags } = imageTags(img, config[KEYS.release]);
    const checks: CheckOptions = { ...checkOptions(img.checks), withdrawn: withdrawn.map(({ digest, reason }) => ({ digest, reason })) };
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
        platforms: img.platforms,
        target: img.target,
        checks,
        build: img.build,
        writeOnce: img.writeOnce,
        // In the image's own registry, so the image's login (and no other) reads and writes it. Off by default
        // for a written-once image: its one build gains little, and a stack that built it before caches existed
        // would see its build inputs change, which docker-build answers by pushing its tags again.
        buildCache:
            img.cache === false || (img.cache === undefined && img.writeOnce)
                ? undefined
                : {
                      repositoryUrl: `${registry.server}/${registry.namespace}/${img.cache?.repository ?? img.repository}`,
                      tag: img.cache?.tag ?? DEFAULT_CACHE_TAG,
                  },
        builder: img.builder ?? config[KEYS.builder],
    };
}

function launcherConfig(launcher: RawLauncher, owner: string, withdrawn: readonly WithdrawnRelease[]): LauncherConfig {
    return {
        owner,
        repository: launcher.repository,
        create: launcher.create,
        defaultBranch: launcher.defaultBranch,
        branches: launcher.branches.map((b) => {
            const { pin, withdrawn: withdrawal } = resolvePin(b.pin, withdrawn);
            return { name: b.name, uw3Branch: b.uw3Branch, image: b.image, pin, ...(withdrawal ? { withdrawn: withdrawal } : {}) };
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
    const images = Object.entries(config[KEYS.images]).map(([name, img]) => imageConfig(name, img, config, withdrawn));
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
        launcher: launcher && launcherConfig(launcher, owner, withdrawn),
        logins: registryLogins(config, secrets).logins,
        withdrawn,
    };
}
