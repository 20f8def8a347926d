import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { bufferIo } from "../../src/cli/commandIo";
import { UsageError } from "../../src/cli/usage";
import { runWarmup } from "../../src/cli/warmup";
import { buildEndpoint, warmup, WarmupOutcome } from "../../src/warmup/binderBuild";

const BIN = path.join(__dirname, "..", "..", "bin", "uw3-binder.js");

/** What a scripted hub saw of a request. */
interface Seen {
    url: string;
    accept: string | undefined;
    /** Resolves when the client hangs up. */
    closed: Promise<void>;
}

type Script = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A BinderHub stand-in on 127.0.0.1 that runs `script` for each request. */
async function hub(script: Script): Promise<{ url: string; seen: Seen[]; stop: () => Promise<void> }> {
    const seen: Seen[] = [];
    const sockets = new Set<import("net").Socket>();
    const server = http.createServer((req, res) => {
        seen.push({ url: req.url ?? "", accept: req.headers.accept, closed: new Promise((resolve) => res.on("close", () => resolve())) });
        script(req, res);
    });
    server.on("connection", (s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        seen,
        stop: () =>
            new Promise((resolve) => {
                for (const s of sockets) s.destroy();
                server.close(() => resolve());
            }),
    };
}

const event = (phase: string, message: string, extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ phase, message, ...extra })}\n\n`;

/** Writes each piece after `ms`, then leaves the stream open (a hub that launches next). */
function stream(pieces: string[], ms = 5): Script {
    return (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        let i = 0;
        const next = () => {
            if (res.destroyed) return;
            if (i < pieces.length) {
                res.write(pieces[i++]);
                setTimeout(next, ms);
            }
        };
        next();
    };
}

const BUILD = [
    ":heartbeat\n\n",
    event("waiting", "Waiting for build to start...\n"),
    event("fetching", "Fetching repository...\n"),
    event("building", "Step 1/3 : FROM ghcr.io/underworldcode/uw3-base:2025.01-slim\n"),
    event("building", "Step 2/3 : ENV UW3_BRANCH=main\n"),
    event("pushing", "Pushing image\n", { progress: { layer1: { current: 1, total: 2 } } }),
    event("built", "Built image, launching...\n", { imageName: "gcr.io/binder/r2d-abc:123" }),
    event("launching", "Launching server...\n"),
    event("ready", "server running at https://hub.example/user/x/\n", { url: "https://hub.example/user/x/", token: "t" }),
];

const withoutTime = ({ elapsedSeconds, ...rest }: WarmupOutcome) => {
    assert.equal(typeof elapsedSeconds, "number");
    return rest;
};

describe("warmup (BinderHub build endpoint on loopback)", () => {
    let stop: (() => Promise<void>) | undefined;
    afterEach(async () => {
        await stop?.();
        stop = undefined;
    });
    async function start(script: Script) {
        const h = await hub(script);
        stop = h.stop;
        return h;
    }

    it("asks /build/gh/<owner>/<repo>/<ref> for an event stream and stops at built, hanging up before the launch", async () => {
        const h = await start(stream(BUILD));
        const phases: string[] = [];
        const outcome = await warmup({ owner: "underworldcode", repository: "uw3-binder-launcher", ref: "feature/x", binderUrl: h.url, timeoutS: 10, onPhase: (p) => phases.push(p) });
        assert.deepEqual(withoutTime(outcome), {
            repository: "underworldcode/uw3-binder-launcher",
            ref: "feature/x",
            url: `${h.url}/build/gh/underworldcode/uw3-binder-launcher/feature/x`,
            outcome: "built",
            phase: "built",
            message: "Built image, launching...",
        });
        assert.deepEqual(phases, ["waiting", "fetching", "building", "pushing", "built"]);
        assert.equal(h.seen.length, 1);
        assert.equal(h.seen[0].url, "/build/gh/underworldcode/uw3-binder-launcher/feature/x");
        assert.equal(h.seen[0].accept, "text/event-stream");
        await h.seen[0].closed; // the client hung up; a hub that never sees this would time the test out
    });

    it("stops at ready when the hub reports no built first", async () => {
        const h = await start(stream([event("launching", "Launching...\n"), event("ready", "ready\n", { url: "u", token: "t" })]));
        const outcome = await warmup({ owner: "o", repository: "r", ref: "main", binderUrl: h.url, timeoutS: 10 });
        assert.equal(outcome.outcome, "ready");
        assert.equal(outcome.message, "ready");
    });

    it("reports a failed build with the hub's message", async () => {
        const h = await start(stream([event("waiting", "Waiting\n"), event("building", "Step 1/2\n"), event("failed", "Error: repo2docker exited 1\n")]));
        const outcome = await warmup({ owner: "o", repository: "r", ref: "main", binderUrl: h.url, timeoutS: 10 });
        assert.deepEqual(withoutTime(outcome), {
            repository: "o/r",
            ref: "main",
            url: `${h.url}/build/gh/o/r/main`,
            outcome: "failed",
            phase: "failed",
            message: "Error: repo2docker exited 1",
        });
    });

    it("treats repo2docker's failure phase as failed, as BinderHub does", async () => {
        const h = await start(stream([event("building", "Step 1/2\n"), event("failure", "The command returned a non-zero code: 1\n")]));
        const outcome = await warmup({ owner: "o", repository: "r", ref: "main", binderUrl: h.url, timeoutS: 10 });
        assert.equal(outcome.outcome, "failed");
        assert.equal(outcome.phase, "failure");
    });

    it("parses events split anywhere across chunks, with CRLF line ends and multi-line data", async () => {
        const text = ': keepalive\r\n\r\ndata: {"phase": "waiting",\r\ndata:  "message": "two lines"}\r\n\r\n' + event("built", "Found built image, launching...\n");
        const h = await start(stream(text.split(""), 1));
        const outcome = await warmup({ owner: "o", repository: "r", ref: "main", binderUrl: h.url, timeoutS: 10 });
        assert.equal(outcome.outcome, "built");
        assert.equal(outcome.message, "Found built image, launching...");
    });

    it("reports a server that drops the connection mid-stream as closed, with the last phase", async () => {
        const h = await start((req, res) => {
            res.writeHead(200, { "content-type": "text/event-stream" });
            res.write(event("waiting", "Waiting\n") + event("building", "Step 1/9\n"));
            setTimeout(() => req.socket.destroy(), 50);
        });
        const outcome = await warmup({ owner: "o", repository: "r", ref: "main", binderUrl: h.url, timeoutS: 10 });
        assert.equal(outcome.outcome, "closed");
        assert.equal(outcome.phase, "building");
        assert.match(outcome.message, /^the event stream broke after phase "building": .+/);
    });

    it("reports a stream that ends cleanly before a final phase as closed", async () => {
        const h = await start((_req, res) => {
            res.writeHead(200, { "content-type": "text/event-stream" });
            res.end(event("waiting", "Waiting\n"));
        });
        const outcome = await warmup({ owner: "o", repository: "r", ref: "main", binderUrl: h.url, timeoutS: 10 });
        assert.equal(outcome.outcome, "closed");
        assert.equal(outcome.message, 'the event stream ended after phase "waiting", without ready, built or failed');
    });

    it("gives up at the timeout and says where it was", async () => {
        const h = await start((_req, res) => {
            res.writeHead(200, { "content-type": "text/event-stream" });
            res.write(event("building", "Step 1/9\n"));
            const beat = setInterval(() => res.write(":heartbeat\n\n"), 50);
            res.on("close", () => clearInterval(beat));
        });
        const t0 = Date.now();
        const outcome = await warmup({ owner: "o", repository: "r", ref: "main", binderUrl: h.url, timeoutS: 0.3 });
        const took = Date.now() - t0;
        assert.equal(outcome.outcome, "timeout");
        assert.equal(outcome.phase, "building");
        assert.equal(outcome.message, 'no ready, built or failed within 0.3 s (after phase "building")');
        assert.ok(took >= 280 && took < 3000, `took ${took} ms`);
        await h.seen[0].closed;
    });

    it("times out a hub that accepts the connection but never answers", async () => {
        const h = await start(() => undefined);
        const outcome = await warmup({ owner: "o", repository: "r", ref: "main", binderUrl: h.url, timeoutS: 0.2 });
        assert.equal(outcome.outcome, "timeout");
        assert.equal(outcome.phase, null);
        assert.equal(outcome.message, "no ready, built or failed within 0.2 s (before any phase)");
    });

    it("reports a refused connection as unreachable, without throwing", async () => {
        const h = await hub(() => undefined);
        await h.stop(); // the port is free now: nothing listens
        const outcome = await warmup({ owner: "o", repository: "r", ref: "main", binderUrl: h.url, timeoutS: 5 });
        assert.equal(outcome.outcome, `unreachable: connect ECONNREFUSED ${h.url.slice("http://".length)}`);
        assert.equal(outcome.phase, null);
        assert.equal(outcome.message, `could not reach ${h.url}/build/gh/o/r/main`);
    });

    it("reports an HTTP error as unreachable with its status", async () => {
        const h = await start((_req, res) => {
            res.writeHead(404, "Not Found");
            res.end("no such provider");
        });
        const outcome = await warmup({ owner: "o", repository: "r", ref: "main", binderUrl: h.url, timeoutS: 5 });
        assert.equal(outcome.outcome, "unreachable: HTTP 404 Not Found");
    });

    it("follows a redirect, as mybinder.org's federation sends /build/ to a member", async () => {
        const h = await start((req, res) => {
            if (req.url?.startsWith("/build/")) {
                res.writeHead(302, { location: `/member${req.url}` });
                res.end();
            } else stream([event("built", "Found built image, launching...\n")])(req, res);
        });
        const outcome = await warmup({ owner: "o", repository: "r", ref: "main", binderUrl: h.url, timeoutS: 5 });
        assert.equal(outcome.outcome, "built");
        assert.deepEqual(h.seen.map((s) => s.url), ["/build/gh/o/r/main", "/member/build/gh/o/r/main"]);
    });

    it("keeps a BinderHub path prefix and encodes the ref", () => {
        assert.equal(buildEndpoint("o", "r", "fix/a#1", "https://notebooks.example.org/binder/"), "https://notebooks.example.org/binder/build/gh/o/r/fix/a%231");
        assert.throws(() => buildEndpoint("o", "r", ""), { message: 'invalid launcher ref "": expected a branch name, found an empty string' });
    });
});

describe("uw3-binder warmup", () => {
    let stop: (() => Promise<void>) | undefined;
    afterEach(async () => {
        await stop?.();
        stop = undefined;
    });

    it("prints phases on stderr and the outcome on stdout, exit 0", async () => {
        const h = await hub(stream(BUILD));
        stop = h.stop;
        const io = bufferIo(process.cwd());
        assert.equal(await runWarmup(["underworldcode/uw3-binder-launcher", "main", "--binder-url", h.url, "--timeout-s", "10"], io), 0);
        assert.match(io.out, /^warmup underworldcode\/uw3-binder-launcher@main: built after \d+\.\d s\n {2}Built image, launching\.\.\.\n$/);
        assert.deepEqual(
            io.err.split("\n").filter(Boolean).map((l) => l.replace(/^\[ *\d+\.\d s\] /, "")),
            ["waiting: Waiting for build to start...", "fetching: Fetching repository...", "building: Step 1/3 : FROM ghcr.io/underworldcode/uw3-base:2025.01-slim", "pushing: Pushing image", "built: Built image, launching..."],
        );
    });

    it("exits 0 for a failed build and prints the JSON outcome", async () => {
        const h = await hub(stream([event("failed", "Error resolving ref\n")]));
        stop = h.stop;
        const io = bufferIo(process.cwd());
        assert.equal(await runWarmup(["o/r", "nope", "--binder-url", h.url, "--json"], io), 0);
        const printed = JSON.parse(io.out);
        assert.deepEqual(Object.keys(printed), ["repository", "ref", "url", "outcome", "phase", "message", "elapsedSeconds"]);
        assert.deepEqual({ ...printed, elapsedSeconds: 0 }, { repository: "o/r", ref: "nope", url: `${h.url}/build/gh/o/r/nope`, outcome: "failed", phase: "failed", message: "Error resolving ref", elapsedSeconds: 0 });
        assert.equal(io.err, "");
    });

    const usage: [string, string[], string][] = [
        ["a missing ref", ["o/r"], 'expected <owner>/<repo> <ref>, found "o/r"'],
        ["a bad repository", ["o", "main"], 'invalid launcher repository "o": expected <owner>/<repo>, e.g. underworldcode/uw3-binder-launcher'],
        ["a bad ref", ["o/r", "a..b"], 'invalid launcher ref "a..b": it contains ".."'],
        ["a bad timeout", ["o/r", "main", "--timeout-s", "soon"], '--timeout-s must be a positive number, found "soon"'],
        ["a bad binder URL", ["o/r", "main", "--binder-url", "mybinder.org"], '--binder-url expects an http(s) URL without query, such as https://mybinder.org, found "mybinder.org"'],
    ];
    for (const [what, argv, message] of usage) {
        it(`refuses ${what} as a usage error`, async () => {
            await assert.rejects(runWarmup(argv, bufferIo(process.cwd())), (err: unknown) => err instanceof UsageError && err.message === message);
        });
    }

    it("from the command line: exit 0 when the hub is unreachable, exit 2 for a usage error", async () => {
        const h = await hub(() => undefined);
        await h.stop();
        const down = spawnSync(process.execPath, [BIN, "warmup", "o/r", "main", "--binder-url", h.url, "--timeout-s", "5"], { encoding: "utf8" });
        assert.equal(down.status, 0, down.stderr);
        assert.match(down.stdout, new RegExp(`^warmup o/r@main: unreachable: connect ECONNREFUSED ${h.url.slice(7).replace(/\./g, "\\.")} after \\d+\\.\\d s\n`));
        const bad = spawnSync(process.execPath, [BIN, "warmup", "o/r"], { encoding: "utf8" });
        assert.equal(bad.status, 2);
        assert.equal(bad.stderr.split("\n")[0], 'uw3-binder warmup: expected <owner>/<repo> <ref>, found "o/r"');
    });
});
