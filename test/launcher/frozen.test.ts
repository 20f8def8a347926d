/**
 * Frozen launcher branches in the config and in pin resolution: `frozen` defaults to false, `{release}`
 * expands in a branch's name and uw3Branch, and a frozen branch pins, in order, its `pin:`, this stack's
 * build of its ref, else what its launcher branch already runs (adopted from its `.binder/Dockerfile`).
 */
import * as assert from "assert/strict";
import { ConfigError, parseBinderConfig } from "../../src/config/schema";
import { adoptedImage } from "../../src/launcher/adopt";
import { launcherPins } from "../../src/launcher/branchPins";
import { ALL_SECRETS, stackConfig } from "../program/fixtures";

const DIGEST = `sha256:${"c".repeat(64)}`;
const BASE = "ghcr.io/underworldcode/uw3-base";

/** The 2025-01 stack with these launcher branches. */
function withBranches(branches: Record<string, unknown>[]) {
    const config = stackConfig();
    config["uw3-binder:launcher"].branches = branches;
    return config;
}

function problems(config: Record<string, unknown>): string[] {
    try {
        parseBinderConfig(config, ALL_SECRETS);
    } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.problems;
    }
    return [];
}

/** What launcherPins chose for each branch, as text. */
function chosen(branches: Record<string, unknown>[]): Record<string, string> {
    const config = parseBinderConfig(withBranches(branches), ALL_SECRETS);
    return launcherPins(config.launcher!, config.images, config.release, {
        built: (image) => `built ${image}`,
        pinned: (_slug, reference) => `pinned ${reference}`,
        adopted: (branch, image) => `adopted ${branch.name} from ${image.repositoryUrl}`,
    });
}

describe("frozen launcher branches: config", () => {
    it("a branch follows unless it says `frozen: true`, and `{release}` in name and uw3Branch becomes the stack's release", () => {
        const config = parseBinderConfig(
            withBranches([
                { name: "main", uw3Branch: "main", image: "slim" },
                { name: "{release}", uw3Branch: "{release}", image: "slim", frozen: true },
            ]),
            ALL_SECRETS,
        );
        assert.deepEqual(
            config.launcher!.branches.map((b) => [b.name, b.uw3Branch, b.frozen]),
            [
                ["main", "main", false],
                ["2025.01", "2025.01", true],
            ],
        );
    });

    it("refuses another placeholder in a branch's name, naming the key and the one it takes", () => {
        assert.deepEqual(
            problems(
                withBranches([
                    { name: "main", uw3Branch: "main", image: "slim" },
                    { name: "r-{ref}", uw3Branch: "main", image: "slim" },
                ]),
            ),
            ["`uw3-binder:launcher.branches[1].name`: unknown placeholder {ref}; the only placeholder is {release}"],
        );
    });

    it("refuses a `{release}` branch that is a listed branch once expanded", () => {
        assert.deepEqual(
            problems(
                withBranches([
                    { name: "main", uw3Branch: "main", image: "slim" },
                    { name: "2025.01", uw3Branch: "2025.01", image: "slim", frozen: true },
                    { name: "{release}", uw3Branch: "{release}", image: "slim", frozen: true },
                ]),
            ),
            ['`uw3-binder:launcher.branches[2].name`: "{release}" is "2025.01" in release "2025.01", which branch 1 already is; each branch is listed once'],
        );
    });

    it("refuses a non-boolean `frozen`", () => {
        const found = problems(withBranches([{ name: "main", uw3Branch: "main", image: "slim", frozen: "yes" }]));
        assert.equal(found.length, 1);
        assert.match(found[0], /^`uw3-binder:launcher\.branches\[0\]\.frozen`: .*boolean/);
    });
});

describe("frozen launcher branches: which pin each branch takes", () => {
    it("`pin:` first; then this stack's build of its ref; else a frozen branch is adopted; a following branch takes its image's build", () => {
        assert.deepEqual(
            chosen([
                { name: "main", uw3Branch: "main", image: "slim" },
                { name: "v0.99", uw3Branch: "v0.99", image: "slim", frozen: true },
                { name: "held", uw3Branch: "v3.0.0", image: "slim", frozen: true, pin: `v3.0.0-slim@${DIGEST}` },
                { name: "{release}", uw3Branch: "{release}", image: "slim", frozen: true },
            ]),
            {
                main: "built slim",
                "v0.99": `adopted v0.99 from ${BASE}`,
                held: `pinned ${BASE}:v3.0.0-slim@${DIGEST}`,
                // the release this stack builds: its image's tags name the release
                "2025.01": "built slim",
            },
        );
    });

    it("a frozen branch whose image this run does not build is adopted, and the config no longer asks it for a `pin:`", () => {
        const config = withBranches([
            { name: "main", uw3Branch: "main", image: "deps" },
            { name: "2025.01", uw3Branch: "2025.01", image: "slim", frozen: true },
        ]);
        config["uw3-binder:images"].slim.build = "on-request";
        config["uw3-binder:images"].slim.from = undefined;
        delete config["uw3-binder:images"].slim.from;
        const parsed = parseBinderConfig(config, ALL_SECRETS);
        const pins = launcherPins(parsed.launcher!, parsed.images, parsed.release, {
            built: (image) => `built ${image}`,
            pinned: (_slug, reference) => `pinned ${reference}`,
            adopted: (branch) => `adopted ${branch.name}`,
        });
        assert.deepEqual(pins, { main: "built deps", "2025.01": "adopted 2025.01" });
    });
});

describe("adopting a launcher branch's .binder/Dockerfile", () => {
    // The real launcher's v3.0.1 branch, as it is today (tag only).
    const TODAY = [
        "# Binder launcher for Underworld3 - v3.0.1 release",
        "# This is a frozen release - the image tag will not change.",
        "FROM ghcr.io/underworldcode/uw3-base:v3.0.1-slim",
        "",
        "# Frozen release - UW3_BRANCH points to the release tag",
        "ENV UW3_BRANCH=v3.0.1",
        "",
    ].join("\n");

    it("takes a tag-only FROM as that tag, to be resolved, and a pinned FROM as its digest", () => {
        assert.deepEqual(adoptedImage("v3.0.1", TODAY, BASE), { repositoryUrl: BASE, tag: "v3.0.1-slim" });
        assert.deepEqual(adoptedImage("v3.0.1", TODAY.replace("v3.0.1-slim", `v3.0.1-slim@${DIGEST}`), BASE), {
            repositoryUrl: BASE,
            tag: "v3.0.1-slim",
            digest: DIGEST,
        });
    });

    const expected = `expected FROM ${BASE}:<tag> or FROM ${BASE}:<tag>@sha256:<64 hex>; or give the branch a \`pin:\``;
    const refusals: [string, string | undefined, string][] = [
        ["a missing branch or file", undefined, `found no .binder/Dockerfile on the branch (or no branch), ${expected}`],
        [
            "another repository",
            TODAY.replace("uw3-base", "uw3-deps"),
            `.binder/Dockerfile runs "ghcr.io/underworldcode/uw3-deps", another repository than the branch's image: ${expected}`,
        ],
        // the bot commit that left main broken for 18 days
        ["an empty tag", TODAY.replace("v3.0.1-slim", "-slim"), `.binder/Dockerfile has "FROM ghcr.io/underworldcode/uw3-base:-slim", ${expected}`],
        ["no tag", TODAY.replace(":v3.0.1-slim", ""), `.binder/Dockerfile has "FROM ghcr.io/underworldcode/uw3-base", ${expected}`],
        [
            "a stage name",
            TODAY.replace("v3.0.1-slim", "v3.0.1-slim AS base"),
            `.binder/Dockerfile has "FROM ghcr.io/underworldcode/uw3-base:v3.0.1-slim AS base", ${expected}`,
        ],
        ["two FROMs", `${TODAY}FROM ${BASE}:main-slim\n`, `.binder/Dockerfile has 2 FROM lines, ${expected}`],
    ];
    for (const [what, content, problem] of refusals) {
        it(`refuses ${what} in one line naming the branch, what it found and what it expected`, () => {
            assert.throws(() => adoptedImage("v3.0.1", content, BASE), { message: `launcher branch "v3.0.1" cannot be adopted: ${problem}` });
        });
    }

    it("refuses a file far longer than a launcher Dockerfile without reading it as one", () => {
        assert.throws(() => adoptedImage("main", `${TODAY}${"#".repeat(70000)}\n`, BASE), {
            message: `launcher branch "main" cannot be adopted: .binder/Dockerfile is ${TODAY.length + 70001} characters, expected a launcher Dockerfile of at most 65536; or give the branch a \`pin:\``,
        });
    });
});
