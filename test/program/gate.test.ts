import * as assert from "assert";
import { gateChanges, gateFigures } from "../../components/gateProvider";
import { evaluateBaseline } from "../../src/check/baseline";
import { evaluateLayers } from "../../src/check/checks/layers";
import { renderCheckTable } from "../../src/check/run";
import { pinSize, sizeLine } from "../../src/render/launcher";

describe("gate: what makes the engine run a gate again", () => {
    const olds = { reference: "127.0.0.1:5000/demo/uw3-base:2025.01-slim@sha256:" + "a".repeat(64), args: ["--skip", "jit"], username: "bot", password: "old" };

    it("a rotated registry password alone does not re-run a gate", () => {
        assert.deepStrictEqual(gateChanges(olds, { ...olds, password: "rotated" }), []);
        assert.deepStrictEqual(gateChanges(olds, { ...olds, username: "other-bot", password: "rotated" }), []);
    });

    it("a new digest re-runs it", () => {
        assert.deepStrictEqual(gateChanges(olds, { ...olds, reference: olds.reference.replace(/a{64}$/, "b".repeat(64)) }), ["reference"]);
    });

    it("new check options re-run it", () => {
        assert.deepStrictEqual(gateChanges(olds, { ...olds, args: ["--skip", "jit,kernel"] }), ["args"]);
        assert.deepStrictEqual(gateChanges(olds, { ...olds, args: [] }), ["args"]);
    });
});

describe("gate: the figures it reads from the check's table (issue 11)", () => {
    const MB = 1024 * 1024;
    const layer = (id: string, size: number) => ({ digest: `sha256:${id.repeat(64)}`, size, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" });
    const platform = (name: string, layers: ReturnType<typeof layer>[]) => ({
        platform: name,
        digest: `sha256:${"f".repeat(64)}`,
        mediaType: "m",
        configDigest: `sha256:${"c".repeat(64)}`,
        layers,
    });
    const manifests = (reference: string, platforms: ReturnType<typeof platform>[]) => ({
        reference,
        platforms,
        attestations: [],
        bytesFetched: 0,
        requests: 0,
    });
    const limits = { maxLayerMb: 3000, maxImageMb: 8000 };
    const budgets = { maxNewMb: 2000, maxGrowthPercent: 50 };
    const BASELINE = "ghcr.io/underworldcode/uw3-base:2024.12-slim";
    /** The table `check --print-ref` writes to stderr, from the same renderers the check uses. */
    function table(details: { name: string; ok: boolean; detail: string }[]): string {
        return `image: ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:${"a".repeat(64)}\n${renderCheckTable(details.map((d) => ({ ...d, seconds: 12.3 })))}\n`;
    }

    it("reads the image's total, and with a baseline the bytes it lacked and which baseline", () => {
        const now = manifests("x", [platform("linux/amd64", [layer("1", 1200 * MB), layer("2", 57 * MB)])]);
        const before = manifests(BASELINE, [platform("linux/amd64", [layer("1", 1200 * MB), layer("3", 20 * MB)])]);
        const detail = `${evaluateLayers(now, limits).detail}\n${evaluateBaseline(now, { reference: BASELINE, manifests: before }, budgets).detail}`;
        const figures = gateFigures(
            table([
                { name: "withdrawn", ok: true, detail: "no release is withdrawn" },
                { name: "layers", ok: true, detail },
                { name: "user", ok: true, detail: "runs as 1000" },
            ]),
        );
        assert.deepStrictEqual(figures, { imageBytes: Math.round(1.2 * 1024 ** 3), newBytes: 57 * MB, baseline: BASELINE });
        // Read back through the README's own formatting, the figures are the ones the check printed.
        assert.strictEqual(
            sizeLine(pinSize(figures as { imageBytes: number })),
            "1.2 GB compressed; this repin added 57.0 MB that uw3-base:2024.12-slim did not have",
        );
    });

    it("takes linux/amd64 of a multi-platform image, and no baseline figure when the baseline was not found", () => {
        const now = manifests("x", [platform("linux/arm64", [layer("4", 900 * MB)]), platform("linux/amd64", [layer("1", 700 * MB), layer("2", 3 * MB)])]);
        const detail = `${evaluateLayers(now, limits).detail}\n${evaluateBaseline(now, { reference: BASELINE, missing: `baseline ${BASELINE} not found (the first release, or its tag is gone): new layers not measured` }, budgets).detail}`;
        assert.deepStrictEqual(gateFigures(table([{ name: "layers", ok: true, detail }])), { imageBytes: Math.round(703 * MB) });
    });

    it("gives no figure when the layers check did not pass or did not run", () => {
        assert.deepStrictEqual(gateFigures(table([{ name: "layers", ok: false, detail: "cannot read the manifests: HTTP 404" }])), {});
        assert.deepStrictEqual(gateFigures(table([{ name: "withdrawn", ok: true, detail: "total 1.0 GB over 3 layers" }])), {});
    });
});
