/**
 * Images per ref: an image with `refs` is built once per ref (a branch or tag) of the source repository, each
 * build from that ref's own tree. The one home of a ref build's name (`refImageName`), of what a `refs` entry
 * overrides (tags, args, writeOnce), and of the rules across a stack's ref builds: names that collide, a ref
 * listed twice, a tag two refs would push, a parent whose build of the same ref does not exist.
 * Pure; the images are read in the shape their schema (./keySchemas.ts) gives.
 */
import { z } from "zod";
import { uw3BranchProblem } from "../names/git";
import { shown } from "../text/quotedValue";
import { expandPlaceholders } from "./placeholders";
import { RuleIssue, ruleIssue } from "./problems";

/** The most refs one image is built from. */
const MAX_REFS = 50;

const text = z.string().min(1);
const refEntryShape = z.strictObject({
    ref: text,
    tag: text.optional(),
    tags: z.array(text).min(1).optional(),
    args: z.record(z.string(), z.string()).optional(),
    writeOnce: z.boolean().optional(),
});
type RawRefEntry = z.output<typeof refEntryShape>;

/** `refs`: a list of ref names or `{ ref, tags?, tag?, args?, writeOnce? }`. */
export const refsSchema = z
    .array(z.union([text, refEntryShape], { error: "expected a ref name or { ref, tags?, tag?, args?, writeOnce? }" }))
    .min(1)
    .optional();

/** What the ref rules read of an image. */
interface RefImage {
    refs?: (string | RawRefEntry)[];
    tag?: string;
    tags?: string[];
    args?: Record<string, string>;
    writeOnce: boolean;
    from?: { image: string } | { image: string }[];
}

/** One build of an image with `refs`: the ref (its `{release}` expanded) and what its entry overrides. */
export interface RefBuild {
    ref: string;
    /** The ref as written (`{release}`). */
    template: string;
    /** The ref holds a placeholder a `refs` entry does not take (reported by the walk over the config): no build. */
    unresolved: boolean;
    /** The entry's path below the image: `["refs", i]`. */
    path: PropertyKey[];
    /** The entry's own tag templates and the path of each; undefined: the image's. */
    tags?: { template: string; path: PropertyKey[] }[];
    /** The image's args, with the entry's over them (templates, not yet expanded). */
    args: Record<string, string>;
    writeOnce: boolean;
}

/**
 * A ref build's name, for its resources, its outputs and its key in the program: `base` and `v3.0.2` ->
 * `base-v3-0-2`. Every symbol run becomes one `-`, letters are lower-cased, so two refs may collide
 * (`Main`, `main`): `refRules` refuses that.
 */
export function refImageName(image: string, ref: string): string {
    const slug = ref
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
    return `${image}-${slug}`;
}

/** The builds of an image: one per `refs` entry, `{release}` expanded in each ref; [] without `refs`. */
export function refBuilds(img: RefImage, release: string): RefBuild[] {
    return (img.refs ?? []).map((entry, i) => {
        const raw: RawRefEntry = typeof entry === "string" ? { ref: entry } : entry;
        const templates = raw.tags ?? (raw.tag !== undefined ? [raw.tag] : undefined);
        const { text: ref, unknown } = expandPlaceholders(raw.ref, { release });
        return {
            ref,
            template: raw.ref,
            unresolved: unknown.length > 0,
            path: typeof entry === "string" ? ["refs", i] : ["refs", i, "ref"],
            tags: templates?.map((template, j) => ({ template, path: raw.tags ? ["refs", i, "tags", j] : ["refs", i, "tag"] })),
            args: { ...img.args, ...raw.args },
            writeOnce: raw.writeOnce ?? img.writeOnce,
        };
    });
}

/** The rules inside one image's `refs` that need no release: their number, `tag` and `tags` in one entry. */
export function refEntryIssues(img: RefImage): RuleIssue[] {
    const refs = img.refs ?? [];
    if (refs.length > MAX_REFS) return [ruleIssue(["refs"], `${refs.length} refs, expected at most ${MAX_REFS}`)];
    return refs.flatMap((entry, i) =>
        typeof entry !== "string" && entry.tag !== undefined && entry.tags !== undefined
            ? [ruleIssue(["refs", i], "`tag` and `tags` are mutually exclusive; use one")]
            : [],
    );
}

function parentNames(img: RefImage): string[] {
    if (img.from === undefined) return [];
    return (Array.isArray(img.from) ? img.from : [img.from]).map((p) => p.image);
}

function parentPath(img: RefImage, index: number): PropertyKey[] {
    return Array.isArray(img.from) ? ["from", index, "image"] : ["from", "image"];
}

/**
 * The rules across the stack's ref builds (paths below `uw3-binder:images`), for `release`: each ref a valid
 * ref name, listed once per image; build names unique among every image and ref build; a parent with `refs`
 * has a build of each ref of its child (and a child of such a parent has `refs`: a single build could not
 * say which of the parent's builds it is made FROM).
 */
export function refRules(images: Readonly<Record<string, RefImage>>, release: string): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const names = new Map<string, string>(
        Object.keys(images)
            .filter((n) => images[n].refs === undefined)
            .map((n) => [n, `image ${shown(n)}`]),
    );
    for (const [name, img] of Object.entries(images)) {
        const builds = refBuilds(img, release).filter((b) => !b.unresolved);
        builds.forEach((build, i) => {
            const at = [name, ...build.path];
            const problem = uw3BranchProblem(build.ref);
            if (problem) {
                issues.push(ruleIssue(at, `expected a branch or tag of the source repository: ${problem}, found ${shown(build.ref)}`));
                return;
            }
            if (builds.findIndex((b) => b.ref === build.ref) !== i) {
                issues.push(ruleIssue(at, `ref ${shown(build.ref)} is listed twice; each ref is built once`));
                return;
            }
            const buildName = refImageName(name, build.ref);
            const taken = names.get(buildName);
            if (taken !== undefined) {
                issues.push(ruleIssue(at, `ref ${shown(build.ref)} names its build ${shown(buildName)}, as ${taken} does; rename the image or the ref`));
                return;
            }
            names.set(buildName, `ref ${shown(build.ref)} of image ${shown(name)}`);
        });
        parentNames(img).forEach((parent, index) => {
            const parentImage = Object.hasOwn(images, parent) ? images[parent] : undefined;
            if (parentImage?.refs === undefined) return;
            const parentBuilds = refBuilds(parentImage, release);
            if (parentBuilds.some((b) => b.unresolved)) return;
            const parentRefs = parentBuilds.map((b) => b.ref);
            if (img.refs === undefined) {
                issues.push(
                    ruleIssue(
                        [name, ...parentPath(img, index)],
                        `${shown(parent)} is built once per ref (${parentRefs.map((r) => shown(r)).join(", ")}), so ${shown(name)}, built once, cannot say which build it is FROM; give ${shown(name)} \`refs\` too`,
                    ),
                );
                return;
            }
            for (const build of builds) {
                if (parentRefs.includes(build.ref)) continue;
                issues.push(
                    ruleIssue(
                        [name, ...build.path],
                        `ref ${shown(build.ref)} of ${shown(name)} is built FROM ${shown(parent)}'s build of the same ref, but ${shown(parent)} is built only for ${parentRefs.map((r) => shown(r)).join(", ")}; add ${shown(build.ref)} to ${shown(parent)}'s \`refs\``,
                    ),
                );
            }
        });
    }
    return issues;
}

/**
 * The name of the build a child's ref build is made FROM: the parent's build of the same ref when the parent
 * has `refs` (`refRules` guarantees it exists), else the parent's one build.
 */
export function parentBuildName(parent: string, parentHasRefs: boolean, ref: string | undefined): string {
    return parentHasRefs && ref !== undefined ? refImageName(parent, ref) : parent;
}
