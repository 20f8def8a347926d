import * as assert from "node:assert/strict";
import { failedResult, pinFromRepoDigests, renderCheckTable } from "../../src/check/run";
import { CheckNotRunError } from "../../src/check/checkContext";
import { DockerUnavailableError } from "../../src/docker/cli";
import { ImageNotLocalError } from "../../src/docker/image";
import { parseImageReference } from "../../src/names/oci";

const DIGEST = "sha256:6d3894260f28dc837a21ce77a94bb1781f4ca12422934be7a4bd34b4a7b1223f";
const OTHER = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

describe("renderCheckTable", () => {
    it("aligns name, PASS/FAIL, seconds and detail, and ends with a verdict", () => {
        const table = renderCheckTable([
            { name: "user", ok: true, detail: 'runs as UID 1000 (Config.User "jovyan")', seconds: 0.44 },
            {
                name: "jupyter",
                ok: false,
                detail: "no HTTP answer on 127.0.0.1:8888 within 30 s; last log lines:\n  [I] starting\n  [I] still starting",
                seconds: 30.56,
            },
            { name: "jit", ok: true, detail: "cc1 at /env/libexec/cc1; include/ at /env/include", seconds: 0.3 },
        ]);
        assert.equal(
            table,
            [
                "CHECK    RESULT    TIME  DETAIL",
                'user     PASS     0.4 s  runs as UID 1000 (Config.User "jovyan")',
                "jupyter  FAIL    30.6 s  no HTTP answer on 127.0.0.1:8888 within 30 s; last log lines:",
                "                           [I] starting",
                "                           [I] still starting",
                "jit      PASS     0.3 s  cc1 at /env/libexec/cc1; include/ at /env/include",
                "1 of 3 checks failed: jupyter",
            ].join("\n"),
        );
    });

    it("says when every check passed", () => {
        const table = renderCheckTable([
            { name: "layers", ok: true, detail: "ok", seconds: 0.1 },
            { name: "visibility", ok: true, detail: "ok", seconds: 0.1 },
        ]);
        assert.equal(table.split("\n").pop(), "all 2 checks passed");
        assert.equal(
            renderCheckTable([{ name: "user", ok: true, detail: "ok", seconds: 1 }])
                .split("\n")
                .pop(),
            "1 check passed",
        );
    });

    it("handles no results", () => {
        assert.equal(renderCheckTable([]), "CHECK  RESULT  TIME  DETAIL\nno checks ran");
    });
});

describe("failedResult", () => {
    it("says a check was not run when Docker or the host was the problem", () => {
        assert.deepEqual(failedResult("user", new DockerUnavailableError("Docker engine unreachable: Cannot connect"), 0.1), {
            name: "user",
            ok: false,
            detail: "not run: Docker engine unreachable: Cannot connect",
            seconds: 0.1,
        });
        assert.equal(
            failedResult("jit", new ImageNotLocalError("image x is not in the local Docker engine"), 0).detail,
            "not run: image x is not in the local Docker engine",
        );
        assert.equal(failedResult("jupyter", new CheckNotRunError("127.0.0.1:8888 is already in use"), 0).detail, "not run: 127.0.0.1:8888 is already in use");
    });

    it("names any other error as the check itself failing", () => {
        assert.equal(
            failedResult("import", new TypeError("cannot read properties of undefined"), 0.2).detail,
            "the check itself failed (TypeError): cannot read properties of undefined",
        );
        assert.equal(failedResult("kernel", "boom", 0).detail, "the check itself failed (error): boom");
    });
});

describe("pinFromRepoDigests", () => {
    it("finds the repo digest of the same registry and repository, keeping the tag", () => {
        const ref = parseImageReference("127.0.0.1:5000/uw3-binder-test/good:1");
        const pin = pinFromRepoDigests(ref, [`127.0.0.1:5000/other@${OTHER}`, `127.0.0.1:5000/uw3-binder-test/good@${DIGEST}`]);
        assert.equal(pin, `127.0.0.1:5000/uw3-binder-test/good:1@${DIGEST}`);
    });

    it("matches Docker Hub repo digests, which docker prints in familiar form", () => {
        const ref = parseImageReference("underworldcode/underworld2:2.15");
        assert.equal(pinFromRepoDigests(ref, [`underworldcode/underworld2@${DIGEST}`]), `docker.io/underworldcode/underworld2:2.15@${DIGEST}`);
    });

    it("is undefined when no repo digest is for that repository", () => {
        const ref = parseImageReference("ghcr.io/underworldcode/uw3-base:2025.01-slim");
        assert.equal(pinFromRepoDigests(ref, [`ghcr.io/underworldcode/uw3-deps@${DIGEST}`, "not a reference"]), undefined);
        assert.equal(pinFromRepoDigests(ref, []), undefined);
    });
});
