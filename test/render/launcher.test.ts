import * as assert from "assert";
import { branchSlug } from "../../src/names/git";
import { launcherCommitMessage, launcherDockerfile, launcherReadme, shortReference, splitPinnedReference } from "../../src/render/launcher";

const DIGEST = `sha256:${"6d3894260f28".padEnd(64, "0")}`;
const REF = `ghcr.io/underworldcode/uw3-base:2025.01-slim@${DIGEST}`;
const PIN = { branch: "feature/x", uw3Branch: "feature/x", release: "2025.01", reference: REF };
const REPO = { owner: "underworldcode", repository: "uw3-binder-launcher", defaultBranch: "main" };

describe("launcher rendering", () => {
    it("splits a pinned reference and shortens it for commit messages", () => {
        assert.deepStrictEqual(splitPinnedReference(REF), { repository: "ghcr.io/underworldcode/uw3-base", tag: "2025.01-slim", digest: DIGEST });
        assert.deepStrictEqual(splitPinnedReference(`127.0.0.1:5000/dev/uw3-base:2025.01@${DIGEST}`).repository, "127.0.0.1:5000/dev/uw3-base");
        assert.strictEqual(shortReference(REF), "uw3-base:2025.01-slim@sha256:6d3894260f28");
    });

    it("refuses to render a reference without both tag and digest", () => {
        for (const bad of ["ghcr.io/underworldcode/uw3-base:2025.01-slim", `ghcr.io/underworldcode/uw3-base@${DIGEST}`, "ghcr.io/x:t@sha256:abc"]) {
            assert.throws(() => launcherDockerfile({ ...PIN, reference: bad }), {
                message: `expected a pinned image reference <repository>:<tag>@sha256:<64 hex>, found "${bad}"`,
            });
        }
    });

    it("renders the Dockerfile exactly", () => {
        assert.strictEqual(
            launcherDockerfile(PIN),
            `# Binder launcher for Underworld3 - feature/x branch (release 2025.01)\n# Managed by uw3-binder; edits by hand are overwritten by the next \`pulumi up\`.\nFROM ${REF}\nENV UW3_BRANCH=feature/x\n`,
        );
    });

    it("gives only the default branch the badge table, in config order", () => {
        const branches = [
            { name: "main", uw3Branch: "main" },
            { name: "feature/x", uw3Branch: "feature/x" },
        ];
        const own = launcherReadme(REPO, PIN, branches);
        assert.ok(own.includes("[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/feature/x)"));
        assert.ok(!own.includes("## Launch badges"));
        const main = launcherReadme(REPO, { ...PIN, branch: "main", uw3Branch: "main" }, branches);
        const rows = main.split("\n").filter((l) => l.startsWith("| `"));
        assert.deepStrictEqual(
            rows.map((r) => r.split("|")[1].trim()),
            ["`main`", "`feature/x`"],
        );
    });

    it("names release and short digest in commit messages, and slugs branch names for resource names", () => {
        assert.strictEqual(launcherCommitMessage("Dockerfile", PIN), "Pin feature/x to uw3-base:2025.01-slim@sha256:6d3894260f28 (release 2025.01)");
        assert.strictEqual(launcherCommitMessage("README", PIN), "Update feature/x README for uw3-base:2025.01-slim@sha256:6d3894260f28 (release 2025.01)");
        assert.strictEqual(branchSlug("release/2025.01"), "release-2025-01");
    });
});

describe("launcher README: size and what the repin added (issue 11, item 5)", () => {
    const branches = [{ name: "feature/x", uw3Branch: "feature/x" }];

    it("shows the image size and the bytes the previous release lacked, when measured", () => {
        const readme = launcherReadme(
            REPO,
            { ...PIN, release: "2025.02", size: { imageBytes: 3.3 * 1024 ** 3, newBytes: 57 * 1024 ** 2, previousRelease: "2025.01" } },
            branches,
        );
        assert.ok(readme.includes(`- Image: \`${REF}\`\n- Size: 3.3 GB compressed; this repin added 57.0 MB that 2025.01 did not have\n`), readme);
    });

    it("shows the size alone without a baseline, and nothing when unknown (files stay byte-identical)", () => {
        assert.ok(launcherReadme(REPO, { ...PIN, size: { imageBytes: 1536 } }, branches).includes("- Size: 1.5 KB compressed\n"));
        assert.strictEqual(launcherReadme(REPO, PIN, branches).includes("- Size:"), false);
    });
});

describe("launcher README of a branch repinned off a withdrawn release", () => {
    const readme = launcherReadme;
    const repo = { owner: "underworldcode", repository: "uw3-binder-launcher", defaultBranch: "main" };
    const reference = `ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:${"e".repeat(64)}`;
    const withdrawn = { digest: `sha256:${"d".repeat(64)}`, reason: "wrong sign\n## in *the* [solver](http://x) <b>", date: "2025-02-10" };

    it("says what was withdrawn, when and why, the reason as plain text on one line", () => {
        const text = readme(repo, { branch: "development", uw3Branch: "development", release: "2025.02", reference, withdrawn }, [
            { name: "main", uw3Branch: "main" },
            { name: "development", uw3Branch: "development" },
        ]);
        assert.ok(
            text.includes(
                `- Image: \`${reference}\`\n\n## Withdrawn release\n\n\`sha256:${"d".repeat(64)}\` was withdrawn on 2025-02-10: wrong sign \\#\\# in \\*the\\* \\[solver\\](http://x) \\<b\\>\n\nThis branch no longer launches it; it was repinned to the image above.\n`,
            ),
            text,
        );
        assert.ok(!readme(repo, { branch: "development", uw3Branch: "development", release: "2025.02", reference }, []).includes("Withdrawn"));
    });
});
