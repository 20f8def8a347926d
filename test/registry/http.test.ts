/**
 * Which scheme the registry client speaks (src/registry/http.ts): https to every registry, as GHCR serves
 * it; plain http only to a loopback registry that does not speak TLS (a local mirror, `registry:2` without
 * a certificate), as Docker allows; never plain http after a TLS answer, even when the certificate is not
 * trusted. The servers here are real sockets on 127.0.0.1; the TLS one has a self-signed certificate no
 * process trusts (test/fixtures/tls), which is what a downgrade attack would have to get past.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { RegistryError } from "../../src/registry/errors";
import { BoundedHttp, registryBaseUrl } from "../../src/registry/http";

const FIXTURES = path.join(__dirname, "..", "fixtures", "tls");

/** A server on 127.0.0.1 that counts the requests it gets. */
async function listen(server: http.Server | https.Server, port = 0): Promise<{ port: number; requests: string[]; close: () => Promise<void> }> {
    const requests: string[] = [];
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
        requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end("{}");
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", resolve);
    });
    return {
        port: (server.address() as AddressInfo).port,
        requests,
        close: () => {
            server.closeAllConnections();
            return new Promise((resolve) => server.close(() => resolve()));
        },
    };
}

function tlsServer(): https.Server {
    return https.createServer({ cert: fs.readFileSync(path.join(FIXTURES, "self-signed.crt")), key: fs.readFileSync(path.join(FIXTURES, "self-signed.key")) });
}

describe("registry client: https first, plain http only to a loopback registry without TLS", () => {
    it("names every registry with https, loopback ones included, and docker.io by its API host", () => {
        assert.equal(registryBaseUrl("ghcr.io"), "https://ghcr.io");
        assert.equal(registryBaseUrl("127.0.0.1:5000"), "https://127.0.0.1:5000");
        assert.equal(registryBaseUrl("localhost:5001"), "https://localhost:5001");
        assert.equal(registryBaseUrl("docker.io"), "https://registry-1.docker.io");
    });

    it("asks a loopback registry that answers plain http over http, on the same port", async () => {
        const server = await listen(http.createServer());
        try {
            const client = new BoundedHttp("test");
            const url = await client.resolve(`https://127.0.0.1:${server.port}/v2/a/b/manifests/1`);
            assert.equal(url, `http://127.0.0.1:${server.port}/v2/a/b/manifests/1`);
            const res = await client.get(url, "application/json", "Basic dTpw");
            assert.equal(res.status, 200);
            // The TLS hello is not an HTTP request: the server saw exactly one.
            assert.deepEqual(server.requests, ["GET /v2/a/b/manifests/1 Basic dTpw"]);
        } finally {
            await server.close();
        }
    });

    it("keeps https for a loopback registry that answers TLS, and a certificate nobody trusts fails, naming why, with nothing sent over http", async () => {
        const server = await listen(tlsServer());
        try {
            const client = new BoundedHttp(`registry 127.0.0.1:${server.port}`, { timeoutMs: 5000 });
            const url = await client.resolve(`https://127.0.0.1:${server.port}/v2/a/b/manifests/1`);
            assert.equal(url, `https://127.0.0.1:${server.port}/v2/a/b/manifests/1`);
            await assert.rejects(client.get(url, "application/json", "Basic dTpw"), (err: RegistryError) => {
                assert.ok(err instanceof RegistryError);
                assert.equal(err.kind, "unreachable");
                assert.equal(
                    err.message,
                    `cannot reach registry 127.0.0.1:${server.port} (GET ${url}: DEPTH_ZERO_SELF_SIGNED_CERT: its TLS certificate is not trusted by this process (a private CA goes in NODE_EXTRA_CA_CERTS))`,
                );
                return true;
            });
            assert.deepEqual(server.requests, [], "no request got past the TLS handshake");
        } finally {
            await server.close();
        }
    });

    it("never downgrades a loopback port that answered TLS, even when plain http answers there later in the conversation", async () => {
        const first = await listen(tlsServer());
        const port = first.port;
        const client = new BoundedHttp("test");
        assert.equal(await client.resolve(`https://127.0.0.1:${port}/v2/`), `https://127.0.0.1:${port}/v2/`);
        await first.close();
        const plain = await listen(http.createServer(), port);
        try {
            assert.equal(await client.resolve(`https://127.0.0.1:${port}/v2/x/manifests/1`), `https://127.0.0.1:${port}/v2/x/manifests/1`);
            // A new conversation asks again.
            assert.equal(await new BoundedHttp("test").resolve(`https://127.0.0.1:${port}/v2/`), `http://127.0.0.1:${port}/v2/`);
        } finally {
            await plain.close();
        }
    });

    it("keeps https when nothing answers on a loopback port (the request then says it cannot reach it)", async () => {
        const server = await listen(http.createServer());
        const port = server.port;
        await server.close();
        const client = new BoundedHttp("registry r");
        const url = await client.resolve(`https://127.0.0.1:${port}/v2/`);
        assert.equal(url, `https://127.0.0.1:${port}/v2/`);
        await assert.rejects(client.get(url, "application/json"), { message: `cannot reach registry r (GET ${url}: ECONNREFUSED)` });
    });

    it("never asks a host that is not loopback over http, and does not probe it", async () => {
        const client = new BoundedHttp("test", {
            fetch: () => Promise.reject(new Error("no request expected")),
        });
        assert.equal(await client.resolve("https://ghcr.io/v2/o/r/manifests/1"), "https://ghcr.io/v2/o/r/manifests/1");
        assert.equal(await client.resolve("https://10.0.0.1:5000/v2/"), "https://10.0.0.1:5000/v2/");
        assert.equal(await client.resolve("http://127.0.0.1:5000/v2/"), "http://127.0.0.1:5000/v2/");
    });
});
