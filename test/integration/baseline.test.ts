/**
 * Size against the last release (issue 11, item 5) through the real CLI, against a real docker-registry:
 * a baseline built FROM scratch with busybox, a second image that rebuilt every layer (everything new)
 * and one that shares all but its last layer (only that layer new).
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { formatSize } from "../../src/registry/layerSizes";
import { CheckReport } from "../../src/check/types";
import { DOCKER_MANIFEST } from "../../src/registry/schemas";
import { BUSYBOX_DOCKERFILE, PushedImage, describeIntegration, randomFile, run } from "./harness";

const CLI = path.join(__dirname, "..", "..", "bin", "uw3-binder.js");

async function check(args: string[]) {
    const result = await run(process.execPath, [CLI, "check", "--only", "layers", "--json", ...args], {
        env: { ...process.env, UW3_BINDER_REGISTRY_USERNAME: "", UW3_BINDER_REGISTRY_PASSWORD: "" },
        timeoutMs: 60000,
    });
    let report: CheckReport;
    try {
        report = JSON.parse(result.stdout) as CheckReport;
    } catch {
        throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
    }
    return { code: result.code, detail: report.checks[0].detail };
}

/** The layer digests and sizes the registry lists, read with plain fetch, apart from the client under test. */
async function layersOf(registry: string, repository: string, reference: string): Promise<{ digest: string; size: number }[]> {
    const res = await fetch(`https://${registry}/v2/${repository}/manifests/${reference}`, { headers: { Accept: DOCKER_MANIFEST } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { layers: { digest: string; size: number }[] }).layers;
}

describeIntegration("size against the baseline (issue 11, item 5)", (ctx) => {
    let repository: string;
    let baselineTag: string;
    let rebuilt: PushedImage;
    let topOnly: PushedImage;

    before(async function () {
        this.timeout(120000);
        repository = ctx.uniqueRepository("baseline");
        const registry = ctx.env.registry;
        const deps = randomFile(512 * 1024);
        baselineTag = `${registry}/${repository}:2025.01-slim`;
        const layered = (first: string) =>
            `${BUSYBOX_DOCKERFILE.replace("FROM scratch\n", `FROM scratch\nCOPY ${first} /etc/${first}\n`)}COPY deps.bin /opt/deps.bin\nCOPY top.txt /home/jovyan/top.txt\n`;
        await ctx.buildAndPush({ dockerfile: layered("jan.txt"), files: { "jan.txt": "january\n", "deps.bin": deps, "top.txt": "january\n" } }, baselineTag);
        // The same steps on the same content: the engine's cache keeps every layer but the changed last one.
        topOnly = await ctx.buildAndPush(
            { dockerfile: layered("jan.txt"), files: { "jan.txt": "january\n", "deps.bin": deps, "top.txt": "february\n" } },
            `${registry}/${repository}:2025.02-top`,
        );
        // A changed first step: every layer after it is made again, with new deps bytes, as a --no-cache rebuild would.
        rebuilt = await ctx.buildAndPush(
            { dockerfile: layered("feb.txt"), files: { "feb.txt": "february\n", "deps.bin": randomFile(512 * 1024), "top.txt": "february\n" } },
            `${registry}/${repository}:2025.02-rebuilt`,
        );
    });

    it("an image sharing all but its last layer: only that layer is new, and it passes", async () => {
        const before = await layersOf(ctx.env.registry, repository, "2025.01-slim");
        const after = await layersOf(ctx.env.registry, repository, topOnly.digest);
        assert.deepEqual(after.slice(0, -1), before.slice(0, -1), "fixture: the two images share all but the last layer");
        const last = after[after.length - 1];
        const total = (layers: { size: number }[]) => layers.reduce((sum, l) => sum + l.size, 0);
        const growth = ((total(after) - total(before)) / total(before)) * 100;

        const result = await check([`--baseline=${baselineTag}`, topOnly.reference]);
        assert.equal(result.code, 0, result.detail);
        assert.equal(
            result.detail.split("\n")[1],
            `against ${baselineTag}: ${formatSize(last.size)} new in 1 of ${after.length} layers; image ${formatSize(total(before))} -> ${formatSize(total(after))} (${Number(growth.toFixed(1)) < 0 ? "-" : "+"}${Math.abs(Number(growth.toFixed(1))).toFixed(1)}%)`,
        );
    });

    it("an image that rebuilt every layer: everything is new, and maxNewMb fails with what every node pulls again", async () => {
        const before = await layersOf(ctx.env.registry, repository, "2025.01-slim");
        const after = await layersOf(ctx.env.registry, repository, rebuilt.digest);
        const known = new Set(before.map((l) => l.digest));
        assert.ok(
            after.every((l) => !known.has(l.digest)),
            "fixture: no layer of the rebuilt image is in the baseline",
        );
        const newBytes = after.reduce((sum, l) => sum + l.size, 0);

        const result = await check([`--baseline=${baselineTag}`, "--max-new-mb=0.25", rebuilt.reference]);
        assert.equal(result.code, 1, result.detail);
        assert.equal(
            result.detail.split("\n")[1].split(" — ")[0],
            `${formatSize(newBytes)} in ${after.length} of ${after.length} layers that ${baselineTag} does not have, over the 0.25 MB budget (layers.maxNewMb): ` +
                "every mybinder.org node that ran it must pull them again; every layer is new: the image was rebuilt from its first step (a parent or base image rebuilt, or built without cache)",
        );
        // Within the default budgets the same comparison is reported and passes.
        assert.equal((await check([`--baseline=${baselineTag}`, rebuilt.reference])).code, 0);
    });

    it("the top-only image over maxNewMb names the first new layer and its Dockerfile step", async () => {
        const result = await check([`--baseline=${baselineTag}`, "--max-new-mb=0", topOnly.reference]);
        assert.equal(result.code, 1, result.detail);
        assert.match(
            result.detail.split("\n")[1],
            /the first new layer is layer 5 of 5, from `COPY file:[0-9a-f]+ in \/home\/jovyan\/top\.txt`: that step and every one after it were rebuilt — /,
        );
    });

    it("a baseline that does not exist (the first release) is reported, not a failure", async () => {
        const missing = `${ctx.env.registry}/${repository}:2024.12-slim`;
        const result = await check([`--baseline=${missing}`, "--max-new-mb=0", "--max-growth-percent=0", topOnly.reference]);
        assert.equal(result.code, 0, result.detail);
        assert.equal(result.detail.split("\n")[1], `baseline ${missing} not found (the first release, or its tag is gone): new layers not measured`);
    });
});
