/**
 * Each key's schema on its own (src/config/keySchemas.ts): its shape and the rules inside the key, as zod
 * issues with paths below the key. The whole config's messages are in schema.test.ts.
 */
import * as assert from "node:assert/strict";
import {
    branchSchema,
    checksSchema,
    imageSchema,
    imagesSchema,
    launcherSchema,
    registrySchema,
    sourceSchema,
    withdrawnSchema,
} from "../../src/config/keySchemas";

const issuesOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
    (result.error?.issues ?? []).map((i) => [i.path.join("."), i.message]);

describe("config sub-schemas", () => {
    it("registry and source: the server, namespace and repository rules", () => {
        assert.deepEqual(issuesOf(registrySchema.safeParse({ server: "https://ghcr.io", namespace: "Under" })), [
            ["server", 'expected a host name with an optional port, without a scheme or path, found "https://ghcr.io"'],
            ["namespace", '"Under" is not a lowercase registry path component ([a-z0-9] with . _ __ - separators)'],
        ]);
        assert.deepEqual(issuesOf(sourceSchema.safeParse({ repository: "underworld3", path: "x" })), [
            ["repository", 'expected <owner>/<repository> on GitHub, found "underworld3"'],
        ]);
    });

    it("image and images: build args, platforms and the FROM graph", () => {
        const image = { repository: "uw3-base", dockerfile: "Dockerfile", from: { image: "deps", arg: "1X" }, platforms: ["linux/amd64", "linux/amd64"] };
        assert.deepEqual(issuesOf(imageSchema.safeParse(image)), [
            ["from.arg", `a build arg name is letters, digits and '_', not starting with a digit, found "1X"`],
            ["platforms.1", 'duplicate platform "linux/amd64"'],
        ]);
        const base = { repository: "x", dockerfile: "Dockerfile" };
        assert.deepEqual(
            issuesOf(imagesSchema.safeParse({ a: { ...base, from: { image: "b", arg: "B" } }, b: { ...base, from: [{ image: "a", arg: "A" }] } })),
            [["a.from.image", "images form a cycle: a -> b -> a (an image cannot be built FROM itself)"]],
        );
        assert.equal(checksSchema.safeParse({ layers: false, jupyter: { port: 8888 } }).success, true);
    });

    it("branch and launcher: names, duplicates and the default branch", () => {
        assert.deepEqual(issuesOf(branchSchema.safeParse({ name: "a b", uw3Branch: "main", image: "slim", pin: "sha256:abc" })), [
            ["name", 'git refuses this branch name: it contains a space, a control character or one of ~ ^ : ? * [ \\, found "a b"'],
            ["pin", 'expected sha256:<64 hex> or <tag>@sha256:<64 hex>, found "sha256:abc"'],
        ]);
        const branch = { name: "dev", uw3Branch: "dev", image: "slim" };
        assert.deepEqual(issuesOf(launcherSchema.safeParse({ repository: "l", branches: [branch, branch] })), [
            ["branches.1.name", 'duplicate launcher branch "dev"; each branch is listed once'],
            ["defaultBranch", 'the default branch "main" must also be listed in `branches` (it carries the README with every badge)'],
        ]);
    });

    it("withdrawn: each digest once", () => {
        const entry = { digest: `sha256:${"a".repeat(64)}`, reason: "x", date: "2025-02-10" };
        assert.deepEqual(issuesOf(withdrawnSchema.safeParse([entry, entry])), [
            ["1.digest", `sha256:${"a".repeat(64)} is already withdrawn; each digest is listed once`],
        ]);
    });
});
