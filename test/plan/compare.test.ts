/** `plan --against`: what a stack changes against another, from the two plans (src/plan/compare.ts, pure). */
import * as assert from "assert/strict";
import { comparePlans, renderComparison } from "../../src/plan/compare";
import type { Plan } from "../../src/plan/plan";

const image = (name: string, tags: string[], inputs: Record<string, unknown> = {}) => ({ type: "docker-build:index:Image", name, inputs: { tags, ...inputs } });
const file = (branch: string, path: string, content: string, commitMessage = `Pin ${branch}`) => ({
    type: "github:index/repositoryFile:RepositoryFile",
    name: `launcher-${path}-${branch}`,
    inputs: { branch, file: path, content, commitMessage },
});
const plan = (stack: string, resources: Plan["resources"]): Plan => ({ stack, resources, outputs: {}, adopted: [] });

describe("plan --against (comparePlans)", () => {
    // Shaped as the images-per-ref and frozen-branch stacks will plan: one image per ref, the release's own
    // image new, the previous release's branch frozen with the same files.
    const v301 = plan("v3.0.1", [
        image("base-main", ["uw3-base:main-slim"], { context: { location: ".uw3-binder/contexts/v3.0.1/base-main" } }),
        image("base-development", ["uw3-base:development-slim"]),
        image("base-v3-0-1", ["uw3-base:v3.0.1-slim", "uw3-base:latest-slim"]),
        file("main", ".binder/Dockerfile", "FROM uw3-base:main-slim@sha256:aa"),
        file("main", "README.md", "badges: main development v3.0.0 v3.0.1"),
        file("development", ".binder/Dockerfile", "FROM uw3-base:development-slim@sha256:dd"),
        file("v3.0.0", ".binder/Dockerfile", "FROM uw3-base:v3.0.0-slim@sha256:00"),
        file("v3.0.1", ".binder/Dockerfile", "FROM uw3-base:v3.0.1-slim@sha256:11"),
        { type: "command:local:Command", name: "launcher-rehearse-main", inputs: { create: "uw3-binder rehearse" } },
    ]);
    const v302 = plan("v3.0.2", [
        image("base-main", ["uw3-base:main-slim"], { context: { location: ".uw3-binder/contexts/v3.0.2/base-main" } }),
        image("base-development", ["uw3-base:development-slim"], { buildArgs: { UW3_BRANCH: "development", FP: "2" } }),
        image("base-v3-0-2", ["uw3-base:v3.0.2-slim", "uw3-base:latest-slim"]),
        file("main", ".binder/Dockerfile", "FROM uw3-base:main-slim@sha256:aa"),
        file("main", "README.md", "badges: main development v3.0.0 v3.0.1 v3.0.2"),
        file("development", ".binder/Dockerfile", "FROM uw3-base:development-slim@sha256:dd", "Pin development again"),
        file("v3.0.0", ".binder/Dockerfile", "FROM uw3-base:v3.0.0-slim@sha256:00"),
        file("v3.0.1", ".binder/Dockerfile", "FROM uw3-base:v3.0.1-slim@sha256:11"),
        file("v3.0.2", ".binder/Dockerfile", "FROM uw3-base:v3.0.2-slim@sha256:22"),
        file("v3.0.2", "README.md", "frozen release v3.0.2"),
    ]);

    it("names each image new, gone, changed or unchanged by resource name, with its tags and the other inputs that differ", () => {
        assert.deepEqual(comparePlans(v302, v301).images, [
            { name: "base-main", change: "unchanged", tagsBefore: ["uw3-base:main-slim"], tags: ["uw3-base:main-slim"], otherInputs: [] },
            {
                name: "base-development",
                change: "changed",
                tagsBefore: ["uw3-base:development-slim"],
                tags: ["uw3-base:development-slim"],
                otherInputs: ["buildArgs"],
            },
            { name: "base-v3-0-2", change: "new", tags: ["uw3-base:v3.0.2-slim", "uw3-base:latest-slim"], otherInputs: [] },
            { name: "base-v3-0-1", change: "gone", tagsBefore: ["uw3-base:v3.0.1-slim", "uw3-base:latest-slim"], otherInputs: [] },
        ]);
    });

    it("names each launcher branch by its files: content and commit message both count, a branch only in one plan is new or gone", () => {
        const branches = comparePlans(v302, v301).branches;
        assert.deepEqual(
            branches.map((b) => [b.branch, b.change, b.files.map((f) => [f.file, f.change, ...f.what])]),
            [
                [
                    "main",
                    "changed",
                    [
                        [".binder/Dockerfile", "unchanged"],
                        ["README.md", "changed", "content"],
                    ],
                ],
                ["development", "changed", [[".binder/Dockerfile", "changed", "commit message"]]],
                ["v3.0.0", "unchanged", [[".binder/Dockerfile", "unchanged"]]],
                ["v3.0.1", "unchanged", [[".binder/Dockerfile", "unchanged"]]],
                [
                    "v3.0.2",
                    "new",
                    [
                        [".binder/Dockerfile", "new"],
                        ["README.md", "new"],
                    ],
                ],
            ],
        );
        const back = comparePlans(v301, v302).branches.find((b) => b.branch === "v3.0.2")!;
        assert.deepEqual([back.change, back.files.map((f) => f.change)], ["gone", ["gone", "gone"]]);
    });

    it("a stack against itself is unchanged throughout", () => {
        const same = comparePlans(v302, v302);
        assert.ok([...same.images, ...same.branches].every((x) => x.change === "unchanged"));
    });

    it("renders one aligned line per image and per branch, under counts, with terminal controls escaped", () => {
        const evil = plan("x", [file("bad\u001b[2Jbranch", "README.md", "a")]);
        assert.equal(
            renderComparison(comparePlans(v302, v301)),
            [
                "stack v3.0.2 against v3.0.1:",
                "",
                "images (1 new, 1 changed, 1 gone, 1 unchanged):",
                "  unchanged  base-main         uw3-base:main-slim",
                "  changed    base-development  uw3-base:development-slim  (also buildArgs)",
                "  new        base-v3-0-2       uw3-base:v3.0.2-slim, uw3-base:latest-slim",
                "  gone       base-v3-0-1       uw3-base:v3.0.1-slim, uw3-base:latest-slim",
                "",
                "launcher branches (1 new, 2 changed, 2 unchanged):",
                "  changed    main         README.md (content)",
                "  changed    development  .binder/Dockerfile (commit message)",
                "  unchanged  v3.0.0       .binder/Dockerfile",
                "  unchanged  v3.0.1       .binder/Dockerfile",
                "  new        v3.0.2       .binder/Dockerfile, README.md",
                "",
            ].join("\n"),
        );
        assert.ok(renderComparison(comparePlans(evil, plan("y", []))).includes("bad\\x1b[2Jbranch"));
    });
});
