import * as assert from "assert";
import * as path from "path";
import { makeTempRoot, makeUnderworld3Checkout, Checkout } from "../source/checkout";
import { byName, inputsOf, ofType, runStack, SECRETS, stackConfig, TYPES } from "./fixtures";

/** The 2025-01 stack with `slim` built per ref (main, development) from a checkout the test makes. */
async function refRun(checkout: Checkout, refs: unknown[] = ["main", "development"]) {
    const config = stackConfig();
    config["uw3-binder:source"].path = checkout.dir;
    const slim = config["uw3-binder:images"].slim;
    slim.tag = "{ref}-slim";
    slim.args = { UW3_BRANCH: "{ref}" };
    slim.refs = refs;
    config["uw3-binder:launcher"].branches = [
        { name: "main", uw3Branch: "main", image: "slim" },
        { name: "development", uw3Branch: "development", image: "slim" },
    ];
    return runStack(config, SECRETS, { stack: "refs-test", plan: false });
}

describe("program: an image built per ref (issue 18, item 2)", function () {
    this.timeout(60000);
    const temp = makeTempRoot("program-refs");
    let checkout: Checkout;
    before(() => {
        checkout = makeUnderworld3Checkout(path.join(temp.root, "underworld3"));
        checkout.git(["checkout", "-q", "-b", "development"]);
        checkout.append("src/underworld3/cython/petsc_types.pyx", "# development\n");
        checkout.commitAll("development");
        checkout.git(["checkout", "-q", "main"]);
        checkout.git(["tag", "v1"]);
    });
    after(() => temp.cleanup());

    it("declares one build and gate per ref, each from its ref's commit, FROM the one deps build, with the fetch keyed on the fingerprint", async () => {
        const run = await refRun(checkout);
        assert.deepStrictEqual(
            ofType(run, TYPES.image).map((r) => [r.name, inputsOf(r).tags]),
            [
                ["deps-image", ["ghcr.io/underworldcode/uw3-deps:2025.01"]],
                ["slim-main-image", ["ghcr.io/underworldcode/uw3-base:main-slim"]],
                ["slim-development-image", ["ghcr.io/underworldcode/uw3-base:development-slim"]],
            ],
        );
        const [main, development] = ["slim-main-image", "slim-development-image"].map((name) => inputsOf(byName(run, name)));
        assert.strictEqual(main.buildArgs.UW3_BRANCH, "main");
        assert.strictEqual(development.buildArgs.UW3_BRANCH, "development");
        assert.strictEqual(main.buildArgs.DEPS_IMAGE, development.buildArgs.DEPS_IMAGE);
        assert.notStrictEqual(main.buildArgs.UW3_SOURCE_FINGERPRINT, development.buildArgs.UW3_SOURCE_FINGERPRINT);
        assert.strictEqual(main.labels["org.opencontainers.image.revision"], checkout.git(["rev-parse", "main"]));
        assert.strictEqual(development.labels["org.opencontainers.image.revision"], checkout.git(["rev-parse", "development"]));
        // BuildKit gets the Dockerfile with the fingerprint declared before the clone of the ref.
        assert.strictEqual(
            development.dockerfile.inline,
            "ARG DEPS_IMAGE\nFROM ${DEPS_IMAGE}\nARG UW3_BRANCH\nARG UW3_SOURCE_FINGERPRINT\nRUN git clone -b ${UW3_BRANCH} https://github.com/underworldcode/underworld3\n",
        );
        assert.deepStrictEqual(
            ofType(run, TYPES.gate).map((r) => r.name),
            ["deps-gate-check", "slim-main-gate-check", "slim-development-gate-check"],
        );
        assert.deepStrictEqual(Object.keys(run.outputs.imageReferences as object), ["deps", "slim-main", "slim-development"]);
        // Each launcher branch pins the build of its own ref.
        const froms = ofType(run, TYPES.file)
            .map((r) => inputsOf(r))
            .filter((i) => i.file === ".binder/Dockerfile")
            .map((i) => [i.branch, /^FROM (\S+):(\S+)@/m.exec(String(i.content))?.slice(1)]);
        assert.deepStrictEqual(froms, [
            ["main", ["ghcr.io/underworldcode/uw3-base", "main-slim"]],
            ["development", ["ghcr.io/underworldcode/uw3-base", "development-slim"]],
        ]);
    });

    it("checks, for a written-once release tag built every run, only the tags naming its ref: latest-slim moves to each release", async () => {
        const run = await refRun(checkout, ["main", "development", { ref: "v1", tags: ["{ref}-slim", "latest-slim"], writeOnce: true }]);
        assert.deepStrictEqual(
            run.resources.filter((r) => r.name.endsWith("-tags-vacant")).map((r) => [r.name, inputsOf(r).references]),
            [["slim-v1-tags-vacant", ["ghcr.io/underworldcode/uw3-base:v1-slim"]]],
        );
        assert.deepStrictEqual(inputsOf(byName(run, "slim-v1-image")).tags, [
            "ghcr.io/underworldcode/uw3-base:v1-slim",
            "ghcr.io/underworldcode/uw3-base:latest-slim",
        ]);
    });
});
