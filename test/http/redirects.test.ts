/** The one redirect rule the registry client and the hub client follow (src/http/redirects.ts). */
import * as assert from "assert/strict";
import { redirectTarget } from "../../src/http/redirects";

describe("redirectTarget: the one redirect rule for registries and hubs", () => {
    const https = new URL("https://hub.example/build/gh/o/r/main");
    const http = new URL("http://127.0.0.1:5000/v2/a/manifests/1");

    it("follows a relative or absolute http(s) Location, resolved against the current URL", () => {
        assert.equal((redirectTarget(https, "/other", 0) as { next: URL }).next.href, "https://hub.example/other");
        assert.equal((redirectTarget(http, "https://storage.example/blob?sig=1", 4) as { next: URL }).next.href, "https://storage.example/blob?sig=1");
    });

    it("refuses what neither client may follow, each with its reason", () => {
        assert.deepEqual(redirectTarget(https, null, 0), { refused: "no location" });
        assert.deepEqual(redirectTarget(https, "http://[bad", 0), { refused: "not a URL", location: "http://[bad" });
        assert.equal((redirectTarget(https, "ftp://x.example/", 0) as { refused: string }).refused, "not http(s)");
        assert.equal((redirectTarget(https, "http://hub.example/", 0) as { refused: string }).refused, "https to http");
        assert.equal((redirectTarget(http, "https://u:p@x.example/", 0) as { refused: string }).refused, "credentials");
        assert.equal((redirectTarget(https, "/again", 5) as { refused: string }).refused, "too many");
    });
});
