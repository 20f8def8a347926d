import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROGRAM_DIR } from "../../src/plan/program";
import { makeTempRoot, makeUnderworld3Checkout, Checkout } from "../source/checkout";
import { byName, inputsOf, runStack, SECRETS, stackConfig } from "./fixtures";

/** The 2025-01 stack, built from a real checkout made by the test (not a plan: contexts are staged). */
async function imagesFor(checkout: Checkout) {
    const config = stackConfig();
    config["uw3-binder:source"].path = checkout.dir;
    const run = await runStack(config, SECRETS, { stack: "builds-test", plan: false });
    return { deps: inputsOf(byName(run, "deps-image")), slim: inputsOf(byName(run, "slim-image")) };
}

describe("program: build contexts and rebuilds on a real checkout", function () {
    this.timeout(60000);
    const temp = makeTempRoot("builds");
    let checkout: Checkout;
    before(() => {
        checkout = makeUnderworld3Checkout(path.join(temp.root, "underworld3"));
    });
    after(() => temp.cleanup());

    it("stages only the deps image's own files, its Dockerfile as committed, and labels the build with the OCI labels", async () => {
        const { deps } = await imagesFor(checkout);
        const context = path.join(PROGRAM_DIR, deps.context.location);
        const files = fs
            .readdirSync(context, { recursive: true })
            .map(String)
            .filter((f) => fs.statSync(path.join(context, f)).isFile())
            .sort();
        assert.deepStrictEqual(files, [".uw3-binder-staged-context", "container/Dockerfile.deps", "pixi.lock", "pixi.toml"]);
        // No Dockerfile is edited on the fly: the labels go through docker-build's `labels` (`--label`).
        assert.strictEqual(
            fs.readFileSync(path.join(PROGRAM_DIR, deps.dockerfile.location), "utf8"),
            fs.readFileSync(checkout.path("container/Dockerfile.deps"), "utf8"),
        );
        const [revision, created] = checkout.git(["log", "-1", "--format=%H%x00%cI"]).trim().split("\0");
        assert.deepStrictEqual(deps.labels, {
            "org.opencontainers.image.source": "https://github.com/underworldcode/underworld3",
            "org.opencontainers.image.revision": revision,
            "org.opencontainers.image.version": "2025.01",
            "org.opencontainers.image.created": created,
        });
        assert.match(deps.buildArgs.UW3_SOURCE_FINGERPRINT, /^sha256:[0-9a-f]{64}$/);
    });

    it("changes no image input for a docs-only or pure-Python commit", async () => {
        const before = await imagesFor(checkout);
        checkout.append("docs/index.md", "More words.\n");
        checkout.append("src/underworld3/meshing.py", "# tweak\n");
        checkout.commitAll("Docs and Python only");
        const after = await imagesFor(checkout);
        assert.deepStrictEqual(after, before);
    });

    it("rebuilds the slim image, not deps, for a .pyx commit", async () => {
        const before = await imagesFor(checkout);
        checkout.append("src/underworld3/cython/petsc_types.pyx", "# changed\n");
        checkout.commitAll("Cython change");
        const after = await imagesFor(checkout);
        assert.deepStrictEqual(after.deps, before.deps);
        assert.notStrictEqual(after.slim.buildArgs.UW3_SOURCE_FINGERPRINT, before.slim.buildArgs.UW3_SOURCE_FINGERPRINT);
    });

    it("rebuilds both for a pixi.lock commit", async () => {
        const before = await imagesFor(checkout);
        checkout.append("pixi.lock", "      - conda: gmsh-4.13\n");
        checkout.commitAll("Re-lock");
        const after = await imagesFor(checkout);
        assert.notStrictEqual(after.deps.buildArgs.UW3_SOURCE_FINGERPRINT, before.deps.buildArgs.UW3_SOURCE_FINGERPRINT);
        assert.notStrictEqual(after.slim.buildArgs.UW3_SOURCE_FINGERPRINT, before.slim.buildArgs.UW3_SOURCE_FINGERPRINT);
    });

    it("refuses to run without the checkout, naming the path", async () => {
        const config = stackConfig();
        config["uw3-binder:source"].path = path.join(temp.root, "nowhere");
        await assert.rejects(runStack(config, SECRETS, { stack: "builds-test", plan: false }), (err: Error) => {
            assert.strictEqual(
                err.message,
                `\`uw3-binder:source.path\`: expected a checkout of underworldcode/underworld3 at ${path.join(temp.root, "nowhere")} (resolved from "${path.join(temp.root, "nowhere")}"), found none`,
            );
            return true;
        });
    });
});

describe("program: a dry run without the checkout (uw3-binder plan)", () => {
    it("shows the missing checkout in each fingerprint and stages nothing", async () => {
        const config = stackConfig();
        config["uw3-binder:source"].path = "../no-such-checkout";
        const stack = `dry-run-${process.pid}`;
        const run = await runStack(config, SECRETS, { stack, plan: true });
        for (const name of ["deps-image", "slim-image"]) {
            assert.strictEqual(inputsOf(byName(run, name)).buildArgs.UW3_SOURCE_FINGERPRINT, "(no checkout at ../no-such-checkout)");
        }
        assert.ok(!fs.existsSync(path.join(PROGRAM_DIR, ".uw3-binder", "contexts", stack)));
    });
});
