/**
 * Written-once tags against a registry answering as the distribution API does (a scripted `fetch`):
 * 404 MANIFEST_UNKNOWN for a tag it does not hold, the manifest and its digest for one it does.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { checkTagsVacant } from "../../src/source/writeOnce";
import { DOCKER_MANIFEST } from "../../src/registry/schemas";

const CONFIG = JSON.stringify({ os: "linux", architecture: "amd64", rootfs: { type: "layers", diff_ids: [] } });
const sha256 = (text: string): string => `sha256:${createHash("sha256").update(text).digest("hex")}`;
const MANIFEST = JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: sha256(CONFIG), size: CONFIG.length },
    layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: `sha256:${"a".repeat(64)}`, size: 10 }],
});

/** A registry at 127.0.0.1:5000 holding `underworldcode/underworld2:2.16.0-ompi` and nothing else; records the paths asked. */
function registry(asked: string[]): typeof fetch {
    return (input: string | URL | Request): Promise<Response> => {
        const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
        asked.push(url.pathname);
        if (url.pathname === "/v2/underworldcode/underworld2/manifests/2.16.0-ompi") {
            return Promise.resolve(
                new Response(MANIFEST, { status: 200, headers: { "Content-Type": DOCKER_MANIFEST, "Docker-Content-Digest": sha256(MANIFEST) } }),
            );
        }
        const body = JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown", detail: { Tag: url.pathname.split("/").pop() } }] });
        return Promise.resolve(new Response(body, { status: 404, headers: { "Content-Type": "application/json" } }));
    };
}

describe("writeOnce: a written-once tag is never overwritten", () => {
    it("lets a build through when the registry holds none of its tags", async () => {
        const asked: string[] = [];
        await checkTagsVacant(["127.0.0.1:5000/underworldcode/underworld2:2.17.0-ompi"], undefined, { fetch: registry(asked) });
        assert.ok(asked.includes("/v2/underworldcode/underworld2/manifests/2.17.0-ompi"), `asked ${asked.join(", ")}`);
    });

    it("refuses a build whose tag the registry already holds, naming the tag and the digest it holds", async () => {
        await assert.rejects(
            checkTagsVacant(["127.0.0.1:5000/underworldcode/underworld2:2.17.0-ompi", "127.0.0.1:5000/underworldcode/underworld2:2.16.0-ompi"], undefined, {
                fetch: registry([]),
            }),
            {
                message: `127.0.0.1:5000/underworldcode/underworld2:2.16.0-ompi is written once and the registry already holds it at ${sha256(MANIFEST)}; a build would overwrite it: give the release a new tag, or stop building this image (\`build: on-request\`)`,
            },
        );
    });
});
