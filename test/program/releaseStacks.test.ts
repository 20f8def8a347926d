/**
 * The committed stacks describe today (issue 18, item 8): Pulumi.v3.0.1.yaml is Underworld3's setup as its
 * repositories show it (one uw3-base:<ref>-slim image per ref from container/Dockerfile.base.optimized with
 * UW3_BRANCH=<ref>, main and development following, the tagged releases frozen), read as YAML; and
 * Pulumi.2025-01.yaml stays the deps/slim chain shape.
 */
import * as assert from "assert";
import { stackConfig } from "./fixtures";

describe("committed release stacks", () => {
    it("Pulumi.v3.0.1.yaml: one uw3-base:<ref>-slim image per ref from container/Dockerfile.base.optimized, UW3_BRANCH the ref", () => {
        const config = stackConfig("v3.0.1");
        assert.strictEqual(config["uw3-binder:release"], "v3.0.1");
        assert.deepStrictEqual(config["uw3-binder:registry"], { server: "ghcr.io", namespace: "underworldcode", username: "underworld-bot" });
        assert.strictEqual(config["uw3-binder:source"].repository, "underworldcode/underworld3");
        // Nothing dispatches to the launcher any more: no LAUNCHER_PAT to store.
        assert.strictEqual(config["uw3-binder:source"].launcherPatSecret, false);
        const images = config["uw3-binder:images"];
        assert.deepStrictEqual(Object.keys(images), ["base"]);
        const base = images.base;
        assert.strictEqual(base.repository, "uw3-base");
        assert.strictEqual(base.tag, "{ref}-slim");
        assert.strictEqual(base.dockerfile, "container/Dockerfile.base.optimized");
        assert.deepStrictEqual(base.args, { UW3_BRANCH: "{ref}" });
        assert.deepStrictEqual(base.refs, ["main", "development", { ref: "{release}", tags: ["{ref}-slim", "latest-slim"] }]);
        // A source change anywhere under src/ is in the image (the start script no longer pulls code at launch).
        assert.ok(base.rebuildOn.includes("src/**"), JSON.stringify(base.rebuildOn));
        assert.deepStrictEqual(base.checks.env.require, [
            "PYVISTA_OFF_SCREEN=true",
            "LIBGL_ALWAYS_SOFTWARE=1",
            "MESA_GL_VERSION_OVERRIDE=3.3",
            "GALLIUM_DRIVER=llvmpipe",
            "VTK_DEFAULT_OPENGL_WINDOW=vtkOSOpenGLRenderWindow",
        ]);
    });

    it("Pulumi.v3.0.1.yaml: main and development follow, v0.99 and v3.0.0 are frozen, the release's own branch last", () => {
        const launcher = stackConfig("v3.0.1")["uw3-binder:launcher"];
        assert.strictEqual(launcher.repository, "uw3-binder-launcher");
        assert.strictEqual(launcher.create, false);
        assert.strictEqual(launcher.defaultBranch, "main");
        assert.deepStrictEqual(launcher.branches, [
            { name: "main", uw3Branch: "main", image: "base" },
            { name: "development", uw3Branch: "development", image: "base" },
            { name: "v0.99", uw3Branch: "v0.99", image: "base", frozen: true },
            { name: "v3.0.0", uw3Branch: "v3.0.0", image: "base", frozen: true },
            // new-release splices the previous release in before this line.
            { name: "{release}", uw3Branch: "{release}", image: "base", frozen: true },
        ]);
    });

    it("Pulumi.2025-01.yaml stays the deps/slim chain: slim FROM deps by digest, one launcher branch per ref on slim", () => {
        const config = stackConfig("2025-01");
        const images = config["uw3-binder:images"];
        assert.deepStrictEqual(Object.keys(images), ["deps", "slim"]);
        assert.deepStrictEqual(images.slim.from, { image: "deps", arg: "DEPS_IMAGE" });
        assert.strictEqual(images.slim.refs, undefined);
        assert.deepStrictEqual(
            config["uw3-binder:launcher"].branches.map((b: { image: string; frozen?: boolean }) => [b.image, b.frozen]),
            [
                ["slim", undefined],
                ["slim", undefined],
                ["slim", undefined],
            ],
        );
    });
});
