/** The `withdrawn` check's decision (pure) and its option on a command line. */
import * as assert from "node:assert/strict";
import { evaluateWithdrawn } from "../../src/check/checks/withdrawn";
import { parseCheckArgs } from "../../src/cli/check";
import { UsageError } from "../../src/cli/errors";

const REF = `ghcr.io/underworldcode/uw3-base:2025.02-slim@sha256:${"1".repeat(64)}`;
const d = (c: string) => `sha256:${c.repeat(64)}`;
const platform = (digest: string, name = "linux/amd64") => ({ platform: name, digest, mediaType: "m", configDigest: d("9"), layers: [] });
const WITHDRAWN = [{ digest: d("a"), reason: "wrong sign in the Stokes solver" }];

describe("withdrawn check (pure)", () => {
    it("fails an image whose digest is withdrawn, naming the digest and the reason", () => {
        assert.deepEqual(evaluateWithdrawn({ platforms: [platform(d("a"))] }, { withdrawn: WITHDRAWN, parents: [] }, d("a")), {
            ok: false,
            detail: `${d("a")} is withdrawn: wrong sign in the Stokes solver (uw3-binder:withdrawn)`,
        });
    });

    it("fails an index when one platform manifest is withdrawn, and a build FROM a withdrawn parent", () => {
        const index = { indexDigest: d("b"), platforms: [platform(d("c")), platform(d("a"), "linux/arm64")] };
        assert.equal(evaluateWithdrawn(index, { withdrawn: WITHDRAWN, parents: [] }, d("b")).ok, false);
        assert.deepEqual(evaluateWithdrawn({ platforms: [platform(d("c"))] }, { withdrawn: WITHDRAWN, parents: [d("a")] }, d("c")), {
            ok: false,
            detail: `built FROM ${d("a")}, which is withdrawn: wrong sign in the Stokes solver (uw3-binder:withdrawn)`,
        });
    });

    it("passes an image with none of its digests or parents withdrawn", () => {
        assert.deepEqual(evaluateWithdrawn({ platforms: [platform(d("c"))] }, { withdrawn: WITHDRAWN, parents: [d("e")] }, d("c")), {
            ok: true,
            detail: "none of its digests or parents' is among the 1 withdrawn",
        });
        assert.deepEqual(evaluateWithdrawn({ platforms: [] }, { withdrawn: [], parents: [] }), { ok: true, detail: "no release is withdrawn" });
    });

    it("check reads --withdrawn with URI-encoded reasons and refuses an entry without a reason or with a bad digest", () => {
        assert.deepEqual(parseCheckArgs([REF, `--withdrawn=${d("a")}=a%2C%20b%3Dc`]).options.withdrawn, [{ digest: d("a"), reason: "a, b=c" }]);
        for (const bad of [d("a"), `${d("a")}=`, `sha256:abc=why`, `${d("a")}=%E0%A4%A`]) {
            assert.throws(
                () => parseCheckArgs([REF, `--withdrawn=${bad}`]),
                (err: Error) =>
                    err instanceof UsageError && err.message.startsWith("--withdrawn must be a list of at most 20 sha256:<64 hex>=<reason> entries"),
                bad,
            );
        }
    });
});
