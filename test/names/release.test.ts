/** Release names, months and versions, and their stacks (src/names/release.ts). */
import * as assert from "assert/strict";
import fc from "fast-check";
import {
    compareReleases,
    isReleaseStack,
    latestReleaseStack,
    latestStackBeforeRelease,
    previousReleaseProblem,
    releaseKind,
    releaseOfStack,
    releaseProblem,
    releaseStacksOfFiles,
    stackOfRelease,
} from "../../src/names/release";

const REFUSAL = 'expected a release: a month YYYY.MM (for example "2025.01") or a version such as "v3.0.2"';

/** Months, good and bad: four digits, a dot, two digits (00 and 13 are not months). */
const monthText = fc
    .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }))
    .map(([y, m]) => `${String(y).padStart(4, "0")}.${String(m).padStart(2, "0")}`);
/** Versions, good and bad: an optional v, two to four numbers, leading zeros now and then. */
const versionText = fc
    .tuple(fc.boolean(), fc.array(fc.oneof(fc.nat(1200), fc.constantFrom("00", "01", "0099")), { minLength: 1, maxLength: 4 }))
    .map(([v, numbers]) => `${v ? "v" : ""}${numbers.join(".")}`);
const anyText = fc.oneof(monthText, versionText, fc.string({ unit: fc.constantFrom(..."0123456789.-v"), maxLength: 10 }));

describe("release names", () => {
    it("accepts months and versions, as the config and the commands document them", () => {
        for (const month of ["2025.01", "2025.12", "1999.07"]) assert.equal(releaseKind(month), "month", month);
        for (const version of ["v3.0.2", "3.0.2", "v0.99", "0.99", "v3.0", "v10.20.30", "v999.999999.999999", "25.1"])
            assert.equal(releaseKind(version), "version", version);
        for (const bad of [
            "2025.13",
            "2025.00",
            "2025-01",
            "2025.1",
            "v3",
            "3",
            "v3.0.2.1",
            "v03.0.2",
            "v3.01.2",
            "V3.0.2",
            "v3.0.2-rc1",
            "v1000.0.0",
            "x",
            "",
        ]) {
            assert.equal(releaseKind(bad), undefined, bad);
            assert.equal(releaseProblem(bad), REFUSAL, bad);
        }
        assert.equal(releaseProblem(202501), REFUSAL);
        assert.equal(releaseProblem("v0.99"), undefined);
    });

    it("bounds a version's length: each number has at most 6 digits (the first at most 3), so a release is at most 18 characters", () => {
        assert.equal(releaseKind(`v1.${"9".repeat(6)}.${"9".repeat(6)}`), "version");
        assert.equal(releaseKind(`v1.${"9".repeat(7)}.0`), undefined);
        assert.equal(releaseKind(`v${"1".repeat(4)}.0.0`), undefined);
        fc.assert(fc.property(anyText, (text) => assert.ok(releaseKind(text) === undefined || text.length <= 18, text)));
    });

    it("a release and its stack map to each other and back; a month's stack is YYYY-MM, a version's is the version (property)", () => {
        fc.assert(
            fc.property(anyText, (release) => {
                const valid = releaseProblem(release) === undefined;
                const stack = stackOfRelease(release);
                assert.equal(isReleaseStack(stack), valid, stack);
                assert.deepEqual(releaseStacksOfFiles([`Pulumi.${stack}.yaml`]), valid ? [stack] : [], stack);
                if (valid) {
                    assert.equal(releaseOfStack(stack), release);
                    assert.equal(stack, releaseKind(release) === "month" ? release.replace(".", "-") : release);
                }
            }),
        );
        assert.equal(stackOfRelease("2025.01"), "2025-01");
        assert.equal(stackOfRelease("v3.0.2"), "v3.0.2");
        assert.equal(releaseOfStack("2025-01"), "2025.01");
        assert.equal(releaseOfStack("3.0.2"), "3.0.2");
    });

    it("finds the release stacks among a directory's files, and only those", () => {
        assert.deepEqual(
            releaseStacksOfFiles([
                "Pulumi.yaml",
                "Pulumi.2025-01.yaml",
                "Pulumi.v3.0.2.yaml",
                "Pulumi.demo.yaml",
                "Pulumi.2025.01.yaml",
                "Pulumi.v3.0.2.yml",
                "README.md",
            ]),
            ["2025-01", "v3.0.2"],
        );
    });

    it("orders months by date and versions by number, never a month against a version", () => {
        assert.ok(compareReleases("2024.12", "2025.01")! < 0);
        assert.ok(compareReleases("v3.0.10", "v3.0.9")! > 0);
        assert.ok(compareReleases("v0.99", "v3.0.0")! < 0);
        assert.ok(compareReleases("v3.0.2", "3.0.3")! < 0);
        assert.equal(compareReleases("v3.0", "3.0.0"), 0);
        assert.equal(compareReleases("2025.01", "v3.0.2"), undefined);
        assert.equal(compareReleases("v3.0.2", "nonsense"), undefined);
    });

    it("version order is the order of the numbers, whatever the text (property)", () => {
        const version = fc.tuple(fc.nat(999), fc.nat(999999), fc.option(fc.nat(999999), { nil: undefined }), fc.boolean());
        fc.assert(
            fc.property(version, version, ([a1, a2, a3, av], [b1, b2, b3, bv]) => {
                const text = (n: number[], v: boolean) => `${v ? "v" : ""}${n.join(".")}`;
                const a = [a1, a2, ...(a3 === undefined ? [] : [a3])];
                const b = [b1, b2, ...(b3 === undefined ? [] : [b3])];
                const order = compareReleases(text(a, av), text(b, bv))!;
                const expected = a1 - b1 || a2 - b2 || (a3 ?? 0) - (b3 ?? 0);
                assert.equal(Math.sign(order), Math.sign(expected));
            }),
        );
    });

    it("a previous release is earlier and of the same kind, or a month before a version (a switch to versions)", () => {
        assert.equal(previousReleaseProblem("2024.12", "2025.01"), undefined);
        assert.equal(previousReleaseProblem("v3.0.1", "v3.0.2"), undefined);
        assert.equal(previousReleaseProblem("2025.01", "v3.0.2"), undefined);
        assert.equal(previousReleaseProblem("2025.01", "2025.01"), "expected a month before 2025.01");
        assert.equal(previousReleaseProblem("2025.02", "2025.01"), "expected a month before 2025.01");
        assert.equal(previousReleaseProblem("v3.0.2", "2025.01"), "expected a month before 2025.01");
        assert.equal(previousReleaseProblem("v3.0.10", "v3.0.9"), "expected a version before v3.0.9, or a month (a switch from months to versions)");
        assert.equal(previousReleaseProblem("3.0.2", "v3.0.2"), "expected a version before v3.0.2, or a month (a switch from months to versions)");
    });

    it("the stack a new release copies: the latest earlier one of its kind; for a first version, the latest month", () => {
        const stacks = ["2024-12", "2025-01", "v0.99", "v3.0.0", "v3.0.1", "v3.0.10", "demo", "dev"];
        assert.equal(latestStackBeforeRelease(stacks, "2025.02"), "2025-01");
        assert.equal(latestStackBeforeRelease(stacks, "2025.01"), "2024-12");
        assert.equal(latestStackBeforeRelease(stacks, "2024.12"), undefined);
        assert.equal(latestStackBeforeRelease(stacks, "v3.0.2"), "v3.0.1");
        assert.equal(latestStackBeforeRelease(stacks, "v3.0.11"), "v3.0.10");
        assert.equal(latestStackBeforeRelease(stacks, "v3.0.0"), "v0.99");
        assert.equal(latestStackBeforeRelease(["2024-12", "2025-01"], "v3.0.2"), "2025-01");
        assert.equal(latestStackBeforeRelease(stacks, "v0.98"), "2025-01");
        assert.equal(latestStackBeforeRelease([], "v3.0.2"), undefined);
    });

    it("the current release's stack: the latest version when there is one, else the latest month", () => {
        assert.equal(latestReleaseStack(["2025-01", "2025-02", "demo"]), "2025-02");
        assert.equal(latestReleaseStack(["2026-12", "v3.0.1", "v3.0.10", "v3.0.9"]), "v3.0.10");
        assert.equal(latestReleaseStack(["demo", "dev"]), undefined);
    });
});
