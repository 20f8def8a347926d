/**
 * `layers` and `visibility` against real docker-registry processes on loopback (scripts/services.sh):
 * images are built FROM scratch with busybox, pushed with the Docker engine, and checked through the
 * same code the CLI runs.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { checkLayers } from "../../src/check/checks/layers";
import { checkVisibility } from "../../src/check/checks/visibility";
import { formatSize, shortDigest } from "../../src/registry/layerSizes";
import { fetchImageManifests } from "../../src/registry/client";
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from "../../src/registry/schemas";
import { BYTES_PER_MB } from "../../src/check/types";
import { parseImageReference } from "../../src/names/oci";
import { BUSYBOX_DOCKERFILE, PushedImage, describeIntegration, randomFile } from "./harness";

const LIMITS = { maxLayerMb: 800, maxImageMb: 4096 };

interface RawManifest {
    mediaType: string;
    config: { mediaType: string; digest: string; size: number };
    layers: { mediaType: string; digest: string; size: number }[];
}

/** Reads a manifest with plain fetch, independently of the client under test, to know what to expect. */
async function rawManifest(registry: string, repository: string, reference: string): Promise<RawManifest> {
    const res = await fetch(`https://${registry}/v2/${repository}/manifests/${reference}`, { headers: { Accept: DOCKER_MANIFEST } });
    assert.equal(res.status, 200, `GET manifest ${repository}:${reference}`);
    return (await res.json()) as RawManifest;
}

async function putManifest(registry: string, repository: string, reference: string, mediaType: string, body: string): Promise<string> {
    const res = await fetch(`https://${registry}/v2/${repository}/manifests/${reference}`, {
        method: "PUT",
        headers: { "Content-Type": mediaType },
        body,
    });
    assert.equal(res.status, 201, `PUT ${mediaType} ${repository}:${reference}: ${await res.text()}`);
    return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

describeIntegration("layers and visibility checks against real registries", (ctx) => {
    let repository: string;
    let good: PushedImage;
    let big: PushedImage;
    let bigManifest: RawManifest;
    const bigFile = randomFile(3 * BYTES_PER_MB);

    before(async function () {
        this.timeout(60000);
        repository = ctx.uniqueRepository("layers");
        const registry = ctx.env.registry;
        good = await ctx.buildAndPush(
            { dockerfile: `${BUSYBOX_DOCKERFILE}COPY hello.txt /home/jovyan/hello.txt\n`, files: { "hello.txt": "hello\n" } },
            `${registry}/${repository}:good`,
        );
        big = await ctx.buildAndPush(
            { dockerfile: `${BUSYBOX_DOCKERFILE}COPY big.bin /data/big.bin\n`, files: { "big.bin": bigFile } },
            `${registry}/${repository}:big`,
        );
        bigManifest = await rawManifest(registry, repository, big.digest);
    });

    it("a small public image passes layers and visibility", async () => {
        const layers = await checkLayers(good.reference, LIMITS);
        assert.equal(layers.ok, true, layers.detail);
        assert.match(layers.detail, /^largest layers: 1\.0 MB sha256:[0-9a-f]{12}…, .*; total 1\.0 MB over 3 layers$/);

        const visibility = await checkVisibility(good.reference);
        assert.deepEqual({ ok: visibility.ok, detail: visibility.detail }, { ok: true, detail: `${good.reference} can be pulled anonymously (linux/amd64)` });
    });

    it("a layer over maxLayerMb fails, naming that layer", async () => {
        const layer = bigManifest.layers[2];
        // Random data does not compress: the pushed layer is a little over the 3 MB file.
        assert.ok(layer.size > 3 * BYTES_PER_MB, `layer 3 is ${layer.size} bytes`);
        const result = await checkLayers(`${ctx.env.registry}/${repository}:big`, { maxLayerMb: 2, maxImageMb: 4096 });
        assert.equal(result.ok, false);
        assert.equal(result.name, "layers");
        // The instruction that made it comes from the image config's history (the legacy builder's form).
        assert.ok(
            new RegExp(
                `^1 layer over the 2 MB layer limit: layer 3 of 3, ${formatSize(layer.size)}, from \`COPY file:[0-9a-f]{64} in /data/big\\.bin\` ` +
                    `\\(${shortDigest(layer.digest).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\): split it \\(see the setup document's split COPY layers\\) — largest layers: 3\\.0 MB `,
            ).test(result.detail),
            result.detail,
        );
    });

    it("an image total over maxImageMb fails with the total", async () => {
        const total = bigManifest.layers.reduce((sum, l) => sum + l.size, 0);
        const result = await checkLayers(big.reference, { maxLayerMb: 4, maxImageMb: 3 });
        assert.equal(result.ok, false);
        assert.ok(result.detail.startsWith(`total ${formatSize(total)} is over the 3 MB image limit — largest layers: `), result.detail);
    });

    it("reports a tag that does not exist as missing, not as private", async () => {
        const result = await checkVisibility(`${ctx.env.registry}/${repository}:no-such-tag`);
        assert.equal(result.ok, false);
        assert.equal(
            result.detail,
            `cannot tell whether ${ctx.env.registry}/${repository}:no-such-tag is public: registry ${ctx.env.registry}, repository ${repository}, reference no-such-tag:` +
                ` GET https://${ctx.env.registry}/v2/${repository}/manifests/no-such-tag answered HTTP 404 (MANIFEST_UNKNOWN manifest unknown); expected the manifest (does the tag or digest exist?)`,
        );
    });

    describe("an image only on the htpasswd registry (a private package)", () => {
        let privateImage: PushedImage;
        before(async function () {
            this.timeout(60000);
            privateImage = await ctx.buildAndPush(
                { dockerfile: `${BUSYBOX_DOCKERFILE}COPY hello.txt /hello.txt\n`, files: { "hello.txt": "private\n" } },
                `${ctx.env.authRegistry}/${ctx.uniqueRepository("private")}:1`,
                ctx.env.authCredentials,
            );
        });

        it("fails visibility, saying it needs credentials and mybinder pulls anonymously", async () => {
            const ref = parseImageReference(privateImage.reference);
            const result = await checkVisibility(ref);
            assert.equal(result.ok, false);
            assert.equal(
                result.detail,
                `${privateImage.reference} cannot be pulled without credentials (registry ${ctx.env.authRegistry}, repository ${ref.repository}, reference ${privateImage.digest}` +
                    ` requires credentials (HTTP 401, Basic challenge realm="uw3-binder-test") and none were given);` +
                    ` mybinder.org pulls anonymously, so launches fail with "401 Unauthorized". Make the repository public on ${ctx.env.authRegistry}`,
            );
        });

        it("passes layers with the right credentials", async () => {
            const result = await checkLayers(privateImage.reference, LIMITS, ctx.env.authCredentials);
            assert.equal(result.ok, true, result.detail);
            assert.match(result.detail, /over 3 layers$/);
        });

        it("fails layers with a clear error for wrong credentials", async () => {
            const ref = parseImageReference(privateImage.reference);
            const result = await checkLayers(ref, LIMITS, { ...ctx.env.authCredentials, password: "wrong-password" });
            assert.equal(result.ok, false);
            assert.equal(
                result.detail,
                `cannot read the manifests: registry ${ctx.env.authRegistry}, repository ${ref.repository}, reference ${privateImage.digest}:` +
                    ` GET https://${ctx.env.authRegistry}/v2/${ref.repository}/manifests/${privateImage.digest} answered HTTP 401 (UNAUTHORIZED authentication required):` +
                    ` the credentials of user "${ctx.env.authCredentials.username}" were refused`,
            );
        });
    });

    describe("multi-platform images", () => {
        it("follows a Docker manifest list, as `docker manifest push` writes it, to every platform", async function () {
            this.timeout(30000);
            const list = `${ctx.env.registry}/${repository}:multi`;
            // Pushed by hand: `docker manifest push` speaks plain http to a loopback registry (Docker's CLI counts
            // 127.0.0.0/8 as insecure), which the TLS test registries refuse. Both test images are linux/amd64; the
            // list's platform makes the big one stand in for arm64.
            const entries = [];
            for (const [image, platform] of [
                [good, { architecture: "amd64", os: "linux" }],
                [big, { architecture: "arm64", os: "linux", variant: "v8" }],
            ] as const) {
                const res = await fetch(`https://${ctx.env.registry}/v2/${repository}/manifests/${image.digest}`, { headers: { Accept: DOCKER_MANIFEST } });
                assert.equal(res.status, 200);
                entries.push({ mediaType: DOCKER_MANIFEST, size: (await res.arrayBuffer()).byteLength, digest: image.digest, platform });
            }
            await putManifest(
                ctx.env.registry,
                repository,
                "multi",
                DOCKER_MANIFEST_LIST,
                JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST_LIST, manifests: entries }),
            );

            const manifests = await fetchImageManifests(parseImageReference(list));
            const listRes = await fetch(`https://${ctx.env.registry}/v2/${repository}/manifests/multi`, { headers: { Accept: DOCKER_MANIFEST_LIST } });
            assert.equal(listRes.headers.get("content-type"), DOCKER_MANIFEST_LIST);
            assert.equal(manifests.indexDigest, listRes.headers.get("docker-content-digest"));
            assert.deepEqual(manifests.platforms.map((p) => [p.platform, p.digest, p.layers.length]).sort(), [
                ["linux/amd64", good.digest, 3],
                ["linux/arm64/v8", big.digest, 3],
            ]);

            const result = await checkLayers(list, { maxLayerMb: 2, maxImageMb: 4096 });
            assert.equal(result.ok, false);
            const layer = bigManifest.layers[2];
            const [problems, summary] = result.detail.split(" — ");
            assert.match(
                problems,
                /^linux\/arm64\/v8: 1 layer over the 2 MB layer limit: layer 3 of 3, 3\.0 MB, from `COPY file:[0-9a-f]{64} in \/data\/big\.bin` \(sha256:[0-9a-f]{12}…\): split it \(see the setup document's split COPY layers\)$/,
            );
            assert.ok(problems.includes(`(${shortDigest(layer.digest)})`), problems);
            assert.deepEqual(
                summary
                    .split(" | ")
                    // Small layers' sizes vary with file timestamps in the tar; the MB ones are what matter.
                    .map((part) => part.replace(/ sha256:[0-9a-f]{12}…/g, " <digest>").replace(/\d+(\.\d)? (B|KB) /g, "<small> "))
                    .sort(),
                [
                    "linux/amd64: largest layers: 1.0 MB <digest>, <small> <digest>, <small> <digest>; total 1.0 MB over 3 layers",
                    "linux/arm64/v8: largest layers: 3.0 MB <digest>, 1.0 MB <digest>, <small> <digest>; total 4.0 MB over 3 layers",
                ],
            );
        });

        it("follows a hand-pushed OCI image index of OCI manifests", async () => {
            // The same blobs re-described with OCI media types, then an OCI index over both.
            const ociRepository = ctx.uniqueRepository("oci");
            const platforms = [
                { image: good, platform: { os: "linux", architecture: "amd64" } },
                { image: big, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
            ];
            const entries = [];
            for (const { image, platform } of platforms) {
                const docker = await rawManifest(ctx.env.registry, repository, image.digest);
                // Blobs are mounted into the new repository so its manifests may reference them.
                for (const blob of [docker.config, ...docker.layers]) {
                    const res = await fetch(`https://${ctx.env.registry}/v2/${ociRepository}/blobs/uploads/?mount=${blob.digest}&from=${repository}`, {
                        method: "POST",
                    });
                    assert.equal(res.status, 201, `mount ${blob.digest}`);
                }
                const oci = JSON.stringify({
                    schemaVersion: 2,
                    mediaType: OCI_MANIFEST,
                    config: { ...docker.config, mediaType: "application/vnd.oci.image.config.v1+json" },
                    layers: docker.layers.map((l) => ({ ...l, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" })),
                });
                const digest = await putManifest(ctx.env.registry, ociRepository, `${platform.architecture}`, OCI_MANIFEST, oci);
                entries.push({ mediaType: OCI_MANIFEST, digest, size: Buffer.byteLength(oci), platform });
            }
            const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries });
            const indexDigest = await putManifest(ctx.env.registry, ociRepository, "index", OCI_INDEX, index);

            // Why the client sends the index types: without them this registry refuses the tag outright.
            const narrow = await fetch(`https://${ctx.env.registry}/v2/${ociRepository}/manifests/index`, { headers: { Accept: DOCKER_MANIFEST } });
            assert.equal(narrow.status, 404);

            const manifests = await fetchImageManifests(parseImageReference(`${ctx.env.registry}/${ociRepository}:index`));
            assert.equal(manifests.indexDigest, indexDigest);
            assert.deepEqual(
                manifests.platforms.map((p) => [p.platform, p.digest, p.mediaType, p.layers.map((l) => l.mediaType)]),
                entries.map((e) => [
                    [e.platform.os, e.platform.architecture, e.platform.variant].filter(Boolean).join("/"),
                    e.digest,
                    OCI_MANIFEST,
                    Array(3).fill("application/vnd.oci.image.layer.v1.tar+gzip"),
                ]),
            );
            const result = await checkLayers(`${ctx.env.registry}/${ociRepository}@${indexDigest}`, { maxLayerMb: 2, maxImageMb: 4096 });
            assert.equal(result.ok, false);
            assert.match(
                result.detail,
                /^linux\/arm64\/v8: 1 layer over the 2 MB layer limit: layer 3 of 3, 3\.0 MB, from `COPY file:[0-9a-f]{64} in \/data\/big\.bin` \(sha256:[0-9a-f]{12}…\): split it \(see the setup document's split COPY layers\) — linux\/amd64: /,
            );
        });
    });
});
