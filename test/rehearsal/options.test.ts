import * as assert from "assert";
import { parseBinderConfig } from "../../src/config/schema";
import { parseRehearseArgs } from "../../src/cli/rehearse";
import { UsageError } from "../../src/cli/errors";
import { DEFAULT_REHEARSAL_OPTIONS, RehearsalOptions, cpusProblem, memoryProblem, rehearsalArgs } from "../../src/rehearsal/options";
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

    it("round-trips every option through the command a launcher runs and the CLI parser", () => {
        const cases: RehearsalOptions[] = [
            DEFAULT_REHEARSAL_OPTIONS,
            { memory: "64m", cpus: 0.25, startTimeoutS: 3 },
            { memory: "4g", cpus: 2, startTimeoutS: 120.5 },
        ];
        for (const options of cases) {
            const target = { branch: "feature/a$b", uw3Branch: "dev;x", release: "2026.12" };
            const parsed = parseRehearseArgs([...rehearsalArgs(target, options), "--print-ref", REF]);
            assert.deepStrictEqual(parsed, { reference: REF, target, options, json: false, printRef: true });
        }
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
    });

    it("refuses bad command lines with the flag, what it expects and what it got", () => {
        const target = ["--branch", "development", "--uw3-branch", "development", "--release", "2025.01"];
        assert.strictEqual(usageError(target), "missing <pinned-reference>, e.g. ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:<64 hex>");
        assert.strictEqual(usageError([REF, "--branch", "x"]), "missing --uw3-branch, e.g. --uw3-branch development");
        assert.strictEqual(
            usageError([REF, ...target.slice(0, 4), "--release", "2025-13"]),
            '--release: expected a release month YYYY.MM (for example "2025.01"), found "2025-13"',
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
