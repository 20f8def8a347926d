/**
 * Bench (issue 11, item 7): the bytes the registry part of `check` (layers with its attribution and
 * baseline, platform, env; visibility beside) fetches for a 3 GB-shaped image, against the 64 KiB budget.
 *
 * A 3 GB image is generated without 3 GB of data: docker-registry verifies that a manifest's blobs exist
 * but not that their sizes match the descriptors, so tiny distinct blobs are pushed and the manifests
 * declare the sizes of the Underworld3 deps stack. The checks never read a layer, so they see exactly
 * what a real 3 GB image shows them. The shape is the worst case that still occurs: a BuildKit index
 * (amd64 + an attestation manifest), one layer over the 800 MB limit (so the config is read for the
 * attribution), a long `history`, and a baseline release that shares the lower layers.
 */
import { createHash } from "node:crypto";
import { formatSize } from "../src/registry/layerSizes";
import { OCI_INDEX, OCI_MANIFEST } from "../src/registry/schemas";
import { runChecks } from "../src/check/run";
import { DEFAULT_CHECK_OPTIONS, REGISTRY_CHECKS } from "../src/check/options";
import { BYTES_PER_MB } from "../src/check/types";
import { formatMs, timedAsync } from "./timing";

/** What "reads only manifests" means in numbers: a few KB of JSON, whatever the image size. */
export const FETCH_BUDGET_BYTES = 64 * 1024;
const MB = BYTES_PER_MB;
/** Compressed layer sizes of a deps-shaped image, MB: base, conda/pixi environment split by the setup document, source, build. */
const LAYER_MB = [30, 5, 120, 700, 650, 900, 420, 380, 160, 40, 12, 3, 1, 1];

const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

async function pushBlob(base: string, repository: string, bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: "POST" });
    if (start.status !== 202) throw new Error(`POST blob upload: HTTP ${start.status}`);
    const location = new URL(start.headers.get("location") ?? "", base);
    location.searchParams.set("digest", digest);
    const put = await fetch(location, { method: "PUT", body: new Uint8Array(bytes), headers: { "Content-Type": "application/octet-stream" } });
    if (put.status !== 201) throw new Error(`PUT blob ${digest}: HTTP ${put.status}`);
    return digest;
}

async function pushManifest(base: string, repository: string, reference: string, mediaType: string, document: unknown): Promise<string> {
    const body = Buffer.from(JSON.stringify(document));
    const res = await fetch(`${base}/v2/${repository}/manifests/${reference}`, {
        method: "PUT",
        body: new Uint8Array(body),
        headers: { "Content-Type": mediaType },
    });
    if (res.status !== 201) throw new Error(`PUT manifest ${repository}:${reference}: HTTP ${res.status} ${await res.text()}`);
    return sha256(body);
}

/** One release of the image: `month` makes the layers from `firstNew` on differ from other months'. */
async function pushRelease(base: string, repository: string, month: string, firstNew: number): Promise<{ tag: string; totalBytes: number }> {
    const layers = [];
    for (const [i, mb] of LAYER_MB.entries()) {
        const digest = await pushBlob(base, repository, Buffer.from(`layer ${i} ${i >= firstNew ? month : "shared"}`));
        layers.push({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest, size: mb * MB });
    }
    // A long history, as a multi-stage Dockerfile with ENV/ARG/LABEL steps writes it (empty layers included).
    const history = LAYER_MB.flatMap((_, i) => [
        { created_by: `ARG UW3_SOURCE_FINGERPRINT=${"f".repeat(64)}`, empty_layer: true, comment: "buildkit.dockerfile.v0" },
        {
            created_by: `RUN /bin/sh -c pixi install --locked --environment runtime && pixi clean cache --yes && rm -rf /home/jovyan/.cache/rattler step-${i} # buildkit`,
            comment: "buildkit.dockerfile.v0",
        },
    ]);
    const config = Buffer.from(
        JSON.stringify({
            architecture: "amd64",
            os: "linux",
            config: {
                User: "jovyan",
                Env: ["PATH=/home/jovyan/.pixi/envs/runtime/bin:/usr/bin:/bin", "PYVISTA_OFF_SCREEN=true", "MESA_GL_VERSION_OVERRIDE=3.3", `RELEASE=${month}`],
            },
            rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
            history,
        }),
    );
    const configDigest = await pushBlob(base, repository, config);
    const manifest = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
        layers,
    };
    const manifestDigest = await pushManifest(base, repository, `${month}-amd64`, OCI_MANIFEST, manifest);
    const manifestSize = Buffer.byteLength(JSON.stringify(manifest));
    // BuildKit's provenance attestation: listed in the index, never followed by the checks.
    const attestation = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: manifest.config, layers: [] };
    const attestationDigest = await pushManifest(base, repository, `${month}-attestation`, OCI_MANIFEST, attestation);
    const index = {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
            { mediaType: OCI_MANIFEST, digest: manifestDigest, size: manifestSize, platform: { os: "linux", architecture: "amd64" } },
            {
                mediaType: OCI_MANIFEST,
                digest: attestationDigest,
                size: Buffer.byteLength(JSON.stringify(attestation)),
                platform: { os: "unknown", architecture: "unknown" },
                annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": manifestDigest },
            },
        ],
    };
    await pushManifest(base, repository, month, OCI_INDEX, index);
    return { tag: month, totalBytes: LAYER_MB.reduce((sum, mb) => sum + mb * MB, 0) };
}

/** Counts the response body bytes of every fetch made while `body` runs (the checks' own counters are per client). */
async function countingFetches<T>(body: () => Promise<T>): Promise<{ value: T; bytes: number; requests: number }> {
    const original = globalThis.fetch;
    let bytes = 0;
    let requests = 0;
    globalThis.fetch = async (input, init) => {
        requests++;
        const res = await original(input, init);
        if (!res.body) return res;
        const counted = res.body.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
                transform(chunk, controller) {
                    bytes += chunk.byteLength;
                    controller.enqueue(chunk);
                },
            }),
        );
        return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
    };
    try {
        return { value: await body(), bytes, requests };
    } finally {
        globalThis.fetch = original;
    }
}

export async function benchRegistryBudget(registry: string): Promise<string[]> {
    const base = `https://${registry}`;
    const repository = `uw3-binder-bench/budget-${process.pid.toString(36)}${Date.now().toString(36)}`;
    const january = await pushRelease(base, repository, "2025.01", LAYER_MB.length);
    // February rebuilt the source and build layers (the top five) on January's environment.
    const february = await pushRelease(base, repository, "2025.02", LAYER_MB.length - 5);
    const reference = `${registry}/${repository}:${february.tag}`;
    const lines = [
        `budget: generated ${reference}: an index (linux/amd64 + attestation) of ${LAYER_MB.length} layers declaring ${formatSize(february.totalBytes)}, one of ${formatSize(900 * MB)} over the layer limit; baseline ${registry}/${repository}:${january.tag} shares the lower ${LAYER_MB.length - 5}`,
    ];
    const options = { ...DEFAULT_CHECK_OPTIONS, baseline: `${registry}/${repository}:${january.tag}`, envRequire: ["PYVISTA_OFF_SCREEN=true"] };
    const runs: [string, typeof options.enabled][] = [
        ["layers (attribution, baseline), platform, env", ["layers", "platform", "env"]],
        ["every registry check (visibility's anonymous re-read included)", [...REGISTRY_CHECKS]],
    ];
    for (const [what, enabled] of runs) {
        const { value: counted, ms } = await timedAsync(() => countingFetches(() => runChecks(reference, { ...options, enabled })));
        const { value, bytes, requests } = counted;
        const verdict = bytes <= FETCH_BUDGET_BYTES ? "within" : "OVER";
        lines.push(
            `budget: ${what}: fetched ${bytes} bytes (${formatSize(bytes)}) in ${requests} requests, ${formatMs(ms)}, ${verdict} the ${FETCH_BUDGET_BYTES / 1024} KiB budget; 1/${Math.round(february.totalBytes / Math.max(bytes, 1))} of the image`,
        );
        for (const check of value.results) lines.push(`budget:   ${check.name} ${check.ok ? "PASS" : "FAIL"}: ${check.detail.split("\n").join(" / ")}`);
    }
    return lines;
}
