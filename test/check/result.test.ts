/**
 * The check's versioned result (src/check/result.ts): what `check --json` / `--result-file` writes is what
 * the gate reads back, and a result of another version or shape is refused with one line naming what
 * was wrong.
 */
import * as assert from "node:assert/strict";
import { layerFigures } from "../../src/check/checks/layers";
import { gateFigures } from "../../src/check/gate";
import { CheckResultV1, parseCheckResult, renderCheckResult } from "../../src/check/result";
import { ImageManifests } from "../../src/registry/client";

const MB = 1024 * 1024;
const REF = `ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:${"a".repeat(64)}`;
const BASELINE = "ghcr.io/underworldcode/uw3-base:2024.12-slim";
const layer = (id: string, size: number) => ({ digest: `sha256:${id.repeat(64)}`, size, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" });
const platform = (name: string, layers: ReturnType<typeof layer>[]) => ({
    platform: name,
    digest: `sha256:${"f".repeat(64)}`,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    configDigest: `sha256:${"c".repeat(64)}`,
    layers,
});
const manifests = (reference: string, platforms: ReturnType<typeof platform>[]): ImageManifests => ({
    reference,
    platforms,
    attestations: [],
    bytesFetched: 0,
    requests: 0,
});

/** A result as `check` assembles it (src/check/run.ts), with the `layers` figures the check measures. */
function result(layers: { ok: boolean; figures?: CheckResultV1["checks"][number]["figures"] }): CheckResultV1 {
    return {
        version: 1,
        image: REF,
        ok: layers.ok,
        reference: REF,
        checks: [
            { name: "withdrawn", ok: true, detail: "no release is withdrawn", seconds: 0 },
            { name: "layers", ok: layers.ok, detail: "largest layers: …", seconds: 0.2, ...(layers.figures ? { figures: layers.figures } : {}) },
        ],
    };
}

describe("check result: version 1, written by check and read by the gate", () => {
    it("round-trips, and the gate takes the image's bytes and what its baseline lacked", () => {
        const now = manifests(REF, [platform("linux/amd64", [layer("1", 1200 * MB), layer("2", 57 * MB), layer("1", 1200 * MB)])]);
        const before = manifests(BASELINE, [platform("linux/amd64", [layer("1", 1200 * MB), layer("3", 20 * MB)])]);
        const figures = layerFigures(now, { reference: BASELINE, manifests: before });
        assert.deepEqual(figures, {
            platforms: [
                {
                    platform: "linux/amd64",
                    imageBytes: 1257 * MB,
                    layerCount: 3,
                    largestLayerBytes: 1200 * MB,
                    newBytes: 57 * MB,
                    newLayerCount: 1,
                    baselineImageBytes: 1220 * MB,
                },
            ],
            baseline: BASELINE,
        });
        const written = result({ ok: true, figures });
        const read = parseCheckResult(renderCheckResult(written));
        assert.deepEqual(read, written);
        assert.deepEqual(gateFigures(read), { imageBytes: 1257 * MB, newBytes: 57 * MB, baseline: BASELINE });
    });

    it("takes linux/amd64 of a multi-platform image, and no baseline figure when the baseline was not found", () => {
        const now = manifests(REF, [platform("linux/arm64", [layer("4", 900 * MB)]), platform("linux/amd64", [layer("1", 700 * MB), layer("2", 3 * MB)])]);
        const figures = layerFigures(now, { reference: BASELINE, missing: `baseline ${BASELINE} not found` });
        assert.deepEqual(figures.baseline, undefined);
        assert.deepEqual(gateFigures(parseCheckResult(renderCheckResult(result({ ok: true, figures })))), { imageBytes: 703 * MB });
    });

    it("gives the gate no figure when the layers check failed or did not run", () => {
        const figures = layerFigures(manifests(REF, [platform("linux/amd64", [layer("1", 5 * MB)])]));
        assert.deepEqual(gateFigures(result({ ok: false, figures })), {});
        const withoutLayers: CheckResultV1 = {
            ...result({ ok: true }),
            checks: [{ name: "withdrawn", ok: true, detail: "no release is withdrawn", seconds: 0 }],
        };
        assert.deepEqual(gateFigures(withoutLayers), {});
    });

    it("refuses another version in one line naming it and the version it reads", () => {
        const text = JSON.stringify({ ...result({ ok: true }), version: 2 });
        assert.throws(
            () => parseCheckResult(text),
            (err: Error) =>
                err.name === "CheckResultError" &&
                err.message === "the check's result has version 2; this uw3-binder reads version 1 (is the gate's uw3-binder another release?)",
        );
        assert.throws(
            () => parseCheckResult(JSON.stringify({ image: REF, ok: true, checks: [] })),
            /^CheckResultError: the check's result has version \(none\);/,
        );
    });

    it("refuses a result of another shape, naming where and what", () => {
        const figures = layerFigures(manifests(REF, [platform("linux/amd64", [layer("1", 5 * MB)])]));
        const bad = JSON.parse(renderCheckResult(result({ ok: true, figures })));
        bad.checks[1].figures.platforms[0].imageBytes = "5 MB";
        assert.throws(
            () => parseCheckResult(JSON.stringify(bad)),
            (err: Error) =>
                /^the check's result \(version 1\) is not as expected: checks\[1\]\.figures\.platforms\[0\]\.imageBytes: .*number.*/.test(err.message) &&
                !err.message.includes("\n"),
        );
        const unknownCheck = JSON.parse(renderCheckResult(result({ ok: true })));
        unknownCheck.checks[0].name = "vibes";
        assert.throws(() => parseCheckResult(JSON.stringify(unknownCheck)), /is not as expected: checks\[0\]\.name: /);
        const extra = { ...result({ ok: true }), verdict: "fine" };
        assert.throws(() => parseCheckResult(JSON.stringify(extra)), /is not as expected: the result: .*verdict/);
    });

    it("refuses text that is not a JSON object, or longer than a result can be", () => {
        assert.throws(() => parseCheckResult("image: x\nCHECK RESULT"), /^CheckResultError: the check's result is not JSON \(/);
        assert.throws(() => parseCheckResult("[1]"), /^CheckResultError: the check's result is not a JSON object$/);
        assert.throws(() => parseCheckResult(" ".repeat(1024 * 1024 + 1)), /^CheckResultError: the check's result is 1048577 characters, over the 1048576/);
    });
});
