/**
 * Which images a source change rebuilds: a pure prediction over the image graph (src/config/graph.ts) of
 * what `pulumi up` will do, for people: `uw3-binder plan --since <rev>` prints it (`configImageNodes` turns a
 * validated config into its graph). The
 * program itself does not ask it: docker-build rebuilds an image when the hash of its staged context, its
 * build args (the UW3_SOURCE_FINGERPRINT of its `rebuildOn` files) or its parents' digests change
 * (src/source/builds.ts), and this decision follows the same three causes.
 *
 * An image rebuilds when a changed path
 *   - is in its build context (docker-build's `Image` hashes the context, so any change there rebuilds it; a
 *     context of "all" is the whole checkout), or
 *   - matches its `rebuildOn` triggers (Underworld3's slim image clones the branch inside the build, so
 *     its context does not see `.pyx` edits; the setup document lists what forces a rebuild), or
 * when its parent rebuilds: the child is built FROM the parent's digest, and a new parent digest is a new
 * base whatever the child's own sources did.
 */
import { fromCycles, GraphNode, inDependencyOrder, unknownParents } from "../config/graph";
import type { ImageConfig } from "../config/schema";
import { checkSourcePath, GlobSet, globProblems } from "../names/globs";

export interface ImageNode {
    /** Unique within the graph, e.g. `deps`, `slim`. */
    name: string;
    /**
     * The image(s) of this graph it is built FROM (several for a multi-stage build that copies from
     * another image); omitted for a root built FROM an external base.
     */
    from?: string | readonly string[];
    /** Build-context patterns relative to the checkout, or "all" for the whole checkout. */
    context: readonly string[] | "all";
    /** Further paths whose change must rebuild the image although they are not in its context. */
    rebuildOn: readonly string[];
    /** For a build of one ref (an image with `refs`): what changed is what changed on that ref. */
    ref?: string;
}

export type RebuildReason =
    /** Changed paths in the image's build context. */
    | { kind: "context"; paths: string[] }
    /** Changed paths matching its `rebuildOn` triggers. */
    | { kind: "rebuildOn"; paths: string[] }
    /** A parent rebuilds, so its FROM digest changes (one reason per rebuilding parent). */
    | { kind: "parent"; parent: string };

export interface RebuildDecision {
    name: string;
    rebuild: boolean;
    /** Why it rebuilds; empty when it does not. */
    reasons: RebuildReason[];
}

/** Every problem with an image graph, each naming the image and field; [] when it is usable. */
export function imageGraphProblems(images: readonly ImageNode[]): string[] {
    const problems: string[] = [];
    const names = new Set<string>();
    images.forEach((image, index) => {
        const label = image.name ? `image "${image.name}"` : `images[${index}]`;
        if (!image.name) problems.push(`images[${index}].name: expected a non-empty image name`);
        else if (names.has(image.name)) problems.push(`${label}: the name is used by more than one image; names must be unique`);
        else names.add(image.name);
        if (image.context !== "all") {
            if (!Array.isArray(image.context)) {
                problems.push(`${label}.context: expected a list of patterns or "all", found ${JSON.stringify(image.context)}`);
            } else {
                problems.push(...globProblems(image.context).map((p) => `${label}.context${p}`));
            }
        }
        if (!Array.isArray(image.rebuildOn)) {
            problems.push(`${label}.rebuildOn: expected a list of patterns, found ${JSON.stringify(image.rebuildOn)}`);
        } else {
            problems.push(...globProblems(image.rebuildOn).map((p) => `${label}.rebuildOn${p}`));
        }
    });
    const graph = graphOf(images);
    for (const image of images) {
        if (parentsOf(image).includes(image.name)) problems.push(`image "${image.name}".from: an image cannot be built FROM itself`);
    }
    for (const { image, parent } of unknownParents(graph)) {
        problems.push(
            `image "${image}".from: "${parent}" is not an image of this graph (expected one of ${[...names].map((n) => `"${n}"`).join(", ")}; omit "from" for an image built FROM an external base)`,
        );
    }
    if (problems.length === 0) {
        const [cycle] = fromCycles(graph);
        if (cycle) problems.push(`images form a FROM cycle: ${cycle.path.join(" -> ")}`);
    }
    return problems;
}

function parentsOf(image: ImageNode): readonly string[] {
    if (image.from === undefined) return [];
    return typeof image.from === "string" ? [image.from] : image.from;
}

function graphOf(images: readonly ImageNode[]): (GraphNode & { image: ImageNode })[] {
    return images.map((image) => ({ name: image.name, parents: parentsOf(image), image }));
}

/**
 * The rebuild graph of a validated config (src/config/schema.ts): each image's staged context (the
 * Dockerfile included), its `rebuildOn` triggers and its parents, as the program builds them.
 */
export function configImageNodes(images: readonly ImageConfig[]): ImageNode[] {
    return images.map((i) => ({
        name: i.name,
        from: i.parents.map((p) => p.image),
        context: i.context,
        rebuildOn: i.rebuildOn,
        ...(i.ref !== undefined ? { ref: i.ref } : {}),
    }));
}

/**
 * The decision for every image, parents before children. Throws one error listing every problem of the
 * graph or of `changedPaths` (POSIX paths relative to the checkout, as `git diff --name-only` prints).
 * A ref build's changed paths are those `changedOnRef` gives for its ref (none when it gives none).
 */
export function planRebuilds(
    images: readonly ImageNode[],
    changedPaths: readonly string[],
    changedOnRef: ReadonlyMap<string, readonly string[]> = new Map(),
): RebuildDecision[] {
    const problems = imageGraphProblems(images);
    for (const p of [...changedPaths, ...[...changedOnRef.values()].flat()]) {
        try {
            checkSourcePath(p);
        } catch (err) {
            problems.push(`changed paths: ${(err as Error).message}`);
        }
    }
    if (problems.length > 0) throw new Error(`cannot decide which images rebuild:\n  - ${problems.join("\n  - ")}`);

    const changedIn = (paths: readonly string[]) => [...new Set(paths)].sort();
    const decisions = new Map<string, RebuildDecision>();
    return inDependencyOrder(graphOf(images)).map(({ image }) => {
        const changed = changedIn(image.ref === undefined ? changedPaths : (changedOnRef.get(image.ref) ?? []));
        const reasons: RebuildReason[] = [];
        for (const parent of parentsOf(image)) {
            if (decisions.get(parent)!.rebuild) reasons.push({ kind: "parent", parent });
        }
        const context = image.context === "all" ? undefined : new GlobSet(image.context);
        const inContext = context ? changed.filter((p) => context.matches(p)) : changed;
        if (inContext.length > 0) reasons.push({ kind: "context", paths: inContext });
        const triggers = new GlobSet(image.rebuildOn);
        const triggered = changed.filter((p) => triggers.matches(p));
        if (triggered.length > 0) reasons.push({ kind: "rebuildOn", paths: triggered });
        const decision = { name: image.name, rebuild: reasons.length > 0, reasons };
        decisions.set(image.name, decision);
        return decision;
    });
}

/** Names of the images that rebuild for `changedPaths`, parents before children. */
export function changedImages(images: readonly ImageNode[], changedPaths: readonly string[]): string[] {
    return planRebuilds(images, changedPaths)
        .filter((d) => d.rebuild)
        .map((d) => d.name);
}

/** One line per image for people: `slim: rebuilds (parent deps rebuilds; rebuildOn: pixi.lock)`. */
export function describeRebuilds(decisions: readonly RebuildDecision[], maxPaths = 3): string[] {
    const listPaths = (paths: string[]): string =>
        paths.length <= maxPaths ? paths.join(", ") : `${paths.slice(0, maxPaths).join(", ")} and ${paths.length - maxPaths} more`;
    return decisions.map((d) => {
        if (!d.rebuild) return `${d.name}: unchanged`;
        const why = d.reasons.map((r) =>
            r.kind === "parent" ? `parent ${r.parent} rebuilds` : `${r.kind === "context" ? "context" : "rebuildOn"}: ${listPaths(r.paths)}`,
        );
        return `${d.name}: rebuilds (${why.join("; ")})`;
    });
}
