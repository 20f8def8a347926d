/**
 * The distribution client against a scripted registry on 127.0.0.1 (an in-process HTTP server), for
 * what the real docker-registry cannot show: GHCR's Bearer token handshake and broken answers.
 * test/integration/registry.test.ts covers real registries.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { checkLayers } from "../../src/check/checks/layers";
import { checkVisibility } from "../../src/check/checks/visibility";
import { fetchImageManifests } from "../../src/registry/client";
import { RegistryError } from "../../src/registry/errors";
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, MANIFEST_ACCEPT, OCI_INDEX, OCI_MANIFEST } from "../../src/registry/schemas";
import { parseImageReference } from "../../src/names/oci";

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

    async start(address = "127.0.0.1"): Promise<void> {
        await new Promise<void>((resolve) => this.server.listen(0, address, resolve));
    }
    stop(): Promise<void> {
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }
    get host(): string {
        const address = this.server.address() as AddressInfo;
        return `${address.address}:${address.port}`;
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
                    configDigest: sha256(CONFIG),
                    layers: [
                        { digest: LAYER_A, size: 100, mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip" },
                        { digest: LAYER_B, size: 200, mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip" },
                    ],
                },
            ],
            attestations: [],
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
            assert.deepEqual(
                result.platforms[0].layers.map((l) => l.digest),
                [LAYER_A],
            );
            assert.deepEqual(
                registry.requests.map((r) => r.path),
                [
                    "/v2/uw3/base/manifests/1",
                    "/token?service=fake-ghcr&scope=repository%3Auw3%2Fbase%3Apull",
                    "/v2/uw3/base/manifests/1",
                    `/v2/uw3/base/blobs/${sha256(CONFIG)}`,
                ],
            );
            assert.equal(registry.requests[1].headers.authorization, undefined);
            // The token is reused for the config blob rather than a second handshake.
            assert.equal(registry.requests[3].headers.authorization, "Bearer good-token");
            assert.equal(result.bytesFetched, registry.bodyBytes);
            assert.equal(result.requests, 4);
        });

        it("answers the Bearer challenge when the registry offers Basic first and Bearer second in one header", async () => {
            const basic = `Basic ${Buffer.from("robot:s3cret").toString("base64")}`;
            const open = openRoute(body);
            registry.route = (req, url) => {
                if (url.pathname === "/token") return req.headers.authorization === basic ? { body: JSON.stringify({ token: "good-token" }) } : { status: 401 };
                if (req.headers.authorization !== "Bearer good-token") {
                    return {
                        status: 401,
                        headers: { "WWW-Authenticate": `Basic realm="private, internal", Bearer realm="http://${registry.host}/token",service="fake-hub"` },
                    };
                }
                return open(req, url);
            };
            const result = await fetchImageManifests(ref(), { username: "robot", password: "s3cret", registry: registry.host });
            assert.deepEqual(
                result.platforms[0].layers.map((l) => l.digest),
                [LAYER_A],
            );
            // The password went to the token service only; the registry itself only ever saw the token.
            assert.equal(registry.requests[1].path, "/token?service=fake-hub&scope=repository%3Auw3%2Fbase%3Apull");
            assert.deepEqual(
                registry.requests.filter((r) => r.path.startsWith("/v2/")).map((r) => r.headers.authorization),
                [undefined, "Bearer good-token", "Bearer good-token"],
            );
        });

        it("sends the credentials to the token service as Basic, and accepts `access_token`", async () => {
            const basic = `Basic ${Buffer.from("robot:s3cret").toString("base64")}`;
            registry.route = bearerRoute((auth) => (auth === basic ? { body: JSON.stringify({ access_token: "good-token" }) } : { status: 401 }));
            const result = await fetchImageManifests(ref(), { username: "robot", password: "s3cret", registry: registry.host });
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
            await assert.rejects(fetchImageManifests(ref(), { username: "robot", password: "wrong", registry: registry.host }), (err: RegistryError) => {
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

    it("a layer size past 2^53 bytes is refused naming the field, not summed", async () => {
        registry.route = openRoute(manifest([{ digest: LAYER_A, size: 1e300 }]));
        await assert.rejects(fetchImageManifests(ref()), {
            name: "RegistryError",
            message:
                `registry ${registry.host}, repository uw3/base, reference 1: the manifest 1 is malformed (layers.0.size: Too big: expected int to be <=9007199254740991);` +
                ' expected {"config": {...}, "layers": [{mediaType, digest, size}]}',
        });
    });

    it("a manifest without layer sizes says which field is wrong", async () => {
        const body = JSON.stringify({
            mediaType: OCI_MANIFEST,
            config: { mediaType: "x", digest: sha256(CONFIG), size: 1 },
            layers: [{ mediaType: "x", digest: LAYER_A }],
        });
        registry.route = () => ({ headers: { "Content-Type": OCI_MANIFEST }, body });
        await assert.rejects(fetchImageManifests(ref()), (err: RegistryError) => {
            assert.equal(err.kind, "protocol");
            assert.match(
                err.message,
                /: the manifest 1 is malformed \(layers\.0\.size: .*\); expected \{"config": \{\.\.\.\}, "layers": \[\{mediaType, digest, size\}\]\}$/,
            );
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
            assert.equal(
                err.message,
                `registry ${registry.host}, repository uw3/base, reference 1: reading the answer to GET http://${registry.host}/v2/uw3/base/manifests/1 failed (timed out)`,
            );
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

    describe("credentials go only where they should (issue 10, item 15)", () => {
        const body = manifest([{ digest: LAYER_A, size: 100 }]);
        const creds = {
            username: "robot",
            password: "s3cret-password",
            get registry() {
                return registry.host;
            },
        };
        const basic = `Basic ${Buffer.from("robot:s3cret-password").toString("base64")}`;
        /** Another host: 127.0.0.2 is loopback too, but not the registry's host. */
        const elsewhere = new FakeRegistry();
        before(() => elsewhere.start("127.0.0.2"));
        after(() => elsewhere.stop());
        beforeEach(() => {
            elsewhere.requests = [];
        });

        function challengeRoute(realm: string, scope = "repository:uw3/base:pull"): Route {
            const open = openRoute(body);
            return (req, url) => {
                if (url.pathname === "/token") return { body: JSON.stringify({ token: "good-token" }) };
                if (req.headers.authorization !== "Bearer good-token") {
                    return { status: 401, headers: { "WWW-Authenticate": `Bearer realm="${realm}",service="fake",scope="${scope}"` } };
                }
                return open(req, url);
            };
        }

        it("refuses to send Basic credentials to a plain-http realm on another host", async () => {
            elsewhere.route = () => ({ body: JSON.stringify({ token: "good-token" }) });
            registry.route = challengeRoute(`http://${elsewhere.host}/token`);
            await assert.rejects(fetchImageManifests(ref(), creds), {
                name: "RegistryError",
                message:
                    `registry ${registry.host}, repository uw3/base, reference 1: the Bearer challenge sends credentials to http://${elsewhere.host},` +
                    ` which is not the token service of ${registry.host} (its own host over https, or a loopback registry's own host); not sending them`,
            });
            assert.deepEqual(elsewhere.requests, []);
        });

        it("issue 20, finding 1: refuses to send credentials to an https realm on another host than the registry's own", async () => {
            const requested: string[] = [];
            const recording: typeof fetch = (input, init) => {
                requested.push(input instanceof Request ? input.url : input.toString());
                return fetch(input, init);
            };
            registry.route = challengeRoute("https://auth.docker.io/token");
            await assert.rejects(fetchImageManifests(ref(), creds, { fetch: recording }), {
                name: "RegistryError",
                message:
                    `registry ${registry.host}, repository uw3/base, reference 1: the Bearer challenge sends credentials to https://auth.docker.io,` +
                    ` which is not the token service of ${registry.host} (its own host over https, or a loopback registry's own host); not sending them`,
            });
            assert.deepEqual(requested, [`http://${registry.host}/v2/uw3/base/manifests/1`]);
        });

        it("the image's credentials are not sent to a --baseline on another registry, and are to one on the same registry", async () => {
            // Both registries serve the image only with the login, as a private package would.
            const basicOnly: Route = (req, url) =>
                req.headers.authorization === basic ? openRoute(body)(req, url) : { status: 401, headers: { "WWW-Authenticate": 'Basic realm="r"' } };
            registry.route = basicOnly;
            elsewhere.route = basicOnly;
            const limits = { maxLayerMb: 800, maxImageMb: 4096, baseline: `${elsewhere.host}/uw3/base:1` };
            const other = await checkLayers(ref(), limits, creds);
            assert.equal(other.ok, true, other.detail);
            assert.match(
                other.detail,
                new RegExp(`baseline ${elsewhere.host}/uw3/base:1 could not be read \\(.*requires credentials.*none were given\\): new layers not measured$`),
            );
            assert.ok(elsewhere.requests.length > 0);
            assert.deepEqual(
                elsewhere.requests.map((r) => r.headers.authorization),
                elsewhere.requests.map(() => undefined),
            );
            const same = await checkLayers(ref(), { ...limits, baseline: `${registry.host}/uw3/base:1` }, creds);
            assert.match(same.detail, new RegExp(`against ${registry.host}/uw3/base:1: 0 B new in 0 of 1 layers`));
        });

        it("issue 20, finding 1: Docker Hub's login goes to the token service its challenge names, auth.docker.io", async () => {
            // Docker Hub's answers as its token authentication spec describes them
            // (https://distribution.github.io/distribution/spec/auth/token/): the registry is registry-1.docker.io,
            // its challenge names realm="https://auth.docker.io/token",service="registry.docker.io".
            const hub: { url: string; authorization?: string }[] = [];
            const hubLogin = { username: "uw3bot", password: "hub-token-4444", registry: "docker.io" };
            const hubBasic = `Basic ${Buffer.from("uw3bot:hub-token-4444").toString("base64")}`;
            const dockerHub: typeof fetch = (input, init) => {
                const url = new URL(input instanceof Request ? input.url : input.toString());
                const authorization = (init?.headers as Record<string, string> | undefined)?.Authorization;
                hub.push({ url: url.toString(), authorization });
                const json = (status: number, value: unknown, headers: Record<string, string> = {}) =>
                    Promise.resolve(new Response(JSON.stringify(value), { status, headers: { "Content-Type": "application/json", ...headers } }));
                if (url.host === "auth.docker.io" && url.pathname === "/token") {
                    return authorization === hubBasic
                        ? json(200, { token: "hub-token", access_token: "hub-token" })
                        : json(401, { details: "incorrect username or password" });
                }
                if (url.host !== "registry-1.docker.io") return Promise.reject(new TypeError(`fetch failed: ${url.host} is not Docker Hub`));
                if (authorization !== "Bearer hub-token") {
                    return json(
                        401,
                        { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] },
                        {
                            "WWW-Authenticate":
                                'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:underworldcode/base:pull"',
                        },
                    );
                }
                if (url.pathname === "/v2/underworldcode/base/manifests/1")
                    return Promise.resolve(new Response(body, { headers: { "Content-Type": DOCKER_MANIFEST } }));
                if (url.pathname === `/v2/underworldcode/base/blobs/${sha256(CONFIG)}`) return Promise.resolve(new Response(CONFIG));
                return json(404, { errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] });
            };
            const result = await fetchImageManifests(parseImageReference("docker.io/underworldcode/base:1"), hubLogin, { fetch: dockerHub });
            assert.equal(result.platforms[0].platform, "linux/amd64");
            assert.deepEqual(
                hub.filter((r) => r.authorization?.startsWith("Basic")).map((r) => new URL(r.url).host),
                ["auth.docker.io"],
            );
            // The same challenge from another registry is not that registry's token service.
            await assert.rejects(
                fetchImageManifests(
                    parseImageReference("ghcr.io/underworldcode/base:1"),
                    { ...hubLogin, registry: "ghcr.io" },
                    {
                        fetch: (input, init) =>
                            dockerHub(new URL(new URL(input instanceof Request ? input.url : input.toString()).pathname, "https://registry-1.docker.io"), init),
                    },
                ),
                { message: /the Bearer challenge sends credentials to https:\/\/auth\.docker\.io, which is not the token service of ghcr\.io/ },
            );
        });

        it("issue 20, finding 1: credentials bound to one registry are never sent to another", async () => {
            const basicAnswer = (req: http.IncomingMessage, url: URL): Answer | undefined =>
                req.headers.authorization ? openRoute(body)(req, url) : { status: 401, headers: { "WWW-Authenticate": 'Basic realm="r"' } };
            registry.route = basicAnswer;
            await assert.rejects(fetchImageManifests(ref(), { ...creds, registry: "ghcr.io" }), { name: "RegistryError", message: /none were given$/ });
            assert.deepEqual(
                registry.requests.map((r) => r.headers.authorization),
                [undefined],
            );
            // Bound to this registry (host names are case-insensitive), the same login is used.
            const result = await fetchImageManifests(ref(), { ...creds, registry: registry.host.toUpperCase() });
            assert.equal(result.platforms.length, 1);
            assert.deepEqual(
                registry.requests.slice(1).map((r) => r.headers.authorization),
                [undefined, basic, basic],
            );
        });

        it("an anonymous check may still use another host's token service (nothing secret goes there)", async () => {
            elsewhere.route = (req) => (req.headers.authorization ? { status: 400 } : { body: JSON.stringify({ token: "good-token" }) });
            registry.route = challengeRoute(`http://${elsewhere.host}/token`);
            const result = await fetchImageManifests(ref());
            assert.equal(result.platforms.length, 1);
            assert.equal(elsewhere.requests.length, 1);
            assert.equal(elsewhere.requests[0].headers.authorization, undefined);
        });

        it("asks for pull on the checked repository only, whatever scope the challenge names", async () => {
            registry.route = challengeRoute(`http://${registry.host}/token`, "repository:someone/else:push,pull");
            await fetchImageManifests(ref(), creds);
            const token = registry.requests.find((r) => r.path.startsWith("/token"));
            assert.equal(token?.path, "/token?service=fake&scope=repository%3Auw3%2Fbase%3Apull");
            assert.equal(token?.headers.authorization, basic);
        });

        it("refuses a realm that is not http(s)", async () => {
            registry.route = challengeRoute("file:///etc/passwd");
            await assert.rejects(fetchImageManifests(ref(), creds), {
                message: `registry ${registry.host}, repository uw3/base, reference 1: Bearer realm "file:///etc/passwd" is not an http(s) URL`,
            });
        });

        it("a redirect to another origin does not carry the Authorization header", async () => {
            elsewhere.route = (_req, url) => (url.pathname === "/config" ? { body: CONFIG } : undefined);
            registry.route = (req, url): Answer | undefined => {
                if (req.headers.authorization !== basic) return { status: 401, headers: { "WWW-Authenticate": 'Basic realm="r"' } };
                if (url.pathname === "/v2/uw3/base/manifests/1") return { headers: { "Content-Type": DOCKER_MANIFEST }, body };
                if (url.pathname.startsWith("/v2/uw3/base/blobs/")) return { status: 307, headers: { Location: `http://${elsewhere.host}/config` } };
                return undefined;
            };
            const result = await fetchImageManifests(ref(), creds);
            assert.equal(result.platforms[0].platform, "linux/amd64");
            assert.equal(elsewhere.requests.length, 1);
            assert.equal(elsewhere.requests[0].headers.authorization, undefined);
            // The registry itself still got the credentials on its own origin.
            assert.equal(registry.requests.filter((r) => r.headers.authorization === basic).length, 2);
        });
    });

    describe("bounds on what a registry can make the client do (issue 10, item 13)", () => {
        function indexOf(children: { body: string; digest?: string; annotations?: Record<string, string>; platform?: object }[]): string {
            return JSON.stringify({
                schemaVersion: 2,
                mediaType: OCI_INDEX,
                manifests: children.map((c) => ({
                    mediaType: OCI_MANIFEST,
                    digest: c.digest ?? sha256(c.body),
                    size: c.body.length,
                    platform: c.platform ?? { os: "linux", architecture: "amd64" },
                    ...(c.annotations ? { annotations: c.annotations } : {}),
                })),
            });
        }

        it("refuses an index with more manifests than it will follow, after one request", async () => {
            const children = Array.from({ length: 65 }, (_, i) => ({ body: manifest([{ digest: LAYER_A, size: i + 1 }], OCI_MANIFEST) }));
            registry.route = (_req, url) =>
                url.pathname === "/v2/uw3/base/manifests/1" ? { headers: { "Content-Type": OCI_INDEX }, body: indexOf(children) } : undefined;
            await assert.rejects(fetchImageManifests(ref()), {
                message: `registry ${registry.host}, repository uw3/base, reference 1: the index 1 lists 65 manifests; at most 64 are read (one request each), so this is not an image index this check follows`,
            });
            assert.equal(registry.requests.length, 1);
        });

        it("verifies a sha512 child and catches one whose bytes do not match", async () => {
            const child = manifest([{ digest: LAYER_A, size: 5 }], OCI_MANIFEST);
            const sha512 = `sha512:${createHash("sha512").update(child).digest("hex")}`;
            const serve =
                (served: string): Route =>
                (_req, url) => {
                    if (url.pathname === "/v2/uw3/base/manifests/1")
                        return { headers: { "Content-Type": OCI_INDEX }, body: indexOf([{ body: child, digest: sha512 }]) };
                    if (url.pathname === `/v2/uw3/base/manifests/${sha512}`) return { headers: { "Content-Type": OCI_MANIFEST }, body: served };
                    return undefined;
                };
            registry.route = serve(child);
            const result = await fetchImageManifests(ref());
            assert.equal(result.platforms[0].digest, sha512);
            const other = manifest([{ digest: LAYER_B, size: 5 }], OCI_MANIFEST);
            registry.route = serve(other);
            await assert.rejects(fetchImageManifests(ref()), {
                message:
                    `registry ${registry.host}, repository uw3/base, reference 1: the manifest ${sha512} (listed in index 1) hashes to ` +
                    `sha512:${createHash("sha512").update(other).digest("hex")}, expected ${sha512}`,
            });
        });

        it("refuses a child digest whose algorithm it cannot verify, without requesting it", async () => {
            const child = manifest([{ digest: LAYER_A, size: 5 }], OCI_MANIFEST);
            registry.route = (_req, url) =>
                url.pathname === "/v2/uw3/base/manifests/1"
                    ? { headers: { "Content-Type": OCI_INDEX }, body: indexOf([{ body: child, digest: "md5:0123456789abcdef" }]) }
                    : undefined;
            await assert.rejects(fetchImageManifests(ref()), {
                message: `registry ${registry.host}, repository uw3/base, reference 1: the index 1 lists digest "md5:0123456789abcdef" uses an algorithm this check cannot verify; expected sha256 or sha512`,
            });
            assert.equal(registry.requests.length, 1);
        });

        it("keeps attestation entries apart, by the platform they declare", async () => {
            const arm = manifest([{ digest: LAYER_A, size: 5 }], OCI_MANIFEST);
            const att = manifest([{ digest: LAYER_B, size: 5 }], OCI_MANIFEST);
            const byPath: Record<string, string> = {
                "/v2/uw3/base/manifests/1": indexOf([
                    { body: arm, platform: { os: "linux", architecture: "arm64" } },
                    { body: att, platform: { os: "unknown", architecture: "unknown" }, annotations: { "vnd.docker.reference.type": "attestation-manifest" } },
                ]),
                [`/v2/uw3/base/manifests/${sha256(arm)}`]: arm,
            };
            registry.route = (_req, url) =>
                byPath[url.pathname] ? { headers: { "Content-Type": "application/json" }, body: byPath[url.pathname] } : undefined;
            const result = await fetchImageManifests(ref());
            assert.deepEqual(
                result.platforms.map((p) => p.platform),
                ["linux/arm64"],
            );
            assert.deepEqual(result.attestations, ["unknown/unknown"]);
        });

        it("an error message quoting the registry is escaped and capped (ANSI escapes, 50 KB and 1 MB messages)", async () => {
            const hostile = "\u001b[2J\u001b[31mDENIED\u001b[0m\r" + "x".repeat(50000);
            registry.route = () => ({ status: 403, body: JSON.stringify({ errors: [{ code: "DENIED", message: hostile }] }) });
            await assert.rejects(fetchImageManifests(ref()), (err: RegistryError) => {
                assert.doesNotMatch(err.message, /[\u0000-\u001f]/);
                assert.ok(err.message.length < 600, `message is ${err.message.length} characters`);
                assert.match(
                    err.message,
                    /answered HTTP 403 \(DENIED \\x1b\[2J\\x1b\[31mDENIED\\x1b\[0m\\x0dx+… \(\d+ characters in all\)\): pull access denied$/,
                );
                return true;
            });
            // A body over the error-body bound is not read at all; the status alone is reported.
            registry.route = () => ({ status: 403, body: JSON.stringify({ errors: [{ code: "DENIED", message: hostile + "y".repeat(1024 * 1024) }] }) });
            await assert.rejects(fetchImageManifests(ref()), {
                message: `registry ${registry.host}, repository uw3/base, reference 1: GET http://${registry.host}/v2/uw3/base/manifests/1 answered HTTP 403: pull access denied`,
            });
        });
    });

    describe("layer attribution from the config blob (issue 11, item 4)", () => {
        const big = 900 * 1024 * 1024;
        function indexRoute(config: string): Route {
            const child = JSON.stringify({
                schemaVersion: 2,
                mediaType: OCI_MANIFEST,
                config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length },
                layers: [
                    { mediaType: "x", digest: LAYER_A, size: 100 },
                    { mediaType: "x", digest: LAYER_B, size: big },
                ],
            });
            const index = JSON.stringify({
                schemaVersion: 2,
                mediaType: OCI_INDEX,
                manifests: [{ mediaType: OCI_MANIFEST, digest: sha256(child), size: child.length, platform: { os: "linux", architecture: "amd64" } }],
            });
            return (_req, url) => {
                if (url.pathname === "/v2/uw3/base/manifests/1") return { headers: { "Content-Type": OCI_INDEX }, body: index };
                if (url.pathname === `/v2/uw3/base/manifests/${sha256(child)}`) return { headers: { "Content-Type": OCI_MANIFEST }, body: child };
                if (url.pathname === `/v2/uw3/base/blobs/${sha256(config)}`) return { body: config };
                return undefined;
            };
        }
        const history = [
            { created_by: "/bin/sh -c #(nop) ADD file:abc in / " },
            { created_by: "/bin/sh -c #(nop)  ENV PYVISTA_OFF_SCREEN=true", empty_layer: true },
            { created_by: "COPY --from=builder /env/lib /env/lib # buildkit" },
        ];

        it("reads the config only for a platform with a layer over the limit, and names the instruction", async () => {
            const config = JSON.stringify({ os: "linux", architecture: "amd64", config: { Env: ["PATH=/bin"] }, history });
            registry.route = indexRoute(config);
            const passing = await checkLayers(ref(), { maxLayerMb: 1000, maxImageMb: 4096 });
            assert.equal(passing.ok, true);
            assert.ok(!registry.requests.some((r) => r.path.includes("/blobs/")), "a passing image costs no config read");
            const failing = await checkLayers(ref(), { maxLayerMb: 800, maxImageMb: 4096 });
            assert.equal(failing.ok, false);
            assert.match(
                failing.detail,
                /^1 layer over the 800 MB layer limit: layer 2 of 2, 900\.0 MB, from `COPY --from=builder \/env\/lib \/env\/lib` \(sha256:bbbbbbbbbbbb…\): split it \(see the setup document's split COPY layers\) — /,
            );
        });

        it("a config blob over the bound is not read; the layer is still named by position", async () => {
            const config = JSON.stringify({ os: "linux", architecture: "amd64", history, padding: "p".repeat(300 * 1024) });
            registry.route = indexRoute(config);
            const result = await checkLayers(ref(), { maxLayerMb: 800, maxImageMb: 4096 });
            assert.match(result.detail, /^1 layer over the 800 MB layer limit: 900\.0 MB sha256:bbbbbbbbbbbb… \(layer 2 of 2\) — /);
        });
    });
});
