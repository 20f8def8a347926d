/**
 * The registry build cache and the builder of each image, as the program hands them to docker-build: a
 * cache in the image's own registry by default (read and written, `mode: max`), moved or turned off per
 * image, never sharing a tag with the image; the buildx builder by name, stack-wide or per image.
 */
import * as assert from "assert";
import { byName, configProblems, inputsOf, ofType, runStack, stackConfig, TYPES } from "./fixtures";

/** What docker-build is given for one build: where it reads and writes the cache, and which builder builds. */
async function buildsOf(mutate: (config: Record<string, any>) => void = () => undefined) {
    const config = stackConfig();
    mutate(config);
    const run = await runStack(config);
    return Object.fromEntries(
        ofType(run, TYPES.image).map((r) => {
            const inputs = inputsOf(r);
            return [r.name, { cacheFrom: inputs.cacheFrom, cacheTo: inputs.cacheTo, builder: inputs.builder, registries: inputs.registries }];
        }),
    );
}

describe("program: registry build cache per image", function () {
    this.timeout(60000);

    it("reads and writes <repository>:buildcache in the image's own registry, mode max, with that registry's login only", async () => {
        const builds = await buildsOf();
        assert.deepStrictEqual(builds["deps-image"].cacheFrom, [{ registry: { ref: "ghcr.io/underworldcode/uw3-deps:buildcache" } }]);
        assert.deepStrictEqual(builds["deps-image"].cacheTo, [{ registry: { ref: "ghcr.io/underworldcode/uw3-deps:buildcache", mode: "max" } }]);
        assert.deepStrictEqual(builds["slim-image"].cacheFrom, [{ registry: { ref: "ghcr.io/underworldcode/uw3-base:buildcache" } }]);
        assert.deepStrictEqual(builds["slim-image"].cacheTo, [{ registry: { ref: "ghcr.io/underworldcode/uw3-base:buildcache", mode: "max" } }]);
        assert.deepStrictEqual(
            builds["slim-image"].registries.map((r: { address: string }) => r.address),
            ["ghcr.io"],
        );
    });

    it("follows an image to its own registry, and moves to another repository or tag there with `cache: { repository, tag }`", async () => {
        const builds = await buildsOf((c) => {
            c["uw3-binder:images"].deps.registry = { server: "ghcr.io", namespace: "uw3-mirror", username: "underworld-bot" };
            c["uw3-binder:images"].slim.cache = { repository: "uw3-cache", tag: "slim" };
        });
        assert.deepStrictEqual(builds["deps-image"].cacheTo, [{ registry: { ref: "ghcr.io/uw3-mirror/uw3-deps:buildcache", mode: "max" } }]);
        assert.deepStrictEqual(builds["slim-image"].cacheFrom, [{ registry: { ref: "ghcr.io/underworldcode/uw3-cache:slim" } }]);
        assert.deepStrictEqual(builds["slim-image"].cacheTo, [{ registry: { ref: "ghcr.io/underworldcode/uw3-cache:slim", mode: "max" } }]);
    });

    it("is off for an image with `cache: false`, and only for it", async () => {
        const builds = await buildsOf((c) => (c["uw3-binder:images"].slim.cache = false));
        assert.strictEqual(builds["slim-image"].cacheFrom, undefined);
        assert.strictEqual(builds["slim-image"].cacheTo, undefined);
        assert.deepStrictEqual(builds["deps-image"].cacheFrom, [{ registry: { ref: "ghcr.io/underworldcode/uw3-deps:buildcache" } }]);
    });

    it("gives each platform of a multi-platform image its own cache tag, as each member build has its own image tag", async () => {
        const builds = await buildsOf((c) => (c["uw3-binder:images"].deps.platforms = ["linux/amd64", "linux/arm64"]));
        assert.deepStrictEqual(builds["deps-image-linux-amd64"].cacheTo, [
            { registry: { ref: "ghcr.io/underworldcode/uw3-deps:buildcache-amd64", mode: "max" } },
        ]);
        assert.deepStrictEqual(builds["deps-image-linux-arm64"].cacheFrom, [{ registry: { ref: "ghcr.io/underworldcode/uw3-deps:buildcache-arm64" } }]);
    });

    it("is off by default for a written-once image, whose registry check then re-runs for a cache set on it", async () => {
        const writeOnce = (cache?: unknown) => (c: Record<string, any>) => {
            Object.assign(c["uw3-binder:images"].deps, { writeOnce: true, build: "requested" }, cache === undefined ? {} : { cache });
        };
        const config = stackConfig();
        writeOnce()(config);
        const run = await runStack(config);
        assert.strictEqual(inputsOf(byName(run, "deps-image")).cacheTo, undefined);
        const plain = inputsOf(byName(run, "deps-tags-vacant")).build;

        const cached = stackConfig();
        writeOnce({})(cached);
        const withCache = await runStack(cached);
        assert.deepStrictEqual(inputsOf(byName(withCache, "deps-image")).cacheTo, [
            { registry: { ref: "ghcr.io/underworldcode/uw3-deps:buildcache", mode: "max" } },
        ]);
        const build = inputsOf(byName(withCache, "deps-tags-vacant")).build;
        assert.notStrictEqual(build, plain);
        assert.ok(build.includes("uw3-deps"), build);
    });

    it("refuses a cache tag that is one of the image's own tags, a bad tag or repository, and `cache: true`", () => {
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].deps.cache = { tag: "{release}" })),
            [
                '`uw3-binder:images.deps.cache.tag`: a registry accepts only [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, found "{release}"',
                '`uw3-binder:images.deps.cache.tag`: the build cache would overwrite the image\'s own tag "{release}"; give the cache another `tag` or `repository`',
                "`uw3-binder:images.deps.cache.tag`: unknown placeholder {release}; this key takes no placeholder",
            ],
        );
        assert.deepStrictEqual(
            configProblems((c) => {
                c["uw3-binder:images"].slim.tags = ["{release}-slim", "buildcache"];
                delete c["uw3-binder:images"].slim.tag;
            }),
            [
                '`uw3-binder:images.slim.cache.tag`: the build cache would overwrite the image\'s own tag "buildcache"; give the cache another `tag` or `repository`',
            ],
        );
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].slim.cache = { repository: "uw3-base", tag: "cache" })),
            [],
        );
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].slim.cache = { repository: "UW3" })),
            ['`uw3-binder:images.slim.cache.repository`: "UW3" is not a lowercase registry path component ([a-z0-9] with . _ __ - separators)'],
        );
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].slim.cache = true)),
            ["`uw3-binder:images.slim.cache`: expected false or { repository?, tag? }, found true"],
        );
    });
});

describe("program: builders by name", function () {
    this.timeout(60000);

    it("uses docker-build's default builder when none is named", async () => {
        const builds = await buildsOf();
        assert.strictEqual(builds["deps-image"].builder, undefined);
        assert.strictEqual(builds["slim-image"].builder, undefined);
    });

    it("builds every image on `uw3-binder:builder`, except one that names its own `builder`", async () => {
        const builds = await buildsOf((c) => {
            c["uw3-binder:builder"] = "remote-amd64";
            c["uw3-binder:images"].slim.builder = "k8s-arm64";
        });
        assert.deepStrictEqual(builds["deps-image"].builder, { name: "remote-amd64" });
        assert.deepStrictEqual(builds["slim-image"].builder, { name: "k8s-arm64" });
    });

    it("refuses a name buildx would not give a builder", () => {
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:builder"] = "my builder")),
            ['`uw3-binder:builder`: expected a buildx builder name: [A-Za-z0-9][A-Za-z0-9_.-]{0,62}, found "my builder"'],
        );
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].deps.builder = "-x")),
            ['`uw3-binder:images.deps.builder`: expected a buildx builder name: [A-Za-z0-9][A-Za-z0-9_.-]{0,62}, found "-x"'],
        );
    });
});
