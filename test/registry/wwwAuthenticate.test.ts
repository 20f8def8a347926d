/**
 * The WWW-Authenticate parser: every challenge of a header, and the one the client answers. What a user
 * relies on: logging into GHCR, Docker Hub or a private registry that offers several challenges (one
 * header listing Bearer and Basic, or several headers fetch joins with commas).
 */
import * as assert from "node:assert/strict";
import { parseChallenges, parseWwwAuthenticate, preferredChallenge } from "../../src/registry/wwwAuthenticate";

describe("WWW-Authenticate", () => {
    describe("parseWwwAuthenticate", () => {
        it("parses a GHCR Bearer challenge, keeping commas inside quotes", () => {
            assert.deepEqual(parseWwwAuthenticate('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/n:pull,push"'), {
                scheme: "bearer",
                params: { realm: "https://ghcr.io/token", service: "ghcr.io", scope: "repository:o/n:pull,push" },
            });
        });

        it("parses docker-registry's Basic challenge and unquoted, spaced parameters", () => {
            assert.deepEqual(parseWwwAuthenticate('Basic realm="basic-realm"'), { scheme: "basic", params: { realm: "basic-realm" } });
            assert.deepEqual(parseWwwAuthenticate("Bearer realm=https://t/token , Service = reg"), {
                scheme: "bearer",
                params: { realm: "https://t/token", service: "reg" },
            });
        });

        it("unescapes quoted-pair characters", () => {
            assert.deepEqual(parseWwwAuthenticate('Basic realm="a \\"b\\""'), { scheme: "basic", params: { realm: 'a "b"' } });
        });

        it("rejects a header without a scheme", () => {
            assert.throws(() => parseWwwAuthenticate('="x"'), {
                message: 'malformed WWW-Authenticate header "="x"": expected "<scheme> key=value, ..."',
            });
        });
    });

    describe("parseChallenges", () => {
        it("reads every challenge of a header, in order", () => {
            assert.deepEqual(parseChallenges('Basic realm="Registry", Bearer realm="https://auth.docker.io/token",service="registry.docker.io"'), [
                { scheme: "basic", params: { realm: "Registry" } },
                { scheme: "bearer", params: { realm: "https://auth.docker.io/token", service: "registry.docker.io" } },
            ]);
        });

        it("reads challenges that fetch joined from several headers, keeping commas and escapes inside quotes", () => {
            assert.deepEqual(parseChallenges('Bearer realm="https://r/token",scope="repository:a/b:pull,push", Basic realm="say \\"hi\\", then go"'), [
                { scheme: "bearer", params: { realm: "https://r/token", scope: "repository:a/b:pull,push" } },
                { scheme: "basic", params: { realm: 'say "hi", then go' } },
            ]);
        });

        it("treats scheme and parameter names case-insensitively", () => {
            assert.deepEqual(parseChallenges('BASIC Realm="r", bEaReR REALM="https://t", Service=s'), [
                { scheme: "basic", params: { realm: "r" } },
                { scheme: "bearer", params: { realm: "https://t", service: "s" } },
            ]);
        });

        it("reads a scheme without parameters and a token68 challenge before others", () => {
            assert.deepEqual(parseChallenges('Negotiate, NTLM abc+/==, Basic realm="r"'), [
                { scheme: "negotiate", params: {} },
                { scheme: "ntlm", params: {}, token68: "abc+/==" },
                { scheme: "basic", params: { realm: "r" } },
            ]);
        });

        it("rejects an empty header, naming what was expected", () => {
            assert.throws(() => parseChallenges(""), { message: 'malformed WWW-Authenticate header "": expected "<scheme> key=value, ..."' });
        });
    });

    describe("the challenge answered", () => {
        it("is Bearer when a registry offers Basic first and Bearer second", () => {
            assert.deepEqual(parseWwwAuthenticate('Basic realm="r", Bearer realm="https://ghcr.io/token",service="ghcr.io"'), {
                scheme: "bearer",
                params: { realm: "https://ghcr.io/token", service: "ghcr.io" },
            });
        });

        it("is Basic when it is the only scheme this client speaks", () => {
            assert.deepEqual(parseWwwAuthenticate('Negotiate, Basic realm="private"'), { scheme: "basic", params: { realm: "private" } });
        });

        it("is the first challenge when none is Bearer or Basic (the client then names the scheme it cannot answer)", () => {
            assert.equal(preferredChallenge(parseChallenges("Negotiate, NTLM"))?.scheme, "negotiate");
        });
    });
});
