/**
 * The distribution client against a scripted registry on 127.0.0.1 (an in-process HTTP server), for
 * what the real docker-registry cannot show: GHCR's Bearer token handshake and broken answers.
 * test/integration/registry.test.ts covers real registries.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { checkLayers, checkVisibility } from "../../src/check/manifestChecks";
import {
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    MANIFEST_ACCEPT,
    OCI_INDEX,
    OCI_MANIFEST,
    RegistryError,
    fetchImageManifests,
} from "../../src/check/registry";
import { parseImageReference } from "../../src/images/reference";

interface Answer {
    status?: number;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Stall before the headers, or after the headers and part of the body. */
    stall?: "headers" | "body";
}

type Route = (req: http.IncomingMessage, url: URL) => Answer | undefined;

/** A registry whose every answer the test scripts; records requests; counts body bytes sent. */
class FakeRegistry {
    requests: { path: string; headers: http.IncomingHttpHeaders }[] = [];
    bodyBytes = 0;
    route: Route = () => undefined;
    private server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        this.requests.push({ path: `${url.pathname}${url.search}`, headers: req.headers });
        const answer = this.route(req, url) ?? { status: 404, body: JSON.stringify({ errors: [{ code: "NOT_FOUND", message: "no route" }] }) };
        const body = Buffer.from(answer.body ?? "");
        this.bodyBytes += body.length;
        if (answer.stall === "headers") return;
        res.writeHead(answer.status ?? 200, { "Content-Length": body.length, ...answer.headers });
        if (answer.stall === "body") res.write(body.subarray(0, body.length >> 1));
        else res.end(body);
    });

    async start(): Promise<void> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    }
    stop(): Promise<void> {
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }
    get host(): string {
        return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }
}

function sha256(text: string): string {
    return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

const CONFIG = JSON.stringify({ os: "linux", architecture: "amd64", rootfs: { type: "layers", diff_ids: [] } });
const LAYER_A = `sha256:${"a".repeat(64)}`;
const LAYER_B = `sha256:${"b".repeat(64)}`;

function manifest(layers: { digest: string; size: number }[], mediaType = DOCKER_MANIFEST): string {
    return JSON.stringify({
        schemaVersion: 2,
        mediaType,
        config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: sha256(CONFIG), size: CONFIG.length },
        layers: layers.map((l) => ({ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", ...l })),
    });
}

/** Serves `manifest` at tag `1` and the config blob, to anyone. */
function openRoute(body: string, contentType = DOCKER_MANIFEST): Route {
    return (_req, url): Answer | undefined => {
        if (url.pathname === "/v2/uw3/base/manifests/1") return { headers: { "Content-Type": contentType, "Docker-Content-Digest": sha256(body) }, body };
        if (url.pathname === `/v2/uw3/base/blobs/${sha256(CONFIG)}`) return { headers: { "Content-Type": "application/octet-stream" }, body: CONFIG };
        return undefined;
    };
}

describe("registry client (scripted registry on loopback)", () => {
    const registry = new FakeRegistry();
    before(() => registry.start());
    after(() => registry.stop());
    beforeEach(() => {
        registry.requests = [];
        registry.bodyBytes = 0;
    });
    const ref = () => parseImageReference(`${registry.host}/uw3/base:1`);

    it("asks for exactly the four manifest media types and reads a Docker v2 manifest", async () => {
        const body = manifest([
            { digest: LAYER_A, size: 100 },
            { digest: LAYER_B, size: 200 },
        ]);
        registry.route = openRoute(body);
        const result = await fetchImageManifests(ref());
        assert.equal(
            registry.requests[0].headers.accept,
            "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, " +
                "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
        );
        assert.equal(MANIFEST_ACCEPT, registry.requests[0].headers.accept);
        assert.deepEqual(result, {
            reference: `${registry.host}/uw3/base:1`,
            indexDigest: undefined,
            platforms: [
                {
                    platform: "linux/amd64",
                    digest: sha256(body),
                    mediaType: DOCKER_MANIFEST,
                    layers: [
                        { digest: LAYER_A, size: 100, mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip" },
                        { digest: LAYER_B, size: 200, mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip" },
                    ],
                },
            ],
            bytesFetched: body.length + CONFIG.length,
            requests: 2,
        });
        assert.deepEqual(
            registry.requests.map((r) => r.path),
            ["/v2/uw3/base/manifests/1", `/v2/uw3/base/blobs/${sha256(CONFIG)}`],
        );
    });

    describe("Bearer token handshake (GHCR, Docker Hub)", () => {
        const body = manifest([{ digest: LAYER_A, size: 100 }]);
        /** Manifests need `Bearer <token>`; the token service hands out `token` for `who`. */
        function bearerRoute(tokens: (auth: string | undefined) => Answer): Route {
            const open = openRoute(body);
            return (req, url) => {
                if (url.pathname === "/token") return tokens(req.headers.authorization);
                if (req.headers.authorization !== "Bearer good-token") {
                    return {
                        status: 401,
                        headers: { "WWW-Authenticate": `Bearer realm="http://${registry.host}/token",service="fake-ghcr",scope="repository:uw3/base:pull"` },
                        body: JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }),
                    };
                }
                return open(req, url);
            };
        }

        it("gets an anonymous token with the challenge's service and scope, then retries", async () => {
            registry.route = bearerRoute((auth) => (auth ? { status: 400 } : { body: JSON.stringify({ token: "good-token" }) }));
            const result = await fetchImageManifests(ref());
            assert.deepEqual(result.platforms[0].layers.map((l) => l.digest), [LAYER_A]);
            assert.deepEqual(
                registry.requests.map((r) => r.path),
                ["/v2/uw3/base/manifests/1", "/token?service=fake-ghcr&scope=repository%3Auw3%2Fbase%3Apull", "/v2/uw3/base/manifests/1", `/v2/uw3/base/blobs/${sha256(CONFIG)}`],
            );
            assert.equal(registry.requests[1].headers.authorization, undefined);
            // The token is reused for the config blob rather than a second handshake.
            assert.equal(registry.requests[3].headers.authorization, "Bearer good-token");
            assert.equal(result.bytesFetched, registry.bodyBytes);
            assert.equal(result.requests, 4);
        });

        it("sends the credentials to the token service as Basic, and accepts `access_token`", async () => {
            const basic = `Basic ${Buffer.from("robot:s3cret").toString("base64")}`;
            registry.route = bearerRoute((auth) => (auth === basic ? { body: JSON.stringify({ access_token: "good-token" }) } : { status: 401 }));
            const result = await fetchImageManifests(ref(), { username: "robot", password: "s3cret" });
            assert.equal(result.platforms.length, 1);
            // Credentials go to the token service only, never to the manifest endpoint.
            assert.deepEqual(
                registry.requests.map((r) => r.headers.authorization),
                [undefined, basic, "Bearer good-token", "Bearer good-token"],
            );
        });

        it("a private package: the anonymous token does not grant pull, visibility fails saying so", async () => {
            registry.route = bearerRoute(() => ({ body: JSON.stringify({ token: "anonymous-token" }) }));
            const result = await checkVisibility(ref());
            assert.equal(result.ok, false);
            assert.equal(
                result.detail,
                `${registry.host}/uw3/base:1 cannot be pulled without credentials (registry ${registry.host}, repository uw3/base, reference 1:` +
                    ` GET http://${registry.host}/v2/uw3/base/manifests/1 answered HTTP 401 (UNAUTHORIZED authentication required):` +
                    ` an anonymous pull is not allowed (the repository is private or does not exist));` +
                    ` mybinder.org pulls anonymously, so launches fail with "401 Unauthorized". Make the repository public on ${registry.host}`,
            );
        });

        it("the token service refusing credentials is a `denied` error naming the user", async () => {
            registry.route = bearerRoute(() => ({ status: 401, body: JSON.stringify({ errors: [{ code: "DENIED", message: "bad password" }] }) }));
            await assert.rejects(fetchImageManifests(ref(), { username: "robot", password: "wrong" }), (err: RegistryError) => {
                assert.equal(err.kind, "denied");
                assert.equal(
                    err.message,
                    `registry ${registry.host}, repository uw3/base, reference 1: the token service http://${registry.host}/token refused a pull token (user "robot", HTTP 401 (DENIED bad password))`,
                );
                return true;
            });
        });

        it("a token answer that is not JSON is named as such", async () => {
            registry.route = bearerRoute(() => ({ headers: { "Content-Type": "text/html" }, body: "<html>login</html>" }));
            await assert.rejects(fetchImageManifests(ref()), {
                name: "RegistryError",
                message: `registry ${registry.host}, repository uw3/base, reference 1: the token service http://${registry.host}/token answered non-JSON ("<html>login</html>"); expected {"token": "..."}`,
            });
        });

        it("a token answer without a token field is named as such", async () => {
            registry.route = bearerRoute(() => ({ body: JSON.stringify({ expires_in: 300 }) }));
            await assert.rejects(fetchImageManifests(ref()), {
                message: `registry ${registry.host}, repository uw3/base, reference 1: the token service http://${registry.host}/token answered JSON without a "token" or "access_token" string`,
            });
        });
    });

    it("a 401 without a challenge is a protocol error", async () => {
        registry.route = () => ({ status: 401 });
        await assert.rejects(fetchImageManifests(ref()), {
            message: `registry ${registry.host}, repository uw3/base, reference 1: GET http://${registry.host}/v2/uw3/base/manifests/1 answered HTTP 401 without a WWW-Authenticate header; expected a Bearer or Basic challenge`,
        });
    });

    it("a manifest that is not JSON is named as such", async () => {
        registry.route = () => ({ headers: { "Content-Type": DOCKER_MANIFEST }, body: "{not json" });
        await assert.rejects(fetchImageManifests(ref()), {
            message: `registry ${registry.host}, repository uw3/base, reference 1: the manifest 1 is not JSON ("{not json"); expected a manifest document`,
        });
    });

    it("a manifest without layer sizes says which field is wrong", async () => {
        const body = JSON.stringify({ mediaType: OCI_MANIFEST, config: { mediaType: "x", digest: sha256(CONFIG), size: 1 }, layers: [{ mediaType: "x", digest: LAYER_A }] });
        registry.route = () => ({ headers: { "Content-Type": OCI_MANIFEST }, body });
        await assert.rejects(fetchImageManifests(ref()), (err: RegistryError) => {
            assert.equal(err.kind, "protocol");
            assert.match(err.message, /: the manifest 1 is malformed \(layers\.0\.size: .*\); expected \{"config": \{\.\.\.\}, "layers": \[\{mediaType, digest, size\}\]\}$/);
            return true;
        });
    });

    it("an unknown media type (schema 1) lists the four it expected", async () => {
        const body = JSON.stringify({ schemaVersion: 1, mediaType: "application/vnd.docker.distribution.manifest.v1+prettyjws" });
        registry.route = () => ({ headers: { "Content-Type": "application/vnd.docker.distribution.manifest.v1+prettyjws" }, body });
        await assert.rejects(fetchImageManifests(ref()), {
            message:
                `registry ${registry.host}, repository uw3/base, reference 1: the manifest 1 has media type "application/vnd.docker.distribution.manifest.v1+prettyjws";` +
                ` expected one of ${OCI_INDEX}, ${DOCKER_MANIFEST_LIST}, ${OCI_MANIFEST}, ${DOCKER_MANIFEST}`,
        });
    });

    it("a registry serving other bytes than the digest asked for is caught", async () => {
        const body = manifest([{ digest: LAYER_A, size: 1 }]);
        const wrong = `sha256:${"c".repeat(64)}`;
        registry.route = () => ({ headers: { "Content-Type": DOCKER_MANIFEST }, body });
        await assert.rejects(fetchImageManifests(parseImageReference(`${registry.host}/uw3/base@${wrong}`)), {
            message: `registry ${registry.host}, repository uw3/base, reference ${wrong}: the manifest ${wrong} hashes to ${sha256(body)}, expected ${wrong}`,
        });
    });

    it("refuses a 'manifest' over 4 MiB instead of reading it all", async () => {
        registry.route = () => ({ headers: { "Content-Type": DOCKER_MANIFEST }, body: Buffer.alloc(5 * 1024 * 1024, 32) });
        await assert.rejects(fetchImageManifests(ref()), {
            message: `registry ${registry.host}, repository uw3/base, reference 1: GET http://${registry.host}/v2/uw3/base/manifests/1 answered more than 4194304 bytes; expected a small JSON document`,
        });
    });

    it("a registry that stops answering times out with the URL named", async () => {
        registry.route = () => ({ stall: "headers" });
        await assert.rejects(fetchImageManifests(ref(), undefined, { timeoutMs: 200 }), {
            message: `cannot reach registry ${registry.host}, repository uw3/base, reference 1 (GET http://${registry.host}/v2/uw3/base/manifests/1: timed out)`,
        });
        registry.route = () => ({ headers: { "Content-Type": DOCKER_MANIFEST }, body: manifest([]), stall: "body" });
        await assert.rejects(fetchImageManifests(ref(), undefined, { timeoutMs: 200 }), (err: RegistryError) => {
            assert.equal(err.kind, "unreachable");
            assert.equal(err.message, `registry ${registry.host}, repository uw3/base, reference 1: reading the answer to GET http://${registry.host}/v2/uw3/base/manifests/1 failed (timed out)`);
            return true;
        });
    });

    it("a server error is reported with its status", async () => {
        registry.route = () => ({ status: 503, body: "busy" });
        const result = await checkLayers(ref(), { maxLayerMb: 800, maxImageMb: 4096 });
        assert.equal(
            result.detail,
            `cannot read the manifests: registry ${registry.host}, repository uw3/base, reference 1: GET http://${registry.host}/v2/uw3/base/manifests/1 answered HTTP 503; expected 200`,
        );
    });

    it("follows a Docker manifest list to each platform and skips attestation manifests", async () => {
        const amd64 = manifest([{ digest: LAYER_A, size: 10 }], OCI_MANIFEST);
        const arm64 = manifest([{ digest: LAYER_B, size: 20 }], OCI_MANIFEST);
        const attestation = manifest([], OCI_MANIFEST);
        const list = JSON.stringify({
            schemaVersion: 2,
            mediaType: DOCKER_MANIFEST_LIST,
            manifests: [
                { mediaType: OCI_MANIFEST, digest: sha256(amd64), size: amd64.length, platform: { os: "linux", architecture: "amd64" } },
                { mediaType: OCI_MANIFEST, digest: sha256(arm64), size: arm64.length, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
                {
                    mediaType: OCI_MANIFEST,
                    digest: sha256(attestation),
                    size: attestation.length,
                    platform: { os: "unknown", architecture: "unknown" },
                    annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": sha256(amd64) },
                },
            ],
        });
        const byPath: Record<string, string> = {
            "/v2/uw3/base/manifests/1": list,
            [`/v2/uw3/base/manifests/${sha256(amd64)}`]: amd64,
            [`/v2/uw3/base/manifests/${sha256(arm64)}`]: arm64,
            [`/v2/uw3/base/manifests/${sha256(attestation)}`]: attestation,
        };
        // Content-Type left generic: the client must fall back to each document's own mediaType.
        registry.route = (_req, url) => (byPath[url.pathname] ? { headers: { "Content-Type": "application/json" }, body: byPath[url.pathname] } : undefined);
        const result = await fetchImageManifests(ref());
        assert.equal(result.indexDigest, sha256(list));
        assert.deepEqual(
            result.platforms.map((p) => [p.platform, p.digest, p.layers.map((l) => l.digest)]),
            [
                ["linux/amd64", sha256(amd64), [LAYER_A]],
                ["linux/arm64/v8", sha256(arm64), [LAYER_B]],
            ],
        );
        assert.equal(result.bytesFetched, list.length + amd64.length + arm64.length);
        assert.equal(registry.requests.length, 3);
    });
});
