/**
 * Size against the last release (issue 11, item 5): the bytes a mybinder.org node that ran the baseline
 * must pull now, the growth of the image, and the budgets `layers.maxNewMb` / `layers.maxGrowthPercent`.
 */
import * as assert from "node:assert/strict";
import { BaselineRead, evaluateBaseline, growthPercent, newLayers } from "../../src/check/baseline";
import { ImageManifests, LayerDescriptor } from "../../src/registry/client";
import { OCI_MANIFEST } from "../../src/registry/schemas";
import { BYTES_PER_MB } from "../../src/check/types";

const MB = BYTES_PER_MB;
const LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
const BASELINE = "ghcr.io/underworldcode/uw3-base:2025.01-slim";
const BUDGETS = { maxNewMb: 1024, maxGrowthPercent: 25 };

function digest(hex: string): string {
    return `sha256:${hex.repeat(64)}`;
}
function layer(hex: string, mb: number): LayerDescriptor {
    return { digest: digest(hex), size: mb * MB, mediaType: LAYER };
}
function image(...platforms: { platform: string; layers: LayerDescriptor[] }[]): ImageManifests {
    return {
        reference: "ghcr.io/underworldcode/uw3-base:2025.02-slim",
        platforms: platforms.map((p, i) => ({ ...p, digest: digest(String(i)), mediaType: OCI_MANIFEST, configDigest: digest("f") })),
        attestations: [],
        bytesFetched: 0,
        requests: 0,
    };
}
function baseline(manifests: ImageManifests): BaselineRead {
    return { reference: BASELINE, manifests };
}

// Last month: a 3.4 GB deps stack of four layers.
const january = image({ platform: "linux/amd64", layers: [layer("a", 5), layer("b", 1700), layer("c", 1700), layer("d", 10)] });

describe("size against the baseline (pure)", () => {
    it("counts only the layers the baseline lacks, once each, in manifest order", () => {
        const february = image({ platform: "linux/amd64", layers: [layer("a", 5), layer("b", 1700), layer("e", 20), layer("e", 20)] });
        const fresh = newLayers(february.platforms[0], january.platforms[0]);
        assert.deepEqual(
            fresh.map((l) => [l.position, l.size]),
            [[3, 20 * MB]],
        );
    });

    it("growth is relative to the baseline's distinct layers; from nothing it is infinite", () => {
        assert.equal(growthPercent(100, 125), 25);
        assert.equal(growthPercent(100, 90), -10);
        assert.equal(growthPercent(0, 0), 0);
        assert.equal(growthPercent(0, 1), Infinity);
    });

    it("a repin that rebuilt only the top layer passes and says what it adds", () => {
        const february = image({ platform: "linux/amd64", layers: [layer("a", 5), layer("b", 1700), layer("c", 1700), layer("e", 12)] });
        assert.deepEqual(evaluateBaseline(february, baseline(january), BUDGETS), {
            ok: true,
            detail: `against ${BASELINE}: 12.0 MB new in 1 of 4 layers; image 3.3 GB -> 3.3 GB (+0.1%)`,
        });
    });

    it("an image rebuilt from its first step fails maxNewMb, naming the bytes every node pulls again", () => {
        const rebuilt = image({ platform: "linux/amd64", layers: [layer("1", 5), layer("2", 1700), layer("3", 1700), layer("4", 10)] });
        const verdict = evaluateBaseline(rebuilt, baseline(january), BUDGETS);
        assert.equal(verdict.ok, false);
        assert.equal(
            verdict.detail,
            `3.3 GB in 4 of 4 layers that ${BASELINE} does not have, over the 1024 MB budget (layers.maxNewMb): every mybinder.org node that ran it must pull them again; ` +
                "every layer is new: the image was rebuilt from its first step (a parent or base image rebuilt, or built without cache)" +
                ` — against ${BASELINE}: 3.3 GB new in 4 of 4 layers; image 3.3 GB -> 3.3 GB (+0.0%)`,
        );
    });

    it("names the first new layer and the Dockerfile step that made it", () => {
        const february = image({ platform: "linux/amd64", layers: [layer("a", 5), layer("9", 1700), layer("8", 1700), layer("7", 10)] });
        const verdict = evaluateBaseline(february, baseline(january), BUDGETS, {
            [february.platforms[0].digest]: ["COPY busybox /bin/busybox", "RUN pixi install --locked", "COPY . /home/jovyan/underworld3", "RUN pip install ."],
        });
        assert.equal(verdict.ok, false);
        assert.match(
            verdict.detail,
            /^3\.3 GB in 3 of 4 layers that .* the first new layer is layer 2 of 4, from `RUN pixi install --locked`: that step and every one after it were rebuilt — /,
        );
    });

    it("fails maxGrowthPercent with both sizes and the percentage", () => {
        const grown = image({ platform: "linux/amd64", layers: [layer("a", 5), layer("b", 1700), layer("c", 1700), layer("d", 10), layer("e", 900)] });
        const verdict = evaluateBaseline(grown, baseline(january), BUDGETS);
        assert.equal(verdict.ok, false);
        assert.equal(
            verdict.detail,
            `the image grew from 3.3 GB to 4.2 GB (+26.4%) since ${BASELINE}, over the 25% budget (layers.maxGrowthPercent)` +
                ` — against ${BASELINE}: 900.0 MB new in 1 of 5 layers; image 3.3 GB -> 4.2 GB (+26.4%)`,
        );
        assert.equal(evaluateBaseline(grown, baseline(january), { maxNewMb: 1024, maxGrowthPercent: 30 }).ok, true);
    });

    it("budgets are inclusive: exactly maxNewMb new passes, one byte more fails", () => {
        const exact = image({ platform: "linux/amd64", layers: [layer("a", 5), layer("b", 1700), layer("c", 1700), layer("e", 100)] });
        assert.equal(evaluateBaseline(exact, baseline(january), { maxNewMb: 100, maxGrowthPercent: 25 }).ok, true);
        assert.equal(evaluateBaseline(exact, baseline(january), { maxNewMb: 100 - 1 / MB, maxGrowthPercent: 25 }).ok, false);
    });

    it("a missing baseline is reported and fails nothing", () => {
        const missing = `baseline ${BASELINE} not found (the first release, or its tag is gone): new layers not measured`;
        assert.deepEqual(evaluateBaseline(january, { reference: BASELINE, missing }, { maxNewMb: 0, maxGrowthPercent: 0 }), { ok: true, detail: missing });
    });

    it("compares each platform with the baseline's same platform, and reports one the baseline lacks", () => {
        const multi = image(
            { platform: "linux/amd64", layers: [layer("a", 5), layer("b", 1700), layer("c", 1700), layer("d", 10)] },
            { platform: "linux/arm64", layers: [layer("5", 3000)] },
        );
        const verdict = evaluateBaseline(multi, baseline(january), { maxNewMb: 0, maxGrowthPercent: 0 });
        assert.deepEqual(verdict, {
            ok: true,
            detail:
                `linux/amd64: against ${BASELINE}: 0 B new in 0 of 4 layers; image 3.3 GB -> 3.3 GB (+0.0%)` +
                ` | linux/arm64: baseline ${BASELINE} has no linux/arm64 image (it has linux/amd64): new layers not measured`,
        });
    });
});
