import * as assert from "assert";
import { parseBinderConfig } from "../../src/config/schema";
import { refImageName } from "../../src/config/refs";
import { ALL_SECRETS, configProblems, stackConfig } from "../program/fixtures";

/** The 2025-01 stack with `slim` built per ref (and whatever `mutate` changes). */
function withRefs(mutate: (c: Record<string, any>) => void = () => {}): Record<string, any> {
    const config = stackConfig();
    const slim = config["uw3-binder:images"].slim;
    slim.tag = "{ref}-slim";
    slim.args = { UW3_BRANCH: "{ref}" };
    slim.refs = ["main", "development", { ref: "{release}", tags: ["{ref}-slim", "latest-slim"] }];
    config["uw3-binder:launcher"].branches = [
        { name: "main", uw3Branch: "main", image: "slim" },
        { name: "development", uw3Branch: "development", image: "slim" },
    ];
    mutate(config);
    return config;
}
const refProblems = (mutate: (c: Record<string, any>) => void) => configProblems((c) => Object.assign(c, withRefs(mutate)));

describe("config: images per ref (issue 18, item 2)", () => {
    it("names a ref build by its image and its ref, one symbol run to one '-'", () => {
        assert.deepStrictEqual(
            [refImageName("base", "main"), refImageName("base", "v3.0.2"), refImageName("base", "release/0.99"), refImageName("base", "Feature__X")],
            ["base-main", "base-v3-0-2", "base-release-0-99", "base-feature-x"],
        );
    });

    it("builds each ref FROM the parent's one build, and runs a launcher branch on the build of its ref", () => {
        const config = parseBinderConfig(withRefs(), ALL_SECRETS);
        assert.deepStrictEqual(
            config.images.map((i) => [i.name, i.tags, i.args, i.parents]),
            [
                ["deps", ["2025.01"], {}, []],
                ["slim-main", ["main-slim"], { UW3_BRANCH: "main" }, [{ image: "deps", arg: "DEPS_IMAGE" }]],
                ["slim-development", ["development-slim"], { UW3_BRANCH: "development" }, [{ image: "deps", arg: "DEPS_IMAGE" }]],
                ["slim-2025-01", ["2025.01-slim", "latest-slim"], { UW3_BRANCH: "2025.01" }, [{ image: "deps", arg: "DEPS_IMAGE" }]],
            ],
        );
        assert.deepStrictEqual(
            config.launcher!.branches.map((b) => [b.name, b.image]),
            [
                ["main", "slim-main"],
                ["development", "slim-development"],
            ],
        );
    });

    it("builds a child's ref FROM its parent's build of the same ref", () => {
        const config = parseBinderConfig(
            withRefs((c) => Object.assign(c["uw3-binder:images"].deps, { tag: "{ref}", refs: ["main", "development", "{release}"] })),
            ALL_SECRETS,
        );
        assert.deepStrictEqual(
            config.images.filter((i) => i.key === "slim").map((i) => [i.name, i.parents[0].image]),
            [
                ["slim-main", "deps-main"],
                ["slim-development", "deps-development"],
                ["slim-2025-01", "deps-2025-01"],
            ],
        );
    });

    it("expands {release} in the args of an image without refs, and judges a release ref against the previous release's tag", () => {
        const plain = parseBinderConfig(
            (() => {
                const c = stackConfig();
                c["uw3-binder:images"].slim.args = { UW3_BRANCH: "release-{release}" };
                return c;
            })(),
            ALL_SECRETS,
        );
        assert.deepStrictEqual(plain.images[1].args, { UW3_BRANCH: "release-2025.01" });
        const config = parseBinderConfig(
            withRefs((c) => (c["uw3-binder:previousRelease"] = "2024.12")),
            ALL_SECRETS,
        );
        assert.deepStrictEqual(
            config.images.map((i) => [i.name, i.checks.baseline]),
            [
                ["deps", "ghcr.io/underworldcode/uw3-deps:2024.12"],
                ["slim-main", ""],
                ["slim-development", ""],
                ["slim-2025-01", "ghcr.io/underworldcode/uw3-base:2024.12-slim"],
            ],
        );
    });

    it("refuses an unknown placeholder anywhere in the config, naming the key and what it takes", () => {
        assert.deepStrictEqual(
            configProblems((c) => {
                c["uw3-binder:images"].slim.tag = "{relase}-slim";
                c["uw3-binder:images"].slim.args = { UW3_BRANCH: "{ref}" };
                c["uw3-binder:images"].deps.dockerfile = "container/{release}/Dockerfile";
                c["uw3-binder:launcher"].commitAuthor = { name: "{owner} bot", email: "bot@example.invalid" };
            }),
            [
                "`uw3-binder:images.deps.dockerfile`: unknown placeholder {release}; this key takes no placeholder",
                "`uw3-binder:images.slim.tag`: unknown placeholder {relase}; the only placeholder is {release}",
                "`uw3-binder:images.slim.args.UW3_BRANCH`: unknown placeholder {ref}; the only placeholder is {release} ({ref} is known only in an image with `refs`)",
                "`uw3-binder:launcher.commitAuthor.name`: unknown placeholder {owner}; this key takes no placeholder",
            ],
        );
        assert.deepStrictEqual(
            refProblems((c) => {
                c["uw3-binder:images"].slim.refs[0] = "{ref}";
                c["uw3-binder:images"].slim.refs[2].tags[1] = "{branch}";
            }),
            [
                "`uw3-binder:images.slim.refs[0]`: unknown placeholder {ref}; the only placeholder is {release}",
                "`uw3-binder:images.slim.refs[2].tags[1]`: unknown placeholder {branch}; the placeholders here are {ref}, {release}",
            ],
        );
    });

    it("leaves a withdrawal's reason alone: free text, never expanded, may hold braces", () => {
        assert.deepStrictEqual(
            configProblems((c) => {
                c["uw3-binder:withdrawn"] = [{ digest: `sha256:${"a".repeat(64)}`, reason: "broken JIT {see #123}", date: "2025-02-01" }];
            }),
            [],
        );
    });

    it("refuses refs that collide: a ref twice, two refs one build name, a tag two refs push", () => {
        assert.deepStrictEqual(
            refProblems((c) => {
                c["uw3-binder:images"].slim.refs = ["main", "main", "Main", "development", { ref: "v1", tag: "main-slim" }];
                c["uw3-binder:images"]["slim-development"] = { ...c["uw3-binder:images"].deps };
            }),
            [
                '`uw3-binder:images.slim.refs[4].ref`: ref "v1" would push tag "main-slim", which ref "main" pushes; give each ref its own tags (`{ref}`)',
                '`uw3-binder:images.slim.refs[1]`: ref "main" is listed twice; each ref is built once',
                '`uw3-binder:images.slim.refs[2]`: ref "Main" names its build "slim-main", as ref "main" of image "slim" does; rename the image or the ref',
                '`uw3-binder:images.slim.refs[3]`: ref "development" names its build "slim-development", as image "slim-development" does; rename the image or the ref',
            ],
        );
    });

    it("refuses a parent built per ref that a child cannot follow, and a launcher branch of a ref not built", () => {
        assert.deepStrictEqual(
            refProblems((c) => {
                c["uw3-binder:images"].deps.refs = ["main"];
                c["uw3-binder:launcher"].branches.push({ name: "v0.99", uw3Branch: "v0.99", image: "slim" });
            }),
            [
                '`uw3-binder:images.slim.refs[1]`: ref "development" of "slim" is built FROM "deps"\'s build of the same ref, but "deps" is built only for "main"; add "development" to "deps"\'s `refs`',
                '`uw3-binder:images.slim.refs[2].ref`: ref "2025.01" of "slim" is built FROM "deps"\'s build of the same ref, but "deps" is built only for "main"; add "2025.01" to "deps"\'s `refs`',
                '`uw3-binder:launcher.branches[2].uw3Branch`: "slim" is built per ref ("main", "development", "2025.01"), and launcher branch "v0.99" launches "v0.99", which is not one of them; add it to the image\'s `refs`, or freeze the branch (`frozen: true`) to keep the image its launcher branch names',
            ],
        );
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].deps.refs = ["main"])),
            [
                '`uw3-binder:images.slim.from.image`: "deps" is built once per ref ("main"), so "slim", built once, cannot say which build it is FROM; give "slim" `refs` too',
            ],
        );
    });
});
