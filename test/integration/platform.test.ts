/**
 * The registry checks added by issue 11 against the real open registry and the real CLI: an arm64-only
 * image (built FROM scratch with --platform linux/arm64: no RUN step, so no emulation), an index holding
 * only arm64 plus a BuildKit-style attestation (pushed through the registry HTTP API), and the env check.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CheckReport } from "../../src/check/types";
import { BUSYBOX_DOCKERFILE, RunResult, describeIntegration, docker, run } from "./harness";

const CLI = path.join(__dirname, "..", "..", "bin", "uw3-binder.js");
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

function cli(args: string[]): Promise<RunResult> {
    return run(process.execPath, [CLI, "check", ...args], { env: { UW3_BINDER_REGISTRY_USERNAME: "", UW3_BINDER_REGISTRY_PASSWORD: "" } });
}

function checks(result: RunResult): Record<string, { ok: boolean; detail: string }> {
    const report = JSON.parse(result.stdout) as CheckReport;
    return Object.fromEntries(report.checks.map((c) => [c.name, { ok: c.ok, detail: c.detail }]));
}

const sha256 = (body: Buffer | string) => `sha256:${createHash("sha256").update(body).digest("hex")}`;

/** Pushes a blob through the distribution API (POST an upload, PUT it with its digest). */
async function pushBlob(registry: string, repository: string, body: Buffer | string): Promise<string> {
    const digest = sha256(body);
    const started = await fetch(`https://${registry}/v2/${repository}/blobs/uploads/`, { method: "POST" });
    assert.equal(started.status, 202, await started.text());
    const location = new URL(started.headers.get("location")!, `https://${registry}`);
    location.searchParams.set("digest", digest);
    const put = await fetch(location, {
        method: "PUT",
        headers: { "Content-Type": "application/octet-stream" },
        body: typeof body === "string" ? body : new Uint8Array(body),
    });
    assert.equal(put.status, 201, await put.text());
    return digest;
}

async function pushManifest(
    registry: string,
    repository: string,
    reference: string,
    mediaType: string,
    document: object,
): Promise<{ digest: string; size: number }> {
    const body = JSON.stringify(document);
    const res = await fetch(`https://${registry}/v2/${repository}/manifests/${reference}`, { method: "PUT", headers: { "Content-Type": mediaType }, body });
    assert.equal(res.status, 201, await res.text());
    return { digest: sha256(body), size: Buffer.byteLength(body) };
}

describeIntegration("platform and env checks (real CLI and registry)", (ctx) => {
    it("an arm64-only image (the Apple Silicon build) fails only the platform check, naming what it found", async function () {
        this.timeout(120000);
        const context = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-arm64-"));
        const target = `${ctx.env.registry}/${ctx.uniqueRepository("arm64-only")}:1`;
        try {
            fs.writeFileSync(path.join(context, "hello.txt"), "built for arm64\n");
            fs.writeFileSync(path.join(context, "Dockerfile"), "FROM scratch\nCOPY hello.txt /hello.txt\n");
            await docker(["build", "--quiet", "--platform", "linux/arm64", "--tag", target, context], { timeoutMs: 120000 });
            await docker(["push", target], { timeoutMs: 120000 });
        } finally {
            fs.rmSync(context, { recursive: true, force: true });
            await docker(["rmi", "--force", target]).catch(() => undefined);
        }
        const result = await cli([target, "--json", "--only", "layers,visibility,platform,env"]);
        assert.equal(result.code, 1, result.stderr);
        const found = checks(result);
        assert.deepEqual(Object.fromEntries(Object.entries(found).map(([n, c]) => [n, c.ok])), { layers: true, visibility: true, platform: false, env: true });
        assert.equal(
            found.platform.detail,
            'no linux/amd64 image; platforms found: linux/arm64: mybinder.org\'s nodes are linux/amd64, so launches fail ("Platform mismatch"); build with --platform linux/amd64',
        );
    });

    it("an index with only arm64 and an attestation fails the platform check, attestation listed apart", async function () {
        this.timeout(60000);
        const registry = ctx.env.registry;
        const repository = ctx.uniqueRepository("arm64-attested");
        const layer = await pushBlob(registry, repository, Buffer.from("not really a tarball"));
        const armConfig = JSON.stringify({
            os: "linux",
            architecture: "arm64",
            rootfs: { type: "layers", diff_ids: [layer] },
            history: [{ created_by: "COPY hello.txt / # buildkit" }],
        });
        const armConfigDigest = await pushBlob(registry, repository, armConfig);
        const arm = await pushManifest(registry, repository, "arm", OCI_MANIFEST, {
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: armConfigDigest, size: Buffer.byteLength(armConfig) },
            layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layer, size: 20 }],
        });
        const statement = '{"_type":"https://in-toto.io/Statement/v0.1"}';
        const statementDigest = await pushBlob(registry, repository, statement);
        const attConfig = '{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}';
        const attConfigDigest = await pushBlob(registry, repository, attConfig);
        const attestation = await pushManifest(registry, repository, "att", OCI_MANIFEST, {
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: attConfigDigest, size: attConfig.length },
            layers: [{ mediaType: "application/vnd.in-toto+json", digest: statementDigest, size: statement.length }],
        });
        await pushManifest(registry, repository, "multi", OCI_INDEX, {
            schemaVersion: 2,
            mediaType: OCI_INDEX,
            manifests: [
                { mediaType: OCI_MANIFEST, ...arm, platform: { os: "linux", architecture: "arm64" } },
                {
                    mediaType: OCI_MANIFEST,
                    ...attestation,
                    platform: { os: "unknown", architecture: "unknown" },
                    annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": arm.digest },
                },
            ],
        });
        const result = await cli([`${registry}/${repository}:multi`, "--json", "--only", "layers,platform"]);
        assert.equal(result.code, 1, result.stderr);
        const found = checks(result);
        assert.equal(found.layers.ok, true, found.layers.detail);
        assert.deepEqual(found.platform, {
            ok: false,
            detail:
                "no linux/amd64 image; platforms found: linux/arm64; attestation manifests, which nothing runs: unknown/unknown: " +
                'mybinder.org\'s nodes are linux/amd64, so launches fail ("Platform mismatch"); build with --platform linux/amd64',
        });
    });

    it("env: an image missing a required variable fails exactly that check; with it, passes", async function () {
        this.timeout(120000);
        const missing = await ctx.buildAndPush({ dockerfile: BUSYBOX_DOCKERFILE }, `${ctx.env.registry}/${ctx.uniqueRepository("env-missing")}:1`);
        const args = ["--json", "--only", "layers,platform,env", "--env-require", "PYVISTA_OFF_SCREEN=true", "--env-forbid", "PYTHONPATH"];
        const failing = await cli([missing.reference, ...args]);
        assert.equal(failing.code, 1, failing.stderr);
        assert.deepEqual(checks(failing), {
            layers: checks(failing).layers,
            platform: { ok: true, detail: "provides linux/amd64 (platforms: linux/amd64)" },
            env: { ok: false, detail: "PYVISTA_OFF_SCREEN is not set (expected PYVISTA_OFF_SCREEN=true) in the image config's Env" },
        });
        assert.equal(checks(failing).layers.ok, true);
        const set = await ctx.buildAndPush(
            { dockerfile: `${BUSYBOX_DOCKERFILE}ENV PYVISTA_OFF_SCREEN=true\n` },
            `${ctx.env.registry}/${ctx.uniqueRepository("env-set")}:1`,
        );
        const passing = await cli([set.reference, ...args]);
        assert.equal(passing.code, 0, passing.stdout);
        assert.equal(checks(passing).env.detail, "sets PYVISTA_OFF_SCREEN=true; does not set PYTHONPATH");
    });
});
