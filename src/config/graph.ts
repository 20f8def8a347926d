/**
 * The image graph: which images each image is built FROM. The one home of its rules (unknown parents,
 * cycles) and of the dependency order, used by the config validation (src/config/schema.ts) and by the
 * rebuild decision (src/source/rebuild.ts), each of which words the problems for its own input.
 * Pure; no imports.
 */

export interface GraphNode {
    name: string;
    /** The names of the images it is built FROM, in the order given. */
    parents: readonly string[];
}

/** A parent that names no image of the graph: the image, the parent's index in its list, and the name. */
interface UnknownParent {
    image: string;
    index: number;
    parent: string;
}

/** Every parent that names no image of the graph, in the order of the images and their parents. */
export function unknownParents(nodes: readonly GraphNode[]): UnknownParent[] {
    const names = new Set(nodes.map((n) => n.name));
    return nodes.flatMap((node) => node.parents.flatMap((parent, index) => (names.has(parent) ? [] : [{ image: node.name, index, parent }])));
}

/** A FROM cycle found at one parent edge: `path` runs from the image through parents back to it (`a -> b -> a`). */
interface GraphCycle {
    image: string;
    /** The index, in the image's parents, of the edge that starts the cycle. */
    index: number;
    path: string[];
}

/**
 * Every FROM cycle, each reported once (at the first edge, in the order of the images and their parents,
 * that closes it), an image FROM itself included. Unknown parents are ignored.
 */
export function fromCycles(nodes: readonly GraphNode[]): GraphCycle[] {
    const parentsOf = new Map(nodes.map((n) => [n.name, n.parents]));
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
    const reported = new Set<string>();
    const cycles: GraphCycle[] = [];
    for (const node of nodes) {
        node.parents.forEach((parent, index) => {
            if (!parentsOf.has(parent)) return;
            const back = pathBack(parent, node.name, new Set());
            if (!back) return;
            const path = [node.name, ...back];
            const members = [...new Set(path)].sort().join(",");
            if (reported.has(members)) return;
            reported.add(members);
            cycles.push({ image: node.name, index, path });
        });
    }
    return cycles;
}

/**
 * The nodes with every parent before its children, otherwise in the order given (the engine hands a config
 * object over with its keys sorted, so the order of the stack file is not kept anyway). Needs an acyclic graph.
 */
export function inDependencyOrder<T extends GraphNode>(nodes: readonly T[]): T[] {
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const ordered: T[] = [];
    const placed = new Set<string>();
    const place = (node: T): void => {
        if (placed.has(node.name)) return;
        placed.add(node.name);
        for (const p of node.parents) {
            const parent = byName.get(p);
            if (parent) place(parent);
        }
        ordered.push(node);
    };
    nodes.forEach(place);
    return ordered;
}
