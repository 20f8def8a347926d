import * as assert from "node:assert/strict";
import { evaluateEnv } from "../../src/check/checks/env";
import { dockerfileInstruction, evaluateLayers, layerInstructions } from "../../src/check/checks/layers";
import { evaluatePlatform } from "../../src/check/checks/platform";
import { ghcrPackageSettingsUrl, visibilityFailureDetail } from "../../src/check/checks/visibility";
import { distinctLayers, formatSize, largestLayers, shortDigest } from "../../src/registry/layerSizes";
import { ImageManifests, LayerDescriptor } from "../../src/registry/client";
import { RegistryError } from "../../src/registry/errors";
import { DOCKER_MANIFEST, OCI_MANIFEST } from "../../src/registry/schemas";
import { BYTES_PER_MB } from "../../src/check/types";
import { parseImageReference } from "../../src/names/oci";

const MB = BYTES_PER_MB;
const LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/** `sha256:` + the hex digit repeated, so short digests are easy to read in expectations. */
function digest(hex: string): string {
    return `sha256:${hex.repeat(64)}`;
}

function layer(hex: string, size: number): LayerDescriptor {
    return { digest: digest(hex), size, mediaType: LAYER };
}

function image(...platforms: { platform: string; layers: LayerDescriptor[] }[]): ImageManifests {
    return {
        reference: "127.0.0.1:5000/uw3/base:1",
        platforms: platforms.map((p, i) => ({ ...p, digest: digest(String(i)), mediaType: OCI_MANIFEST, configDigest: digest("f") })),
        attestations: [],
        bytesFetched: 0,
        requests: 0,
    };
}

describe("manifest checks (pure)", () => {
    describe("formatSize", () => {
        it("uses 1024-based units with one decimal, as docker history does", () => {
            assert.equal(formatSize(0), "0 B");
            assert.equal(formatSize(1023), "1023 B");
            assert.equal(formatSize(1536), "1.5 KB");
            assert.equal(formatSize(812.3 * MB), "812.3 MB");
            assert.equal(formatSize(1.4 * 1024 * MB), "1.4 GB");
        });

        it("moves to the next unit when rounding would print 1024.0", () => {
            assert.equal(formatSize(MB - 1), "1.0 MB");
            assert.equal(formatSize(1024 * MB - 1), "1.0 GB");
        });
    });

    it("shortDigest keeps the algorithm and 12 hex digits", () => {
        assert.equal(shortDigest(digest("a")), "sha256:aaaaaaaaaaaa…");
        assert.equal(shortDigest("sha256:abc"), "sha256:abc");
    });

    it("distinctLayers counts a repeated digest once and keeps its first position", () => {
        const layers = distinctLayers([layer("a", 10), layer("b", 20), layer("a", 10)]);
        assert.deepEqual(
            layers.map((l) => [l.digest, l.position]),
            [
                [digest("a"), 1],
                [digest("b"), 2],
            ],
        );
    });

    it("largestLayers sorts by size, ties in manifest order", () => {
        const layers = distinctLayers([layer("a", 5), layer("b", 9), layer("c", 9), layer("d", 1)]);
        assert.deepEqual(
            largestLayers(layers, 3).map((l) => l.position),
            [2, 3, 1],
        );
    });

    describe("evaluateLayers", () => {
        const limits = { maxLayerMb: 800, maxImageMb: 4096 };

        it("passes and names the three largest layers and the total", () => {
            const result = evaluateLayers(
                image({
                    platform: "linux/amd64",
                    layers: [layer("1", 12 * MB), layer("2", 512 * MB), layer("3", 300 * MB), layer("4", 1024)],
                }),
                limits,
            );
            assert.deepEqual(result, {
                ok: true,
                detail: "largest layers: 512.0 MB sha256:222222222222…, 300.0 MB sha256:333333333333…, 12.0 MB sha256:111111111111…; total 824.0 MB over 4 layers",
            });
        });

        it("fails naming each layer over the limit with its position", () => {
            const result = evaluateLayers(
                image({ platform: "linux/amd64", layers: [layer("a", 100 * MB), layer("b", 812.3 * MB), layer("c", 900 * MB)] }),
                limits,
            );
            assert.equal(result.ok, false);
            assert.equal(
                result.detail,
                "2 layers over the 800 MB layer limit: 812.3 MB sha256:bbbbbbbbbbbb… (layer 2 of 3), 900.0 MB sha256:cccccccccccc… (layer 3 of 3)" +
                    " — largest layers: 900.0 MB sha256:cccccccccccc…, 812.3 MB sha256:bbbbbbbbbbbb…, 100.0 MB sha256:aaaaaaaaaaaa…; total 1.8 GB over 3 layers",
            );
        });

        it("a layer of exactly the limit passes (the limit is inclusive)", () => {
            assert.equal(evaluateLayers(image({ platform: "linux/amd64", layers: [layer("a", 800 * MB)] }), limits).ok, true);
            assert.equal(evaluateLayers(image({ platform: "linux/amd64", layers: [layer("a", 800 * MB + 1)] }), limits).ok, false);
        });

        it("fails on an image total over maxImageMb even when every layer is small", () => {
            const result = evaluateLayers(image({ platform: "linux/amd64", layers: [layer("a", 3 * MB), layer("b", 3 * MB)] }), {
                maxLayerMb: 4,
                maxImageMb: 5,
            });
            assert.equal(result.ok, false);
            assert.match(result.detail, /^total 6\.0 MB is over the 5 MB image limit — largest layers: /);
        });

        it("counts a repeated layer once in the total (a pull fetches it once)", () => {
            const result = evaluateLayers(image({ platform: "linux/amd64", layers: [layer("a", 3 * MB), layer("a", 3 * MB)] }), {
                maxLayerMb: 4,
                maxImageMb: 5,
            });
            assert.deepEqual(result, { ok: true, detail: "largest layers: 3.0 MB sha256:aaaaaaaaaaaa…; total 3.0 MB over 2 layers" });
        });

        it("judges each platform separately and labels it", () => {
            const result = evaluateLayers(
                image(
                    { platform: "linux/amd64", layers: [layer("a", 2 * MB)] },
                    { platform: "linux/arm64/v8", layers: [layer("b", 3 * MB), layer("c", 1 * MB)] },
                ),
                { maxLayerMb: 2.5, maxImageMb: 100 },
            );
            assert.equal(result.ok, false);
            assert.equal(
                result.detail,
                "linux/arm64/v8: 1 layer over the 2.5 MB layer limit: 3.0 MB sha256:bbbbbbbbbbbb… (layer 1 of 2)" +
                    " — linux/amd64: largest layers: 2.0 MB sha256:aaaaaaaaaaaa…; total 2.0 MB over 1 layer" +
                    " | linux/arm64/v8: largest layers: 3.0 MB sha256:bbbbbbbbbbbb…, 1.0 MB sha256:cccccccccccc…; total 4.0 MB over 2 layers",
            );
        });

        it("fails a manifest with zero layers (an empty filesystem runs nothing)", () => {
            assert.deepEqual(evaluateLayers(image({ platform: "linux/amd64", layers: [] }), limits), {
                ok: false,
                detail: "the manifest sha256:000000000000… has no layers; a runnable image has at least one — no layers",
            });
        });

        it("rejects limits that are not positive numbers, naming the option", () => {
            assert.throws(() => evaluateLayers(image({ platform: "linux/amd64", layers: [] }), { maxLayerMb: 0, maxImageMb: 1 }), {
                message: "layers check: `maxLayerMb` must be a positive number of MB, got 0",
            });
            assert.throws(() => evaluateLayers(image({ platform: "linux/amd64", layers: [] }), { maxLayerMb: 1, maxImageMb: NaN }), {
                message: "layers check: `maxImageMb` must be a positive number of MB, got null",
            });
        });
    });

    describe("ghcrPackageSettingsUrl", () => {
        it("points at the org's package settings page", () => {
            assert.equal(
                ghcrPackageSettingsUrl(parseImageReference("ghcr.io/underworldcode/uw3-base:2025.01-slim")),
                "https://github.com/orgs/underworldcode/packages/container/uw3-base/settings",
            );
        });

        it("escapes a nested package name as one path segment", () => {
            assert.equal(
                ghcrPackageSettingsUrl(parseImageReference("ghcr.io/underworldcode/binder/uw3-base:1")),
                "https://github.com/orgs/underworldcode/packages/container/binder%2Fuw3-base/settings",
            );
        });

        it("is undefined for other registries", () => {
            assert.equal(ghcrPackageSettingsUrl(parseImageReference("docker.io/underworldcode/uw3-base:1")), undefined);
        });
    });

    describe("visibilityFailureDetail", () => {
        const denied = new RegistryError("unauthorized", "registry ghcr.io, repository underworldcode/uw3-base, reference 1: HTTP 401", 401);

        it("says a GHCR package is private and where to make it public", () => {
            assert.equal(
                visibilityFailureDetail(parseImageReference("ghcr.io/underworldcode/uw3-base:1"), denied),
                "ghcr.io/underworldcode/uw3-base:1 cannot be pulled without credentials (registry ghcr.io, repository underworldcode/uw3-base, reference 1: HTTP 401);" +
                    ' mybinder.org pulls anonymously, so launches fail with "401 Unauthorized".' +
                    " The GHCR package is private: make it public at https://github.com/orgs/underworldcode/packages/container/uw3-base/settings" +
                    " (Danger Zone → Change visibility → Public; GitHub has no API for container package visibility)",
            );
        });

        it("does not call a missing or unreachable image private", () => {
            const missing = new RegistryError("not-found", "registry ghcr.io, repository o/n, reference 1: HTTP 404", 404);
            assert.equal(
                visibilityFailureDetail(parseImageReference("ghcr.io/o/n:1"), missing),
                "cannot tell whether ghcr.io/o/n:1 is public: registry ghcr.io, repository o/n, reference 1: HTTP 404",
            );
        });
    });

    it("the Docker v2 manifest type is the one docker push writes", () => {
        assert.equal(DOCKER_MANIFEST, "application/vnd.docker.distribution.manifest.v2+json");
    });

    describe("layer attribution (issue 11, item 4)", () => {
        it("reads legacy-builder and BuildKit history entries as the Dockerfile instruction", () => {
            assert.equal(dockerfileInstruction("/bin/sh -c #(nop) COPY dir:3f2a in /home/jovyan/lib "), "COPY dir:3f2a in /home/jovyan/lib");
            assert.equal(dockerfileInstruction("/bin/sh -c chmod 755 /start"), "RUN chmod 755 /start");
            assert.equal(dockerfileInstruction("COPY /home/jovyan/lib /home/jovyan/lib # buildkit"), "COPY /home/jovyan/lib /home/jovyan/lib");
            assert.equal(dockerfileInstruction("RUN /bin/sh -c pixi install # buildkit"), "RUN pixi install");
            assert.equal(dockerfileInstruction(`COPY \u001b[31m${"x".repeat(300)}`).length < 200, true);
            assert.match(dockerfileInstruction("COPY \u001b[31mred"), /^COPY \\x1b\[31mred$/);
        });

        it("maps the layer-making history entries to manifest positions, or gives up when they disagree", () => {
            const config = {
                platform: "linux/amd64",
                env: [],
                history: [
                    { createdBy: "/bin/sh -c #(nop) ADD file:abc in / ", emptyLayer: false },
                    { createdBy: "/bin/sh -c #(nop) ENV A=1", emptyLayer: true },
                    { createdBy: "COPY --from=builder /env/lib /env/lib # buildkit", emptyLayer: false },
                ],
            };
            assert.deepEqual(layerInstructions(config, 2), ["ADD file:abc in /", "COPY --from=builder /env/lib /env/lib"]);
            assert.equal(layerInstructions(config, 3), undefined);
        });

        it("names the instruction behind a layer over the limit and says to split it", () => {
            const manifests = image({ platform: "linux/amd64", layers: [layer("a", 10 * MB), layer("b", 2.7 * 1024 * MB)] });
            const result = evaluateLayers(
                manifests,
                { maxLayerMb: 800, maxImageMb: 4096 },
                { [digest("0")]: ["ADD file:abc in /", "COPY --from=builder /env/lib /env/lib"] },
            );
            assert.equal(
                result.detail,
                "1 layer over the 800 MB layer limit: layer 2 of 2, 2.7 GB, from `COPY --from=builder /env/lib /env/lib` (sha256:bbbbbbbbbbbb…): " +
                    "split it (see the setup document's split COPY layers)" +
                    " — largest layers: 2.7 GB sha256:bbbbbbbbbbbb…, 10.0 MB sha256:aaaaaaaaaaaa…; total 2.7 GB over 2 layers",
            );
        });
    });

    describe("evaluatePlatform (issue 11, item 2)", () => {
        it("passes an image that provides linux/amd64", () => {
            assert.deepEqual(evaluatePlatform(image({ platform: "linux/amd64", layers: [] }, { platform: "linux/arm64/v8", layers: [] }), ["linux/amd64"]), {
                ok: true,
                detail: "provides linux/amd64 (platforms: linux/amd64, linux/arm64/v8)",
            });
        });

        it("fails an arm64-only index, listing what it found, attestations apart", () => {
            const manifests = { ...image({ platform: "linux/arm64", layers: [] }), attestations: ["unknown/unknown"] };
            assert.deepEqual(evaluatePlatform(manifests, ["linux/amd64"]), {
                ok: false,
                detail:
                    "no linux/amd64 image; platforms found: linux/arm64; attestation manifests, which nothing runs: unknown/unknown: " +
                    'mybinder.org\'s nodes are linux/amd64, so launches fail ("Platform mismatch"); build with --platform linux/amd64',
            });
        });

        it("an attestation declaring linux/amd64 does not provide it", () => {
            const manifests = { ...image({ platform: "linux/arm64", layers: [] }), attestations: ["linux/amd64"] };
            assert.equal(evaluatePlatform(manifests, ["linux/amd64"]).ok, false);
        });
    });

    describe("evaluateEnv (issue 11, item 6)", () => {
        const config = (env: string[]) => ({ platform: "linux/amd64", env, history: [] });

        it("passes when nothing is required or forbidden", () => {
            assert.deepEqual(evaluateEnv(config(["PATH=/bin"]), [], []), { ok: true, detail: "no variables required or forbidden" });
        });

        it("names a missing variable, a wrong value and a forbidden one", () => {
            assert.deepEqual(
                evaluateEnv(config(["PYVISTA_OFF_SCREEN=false", "PYTHONPATH=/x"]), ["PYVISTA_OFF_SCREEN=true", "PYOPENGL_PLATFORM"], ["PYTHONPATH"]),
                {
                    ok: false,
                    detail: 'PYVISTA_OFF_SCREEN is "false", expected "true"; PYOPENGL_PLATFORM is not set; PYTHONPATH is set ("/x") and must not be in the image config\'s Env',
                },
            );
        });

        it("passes when every requirement holds", () => {
            assert.deepEqual(evaluateEnv(config(["PYVISTA_OFF_SCREEN=true", "A="]), ["PYVISTA_OFF_SCREEN=true", "A"], ["B"]), {
                ok: true,
                detail: "sets PYVISTA_OFF_SCREEN=true, A; does not set B",
            });
        });
    });
});
