import * as assert from "assert";
import { DEFAULT_REBUILD_ON } from "../../src/names/globs";
import { parseBinderConfig } from "../../src/config/schema";
import { changedImages, configImageNodes, describeRebuilds, ImageNode, imageGraphProblems, planRebuilds } from "../../src/source/rebuild";
import { ALL_SECRETS, stackConfig } from "../program/fixtures";
import { DEPS_CONTEXT, SLIM_REBUILD_ON } from "./checkout";

/** The Underworld3 pair as the config describes it: deps from pixi files, slim FROM deps cloning the branch. */
const UNDERWORLD3: ImageNode[] = [
    { name: "deps", context: DEPS_CONTEXT, rebuildOn: [] },
    { name: "slim", from: "deps", context: ["container/Dockerfile.branch"], rebuildOn: SLIM_REBUILD_ON },
];

/** An Underworld2-like chain: two independent roots, a base FROM petsc, the application FROM base. */
const UNDERWORLD2: ImageNode[] = [
    { name: "lavavu", context: ["docs/development/docker/lavavu/**"], rebuildOn: [] },
    { name: "petsc", context: ["docs/development/docker/petsc/**"], rebuildOn: [] },
    { name: "base", from: "petsc", context: ["docs/development/docker/base/**"], rebuildOn: ["requirements.txt"] },
    { name: "underworld2", from: "base", context: "all", rebuildOn: [] },
];

describe("source/rebuild", () => {
    describe("the Underworld3 pair", () => {
        const cases: Array<[what: string, changed: string[], expected: string[]]> = [
            ["a docs-only change", ["docs/index.md", "docs/beginner/tutorials/1-Meshes.ipynb"], []],
            ["a pure-Python change (pulled at launch)", ["src/underworld3/meshing.py", "tests/test_0000_mesh.py"], []],
            ["no change", [], []],
            ["a .pyx change", ["src/underworld3/cython/petsc_types.pyx"], ["slim"]],
            ["a C helper change", ["src/underworld3/cython/petsc_tools.c"], ["slim"]],
            ["a header change", ["src/underworld3/cython/petsc_tools.h"], ["slim"]],
            ["a setup.py change", ["setup.py"], ["slim"]],
            ["a Dockerfile.branch change", ["container/Dockerfile.branch"], ["slim"]],
            ["a pixi.lock change", ["pixi.lock"], ["deps", "slim"]],
            ["a pixi.toml change", ["pixi.toml"], ["deps", "slim"]],
            ["a Dockerfile.deps change", ["container/Dockerfile.deps"], ["deps", "slim"]],
            ["a mixed commit", ["docs/index.md", "src/underworld3/function/_function.pyx", "README.md"], ["slim"]],
        ];
        for (const [what, changed, expected] of cases) {
            it(`${what} rebuilds [${expected.join(", ")}]`, () => {
                assert.deepStrictEqual(changedImages(UNDERWORLD3, changed), expected);
            });
        }

        it("a pixi.lock change rebuilds slim both because deps does and because pixi.lock is a trigger", () => {
            assert.deepStrictEqual(planRebuilds(UNDERWORLD3, ["pixi.lock", "docs/index.md"]), [
                { name: "deps", rebuild: true, reasons: [{ kind: "context", paths: ["pixi.lock"] }] },
                {
                    name: "slim",
                    rebuild: true,
                    reasons: [
                        { kind: "parent", parent: "deps" },
                        { kind: "rebuildOn", paths: ["pixi.lock"] },
                    ],
                },
            ]);
        });

        it("a .pxd change rebuilds slim only with the default triggers, which add *.pxd", () => {
            const withDefaults = UNDERWORLD3.map((i) => (i.name === "slim" ? { ...i, rebuildOn: DEFAULT_REBUILD_ON } : i));
            assert.deepStrictEqual(changedImages(UNDERWORLD3, ["src/underworld3/cython/petsc_types.pxd"]), []);
            assert.deepStrictEqual(changedImages(withDefaults, ["src/underworld3/cython/petsc_types.pxd"]), ["slim"]);
        });

        it("lists parents first whatever the order of the graph, and each image once", () => {
            const reversed = [...UNDERWORLD3].reverse();
            assert.deepStrictEqual(changedImages(reversed, ["pixi.lock", "pixi.lock", "pixi.toml"]), ["deps", "slim"]);
            assert.deepStrictEqual(
                planRebuilds(reversed, []).map((d) => d.name),
                ["deps", "slim"],
            );
        });

        it("lists every changed path that matched, sorted and without duplicates", () => {
            const [, slim] = planRebuilds(UNDERWORLD3, ["src/b.pyx", "setup.py", "src/a.pyx", "src/b.pyx"]);
            assert.deepStrictEqual(slim.reasons, [{ kind: "rebuildOn", paths: ["setup.py", "src/a.pyx", "src/b.pyx"] }]);
        });
    });

    describe("an Underworld2-like chain of four", () => {
        const cases: Array<[what: string, changed: string[], expected: string[]]> = [
            ["nothing changed", [], []],
            ["the petsc recipe", ["docs/development/docker/petsc/Dockerfile"], ["petsc", "base", "underworld2"]],
            ["the lavavu recipe (underworld2's context is the whole checkout)", ["docs/development/docker/lavavu/Dockerfile"], ["lavavu", "underworld2"]],
            ["the base recipe", ["docs/development/docker/base/Dockerfile"], ["base", "underworld2"]],
            ["requirements.txt (a base trigger)", ["requirements.txt"], ["base", "underworld2"]],
            ["a Python file (in underworld2's whole-checkout context only)", ["underworld/mesh/_mesh.py"], ["underworld2"]],
            ["both roots", ["docs/development/docker/lavavu/x", "docs/development/docker/petsc/y"], ["lavavu", "petsc", "base", "underworld2"]],
        ];
        for (const [what, changed, expected] of cases) {
            it(`${what} rebuilds [${expected.join(", ")}]`, () => {
                assert.deepStrictEqual(changedImages(UNDERWORLD2, changed), expected);
            });
        }

        it("propagates through every level and says why at each", () => {
            const plan = planRebuilds(UNDERWORLD2, ["docs/development/docker/petsc/Dockerfile"]);
            assert.deepStrictEqual(plan, [
                { name: "lavavu", rebuild: false, reasons: [] },
                { name: "petsc", rebuild: true, reasons: [{ kind: "context", paths: ["docs/development/docker/petsc/Dockerfile"] }] },
                { name: "base", rebuild: true, reasons: [{ kind: "parent", parent: "petsc" }] },
                {
                    name: "underworld2",
                    rebuild: true,
                    reasons: [
                        { kind: "parent", parent: "base" },
                        { kind: "context", paths: ["docs/development/docker/petsc/Dockerfile"] },
                    ],
                },
            ]);
        });

        it("describes decisions in one line each", () => {
            const changed = ["requirements.txt", "a.py", "b.py", "c.py", "d.py"];
            assert.deepStrictEqual(describeRebuilds(planRebuilds(UNDERWORLD2, changed)), [
                "lavavu: unchanged",
                "petsc: unchanged",
                "base: rebuilds (rebuildOn: requirements.txt)",
                "underworld2: rebuilds (parent base rebuilds; context: a.py, b.py, c.py and 2 more)",
            ]);
        });
    });

    describe("an image built FROM several images of the graph", () => {
        // A diamond: two stages FROM one base, and an application copying from both.
        const DIAMOND: ImageNode[] = [
            { name: "app", from: ["petsc", "toolchain"], context: ["app/**"], rebuildOn: [] },
            { name: "petsc", from: "base", context: ["petsc/**"], rebuildOn: [] },
            { name: "toolchain", from: ["base"], context: ["toolchain/**"], rebuildOn: [] },
            { name: "base", context: ["base/**"], rebuildOn: [] },
        ];

        it("rebuilds when either parent does", () => {
            assert.deepStrictEqual(changedImages(DIAMOND, ["toolchain/Dockerfile"]), ["toolchain", "app"]);
            assert.deepStrictEqual(changedImages(DIAMOND, ["petsc/Dockerfile"]), ["petsc", "app"]);
            assert.deepStrictEqual(changedImages(DIAMOND, ["app/main.py"]), ["app"]);
        });

        it("lists a shared ancestor's descendants once each, parents first, with one reason per parent", () => {
            const plan = planRebuilds(DIAMOND, ["base/Dockerfile"]);
            assert.deepStrictEqual(
                plan.map((d) => d.name),
                ["base", "petsc", "toolchain", "app"],
            );
            assert.deepStrictEqual(plan[3].reasons, [
                { kind: "parent", parent: "petsc" },
                { kind: "parent", parent: "toolchain" },
            ]);
        });

        it("refuses an unknown parent in the list and a cycle through a second parent", () => {
            assert.deepStrictEqual(
                imageGraphProblems([
                    { name: "a", from: ["b", "c"], context: [], rebuildOn: [] },
                    { name: "b", context: [], rebuildOn: [] },
                ]),
                [`image "a".from: "c" is not an image of this graph (expected one of "a", "b"; omit "from" for an image built FROM an external base)`],
            );
            const cycle: ImageNode[] = [
                { name: "a", context: [], rebuildOn: [] },
                { name: "b", from: ["a", "c"], context: [], rebuildOn: [] },
                { name: "c", from: "b", context: [], rebuildOn: [] },
            ];
            assert.deepStrictEqual(imageGraphProblems(cycle), [`images form a FROM cycle: b -> c -> b`]);
        });
    });

    describe("a bad graph or path list", () => {
        it("is refused with every problem listed, naming image and field", () => {
            const graph: ImageNode[] = [
                { name: "deps", context: ["../pixi.toml"], rebuildOn: [] },
                { name: "deps", context: DEPS_CONTEXT, rebuildOn: [] },
                { name: "slim", from: "dep", context: [], rebuildOn: ["/abs/setup.py"] },
                { name: "", context: "all", rebuildOn: [] },
            ];
            assert.deepStrictEqual(imageGraphProblems(graph), [
                `image "deps".context[0]: invalid glob pattern "../pixi.toml": ".." would reach outside the source checkout; patterns must stay inside it`,
                `image "deps": the name is used by more than one image; names must be unique`,
                `image "slim".rebuildOn[0]: invalid glob pattern "/abs/setup.py": it is absolute; patterns are relative to the source checkout, e.g. "src/**/*.pyx"`,
                `images[3].name: expected a non-empty image name`,
                `image "slim".from: "dep" is not an image of this graph (expected one of "deps", "slim"; omit "from" for an image built FROM an external base)`,
            ]);
            assert.throws(
                () => changedImages(graph, ["pixi.lock"]),
                (err: Error) => {
                    assert.ok(err.message.startsWith('cannot decide which images rebuild:\n  - image "deps".context[0]: '), err.message);
                    assert.strictEqual(err.message.split("\n  - ").length, 6);
                    return true;
                },
            );
        });

        it("refuses an image FROM itself and a FROM cycle", () => {
            assert.deepStrictEqual(imageGraphProblems([{ name: "a", from: "a", context: [], rebuildOn: [] }]), [
                `image "a".from: an image cannot be built FROM itself`,
            ]);
            const cycle: ImageNode[] = [
                { name: "a", from: "c", context: [], rebuildOn: [] },
                { name: "b", from: "a", context: [], rebuildOn: [] },
                { name: "c", from: "b", context: [], rebuildOn: [] },
            ];
            assert.deepStrictEqual(imageGraphProblems(cycle), [`images form a FROM cycle: a -> c -> b -> a`]);
            assert.throws(() => changedImages(cycle, []), /images form a FROM cycle: a -> c -> b -> a/);
        });

        it('refuses a context that is neither a list nor "all"', () => {
            const graph = [{ name: "deps", context: "pixi.toml", rebuildOn: "pixi.lock" }] as unknown as ImageNode[];
            assert.deepStrictEqual(imageGraphProblems(graph), [
                `image "deps".context: expected a list of patterns or "all", found "pixi.toml"`,
                `image "deps".rebuildOn: expected a list of patterns, found "pixi.lock"`,
            ]);
        });

        it("refuses changed paths that are not relative to the checkout, naming each", () => {
            assert.throws(() => changedImages(UNDERWORLD3, ["/home/u/underworld3/pixi.lock", "../pixi.lock", "pixi.lock"]), {
                message: [
                    "cannot decide which images rebuild:",
                    `  - changed paths: invalid source path "/home/u/underworld3/pixi.lock": it is absolute; expected a POSIX path relative to the source checkout, e.g. "src/underworld3/cython/petsc_types.pyx"`,
                    `  - changed paths: invalid source path "../pixi.lock": it has a ".." segment (outside the checkout); expected a POSIX path relative to the source checkout, e.g. "src/underworld3/cython/petsc_types.pyx"`,
                ].join("\n"),
            });
        });

        it("accepts an empty graph", () => {
            assert.deepStrictEqual(changedImages([], ["pixi.lock"]), []);
        });
    });

    describe("the graph of a validated stack config", () => {
        it("rebuilds what the production stack's context and rebuildOn say, with the Dockerfile in each context", () => {
            const graph = configImageNodes(parseBinderConfig(stackConfig(), ALL_SECRETS).images);
            assert.deepStrictEqual(
                graph.map((n) => [n.name, n.from]),
                [
                    ["deps", []],
                    ["slim", ["deps"]],
                ],
            );
            assert.deepStrictEqual(changedImages(graph, ["docs/index.md", "src/underworld3/meshing.py"]), []);
            assert.deepStrictEqual(changedImages(graph, ["src/underworld3/cython/petsc_types.pyx"]), ["slim"]);
            assert.deepStrictEqual(changedImages(graph, ["container/Dockerfile.branch"]), ["slim"]);
            assert.deepStrictEqual(changedImages(graph, ["pixi.lock"]), ["deps", "slim"]);
        });
    });
});
