import * as assert from "assert";
import { ConfigError, baselineReference, parseBinderConfig } from "../../src/config/schema";
import { gateArgs } from "../../src/check/gateArgs";
import { registryOnlyChecks } from "../../src/launcher/branchPins";
import { ALL_SECRETS, configProblems, stackConfig } from "../program/fixtures";

const problems = configProblems;

describe("config schema", () => {
    it("accepts the production 2025-01 stack and normalises it", () => {
        const config = parseBinderConfig(stackConfig(), ALL_SECRETS);
        assert.deepStrictEqual(
            config.images.map((i) => [i.name, i.imageName, i.parents[0]?.image]),
            [
                ["deps", "ghcr.io/underworldcode/uw3-deps:2025.01", undefined],
                ["slim", "ghcr.io/underworldcode/uw3-base:2025.01-slim", "deps"],
            ],
        );
        assert.deepStrictEqual(config.logins, [{ server: "ghcr.io", username: "underworld-bot", secret: { key: "uw3-binder:registryPassword" } }]);
        assert.deepStrictEqual(config.images[0].checks.enabled, ["withdrawn", "layers", "visibility", "platform", "env"]);
        assert.deepStrictEqual(config.images[1].context, [...config.images[1].rebuildOn, "container/Dockerfile.branch"]);
    });

    it("refuses a release that is neither a month YYYY.MM nor a version", () => {
        for (const release of ["2025-13", "2025.13", "2025.1", "v3", "v3.0.2-rc1", "v03.0.2"]) {
            assert.deepStrictEqual(
                problems((c) => (c["uw3-binder:release"] = release)),
                [`\`uw3-binder:release\`: expected a release: a month YYYY.MM (for example "2025.01") or a version such as "v3.0.2", found "${release}"`],
            );
        }
    });

    it("refuses a `from` that names no image", () => {
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:images"].slim.from.image = "dpes")),
            ['`uw3-binder:images.slim.from.image`: expected the name of another image ("deps", "slim"), found "dpes"'],
        );
    });

    it("refuses images that form a cycle, naming them", () => {
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:images"].deps.from = { image: "slim", arg: "SLIM_IMAGE" })),
            ["`uw3-binder:images.deps.from.image`: images form a cycle: deps -> slim -> deps (an image cannot be built FROM itself)"],
        );
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:images"].deps.from = { image: "deps", arg: "X" })),
            ["`uw3-binder:images.deps.from.image`: images form a cycle: deps -> deps (an image cannot be built FROM itself)"],
        );
    });

    it("orders images parents first, whatever order they arrive in (the engine sorts a config object's keys)", () => {
        const config = stackConfig();
        const { deps, slim } = config["uw3-binder:images"] as Record<string, unknown>;
        config["uw3-binder:images"] = { slim, deps };
        const parsed = parseBinderConfig(config, ALL_SECRETS);
        assert.deepStrictEqual(
            parsed.images.map((i) => i.name),
            ["deps", "slim"],
        );
    });

    it("refuses a launcher branch whose image does not exist", () => {
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:launcher"].branches[2].image = "full")),
            ['`uw3-binder:launcher.branches[2].image`: expected one of the images ("deps", "slim"), found "full"'],
        );
    });

    it("refuses duplicate launcher branches", () => {
        assert.deepStrictEqual(
            problems((c) => c["uw3-binder:launcher"].branches.push({ name: "development", uw3Branch: "main", image: "slim" })),
            ['`uw3-binder:launcher.branches[3].name`: duplicate launcher branch "development"; each branch is listed once'],
        );
    });

    it("refuses branch and tag names git or a registry would refuse", () => {
        assert.deepStrictEqual(
            problems((c) => {
                c["uw3-binder:launcher"].branches[1].name = "release candidate";
                c["uw3-binder:launcher"].branches[2].uw3Branch = "dev..x";
                c["uw3-binder:images"].slim.tag = "{release}/slim";
            }),
            [
                '`uw3-binder:images.slim.tag`: "{release}/slim" expands to "2025.01/slim", which a registry accepts only [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}',
                '`uw3-binder:launcher.branches[1].name`: git refuses this branch name: it contains a space, a control character or one of ~ ^ : ? * [ \\, found "release candidate"',
                '`uw3-binder:launcher.branches[2].uw3Branch`: launcher branch "development": git refuses this branch name: it contains "..", found "dev..x"',
            ],
        );
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:images"].deps.tag = "{month}")),
            ["`uw3-binder:images.deps.tag`: unknown placeholder {month}; the only placeholder is {release}"],
        );
    });

    it("names each missing secret with the command that sets it", () => {
        assert.deepStrictEqual(
            problems(() => undefined, { keys: [], registryPasswordServers: [], githubTokenFromEnv: false }),
            [
                '`uw3-binder:registry.username`: registry "ghcr.io" has a username but no password secret; set it with `pulumi config set --secret uw3-binder:registryPassword <value>` (or UW3_BINDER_REGISTRY_PASSWORD)',
                "`github:token`: missing secret (the GitHub token that writes the launcher repository); set it with `pulumi config set --secret github:token <value>`",
                "`uw3-binder:launcherPat`: missing secret (stored as the LAUNCHER_PAT Actions secret); set it with `pulumi config set --secret uw3-binder:launcherPat <value>` (or UW3_BINDER_LAUNCHER_PAT)",
            ],
        );
    });

    it("takes the default registry's login from UW3_BINDER_REGISTRY_USERNAME/PASSWORD when the stack holds no password for it", () => {
        const NO_PASSWORD = { keys: ["github:token", "uw3-binder:launcherPat"], registryPasswordServers: [], githubTokenFromEnv: false };
        // A CI job's token: the user name from the environment replaces registry.username.
        assert.deepStrictEqual(parseBinderConfig(stackConfig(), { ...NO_PASSWORD, registryLoginFromEnv: { username: "octocat" } }).logins, [
            { server: "ghcr.io", username: "octocat", secret: { key: "uw3-binder:registryPassword", env: "UW3_BINDER_REGISTRY_PASSWORD" } },
        ]);
        // Only the password in the environment: the stack's username.
        assert.deepStrictEqual(parseBinderConfig(stackConfig(), { ...NO_PASSWORD, registryLoginFromEnv: {} }).logins, [
            { server: "ghcr.io", username: "underworld-bot", secret: { key: "uw3-binder:registryPassword", env: "UW3_BINDER_REGISTRY_PASSWORD" } },
        ]);
        // A registry with no username in the stack logs in with the environment's.
        const noUsername = stackConfig();
        delete noUsername["uw3-binder:registry"].username;
        assert.deepStrictEqual(parseBinderConfig(noUsername, { ...NO_PASSWORD, registryLoginFromEnv: { username: "octocat" } }).logins, [
            { server: "ghcr.io", username: "octocat", secret: { key: "uw3-binder:registryPassword", env: "UW3_BINDER_REGISTRY_PASSWORD" } },
        ]);
        // The stack's own password wins, with the stack's username.
        assert.deepStrictEqual(parseBinderConfig(stackConfig(), { ...ALL_SECRETS, registryLoginFromEnv: { username: "octocat" } }).logins, [
            { server: "ghcr.io", username: "underworld-bot", secret: { key: "uw3-binder:registryPassword" } },
        ]);
    });

    it("refuses a UW3_BINDER_REGISTRY_USERNAME that is no registry user name, naming the variable", () => {
        assert.deepStrictEqual(
            problems(() => undefined, {
                keys: ["github:token", "uw3-binder:launcherPat"],
                registryPasswordServers: [],
                githubTokenFromEnv: false,
                registryLoginFromEnv: { username: "bot; rm -rf /" },
            }),
            [
                '`uw3-binder:registry.username`: UW3_BINDER_REGISTRY_USERNAME: expected a registry user name (letters, digits, ".", "_", "-", at most 100), found "bot; rm -rf /"',
            ],
        );
    });

    it("reports shape errors with the key path, what was expected and what was found", () => {
        assert.deepStrictEqual(
            problems((c) => {
                delete c["uw3-binder:registry"].namespace;
                c["uw3-binder:launcher"].create = "no";
                c["uw3-binder:images"].slim.platform = "linux/arm64";
                c["uw3-binder:launcher"].branches = [];
                c["uw3-binder:images"].deps.checks.layers = { maxLayerMb: -1 };
            }),
            [
                "`uw3-binder:registry.namespace`: is required (expected string)",
                "`uw3-binder:images.deps.checks.layers.maxLayerMb`: expected a positive number of MB up to 1000000, found -1",
                '`uw3-binder:images.slim`: unknown key "platform"',
                '`uw3-binder:launcher.create`: expected boolean, found "no"',
                "`uw3-binder:launcher.branches`: expected at least 1 entry, found []",
            ],
        );
    });

    it("refuses unknown uw3-binder keys", () => {
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:launchr"] = {})),
            [
                "`uw3-binder:launchr`: unknown key; expected one of uw3-binder:release, uw3-binder:previousRelease, uw3-binder:registry, uw3-binder:source, uw3-binder:images, uw3-binder:launcher, uw3-binder:withdrawn, uw3-binder:builder, uw3-binder:registryPassword, uw3-binder:registryPasswords, uw3-binder:launcherPat",
            ],
        );
    });

    it("collects every problem of a config and reports them together", () => {
        const found = problems((c) => {
            c["uw3-binder:release"] = "2025-13";
            c["uw3-binder:launcher"].branches[0].image = "nope";
            c["uw3-binder:launcher"].branches[1].name = "main";
        });
        assert.strictEqual(found.length, 3);
        const err = new ConfigError(found);
        assert.ok(err.message.startsWith("invalid uw3-binder stack config (3 problems):\n  - `uw3-binder:release`"));
    });

    it("validates launcher pins", () => {
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:launcher"].branches[0].pin = "sha256:abc")),
            ['`uw3-binder:launcher.branches[0].pin`: expected sha256:<64 hex> or <tag>@sha256:<64 hex>, found "sha256:abc"'],
        );
        const digest = `sha256:${"a".repeat(64)}`;
        const config = stackConfig();
        config["uw3-binder:launcher"].branches[0].pin = `2024.12-slim@${digest}`;
        assert.deepStrictEqual(parseBinderConfig(config, ALL_SECRETS).launcher!.branches[0].pin, { digest, tag: "2024.12-slim" });
    });
});

describe("config schema: source paths", () => {
    it("refuses globs that escape the checkout or do not parse, naming the entry", () => {
        const found = problems((c) => {
            c["uw3-binder:images"].deps.context = ["pixi.toml", "../secrets/**"];
            c["uw3-binder:images"].slim.rebuildOn = ["src/{a,b"];
            c["uw3-binder:images"].slim.dockerfile = "/etc/Dockerfile";
        });
        assert.strictEqual(found.length, 3, found.join("\n"));
        assert.match(found[0], /^`uw3-binder:images\.deps\.context\[1\]`: .*\.\./);
        assert.match(found[1], /^`uw3-binder:images\.slim\.rebuildOn\[0\]`: /);
        assert.strictEqual(
            found[2],
            '`uw3-binder:images.slim.dockerfile`: paths are relative to `uw3-binder:source.path` and stay inside it, found "/etc/Dockerfile"',
        );
    });
});

describe("config schema: checks", () => {
    it("leaves every image's Jupyter check on the default port: each server has its own container network", () => {
        const config = parseBinderConfig(stackConfig(), ALL_SECRETS);
        assert.deepStrictEqual(
            config.images.map((i) => i.checks.jupyterPort),
            [8888, 8888],
        );
    });

    it("refuses an image with every check off", () => {
        assert.deepStrictEqual(
            problems(
                (c) =>
                    (c["uw3-binder:images"].deps.checks = {
                        layers: false,
                        visibility: false,
                        platform: false,
                        env: false,
                        user: false,
                        jupyter: false,
                        kernel: false,
                        jit: false,
                        import: false,
                    }),
            ),
            ["`uw3-binder:images.deps.checks`: every check is off, so nothing would gate this image; keep at least `layers`"],
        );
    });

    it("refuses the values a gate's `check` would refuse, naming the key (issue 11)", () => {
        assert.deepStrictEqual(
            problems((c) => {
                c["uw3-binder:images"].slim.checks = {
                    import: { modules: ["foo bar"] },
                    kernel: { name: "my kernel" },
                    jit: { compiler: "gcc -v" },
                    jupyter: { command: ["jupyter", "lab", "--port=9999"] },
                };
            }),
            [
                '`uw3-binder:images.slim.checks.jupyter.command`: expected a command of words without spaces that does not set the port (the check appends --port=<port>), found ["jupyter","lab","--port=9999"]',
                '`uw3-binder:images.slim.checks.kernel.name`: expected a kernelspec name (letters, digits, ".", "_", "-"), found "my kernel"',
                '`uw3-binder:images.slim.checks.jit.compiler`: expected one word (a command on the image\'s PATH or an absolute path), found "gcc -v"',
                '`uw3-binder:images.slim.checks.import.modules`: expected a list of Python module names (dotted identifiers, e.g. underworld3.function), found ["foo bar"]',
            ],
        );
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:images"].slim.checks = { jupyter: { command: ["jupyter lab"] } })),
            [
                '`uw3-binder:images.slim.checks.jupyter.command`: expected a command of words without spaces that does not set the port (the check appends --port=<port>), found ["jupyter lab"]',
            ],
        );
    });

    it("reads the platform and env options", () => {
        const config = stackConfig();
        config["uw3-binder:images"].slim.checks = { env: { require: ["PYVISTA_OFF_SCREEN=true", "PYVISTA_USE_IPYVTK"], forbid: ["PYTHONPATH"] } };
        const slim = parseBinderConfig(config, ALL_SECRETS).images[1];
        assert.deepStrictEqual(
            [slim.checks.envRequire, slim.checks.envForbid, slim.checks.platforms],
            [["PYVISTA_OFF_SCREEN=true", "PYVISTA_USE_IPYVTK"], ["PYTHONPATH"], ["linux/amd64"]],
        );
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:images"].slim.checks = { env: { require: ["A=1,B=2"] } })),
            ['`uw3-binder:images.slim.checks.env.require`: expected a list of NAME or NAME=value entries (no commas), found ["A=1,B=2"]'],
        );
    });

    it("an image a launcher pins must provide linux/amd64, and its platform check must require it", () => {
        assert.deepStrictEqual(
            problems((c) => {
                c["uw3-binder:images"].slim.platforms = ["linux/arm64"];
                c["uw3-binder:images"].slim.checks = { platform: { require: ["linux/arm64"] } };
            }),
            [
                '`uw3-binder:images.slim.platforms`: launcher branch "main", "uw3-release-candidate", "development" pins this image and mybinder.org runs linux/amd64; include "linux/amd64", found ["linux/arm64"]',
                '`uw3-binder:images.slim.checks.platform.require`: launcher branch "main", "uw3-release-candidate", "development" pins this image, so the platform check must require "linux/amd64", found ["linux/arm64"]',
            ],
        );
        // An image no launcher pins (deps) may be built for arm64 alone.
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:images"].deps.platforms = ["linux/arm64"])),
            [],
        );
    });
});

describe("config schema: registries", () => {
    it("refuses a parent on another registry that has no login, naming both images", () => {
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:images"].deps.registry = { server: "registry.example.org", namespace: "uw" })),
            [
                '`uw3-binder:images.slim.from`: parent "deps" is on registry "registry.example.org" and "slim" on "ghcr.io", but "registry.example.org" has no credentials; give it a `username` and a password secret',
            ],
        );
    });

    it("wants a password per registry with a login, named by server", () => {
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:images"].deps.registry = { server: "docker.io", namespace: "underworldcode", username: "bot" })),
            [
                '`uw3-binder:images.deps.registry.username`: registry "docker.io" has a username but no password secret; set it with `pulumi config set --secret --path \'uw3-binder:registryPasswords["docker.io"]\' <value>`',
            ],
        );
    });
});

describe("config schema: launcher.binderHubs", () => {
    const hubsOf = (mutate: (launcher: Record<string, any>) => void) => {
        const config = stackConfig();
        mutate(config["uw3-binder:launcher"]);
        return parseBinderConfig(config, ALL_SECRETS).launcher!.binderHubs;
    };

    it("defaults to every mybinder.org federation member", () => {
        assert.deepStrictEqual(
            hubsOf(() => undefined),
            ["https://2i2c.mybinder.org", "https://gesis.mybinder.org", "https://bids.mybinder.org"],
        );
    });

    it("takes the listed hubs, without trailing slashes", () => {
        assert.deepStrictEqual(
            hubsOf((l) => (l.binderHubs = ["https://notebooks.example.org/binder/", "http://127.0.0.1:8585"])),
            ["https://notebooks.example.org/binder", "http://127.0.0.1:8585"],
        );
    });

    it("keeps a stack's single `binderUrl` as its one hub", () => {
        assert.deepStrictEqual(
            hubsOf((l) => (l.binderUrl = "https://mybinder.org/")),
            ["https://mybinder.org"],
        );
    });

    it("refuses a bad, duplicate or hostile hub, naming each entry", () => {
        assert.deepStrictEqual(
            problems(
                (c) =>
                    (c["uw3-binder:launcher"].binderHubs = [
                        "mybinder.org",
                        "https://a.example/",
                        "https://a.example",
                        "https://x.example/?q=1",
                        "https://u:p@x.example",
                        "https://x.example/$(touch /tmp/x)",
                    ]),
            ),
            [
                '`uw3-binder:launcher.binderHubs[0]`: expected an http(s) URL such as https://2i2c.mybinder.org, found "mybinder.org"',
                '`uw3-binder:launcher.binderHubs[2]`: duplicate hub "https://a.example"; each hub is listed once',
                '`uw3-binder:launcher.binderHubs[3]`: expected a URL without query or fragment, found "https://x.example/?q=1"',
                '`uw3-binder:launcher.binderHubs[4]`: expected a URL without credentials (user:password@), found "https://u:p@x.example"',
                '`uw3-binder:launcher.binderHubs[5]`: expected only letters, digits and . _ ~ : / % - (no spaces, quotes or shell characters), found "https://x.example/$(touch /tmp/x)"',
            ],
        );
    });

    it("refuses an empty list, more than 10 hubs, and binderHubs with binderUrl", () => {
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:launcher"].binderHubs = [])),
            ["`uw3-binder:launcher.binderHubs`: expected at least 1 entry, found []"],
        );
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:launcher"].binderHubs = Array.from({ length: 11 }, (_, i) => `https://hub${i}.example`))),
            ["`uw3-binder:launcher.binderHubs`: expected at most 10 hubs (each builds every branch), found 11"],
        );
        assert.deepStrictEqual(
            problems((c) => Object.assign(c["uw3-binder:launcher"], { binderUrl: "https://mybinder.org", binderHubs: ["https://2i2c.mybinder.org"] })),
            ["`uw3-binder:launcher.binderHubs`: `binderUrl` and `binderHubs` are mutually exclusive; list every hub to warm in `binderHubs`"],
        );
    });
});

describe("config schema: previousRelease and the baseline (issue 11, item 5)", () => {
    const withPrevious = (value: unknown) => {
        const config = stackConfig();
        config["uw3-binder:release"] = "2025.02";
        config["uw3-binder:previousRelease"] = value;
        return config;
    };

    it("baselineReference expands {release} in the image's tag to the previous month", () => {
        assert.strictEqual(baselineReference("ghcr.io/underworldcode/uw3-base", "{release}-slim", "2025.01"), "ghcr.io/underworldcode/uw3-base:2025.01-slim");
        assert.strictEqual(baselineReference("ghcr.io/underworldcode/uw3-deps", "{release}", "2024.12"), "ghcr.io/underworldcode/uw3-deps:2024.12");
        // A tag that does not name the release would be the image itself.
        assert.strictEqual(baselineReference("docker.io/underworldcode/underworld2", "2.5.0b", "2025.01"), undefined);
    });

    it("gives each image its previous release's tag as baseline, and the gate passes it", () => {
        const config = parseBinderConfig(withPrevious("2025.01"), ALL_SECRETS);
        assert.strictEqual(config.previousRelease, "2025.01");
        assert.deepStrictEqual(
            config.images.map((i) => [i.name, i.checks.baseline]),
            [
                ["deps", "ghcr.io/underworldcode/uw3-deps:2025.01"],
                ["slim", "ghcr.io/underworldcode/uw3-base:2025.01-slim"],
            ],
        );
        assert.ok(gateArgs(config.images[1].checks).includes("--baseline=ghcr.io/underworldcode/uw3-base:2025.01-slim"));
    });

    it("without previousRelease there is no baseline, and a pinned branch's gate never has one", () => {
        const config = parseBinderConfig(stackConfig(), ALL_SECRETS);
        assert.deepStrictEqual(
            config.images.map((i) => i.checks.baseline),
            ["", ""],
        );
        const previous = parseBinderConfig(withPrevious("2025.01"), ALL_SECRETS);
        assert.strictEqual(registryOnlyChecks(previous.images[1].checks).baseline, "");
    });

    it("an explicit checks.layers.baseline and its budgets win", () => {
        const config = withPrevious("2025.01");
        config["uw3-binder:images"].slim.checks = { layers: { baseline: "ghcr.io/underworldcode/uw3-base:2024.12-slim", maxNewMb: 200, maxGrowthPercent: 5 } };
        const slim = parseBinderConfig(config, ALL_SECRETS).images.find((i) => i.name === "slim")!;
        assert.deepStrictEqual(
            [slim.checks.baseline, slim.checks.maxNewMb, slim.checks.maxGrowthPercent],
            ["ghcr.io/underworldcode/uw3-base:2024.12-slim", 200, 5],
        );
    });

    it("orders releases, not strings: a version's previous release is an earlier version (v3.0.9 before v3.0.10) or a month", () => {
        const versions = (release: string, previous: string) => {
            const config = stackConfig();
            config["uw3-binder:release"] = release;
            config["uw3-binder:previousRelease"] = previous;
            try {
                return parseBinderConfig(config, ALL_SECRETS).previousRelease;
            } catch (err) {
                return (err as ConfigError).problems;
            }
        };
        assert.strictEqual(versions("v3.0.10", "v3.0.9"), "v3.0.9");
        assert.strictEqual(versions("v3.0.0", "v0.99"), "v0.99");
        assert.strictEqual(versions("v3.0.2", "2026.02"), "2026.02");
        assert.deepStrictEqual(versions("v3.0.9", "v3.0.10"), [
            '`uw3-binder:previousRelease`: expected a version before v3.0.9, or a month (a switch from months to versions) (`uw3-binder:release`), found "v3.0.10"',
        ]);
        assert.deepStrictEqual(versions("3.0.2", "v3.0.2"), [
            '`uw3-binder:previousRelease`: expected a version before 3.0.2, or a month (a switch from months to versions) (`uw3-binder:release`), found "v3.0.2"',
        ]);
    });

    it("refuses a previousRelease that is not a release before the release, and bad budgets, naming the key", () => {
        const bad = (value: unknown) => {
            try {
                parseBinderConfig(withPrevious(value), ALL_SECRETS);
            } catch (err) {
                return (err as ConfigError).problems;
            }
            return [];
        };
        assert.deepStrictEqual(bad("2025-01"), [
            '`uw3-binder:previousRelease`: expected a release: a month YYYY.MM (for example "2025.01") or a version such as "v3.0.2", found "2025-01"',
        ]);
        assert.deepStrictEqual(bad("2025.02"), ['`uw3-binder:previousRelease`: expected a month before 2025.02 (`uw3-binder:release`), found "2025.02"']);
        assert.deepStrictEqual(bad("2025.03"), ['`uw3-binder:previousRelease`: expected a month before 2025.02 (`uw3-binder:release`), found "2025.03"']);
        assert.deepStrictEqual(bad("v3.0.1"), ['`uw3-binder:previousRelease`: expected a month before 2025.02 (`uw3-binder:release`), found "v3.0.1"']);
        assert.deepStrictEqual(
            problems((c) => (c["uw3-binder:images"].slim.checks = { layers: { maxNewMb: -1, maxGrowthPercent: "10" } })),
            [
                "`uw3-binder:images.slim.checks.layers.maxNewMb`: expected a number of MB from 0 to 1000000, found -1",
                '`uw3-binder:images.slim.checks.layers.maxGrowthPercent`: expected a number of percent from 0 to 1000000, found "10"',
            ],
        );
    });
});

describe("config problems: a union is named by what it accepts", () => {
    it("`from` names a parent or a list of parents, not the checks' true/false/options", () => {
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].slim.from = "deps")),
            ['`uw3-binder:images.slim.from`: expected a parent { image, arg } or a list of them, found "deps"'],
        );
    });

    it("reports what failed inside the member whose type the value has", () => {
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].slim.from = { image: 1, arg: "DEPS" })),
            ["`uw3-binder:images.slim.from.image`: expected string, found 1"],
        );
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].slim.from = [])),
            ["`uw3-binder:images.slim.from`: expected at least 1 entry, found []"],
        );
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].slim.checks = { layers: { foo: 1 } })),
            ['`uw3-binder:images.slim.checks.layers`: unknown key "foo"'],
        );
    });

    it("a check's value that is neither a boolean nor options is named by the checks' union", () => {
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].slim.checks = { layers: "x" })),
            ['`uw3-binder:images.slim.checks.layers`: expected true, false or an object of options, found "x"'],
        );
    });
});

describe("config: launcher.warmupTimeoutS by the warm-up's one rule", () => {
    it("refuses a fraction and a zero as `warmup --timeout-s` does", () => {
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:launcher"].warmupTimeoutS = 1.5)),
            ["`uw3-binder:launcher.warmupTimeoutS`: expected a whole number of seconds above 0, found 1.5"],
        );
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:launcher"].warmupTimeoutS = 0)),
            ["`uw3-binder:launcher.warmupTimeoutS`: expected a whole number of seconds above 0, found 0"],
        );
    });
});

describe("config problems: images built only on request (issue 19)", () => {
    it("refuses an unknown `build`, and a launcher branch or a child that needs a build no run makes", () => {
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].deps.build = "sometimes")),
            ['`uw3-binder:images.deps.build`: expected one of always, on-request, requested, found "sometimes"'],
        );
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].slim.build = "on-request")),
            [
                '`uw3-binder:launcher.branches[0].image`: "slim" is built only on request and not requested, so this run has no build of it for launcher branch "main"; request it (`build: requested`) or give the branch a `pin:`',
                '`uw3-binder:launcher.branches[1].image`: "slim" is built only on request and not requested, so this run has no build of it for launcher branch "uw3-release-candidate"; request it (`build: requested`) or give the branch a `pin:`',
                '`uw3-binder:launcher.branches[2].image`: "slim" is built only on request and not requested, so this run has no build of it for launcher branch "development"; request it (`build: requested`) or give the branch a `pin:`',
            ],
        );
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].slim.build = "requested")),
            [],
        );
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].deps.build = "on-request")),
            [
                '`uw3-binder:images.slim.from.image`: "deps" is built only on request and not requested (`build: on-request`), so this run has no digest of it to build "slim" from; request it (`build: requested`) or build "slim" on request too',
            ],
        );
    });

    it("refuses a written-once image built on every run, and a source branch git would not accept", () => {
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:images"].deps.writeOnce = true)),
            [
                "`uw3-binder:images.deps.writeOnce`: a written-once image refuses every build after its first push; build it only on request (`build: on-request`)",
            ],
        );
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:source"].branch = "dev elopment")),
            ['`uw3-binder:source.branch`: it contains a space, a control character or one of ~ ^ : ? * [ \\, found "dev elopment"'],
        );
    });
});
