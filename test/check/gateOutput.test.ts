/**
 * A failed gate's error is what `pulumi up` prints and CI logs keep: it quotes the check's output, unless
 * that output holds the registry password or the Basic header made of it (a registry may echo either).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runGate } from "../../src/check/gate";

const REFERENCE = `127.0.0.1:9/uw3/base:1@sha256:${"d".repeat(64)}`;
const LOGIN = { username: "robot", password: "s3cret-registry-pass" };

describe("gate: a failed check's output is quoted only without the login (issue 20)", function () {
    this.timeout(30000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-gate-output-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** A stand-in for `uw3-binder check` that prints `line` (made from its environment) and fails. */
    function fakeCheck(name: string, line: string): string {
        const file = path.join(dir, `${name}.js`);
        const env = "const u = process.env.UW3_BINDER_REGISTRY_USERNAME, p = process.env.UW3_BINDER_REGISTRY_PASSWORD;";
        fs.writeFileSync(file, `${env}\nprocess.stdout.write(${line} + "\\n");\nprocess.exitCode = 1;\n`);
        return file;
    }

    it("withholds output with the password or with base64(user:password), and quotes output with neither", async () => {
        const withheld = `the gate for ${REFERENCE} failed (exit 1); its output is withheld because it contained the registry password`;
        await assert.rejects(runGate({ reference: REFERENCE, args: [], ...LOGIN }, fakeCheck("password", "`refused ${u}:${p}`")), { message: withheld });
        const basic = fakeCheck("basic", '`HTTP 401 (UNAUTHORIZED refused "Basic ${Buffer.from(u + ":" + p).toString("base64")}")`');
        await assert.rejects(runGate({ reference: REFERENCE, args: [], ...LOGIN }, basic), { message: withheld });
        await assert.rejects(runGate({ reference: REFERENCE, args: [], ...LOGIN }, fakeCheck("plain", '"layers FAIL: too big"')), {
            message: `the gate for ${REFERENCE} failed (uw3-binder check exit 1):\nlayers FAIL: too big\n`,
        });
    });
});
