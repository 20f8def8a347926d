/**
 * What a failing gate prints: the real CLI (bin/uw3-binder.js check --print-ref, as a gate runs it) against
 * a hostile scripted registry on loopback. The command provider puts the whole stdout and stderr of a
 * failing gate into `pulumi up`'s error, so they must hold only our table: no terminal control, no
 * megabytes, no credentials.
 */
import * as assert from "node:assert/strict";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { run, RunResult } from "../integration/harness";

const CLI = path.join(__dirname, "..", "..", "bin", "uw3-binder.js");
const USER = "robot";
const PASSWORD = "gate-password-0123456789";
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
const ANSI = "\u001b[2J\u001b[H\u001b]0;owned\u0007\u001b[31m";

function cli(args: string[]): Promise<RunResult> {
    return run(process.execPath, [CLI, "check", ...args], { env: { UW3_BINDER_REGISTRY_USERNAME: USER, UW3_BINDER_REGISTRY_PASSWORD: PASSWORD } });
}

describe("check output against a hostile registry (real CLI)", function () {
    this.timeout(60000);
    let answer: (req: http.IncomingMessage) => { status: number; headers?: Record<string, string>; body: string };
    const server = http.createServer((req, res) => {
        const a = answer(req);
        res.writeHead(a.status, { "Content-Type": "application/json", ...a.headers });
        res.end(a.body);
    });
    before(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)));
    after(() => new Promise((resolve) => server.close(resolve)));
    const ref = () => `127.0.0.1:${(server.address() as AddressInfo).port}/uw3/base:1`;

    function assertClean(text: string): void {
        assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f]/, "control characters reached the output");
        assert.ok(!text.includes(PASSWORD), "the password reached the output");
        assert.ok(!text.includes(BASIC), "the Basic credentials reached the output");
    }

    it("escapes ANSI escapes, caps a 50 KB message and blanks echoed credentials in the gate's table", async () => {
        answer = (req) =>
            req.headers.authorization
                ? {
                      status: 403,
                      body: JSON.stringify({
                          errors: [{ code: "DENIED", message: `${ANSI}you sent ${req.headers.authorization} (${PASSWORD}) ${"A".repeat(50000)}` }],
                      }),
                  }
                : { status: 401, headers: { "WWW-Authenticate": `Basic realm="realm"` }, body: "" };
        const result = await cli([ref(), "--print-ref", "--only", "layers"]);
        assert.equal(result.code, 1);
        assert.equal(result.stdout, "");
        assertClean(result.stderr);
        assert.ok(result.stderr.length < 1500, `stderr is ${result.stderr.length} characters`);
        assert.match(
            result.stderr,
            /^layers +FAIL +\d+\.\d s {2}cannot read the manifests: .* answered HTTP 403 \(DENIED \\x1b\[2J\\x1b\[H\\x1b\]0;owned\\x07\\x1b\[31myou sent Basic \*\*\* \(\*\*\*\) A+… \(\d+ characters in all\)\): pull access denied$/m,
        );
    });

    it("keeps a 1 MB answer out of --json and the table alike", async () => {
        const huge = `${ANSI}${"B".repeat(1024 * 1024)}`;
        answer = () => ({ status: 200, headers: { "Content-Type": "text/html" }, body: huge });
        const json = await cli([ref(), "--json", "--only", "layers"]);
        assert.equal(json.code, 1);
        assert.ok(json.stdout.length < 2000, `stdout is ${json.stdout.length} characters`);
        const report = JSON.parse(json.stdout);
        assertClean(report.checks[0].detail);
        assert.match(report.checks[0].detail, /^cannot read the manifests: .*the manifest 1 (is not JSON|has media type)/);
        const table = await cli([ref(), "--only", "layers"]);
        assert.equal(table.code, 1);
        assertClean(table.stdout);
        assert.ok(table.stdout.length < 2000, `stdout is ${table.stdout.length} characters`);
    });
});
