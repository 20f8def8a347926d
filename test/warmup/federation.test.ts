import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bufferIo } from "../../src/cli/commandIo";
import { UsageError } from "../../src/cli/errors";
import { runWarmup } from "../../src/cli/warmup";
import { MemberWarmup } from "../../src/hub/build";
import { FEDERATION_MEMBERS } from "../../src/mybinder/facts";
import { BranchWarmup, warmFederation } from "../../src/warmup/federation";
import { BUILD, event, FOUND, hub, Hub, stream } from "./hub";

const BIN = path.join(__dirname, "..", "..", "bin", "uw3-binder.js");

/** What `warmup --json` prints: one ref's members, or with --stack every branch's. */
type PrintedRef = { repository: string; ref: string; members: MemberWarmup[] };
type PrintedStack = { stack: string; repository: string; branches: BranchWarmup[] };

/** The parts of a result that do not depend on the clock. */
function settled(branches: BranchWarmup[]) {
    return branches.map((b) => ({ ...b, members: b.members.map((m) => ({ hub: m.hub, outcome: m.outcome, message: m.message, redirects: m.redirects })) }));
}

const STACK = (hubs: string[]) => `config:
  github:owner: underworldcode
  uw3-binder:release: "2025.02"
  uw3-binder:registry: { server: ghcr.io, namespace: underworldcode, username: underworld-bot }
  uw3-binder:source: { repository: underworldcode/underworld3, path: ../underworld3 }
  uw3-binder:images:
    slim: { repository: uw3-base, tag: "{release}-slim", dockerfile: container/Dockerfile.branch }
  uw3-binder:launcher:
    repository: uw3-binder-launcher
    defaultBranch: main
    warmupTimeoutS: 30
    binderHubs: [${hubs.join(", ")}]
    branches:
      - { name: main, uw3Branch: main, image: slim }
      - { name: development, uw3Branch: development, image: slim }
`;

describe("warmFederation: every member", () => {
    const hubs: Hub[] = [];
    afterEach(async () => {
        await Promise.all(hubs.splice(0).map((h) => h.stop()));
    });
    async function start(script: Parameters<typeof hub>[0]) {
        const h = await hub(script);
        hubs.push(h);
        return h;
    }

    it("asks each hub for each ref and records one outcome per member, in the order given", async () => {
        const builds = await start(stream(BUILD));
        const found = await start(stream(FOUND));
        const fails = await start(stream([event("failed", "Could not resolve ref\n")]));
        const down = await hub(() => undefined);
        await down.stop();
        const result = await warmFederation({
            owner: "o",
            repository: "r",
            refs: ["main", "development"],
            hubs: [builds.url, found.url, fails.url, down.url],
            timeoutS: 10,
        });
        const outcomes = result.map((b) => [b.ref, b.members.map((m) => m.outcome)]);
        assert.deepEqual(outcomes, [
            ["main", ["built", "already built", "failed", "unreachable"]],
            ["development", ["built", "already built", "failed", "unreachable"]],
        ]);
        assert.deepEqual(settled(result)[0].members[2], { hub: fails.url, outcome: "failed", message: "Could not resolve ref", redirects: [] });
        assert.deepEqual(
            builds.seen.map((s) => s.url),
            ["/build/gh/o/r/main", "/build/gh/o/r/development"],
        );
        assert.deepEqual(
            result.map((b) => b.repository),
            ["o/r", "o/r"],
        );
    });

    it("asks the refs of one hub one after the other, so its allowance is never exceeded", async () => {
        // Each answer starts 200 ms late: a client asking in parallel would send the next request meanwhile.
        const h = await start((req, res, i) => setTimeout(() => stream(FOUND)(req, res, i), 200));
        await warmFederation({ owner: "o", repository: "r", refs: ["a", "b", "c"], hubs: [h.url], timeoutS: 10 });
        assert.deepEqual(
            h.seen.map((s) => s.url),
            ["/build/gh/o/r/a", "/build/gh/o/r/b", "/build/gh/o/r/c"],
        );
        for (let i = 1; i < 3; i++)
            assert.ok(h.seen[i].at - h.seen[i - 1].at >= 195, `request ${i} came ${h.seen[i].at - h.seen[i - 1].at} ms after the one before`);
    });

    it("refuses a bad ref before asking any hub", async () => {
        const h = await start(stream(FOUND));
        await assert.rejects(warmFederation({ owner: "o", repository: "r", refs: ["main", "a..b"], hubs: [h.url], timeoutS: 5 }), {
            message: 'invalid launcher ref "a..b": it contains ".."',
        });
        assert.equal(h.seen.length, 0);
    });

    it("defaults to the three federation members", () => {
        assert.deepEqual(FEDERATION_MEMBERS, ["https://2i2c.mybinder.org", "https://gesis.mybinder.org", "https://bids.mybinder.org"]);
    });
});

describe("uw3-binder warmup", () => {
    const hubs: Hub[] = [];
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-warmup-"));
    });
    afterEach(async () => {
        await Promise.all(hubs.splice(0).map((h) => h.stop()));
        fs.rmSync(dir, { recursive: true, force: true });
    });
    async function start(script: Parameters<typeof hub>[0]) {
        const h = await hub(script);
        hubs.push(h);
        return h;
    }

    it("prints each member's outcome for people, with phases on stderr, exit 0", async () => {
        const a = await start(stream(BUILD));
        const b = await start(stream([event("failed", "Error resolving ref\n")]));
        const io = bufferIo(dir);
        assert.equal(await runWarmup(["underworldcode/uw3-binder-launcher", "main", "--hubs", `${a.url},${b.url}/`, "--timeout-s", "10"], io), 0);
        assert.match(
            io.out,
            new RegExp(
                `^warmup underworldcode/uw3-binder-launcher@main:\n  ${a.url.replace(/\./g, "\\.")}: built after \\d+\\.\\d s\n    Built image, launching\\.\\.\\.\n  ${b.url.replace(/\./g, "\\.")}: failed after \\d+\\.\\d s\n    Error resolving ref\n$`,
            ),
        );
        const phases = io.err
            .split("\n")
            .filter(Boolean)
            .map((l) => l.replace(/^\[ *\d+\.\d s\] /, ""));
        assert.ok(phases.includes(`${a.url} main: building: Step 1/3 : FROM ghcr.io/underworldcode/uw3-base:2025.01-slim`), io.err);
        assert.ok(phases.includes(`${b.url} main: failed: Error resolving ref`), io.err);
    });

    it("prints a ref with line separators or bidi overrides escaped, in the report and in the progress lines", async () => {
        const a = await start(stream(BUILD));
        const io = bufferIo(dir);
        assert.equal(await runWarmup(["o/r", "fix\u2028x\u202e", "--hubs", a.url, "--timeout-s", "10"], io), 0);
        assert.equal(io.out.split("\n")[0], "warmup o/r@fix\\u2028x\\u202e:");
        assert.ok(io.err.includes(`${a.url} fix\\u2028x\\u202e: building: Step 1/3`), io.err);
        assert.doesNotMatch(io.out + io.err, /[\u2028\u202e]/);
    });

    it("--json writes a ref's line separators and bidi overrides as \\u escapes, reading back as the ref", async () => {
        const a = await start(stream(FOUND));
        const io = bufferIo(dir);
        assert.equal(await runWarmup(["o/r", "fix\u2028x\u202e", "--binder-url", a.url, "--json"], io), 0);
        assert.doesNotMatch(io.out, /[\u2028\u202e]/);
        assert.ok(io.out.includes('"ref":"fix\\u2028x\\u202e"'), io.out);
        assert.equal((JSON.parse(io.out) as PrintedRef).ref, "fix\u2028x\u202e");
    });

    it("--json prints the per-member results of the ref", async () => {
        const a = await start(stream(FOUND));
        const io = bufferIo(dir);
        assert.equal(await runWarmup(["o/r", "0123456789abcdef0123456789abcdef01234567", "--binder-url", a.url, "--json"], io), 0);
        const printed = JSON.parse(io.out) as PrintedRef;
        assert.deepEqual(Object.keys(printed), ["repository", "ref", "members"]);
        assert.deepEqual(Object.keys(printed.members[0]), [
            "hub",
            "url",
            "outcome",
            "phase",
            "message",
            "startedAt",
            "elapsedSeconds",
            "waitedSeconds",
            "redirects",
        ]);
        assert.deepEqual(
            { ...printed.members[0], startedAt: "", elapsedSeconds: 0 },
            {
                hub: a.url,
                url: `${a.url}/build/gh/o/r/0123456789abcdef0123456789abcdef01234567`,
                outcome: "already built",
                phase: "built",
                message: "Found built image, launching...",
                startedAt: "",
                elapsedSeconds: 0,
                waitedSeconds: 0,
                redirects: [],
            },
        );
        assert.equal(io.err, "");
    });

    it("--stack warms every launcher branch by name on the stack's hubs", async () => {
        const a = await start(stream(FOUND));
        const b = await start(stream(BUILD));
        fs.writeFileSync(path.join(dir, "Pulumi.2025-02.yaml"), STACK([a.url, b.url]));
        const io = bufferIo(dir);
        assert.equal(await runWarmup(["--stack", "2025-02", "--json"], io), 0);
        const printed = JSON.parse(io.out) as PrintedStack;
        assert.equal(printed.stack, "2025-02");
        assert.equal(printed.repository, "underworldcode/uw3-binder-launcher");
        assert.deepEqual(
            settled(printed.branches).map((br) => [br.ref, br.members.map((m) => [m.hub, m.outcome])]),
            [
                [
                    "main",
                    [
                        [a.url, "already built"],
                        [b.url, "built"],
                    ],
                ],
                [
                    "development",
                    [
                        [a.url, "already built"],
                        [b.url, "built"],
                    ],
                ],
            ],
        );
        assert.deepEqual(
            a.seen.map((s) => s.url),
            ["/build/gh/underworldcode/uw3-binder-launcher/main", "/build/gh/underworldcode/uw3-binder-launcher/development"],
        );
    });

    it("--stack with --hubs asks the given hubs instead", async () => {
        const a = await start(stream(FOUND));
        fs.writeFileSync(path.join(dir, "Pulumi.2025-02.yaml"), STACK(["https://unused.example"]));
        const io = bufferIo(dir);
        assert.equal(await runWarmup(["--stack", "2025-02", "--hubs", a.url, "--json"], io), 0);
        assert.deepEqual(
            (JSON.parse(io.out) as PrintedStack).branches.map((br) => br.members.map((m) => m.hub)),
            [[a.url], [a.url]],
        );
    });

    const usage: [string, string[], string][] = [
        ["a missing ref", ["o/r"], 'expected <owner>/<repo> <ref> or --stack <name>, found "o/r"'],
        ["a bad repository", ["o", "main"], 'invalid launcher repository "o": expected <owner>/<repo>, e.g. underworldcode/uw3-binder-launcher'],
        ["a bad ref", ["o/r", "a..b", "--hubs", "http://127.0.0.1:1"], 'invalid launcher ref "a..b": it contains ".."'],
        ["a bad timeout", ["o/r", "main", "--timeout-s", "soon"], '--timeout-s must be a whole number of seconds above 0, found "soon"'],
        // The config's rule for launcher.warmupTimeoutS: whole seconds (the CLI took 1.5 before).
        ["a fractional timeout", ["o/r", "main", "--timeout-s", "1.5"], '--timeout-s must be a whole number of seconds above 0, found "1.5"'],
        // The config reports a hub listed twice (trailing slash aside); the CLI dropped it silently before.
        [
            "a hub listed twice",
            ["o/r", "main", "--hubs", "https://a.example,https://a.example/"],
            '--hubs: duplicate hub "https://a.example/"; each hub is listed once',
        ],
        [
            "more hubs than the config allows",
            ["o/r", "main", "--hubs", Array.from({ length: 11 }, (_, i) => `https://hub${i}.example`).join(",")],
            "--hubs: expected at most 10 hubs (each builds every branch), found 11",
        ],
        [
            "a timeout setTimeout cannot hold",
            ["o/r", "main", "--timeout-s", "3000000"],
            '--timeout-s must be at most 2147483 seconds (about 24 days, the longest timer Node.js keeps), found "3000000"',
        ],
        [
            "a bad binder URL",
            ["o/r", "main", "--binder-url", "mybinder.org"],
            '--binder-url: expected an http(s) URL such as https://2i2c.mybinder.org, found "mybinder.org"',
        ],
        [
            "a plain-http hub that is not on loopback",
            ["o/r", "main", "--hubs", "https://a.example,http://notebooks.example.org"],
            '--hubs: expected https; plain http only to a loopback host such as http://127.0.0.1:8585, found "http://notebooks.example.org"',
        ],
        [
            "a hostile hub",
            ["o/r", "main", "--hubs", "https://a.example,https://b.example/$(touch x)"],
            '--hubs: expected only letters, digits and . _ ~ : / % - (no spaces, quotes or shell characters), found "https://b.example/$(touch x)"',
        ],
        [
            "--hubs with --binder-url",
            ["o/r", "main", "--hubs", "https://a.example", "--binder-url", "https://b.example"],
            "--hubs and --binder-url are mutually exclusive: --binder-url names one hub",
        ],
        [
            "--stack with a repository",
            ["o/r", "main", "--stack", "2025-02"],
            '--stack takes the launcher and its branches from the stack file; expected no <owner>/<repo> <ref>, found "o/r" "main"',
        ],
        ["a stack name with a path", ["--stack", "../x"], '--stack expects a stack name such as 2025-01 or v3.0.2, found "../x"'],
        ["a missing stack file", ["--stack", "2024-12"], "--stack 2024-12: no Pulumi.2024-12.yaml in DIR"],
    ];
    for (const [what, argv, message] of usage) {
        it(`refuses ${what} as a usage error`, async () => {
            await assert.rejects(runWarmup(argv, bufferIo(dir)), (err: unknown) => err instanceof UsageError && err.message === message.replace("DIR", dir));
        });
    }

    it("refuses a stack file with an invalid config or no launcher, naming the file and key", async () => {
        fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), STACK(["ftp://x.example"]));
        await assert.rejects(runWarmup(["--stack", "bad"], bufferIo(dir)), {
            message: 'Pulumi.bad.yaml: `uw3-binder:launcher.binderHubs[0]`: expected an http(s) URL such as https://2i2c.mybinder.org, found "ftp://x.example"',
        });
        fs.writeFileSync(path.join(dir, "Pulumi.none.yaml"), STACK(["https://x.example"]).replace(/ {2}uw3-binder:launcher:[^]*$/, ""));
        await assert.rejects(runWarmup(["--stack", "none"], bufferIo(dir)), {
            message: "Pulumi.none.yaml: the stack has no `uw3-binder:launcher`, so there is nothing to warm",
        });
    });

    it("exit 0 with a JSON outcome per member when a hub's 429 names a time past JavaScript's dates (Retry-After, X-RateLimit-Reset)", async () => {
        const retryAfter = await start((_req, res) => {
            res.writeHead(429, { "retry-after": "9999999999999" });
            res.end();
        });
        const reset = await start((_req, res) => {
            res.writeHead(429, { "x-ratelimit-reset": "9".repeat(30) });
            res.end();
        });
        const io = bufferIo(dir);
        assert.equal(await runWarmup(["o/r", "main", "--hubs", `${retryAfter.url},${reset.url}`, "--timeout-s", "10", "--json"], io), 0);
        const printed = JSON.parse(io.out) as PrintedRef;
        assert.deepEqual(
            printed.members.map((m) => [m.hub, m.outcome, m.message]),
            [retryAfter, reset].map((h) => [
                h.url,
                "rate limited",
                `${h.url}/build/gh/o/r/main answered HTTP 429 Too Many Requests; the hub allows the next build at a time past the last date JavaScript can name (year 275760), after the timeout`,
            ]),
        );
    });

    it("from the command line: exit 0 when every hub is unreachable, exit 2 for a usage error", async () => {
        const h = await hub(() => undefined);
        await h.stop();
        const down = spawnSync(process.execPath, [BIN, "warmup", "o/r", "main", "--binder-url", h.url, "--timeout-s", "5", "--json"], { encoding: "utf8" });
        assert.equal(down.status, 0, down.stderr);
        const printed = JSON.parse(down.stdout) as PrintedRef;
        assert.equal(printed.members[0].outcome, "unreachable");
        assert.equal(printed.members[0].message, `could not reach ${h.url}/build/gh/o/r/main: connect ECONNREFUSED ${h.url.slice(7)}`);
        const bad = spawnSync(process.execPath, [BIN, "warmup", "o/r"], { encoding: "utf8" });
        assert.equal(bad.status, 2);
        assert.equal(bad.stderr.split("\n")[0], 'uw3-binder warmup: expected <owner>/<repo> <ref> or --stack <name>, found "o/r"');
    });
});
