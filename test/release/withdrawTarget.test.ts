/**
 * `withdraw`'s target (issue 20, finding 1): a digest argument is a digest or an error, never an image
 * reference; only the stack's own image repositories are looked up, with the credentials bound to the
 * registry that image is configured on; and a `--from-outputs` replacement comes from the image's own
 * repository. The lookup is the request's `resolve`, recorded here; the stack file must stay unchanged
 * whenever the command refuses. And (finding 4) what a registry echoes is printed without the login.
 */
import * as assert from "assert/strict";
import { spawn } from "child_process";
import fc from "fast-check";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { ImageReference } from "../../src/names/oci";
import { PROGRAM_DIR } from "../../src/plan/program";
import { withdraw, WithdrawError } from "../../src/release/withdraw";

const PRODUCTION = fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.2025-01.yaml"), "utf8");
const BAD = `sha256:${"d".repeat(64)}`;
const GOOD = `sha256:${"e".repeat(64)}`;
const SLIM = "ghcr.io/underworldcode/uw3-base";
/** C0 and C1 controls: what a one-line error never carries raw. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe("withdraw: the target (issue 20, finding 1)", () => {
    let dir: string;
    const file = () => path.join(dir, "Pulumi.2025-02.yaml");
    let lookups: { reference: ImageReference; registry: string }[];
    const request = (target: string, extra: Partial<Parameters<typeof withdraw>[0]> = {}) =>
        withdraw({
            target,
            reason: "wrong sign",
            dir,
            today: "2025-02-10",
            resolve: (reference, registry) => {
                lookups.push({ reference, registry });
                return Promise.resolve(BAD);
            },
            ...extra,
        });
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-withdraw-target-"));
        fs.writeFileSync(file(), PRODUCTION.replace('uw3-binder:release: "2025.01"', 'uw3-binder:release: "2025.02"'));
        lookups = [];
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The request is refused with exactly `message`, nothing is looked up and the stack file is as it was. */
    async function refused(target: string, message: string, extra: Partial<Parameters<typeof withdraw>[0]> = {}): Promise<void> {
        const before = fs.readFileSync(file(), "utf8");
        await assert.rejects(request(target, extra), (err: Error) => {
            assert.ok(err instanceof WithdrawError, `${err.name}: ${err.message}`);
            assert.equal(err.message, message);
            return true;
        });
        assert.deepEqual(lookups, []);
        assert.equal(fs.readFileSync(file(), "utf8"), before);
    }

    it("refuses a short id, uppercase hex, 63 or 65 digits and other algorithms as digests, without a lookup", async () => {
        const expected = "expected sha256:<64 lowercase hex>, found";
        await refused(
            "sha256:8cbaba94226c",
            `"sha256:8cbaba94226c" is not a digest: ${expected} 12 hex digits (a short id, as \`docker images\` shows; \`docker images --digests\` shows the digest); nothing was written`,
        );
        await refused(`sha256:${"D".repeat(64)}`, `"sha256:${"D".repeat(64)}" is not a digest: ${expected} uppercase hex digits; nothing was written`);
        await refused(
            `sha256:${"d".repeat(63)}`,
            `"sha256:${"d".repeat(63)}" is not a digest: ${expected} 63 hex digits (a short id, as \`docker images\` shows; \`docker images --digests\` shows the digest); nothing was written`,
        );
        await refused(`sha256:${"d".repeat(65)}`, `"sha256:${"d".repeat(65)}" is not a digest: ${expected} 65 hex digits; nothing was written`);
        await refused(`sha512:${"d".repeat(128)}`, `"sha512:${"d".repeat(128)}" is not a digest: ${expected} the algorithm "sha512"; nothing was written`);
        await refused(
            `SHA256:${"d".repeat(64)}`,
            `"SHA256:${"d".repeat(64)}" is not a digest: ${expected} the algorithm written "SHA256"; nothing was written`,
        );
        await refused("sha256:latest", `"sha256:latest" is not a digest: ${expected} characters that are not hex digits; nothing was written`);
    });

    it("refuses a reference outside the stack's image repositories before looking anything up", async () => {
        const repositories = "ghcr.io/underworldcode/uw3-deps, ghcr.io/underworldcode/uw3-base";
        for (const target of [
            "docker.io/library/busybox:1.37",
            "busybox:1.37",
            "ghcr.io/someone/else:2025.02-slim",
            `127.0.0.1:5000/underworldcode/uw3-base:1@${BAD}`,
        ]) {
            await refused(
                target,
                `"${target}" is in none of Pulumi.2025-02.yaml's image repositories (${repositories}); give <repository>:<tag> of one of them, or sha256:<64 hex>`,
            );
        }
    });

    it("looks a tag up in its image's repository, with the credentials bound to that image's registry", async () => {
        const result = await request("2025.02-slim");
        assert.deepEqual(lookups, [
            { reference: { registry: "ghcr.io", repository: "underworldcode/uw3-base", tag: "2025.02-slim", digest: undefined }, registry: "ghcr.io" },
        ]);
        assert.equal(result.entry.digest, BAD);
        assert.equal(result.resolvedFrom, `${SLIM}:2025.02-slim`);
    });

    it("a --from-outputs replacement must come from the withdrawn image's own repository", async () => {
        const outputs = (reference: string) => ({ name: "jan.json", value: { verifiedReferences: { slim: reference } } });
        for (const other of [`ghcr.io/underworldcode/uw3-deps:2025.01@${GOOD}`, `docker.io/underworldcode/uw3-base:2025.01-slim@${GOOD}`]) {
            await refused(
                `${SLIM}:2025.02-slim@${BAD}`,
                `--from-outputs jan.json: \`verifiedReferences.slim\`: "${other}" is not in slim's repository "${SLIM}"`,
                { outputs: outputs(other) },
            );
        }
        const result = await request(`${SLIM}:2025.02-slim@${BAD}`, { outputs: outputs(`${SLIM}:2025.01-slim@${GOOD}`) });
        assert.equal(result.entry.replacement, `2025.01-slim@${GOOD}`);
    });

    it("whatever --from-outputs holds, the replacement is the image's own, or the request is refused in one line (property)", async () => {
        const reference = fc.oneof(
            fc.constantFrom(
                `${SLIM}:2025.01-slim@${GOOD}`,
                `${SLIM}:2025.01-slim@${BAD}`,
                `${SLIM}@${GOOD}`,
                `${SLIM}:2025.01-slim`,
                `ghcr.io/underworldcode/uw3-deps:2025.01@${GOOD}`,
                `sha256:${"e".repeat(12)}`,
            ),
            fc.string({ maxLength: 40 }),
            fc.jsonValue({ maxDepth: 2 }),
        );
        const value = fc.oneof(
            fc.jsonValue({ maxDepth: 3 }),
            reference.map((slim) => ({ verifiedReferences: { slim } })),
        );
        const before = fs.readFileSync(file(), "utf8");
        await fc.assert(
            fc.asyncProperty(value, async (v) => {
                try {
                    const result = await request(`${SLIM}:2025.02-slim@${BAD}`, { outputs: { name: "jan.json", value: v } });
                    assert.equal(result.entry.replacement, `2025.01-slim@${GOOD}`);
                    fs.writeFileSync(file(), before);
                } catch (err) {
                    assert.ok(err instanceof WithdrawError, `${(err as Error).name}: ${(err as Error).message}`);
                    assert.ok(err.message.startsWith("--from-outputs jan.json: ") && !CONTROL.test(err.message), err.message);
                    assert.equal(fs.readFileSync(file(), "utf8"), before);
                }
            }),
            { numRuns: 300 },
        );
    });

    it("whatever the target, it is refused in one line or looked up only in the stack's repositories (property)", async () => {
        const repositories = new Map([
            ["ghcr.io/underworldcode/uw3-deps", "ghcr.io"],
            ["ghcr.io/underworldcode/uw3-base", "ghcr.io"],
        ]);
        const hex = fc.stringMatching(/^[0-9a-fA-F]{0,70}$/);
        const target = fc.oneof(
            fc.string({ maxLength: 80 }),
            fc.tuple(fc.constantFrom("sha256", "SHA256", "sha512", "sha384", "Sha256"), hex).map(([a, h]) => `${a}:${h}`),
            fc
                .tuple(
                    fc.constantFrom("", "ghcr.io/", "docker.io/", "ghcr.io/underworldcode/", "127.0.0.1:5000/underworldcode/"),
                    fc.constantFrom("uw3-base", "uw3-deps", "sha256", "x"),
                    fc.constantFrom("", ":2025.02-slim", ":2025.02", `@${BAD}`, ":1@sha256:8cba"),
                )
                .map((parts) => parts.join("")),
        );
        const before = fs.readFileSync(file(), "utf8");
        await fc.assert(
            fc.asyncProperty(target, async (t) => {
                lookups = [];
                try {
                    await request(t);
                    fs.writeFileSync(file(), before);
                } catch (err) {
                    assert.ok(err instanceof WithdrawError, `${(err as Error).name}: ${(err as Error).message}`);
                    assert.ok(!CONTROL.test(err.message) && !err.message.includes("\n"), err.message);
                    assert.equal(fs.readFileSync(file(), "utf8"), before);
                }
                for (const { reference, registry } of lookups) {
                    assert.equal(repositories.get(`${reference.registry}/${reference.repository}`), registry, JSON.stringify(t));
                }
            }),
            { numRuns: 300 },
        );
    });
});

describe("withdraw: a registry's error text is printed without the credentials (issue 20, finding 4)", function () {
    this.timeout(60000);
    const PASSWORD = "ghp_s3cret-registry-password";
    const BASIC = Buffer.from(`robot:${PASSWORD}`).toString("base64");
    let dir: string;
    let server: http.Server;
    let host: string;
    before(async () => {
        // A registry that echoes what it was sent in its error text, as some do.
        server = http.createServer((req, res) => {
            const auth = req.headers.authorization;
            const body = JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: `refused ${auth ?? "nothing"} (robot:${PASSWORD})` }] });
            res.writeHead(401, { "Content-Type": "application/json", ...(auth ? {} : { "WWW-Authenticate": 'Basic realm="registry"' }) });
            res.end(body);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-withdraw-redact-"));
        fs.writeFileSync(
            path.join(dir, "Pulumi.2025-02.yaml"),
            PRODUCTION.replace('uw3-binder:release: "2025.01"', 'uw3-binder:release: "2025.02"').replace("server: ghcr.io", `server: ${host}`),
        );
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("exits 2 in one line that names the refusal but neither the password nor its Basic encoding", async () => {
        const before = fs.readFileSync(path.join(dir, "Pulumi.2025-02.yaml"), "utf8");
        const child = spawn(process.execPath, [path.join(PROGRAM_DIR, "bin", "uw3-binder.js"), "withdraw", "2025.02-slim", "--reason", "x"], {
            cwd: dir,
            env: { ...process.env, GITHUB_TOKEN: "", UW3_BINDER_REGISTRY_USERNAME: "robot", UW3_BINDER_REGISTRY_PASSWORD: PASSWORD },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        assert.equal(code, 2, stderr);
        assert.equal(stdout, "");
        assert.equal(
            stderr,
            `uw3-binder withdraw: cannot resolve ${host}/underworldcode/uw3-base:2025.02-slim to a digest: registry ${host}, repository underworldcode/uw3-base, reference 2025.02-slim:` +
                ` GET http://${host}/v2/underworldcode/uw3-base/manifests/2025.02-slim answered HTTP 401 (UNAUTHORIZED refused Basic *** (robot:***)): the credentials of user "robot" were refused\n`,
        );
        assert.equal(fs.readFileSync(path.join(dir, "Pulumi.2025-02.yaml"), "utf8"), before);
        assert.ok(!stderr.includes(PASSWORD) && !stderr.includes(BASIC));
    });
});
