import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseBinderConfig } from "../../src/config/schema";
import { BuildSource, prepareBuild } from "../../src/source/builds";
import { fingerprintSources } from "../../src/source/fingerprint";
import { ALL_SECRETS, stackConfig } from "../program/fixtures";
import { Checkout, makeTempRoot, makeUnderworld3Checkout, SLIM_REBUILD_ON } from "./checkout";

const PYX = "src/underworld3/cython/petsc_types.pyx";

/** The config of an image built per ref, as the design's `base` image, over `source.path`. */
function refStack(refs: unknown[], image: Record<string, unknown> = {}) {
    const config = stackConfig();
    delete config["uw3-binder:launcher"];
    config["uw3-binder:images"] = {
        base: {
            repository: "uw3-base",
            tag: "{ref}-slim",
            dockerfile: "container/Dockerfile.branch",
            context: ["setup.py", "container/Dockerfile.branch"],
            rebuildOn: SLIM_REBUILD_ON,
            args: { UW3_BRANCH: "{ref}" },
            refs,
            ...image,
        },
    };
    return parseBinderConfig(config, ALL_SECRETS);
}

describe("images per ref: each build from its ref's own tree (issue 18, item 2)", () => {
    const temp = makeTempRoot("refs");
    after(() => temp.cleanup());
    let checkout: Checkout;
    let commits: { main: string; development: string; v1: string };
    const source = (dir: string): BuildSource => ({
        programDir: temp.root,
        path: dir,
        repository: "underworldcode/underworld3",
        release: "2025.01",
        stagingRoot: path.join("staged", path.basename(dir)),
    });

    before(() => {
        checkout = makeUnderworld3Checkout(path.join(temp.root, "underworld3"));
        checkout.git(["tag", "v1"]);
        checkout.git(["checkout", "-q", "-b", "development"]);
        checkout.write(PYX, "cdef class PtrContainer:\n    development = True\n");
        checkout.write("setup.py", "# development\n");
        checkout.commitAll("development: a new extension");
        checkout.git(["checkout", "-q", "main"]);
        checkout.write("README.md", "# docs only\n");
        checkout.commitAll("main: docs");
        // The work tree is on main, with an uncommitted edit no ref build may see.
        checkout.write(PYX, "uncommitted\n");
        checkout.write("setup.py", "# uncommitted\n");
        commits = {
            main: checkout.git(["rev-parse", "main"]),
            development: checkout.git(["rev-parse", "development"]),
            v1: checkout.git(["rev-parse", "v1"]),
        };
    });

    it("expands one build per ref: names from refImageName, {ref} in tags and args, a ref's own tags and writeOnce (its ref's tags only)", () => {
        const config = refStack(["main", "development", { ref: "v1", tags: ["{ref}-slim", "latest-slim"], writeOnce: true }]);
        assert.deepStrictEqual(
            config.images.map((i) => [i.name, i.key, i.ref, i.tags, i.args, i.refArgs, i.writeOnce, i.writeOnceTags]),
            [
                ["base-main", "base", "main", ["main-slim"], { UW3_BRANCH: "main" }, ["UW3_BRANCH"], false, []],
                ["base-development", "base", "development", ["development-slim"], { UW3_BRANCH: "development" }, ["UW3_BRANCH"], false, []],
                // latest-slim moves to each new release: only the tag naming the ref is written once.
                ["base-v1", "base", "v1", ["v1-slim", "latest-slim"], { UW3_BRANCH: "v1" }, ["UW3_BRANCH"], true, ["v1-slim"]],
            ],
        );
    });

    it("stages each content under a directory of its own name, so BuildKit never takes a same-size edit for the upload it keeps; earlier stagings of the image go", () => {
        const work = makeUnderworld3Checkout(path.join(temp.root, "same-size"));
        const [image] = refStack(["main"], { refs: undefined, args: {}, tag: "slim" }).images;
        const staged = () => prepareBuild(image, source(work.dir), true);
        work.write("setup.py", "a = 1\n");
        const first = staged();
        assert.match(path.basename(first.contextDir), /^base-[0-9a-f]{12}$/);
        assert.strictEqual(staged().contextDir, first.contextDir, "the same content, the same directory");
        work.write("setup.py", "a = 2\n");
        const second = staged();
        assert.notStrictEqual(second.contextDir, first.contextDir);
        assert.strictEqual(fs.readFileSync(path.join(temp.root, second.contextDir, "setup.py"), "utf8"), "a = 2\n");
        assert.deepStrictEqual(fs.readdirSync(path.join(temp.root, path.dirname(second.contextDir))), [path.basename(second.contextDir)]);
    });

    it("fingerprints, labels and stages development's tree, though the work tree is main with uncommitted edits", () => {
        const config = refStack(["main", "development"]);
        const [main, development] = config.images.map((image) => prepareBuild(image, source(checkout.dir), true));
        // The same tree checked out on its own fingerprints the same.
        const devTree = path.join(temp.root, "development-tree");
        checkout.git(["worktree", "add", "-q", devTree, "development"]);
        assert.strictEqual(development.fingerprint, fingerprintSources(devTree, SLIM_REBUILD_ON).fingerprint);
        assert.notStrictEqual(main.fingerprint, development.fingerprint);
        assert.notStrictEqual(main.fingerprint, fingerprintSources(checkout.dir, SLIM_REBUILD_ON).fingerprint, "main's build ignores the uncommitted edit");
        assert.strictEqual(development.labels["org.opencontainers.image.revision"], commits.development);
        // main's last commit touching the image's inputs is the first one (the docs commit touched none).
        assert.strictEqual(main.labels["org.opencontainers.image.revision"], checkout.git(["rev-parse", "main~1"]));
        assert.strictEqual(fs.readFileSync(path.join(temp.root, development.contextDir, "setup.py"), "utf8"), "# development\n");
        assert.strictEqual(fs.readFileSync(path.join(temp.root, main.contextDir, "setup.py"), "utf8"), checkout.git(["show", "main:setup.py"]) + "\n");
        // The Dockerfile BuildKit gets declares the fingerprint before the clone; the staged one is the ref's own.
        assert.match(development.inlineDockerfile!, /\nARG UW3_BRANCH\nARG UW3_SOURCE_FINGERPRINT\nRUN git clone -b \$\{UW3_BRANCH\}/);
        assert.strictEqual(
            fs.readFileSync(path.join(temp.root, development.dockerfile), "utf8"),
            checkout.git(["show", "development:container/Dockerfile.branch"]) + "\n",
        );
    });

    it("finds a ref that is only a branch of origin (a fresh clone), and a tag", () => {
        const clone = new Checkout(path.join(temp.root, "clone"));
        fs.mkdirSync(clone.dir);
        clone.git(["clone", "-q", "--branch", "main", checkout.dir, "."]);
        const config = refStack(["development", "v1"]);
        const [development, v1] = config.images.map((image) => prepareBuild(image, source(clone.dir), true));
        assert.strictEqual(development.labels["org.opencontainers.image.revision"], commits.development);
        assert.strictEqual(v1.labels["org.opencontainers.image.revision"], commits.v1);
    });

    it("refuses a ref the checkout does not have, in one line naming the image and the ref", () => {
        const [missing] = refStack(["feature-x"]).images;
        assert.throws(() => prepareBuild(missing, source(checkout.dir), true), {
            message: `\`uw3-binder:images.base.refs\`: image "base" is built from ref "feature-x", which the checkout ${checkout.dir} does not have (looked for refs/heads/feature-x, refs/tags/feature-x, refs/remotes/origin/feature-x); fetch it (git fetch origin feature-x) or remove it from \`refs\``,
        });
    });

    it("builds a written-once ref on every run only when it is a tag, which does not move", () => {
        const [tag, branch] = refStack([
            { ref: "v1", writeOnce: true },
            { ref: "main", writeOnce: true },
        ]).images;
        assert.strictEqual(prepareBuild(tag, source(checkout.dir), true).labels["org.opencontainers.image.revision"], commits.v1);
        assert.throws(() => prepareBuild(branch, source(checkout.dir), true), {
            message:
                '`uw3-binder:images.base.refs`: ref "main" of image "base" is written once and built on every run, which only a tag allows (it does not move); found refs/heads/main',
        });
    });
});
