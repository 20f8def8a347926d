import * as assert from "assert";
import { spawnSync } from "child_process";
import fc from "fast-check";
import * as path from "path";
import { PROGRAM_DIR } from "../../src/plan/programDir";
import { parseBinderConfig } from "../../src/config/schema";
import { parseRehearseArgs } from "../../src/cli/rehearse";
import { UsageError } from "../../src/cli/errors";
import { DEFAULT_REHEARSAL_OPTIONS, cpusProblem, memoryProblem, rehearsalArgs } from "../../src/rehearsal/options";
import { launcherDockerfile } from "../../src/render/launcher";
import { ALL_SECRETS, configProblems, stackConfig } from "../program/fixtures";

const REF = `ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:${"6d3894260f28".padEnd(64, "0")}`;
const TARGET = { branch: "development", uw3Branch: "development", release: "2025.01" };
function rehearsalProblems(rehearsal: unknown): string[] {
    return configProblems((c) => (c["uw3-binder:launcher"].rehearsal = rehearsal));
}

function usageError(argv: string[]): string {
    try {
        parseRehearseArgs(argv);
    } catch (err) {
        assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
        return err.message;
    }
    assert.fail(`parseRehearseArgs accepted ${argv.join(" ")}`);
}

describe("rehearsal options", () => {
    it("reads a memory limit as docker run does, refusing what Docker would", () => {
        for (const ok of ["2g", "512m", "6m", "6144k"]) assert.strictEqual(memoryProblem(ok), undefined, ok);
        for (const bad of ["2 GB", "2G", "2gb", "1.5g", "0g", "g", "-1m", "2"]) {
            assert.strictEqual(memoryProblem(bad), 'expected a whole number with a unit k, m or g (for example "2g" or "512m")', bad);
        }
        assert.strictEqual(memoryProblem("5m"), "Docker refuses a memory limit under 6m");
        assert.strictEqual(cpusProblem(0.005), "expected a number of CPUs of at least 0.01 (for example 1 or 0.5)");
        assert.strictEqual(cpusProblem(1.005), "expected at most two decimals (Docker counts CPUs in hundredths)");
        assert.strictEqual(cpusProblem(1.25), undefined);
    });

    it("round-trips what the config accepts through the command a launcher runs, and refuses what it refuses (property)", () => {
        // Words near every rule's edge: git's, the launcher Dockerfile's (`$`, quotes, spaces), Docker's units.
        const word = fc.oneof(
            fc.constantFrom("development", "main", "feature/a", "v3.0", "a..b", "feat-${HOME}", 'a"b', "dev;x", "x y", "-x", "a.lock", "@", "fix+1", "r@2"),
            fc.string({ unit: fc.constantFrom(..."ab/.-_$;@+ "), minLength: 1, maxLength: 8 }),
        );
        const release = fc.oneof(
            fc.constantFrom("2025.01", "2026.12", "2025.13", "2025-01", "25.01", "v3.0.2", "3.0.2", "v0.99", "v3.0.2-rc1", "v03.0"),
            fc.string({ maxLength: 7 }),
        );
        const memory = fc.oneof(fc.constantFrom("2g", "512m", "6m", "5m", "6144k", "2G", "1.5g"), fc.string({ maxLength: 5 }));
        const number = fc.oneof(fc.constantFrom(1, 0.5, 0.25, 0.005, 1.005, 2, 30, 3600, 3601, 120.5), fc.double({ min: 0.01, max: 4000, noNaN: true }));
        const accepted = (mutate: (c: Record<string, any>) => void) => configProblems(mutate).length === 0;
        fc.assert(
            fc.property(word, word, release, memory, number, number, (branch, uw3Branch, rel, mem, cpus, startTimeoutS) => {
                const target = { branch, uw3Branch, release: rel };
                const options = { memory: mem, cpus, startTimeoutS };
                const configAccepts =
                    accepted((c) => {
                        // The launcher's only branch, so a word that names another fixture branch ("development")
                        // is judged by the name rule, not refused as a duplicate.
                        const launcher = c["uw3-binder:launcher"];
                        launcher.branches = [{ ...launcher.branches[0], name: branch }];
                        launcher.defaultBranch = branch;
                    }) &&
                    accepted((c) => (c["uw3-binder:launcher"].branches[0].uw3Branch = uw3Branch)) &&
                    accepted((c) => {
                        c["uw3-binder:release"] = rel;
                        delete c["uw3-binder:previousRelease"];
                    }) &&
                    accepted((c) => (c["uw3-binder:launcher"].rehearsal = options));
                const argv = [...rehearsalArgs(target, options), "--print-ref", REF];
                if (configAccepts) {
                    assert.deepStrictEqual(parseRehearseArgs(argv), { reference: REF, target, options, json: false, printRef: true });
                } else if (String(cpus).includes("e") || String(startTimeoutS).includes("e")) {
                    // A number the config takes in exponent form is spelled otherwise on a command line; not a disagreement.
                } else {
                    assert.throws(() => parseRehearseArgs(argv), UsageError, `the CLI accepted ${argv.join(" ")}, which the config refuses`);
                }
            }),
            { numRuns: 150 },
        );
    });

    it("refuses an Underworld3 branch the launcher Dockerfile cannot carry as a usage error of rehearse, by the config's rule", () => {
        const target = ["--branch", "development", "--release", "2025.01"];
        assert.strictEqual(
            usageError([REF, ...target, "--uw3-branch", "feat-${HOME}"]),
            '--uw3-branch: it contains "$", which the launcher Dockerfile\'s `ENV UW3_BRANCH=` would expand or strip; use letters, digits and . _ - / @ +, found "feat-${HOME}"',
        );
        // The CLI as a shell runs it: exit 2, the one-line message naming the flag, nothing on stdout.
        const ran = spawnSync(process.execPath, [path.join(PROGRAM_DIR, "bin", "uw3-binder.js"), "rehearse", REF, ...target, "--uw3-branch", "feat-${HOME}"], {
            encoding: "utf8",
        });
        assert.strictEqual(ran.status, 2, ran.stderr);
        assert.strictEqual(ran.stdout, "");
        assert.match(
            ran.stderr,
            /^uw3-binder rehearse: --uw3-branch: it contains "\$", which the launcher Dockerfile's `ENV UW3_BRANCH=` would expand or strip/,
        );
        assert.deepStrictEqual(
            configProblems((c) => (c["uw3-binder:launcher"].branches[0].uw3Branch = "feat-${HOME}")),
            [
                '`uw3-binder:launcher.branches[0].uw3Branch`: launcher branch "main": it contains "$", which the launcher Dockerfile\'s `ENV UW3_BRANCH=` would expand or strip; use letters, digits and . _ - / @ +, found "feat-${HOME}"',
            ],
        );
    });

    it("spells out only the options that differ from mybinder.org's", () => {
        assert.deepStrictEqual(rehearsalArgs(TARGET, DEFAULT_REHEARSAL_OPTIONS), [
            "--branch",
            "development",
            "--uw3-branch",
            "development",
            "--release",
            "2025.01",
        ]);
        assert.deepStrictEqual(rehearsalArgs(TARGET, { ...DEFAULT_REHEARSAL_OPTIONS, cpus: 2 }).slice(6), ["--cpus", "2"]);
        // A release by version tag, as the launcher's frozen branch of v3.0.2 rehearses it.
        const version = { branch: "v3.0.2", uw3Branch: "v3.0.2", release: "v3.0.2" };
        assert.deepStrictEqual(rehearsalArgs(version, DEFAULT_REHEARSAL_OPTIONS), ["--branch", "v3.0.2", "--uw3-branch", "v3.0.2", "--release", "v3.0.2"]);
        assert.deepStrictEqual(parseRehearseArgs([REF, ...rehearsalArgs(version, DEFAULT_REHEARSAL_OPTIONS)]).target, version);
    });

    it("a frozen release branch's rehearsal renders the file it commits, with --frozen for --release, the same whatever the release", () => {
        const frozen = { branch: "v3.0.1", uw3Branch: "v3.0.1", release: "", frozen: true } as const;
        const argv = rehearsalArgs(frozen, DEFAULT_REHEARSAL_OPTIONS);
        assert.deepStrictEqual(argv, ["--branch", "v3.0.1", "--uw3-branch", "v3.0.1", "--frozen"]);
        const parsed = parseRehearseArgs([...argv, "--print-ref", REF]);
        assert.deepStrictEqual(parsed.target, frozen);
        // What rehearseLaunch builds ({ ...target, reference }) is the committed frozen branch's Dockerfile.
        const committed = launcherDockerfile({ branch: "v3.0.1", uw3Branch: "v3.0.1", release: "2025.01", reference: REF, frozen: true });
        assert.strictEqual(launcherDockerfile({ ...parsed.target, reference: REF }), committed);
        assert.ok(committed.includes("a frozen release: its image never changes") && !committed.includes("release 2025.01"), committed);
        const names = ["--branch", "v3.0.1", "--uw3-branch", "v3.0.1"];
        assert.strictEqual(usageError([REF, ...names, "--release", "2025.01", "--frozen"]), "give --release <release> or --frozen, not both");
        assert.strictEqual(
            usageError([REF, ...names]),
            "missing --release, e.g. --release 2025.01 (or --frozen for a frozen release branch, --follows <ref> for a following branch of a build per ref)",
        );
    });

    it("a following branch of a build per ref rehearses the file it commits, with --follows <ref> for --release, the same whatever the release", () => {
        const follows = { branch: "development", uw3Branch: "development", release: "", follows: "development" } as const;
        const argv = rehearsalArgs(follows, DEFAULT_REHEARSAL_OPTIONS);
        assert.deepStrictEqual(argv, ["--branch", "development", "--uw3-branch", "development", "--follows", "development"]);
        const parsed = parseRehearseArgs([...argv, "--print-ref", REF]);
        assert.deepStrictEqual(parsed.target, follows);
        // What rehearseLaunch builds ({ ...target, reference }) is the committed branch's Dockerfile, in any release's stack.
        const committed = (release: string) =>
            launcherDockerfile({ branch: "development", uw3Branch: "development", release, reference: REF, follows: "development" });
        assert.strictEqual(launcherDockerfile({ ...parsed.target, reference: REF }), committed("v3.0.2"));
        assert.strictEqual(committed("v3.0.3"), committed("v3.0.2"));
        assert.ok(committed("v3.0.2").startsWith("# Binder launcher for Underworld3 - development branch (follows development)\n"), committed("v3.0.2"));
        const names = ["--branch", "development", "--uw3-branch", "development"];
        assert.strictEqual(
            usageError([REF, ...names, "--release", "v3.0.2", "--follows", "development"]),
            "give --release <release> or --follows <ref>, not both",
        );
        assert.strictEqual(
            usageError([REF, ...names, "--frozen", "--follows", "development"]),
            "give --frozen or --follows <ref>, not both: a frozen branch follows no ref",
        );
    });

    it("refuses a --follows ref exactly when the config refuses it as a ref of an image built per ref", () => {
        const configAccepts = (ref: string) =>
            configProblems((c) => {
                const slim = c["uw3-binder:images"].slim;
                // A fixed tag: a ref with "/" is a valid ref, not a valid tag.
                Object.assign(slim, { tag: "latest-slim", args: { UW3_BRANCH: "{ref}" }, refs: [ref] });
                c["uw3-binder:launcher"].branches = [{ name: "main", uw3Branch: ref, image: "slim" }];
            }).length === 0;
        const names = ["--branch", "main", "--uw3-branch", "main"];
        for (const ref of ["main", "v3.0.2", "release/0.99", "fix+1", "feat-${HOME}", 'a"b', "x y", "a..b", "-x", "a.lock", "dev;x"]) {
            const argv = [REF, ...names, "--follows", ref];
            if (configAccepts(ref)) assert.deepStrictEqual(parseRehearseArgs(argv).target, { branch: "main", uw3Branch: "main", release: "", follows: ref });
            else assert.match(usageError(argv), new RegExp(`^--follows: .+, found ${JSON.stringify(ref).replace(/[$.+]/g, "\\$&")}$`), ref);
        }
        assert.strictEqual(
            usageError([REF, ...names, "--follows", "feat-${HOME}"]),
            '--follows: it contains "$", which the launcher Dockerfile\'s `ENV UW3_BRANCH=` would expand or strip; use letters, digits and . _ - / @ +, found "feat-${HOME}"',
        );
        // Both sides take some and refuse some: the loop above compared both ways.
        assert.ok(configAccepts("release/0.99") && !configAccepts("feat-${HOME}"));
    });

    it("refuses bad command lines with the flag, what it expects and what it got", () => {
        const target = ["--branch", "development", "--uw3-branch", "development", "--release", "2025.01"];
        assert.strictEqual(usageError(target), "missing <pinned-reference>, e.g. ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:<64 hex>");
        assert.strictEqual(usageError([REF, "--branch", "x"]), "missing --uw3-branch, e.g. --uw3-branch development");
        assert.strictEqual(
            usageError([REF, ...target.slice(0, 4), "--release", "2025-13"]),
            '--release: expected a release: a month YYYY.MM (for example "2025.01") or a version such as "v3.0.2", found "2025-13"',
        );
        assert.strictEqual(usageError([REF, "--branch", "a..b", ...target.slice(2)]), '--branch: git refuses this branch name: it contains "..", found "a..b"');
        assert.strictEqual(usageError([REF, ...target, "--cpus", "0"]), '--cpus: expected a number of CPUs of at least 0.01 (for example 1 or 0.5), found "0"');
        assert.strictEqual(
            usageError([REF, ...target, "--cpus", "one"]),
            '--cpus: expected a number of CPUs of at least 0.01 (for example 1 or 0.5), found "one"',
        );
        assert.strictEqual(
            usageError([REF, ...target, "--start-timeout-s", "1e3"]),
            '--start-timeout-s: expected a number of seconds above 0 and at most 3600, found "1e3"',
        );
        assert.strictEqual(usageError([REF, ...target, "--json", "--print-ref"]), "--json and --print-ref are mutually exclusive");
        assert.strictEqual(usageError([REF, REF, ...target]), `expected one <pinned-reference>, found 2: "${REF}", "${REF}"`);
        const tagOnly = "ghcr.io/underworldcode/uw3-base:2025.01-slim";
        assert.strictEqual(usageError([tagOnly, ...target]), `expected a pinned image reference <repository>:<tag>@sha256:<64 hex>, found "${tagOnly}"`);
    });

    it("defaults the config to mybinder.org's limits, enabled", () => {
        const config = parseBinderConfig(stackConfig(), ALL_SECRETS);
        assert.deepStrictEqual(config.launcher!.rehearsal, { enabled: true, memory: "2g", cpus: 1, startTimeoutS: 30 });
    });

    it("refuses in the config exactly what the CLI would refuse, naming the key", () => {
        assert.deepStrictEqual(rehearsalProblems({ memory: "2 GB", cpus: 0, startTimeoutS: -1 }), [
            '`uw3-binder:launcher.rehearsal.memory`: expected a whole number with a unit k, m or g (for example "2g" or "512m"), found "2 GB"',
            "`uw3-binder:launcher.rehearsal.cpus`: expected a number of CPUs of at least 0.01 (for example 1 or 0.5), found 0",
            "`uw3-binder:launcher.rehearsal.startTimeoutS`: expected a number of seconds above 0 and at most 3600, found -1",
        ]);
        assert.deepStrictEqual(rehearsalProblems({ memroy: "2g" }), ['`uw3-binder:launcher.rehearsal`: unknown key "memroy"']);
        assert.deepStrictEqual(rehearsalProblems({ enabled: "yes" }), ['`uw3-binder:launcher.rehearsal.enabled`: expected boolean, found "yes"']);
        assert.deepStrictEqual(rehearsalProblems({ enabled: false, memory: "512m" }), []);
    });
});
