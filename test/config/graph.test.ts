/** The image graph (src/config/graph.ts): the rules the config and the rebuild decision share. */
import * as assert from "node:assert/strict";
import { fromCycles, inDependencyOrder, unknownParents } from "../../src/config/graph";

describe("config/graph", () => {
    it("names each parent that is no image of the graph, with its index in the image's list", () => {
        assert.deepEqual(
            unknownParents([
                { name: "app", parents: ["petsc", "tools"] },
                { name: "petsc", parents: [] },
            ]),
            [{ image: "app", index: 1, parent: "tools" }],
        );
    });

    it("reports each FROM cycle once, at the first edge that closes it, an image FROM itself included", () => {
        const cycles = fromCycles([
            { name: "a", parents: ["c"] },
            { name: "b", parents: ["a"] },
            { name: "c", parents: ["b"] },
            { name: "d", parents: ["d"] },
            { name: "e", parents: ["nowhere"] },
        ]);
        assert.deepEqual(cycles, [
            { image: "a", index: 0, path: ["a", "c", "b", "a"] },
            { image: "d", index: 0, path: ["d", "d"] },
        ]);
        assert.deepEqual(
            fromCycles([
                { name: "a", parents: [] },
                { name: "b", parents: ["a"] },
            ]),
            [],
        );
    });

    it("orders parents first, otherwise keeping the order given", () => {
        const order = inDependencyOrder([
            { name: "app", parents: ["petsc", "tools"] },
            { name: "lavavu", parents: [] },
            { name: "tools", parents: ["base"] },
            { name: "petsc", parents: ["base"] },
            { name: "base", parents: [] },
        ]).map((n) => n.name);
        assert.deepEqual(order, ["base", "petsc", "tools", "app", "lavavu"]);
    });
});
