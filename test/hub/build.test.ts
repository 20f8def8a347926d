import * as assert from "assert/strict";
import { buildEndpoint, firstPrintableLine as printableLine, HUB_IDLE_TIMEOUT_S, MemberWarmup, warmMember } from "../../src/hub/build";
import { HubAllowance } from "../../src/hub/rateLimit";
import { BUILD, endless, event, EVENT_STREAM, FOUND, hub, Hub, Script, stream } from "../warmup/hub";

const withoutTimes = ({ elapsedSeconds, startedAt, waitedSeconds, ...rest }: MemberWarmup) => {
    assert.equal(typeof elapsedSeconds, "number");
    assert.match(startedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(typeof waitedSeconds, "number");
    return rest;
};

describe("warmMember (one BinderHub's build endpoint on loopback)", () => {
    const hubs: Hub[] = [];
    afterEach(async () => {
        await Promise.all(hubs.splice(0).map((h) => h.stop()));
    });
    async function start(script: Script) {
        const h = await hub(script);
        hubs.push(h);
        return h;
    }
    const ask = (h: Hub, extra: Partial<Parameters<typeof warmMember>[0]> = {}) =>
        warmMember({ owner: "o", repository: "r", ref: "main", hub: h.url, timeoutS: 10, ...extra });

    it("built: asks /build/gh/<owner>/<repo>/<ref> for an event stream, stops at built after a build, hangs up", async () => {
        const h = await start(stream(BUILD));
        const phases: string[] = [];
        const outcome = await warmMember({
            owner: "underworldcode",
            repository: "uw3-binder-launcher",
            ref: "feature/x",
            hub: h.url,
            timeoutS: 10,
            onPhase: (p) => phases.push(p),
        });
        assert.deepEqual(withoutTimes(outcome), {
            hub: h.url,
            url: `${h.url}/build/gh/underworldcode/uw3-binder-launcher/feature/x`,
            outcome: "built",
            phase: "built",
            message: "Built image, launching...",
            redirects: [],
        });
        assert.deepEqual(phases, ["waiting", "fetching", "building", "pushing", "built"]);
        assert.equal(h.seen.length, 1);
        assert.equal(h.seen[0].url, "/build/gh/underworldcode/uw3-binder-launcher/feature/x");
        assert.equal(h.seen[0].accept, "text/event-stream");
        await h.seen[0].closed; // the client hung up; a hub that never sees this would time the test out
    });

    it("already built: the hub found the image and went straight to built", async () => {
        const h = await start(stream(FOUND));
        const outcome = await ask(h);
        assert.equal(outcome.outcome, "already built");
        assert.equal(outcome.message, "Found built image, launching...");
    });

    it("already built: an older hub that reports only launching and ready", async () => {
        const h = await start(stream([event("launching", "Launching...\n"), event("ready", "ready\n", { url: "u", token: "t" })]));
        const outcome = await ask(h);
        assert.equal(outcome.outcome, "already built");
        assert.equal(outcome.phase, "ready");
    });

    it("built: an older hub that builds and then reports ready", async () => {
        const h = await start(stream([event("building", "Step 1/2\n"), event("launching", "Launching...\n"), event("ready", "ready\n")]));
        assert.equal((await ask(h)).outcome, "built");
    });

    it("failed: with the hub's message", async () => {
        const h = await start(stream([event("waiting", "Waiting\n"), event("building", "Step 1/2\n"), event("failed", "Error: repo2docker exited 1\n")]));
        const outcome = await ask(h);
        assert.equal(outcome.outcome, "failed");
        assert.equal(outcome.phase, "failed");
        assert.equal(outcome.message, "Error: repo2docker exited 1");
    });

    it("failed: repo2docker's failure phase, as BinderHub counts it", async () => {
        const h = await start(stream([event("building", "Step 1/2\n"), event("failure", "The command returned a non-zero code: 1\n")]));
        const outcome = await ask(h);
        assert.equal(outcome.outcome, "failed");
        assert.equal(outcome.phase, "failure");
    });

    it("parses events split anywhere across chunks, with CRLF line ends and multi-line data", async () => {
        const text = ': keepalive\r\n\r\ndata: {"phase": "waiting",\r\ndata:  "message": "two lines"}\r\n\r\n' + event("built", "Built image, launching...\n");
        const h = await start(stream(text.split(""), 1));
        const outcome = await ask(h);
        assert.equal(outcome.outcome, "built");
        assert.equal(outcome.message, "Built image, launching...");
    });

    it("escapes control characters and cuts long messages before they reach a terminal", async () => {
        const h = await start(stream([event("fail\u001b[2Jed", "x"), event("failed", `\u001b]0;owned\u0007 ${"y".repeat(2000)}\n`)]));
        const outcome = await ask(h);
        assert.equal(outcome.outcome, "failed");
        assert.equal(outcome.message, `\\x1b]0;owned\\x07 ${"y".repeat(483)}… (2011 characters in all)`);
        assert.equal(printableLine("a\u009bb\r\nsecond line"), "a\\x9bb");
    });

    describe("closed", () => {
        it("a server that drops the connection mid-stream, with the last phase", async () => {
            const h = await start((req, res) => {
                res.writeHead(200, EVENT_STREAM);
                res.write(event("waiting", "Waiting\n") + event("building", "Step 1/9\n"));
                setTimeout(() => req.socket.destroy(), 50);
            });
            const outcome = await ask(h);
            assert.equal(outcome.outcome, "closed");
            assert.equal(outcome.phase, "building");
            assert.match(outcome.message, /^the event stream broke after phase "building": .+/);
        });

        it("a stream that ends cleanly before a final phase", async () => {
            const h = await start((_req, res) => {
                res.writeHead(200, EVENT_STREAM);
                res.end(event("waiting", "Waiting\n"));
            });
            const outcome = await ask(h);
            assert.equal(outcome.outcome, "closed");
            assert.equal(outcome.message, 'the event stream ended after phase "waiting", without ready, built or failed');
        });

        it("an endless stream of data lines that never ends an event: hangs up at the event limit, long before the timeout", async () => {
            const hostile = endless("endless-data");
            const h = await start(hostile.script);
            const t0 = Date.now();
            const outcome = await ask(h, { timeoutS: 60 });
            assert.equal(outcome.outcome, "closed");
            assert.equal(outcome.message, 'the event stream sent an event longer than 256 KiB without ending it after phase "building"; hung up');
            assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
            await h.seen[0].closed;
            assert.ok(hostile.sent() < 64 * 1024 * 1024, `the hub sent ${hostile.sent()} bytes`);
        });

        it("a stream with no newline at all: hangs up at the line limit instead of spinning until the timeout", async () => {
            const hostile = endless("no-newline");
            const h = await start(hostile.script);
            const t0 = Date.now();
            const cpu0 = process.cpuUsage();
            const outcome = await ask(h, { timeoutS: 60 });
            const cpuMs = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000;
            assert.equal(outcome.outcome, "closed");
            assert.equal(outcome.message, 'the event stream sent a line longer than 64 KiB after phase "building"; hung up');
            assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
            assert.ok(cpuMs < 5_000, `used ${cpuMs} ms of CPU`);
            await h.seen[0].closed;
        });
    });

    describe("timeout", () => {
        it("gives up at the timeout and says where it was", async () => {
            const h = await start((_req, res) => {
                res.writeHead(200, EVENT_STREAM);
                res.write(event("building", "Step 1/9\n"));
                const beat = setInterval(() => res.write(":heartbeat\n\n"), 50);
                res.on("close", () => clearInterval(beat));
            });
            const t0 = Date.now();
            const outcome = await ask(h, { timeoutS: 0.3 });
            const took = Date.now() - t0;
            assert.equal(outcome.outcome, "timeout");
            assert.equal(outcome.phase, "building");
            assert.equal(outcome.message, 'no ready, built or failed within 0.3 s (after phase "building")');
            assert.ok(took >= 280 && took < 3000, `took ${took} ms`);
            await h.seen[0].closed;
        });

        it("a hub that accepts the connection but never answers", async () => {
            const h = await start(() => undefined);
            const outcome = await ask(h, { timeoutS: 0.2 });
            assert.equal(outcome.outcome, "timeout");
            assert.equal(outcome.phase, null);
            assert.equal(outcome.message, "no ready, built or failed within 0.2 s (before any phase)");
        });
    });

    describe("idle: a hub that accepts and then says nothing", () => {
        it("before any answer: hung up after the idle time, not the whole timeout", async () => {
            const h = await start(() => undefined);
            const outcome = await ask(h, { timeoutS: 600, idleTimeoutS: 0.2 });
            assert.equal(outcome.outcome, "timeout");
            assert.equal(outcome.message, "the hub sent nothing for 0.2 s before any phase; hung up");
            await h.seen[0].closed;
        });

        it("after a phase: hung up after the idle time, naming the phase", async () => {
            const h = await start(stream([event("building", "Step 1/9\n")]));
            const outcome = await ask(h, { timeoutS: 600, idleTimeoutS: 0.2 });
            assert.equal(outcome.outcome, "timeout");
            assert.equal(outcome.phase, "building");
            assert.equal(outcome.message, 'the hub sent nothing for 0.2 s after phase "building"; hung up');
        });

        it("keepalive comments, as BinderHub writes them, keep a long build alive until the timeout", async () => {
            const h = await start((_req, res) => {
                res.writeHead(200, EVENT_STREAM);
                res.write(event("building", "Step 1/9\n"));
                const beat = setInterval(() => res.write(":keepalive\n\n"), 20);
                res.on("close", () => clearInterval(beat));
            });
            const outcome = await ask(h, { timeoutS: 1.5, idleTimeoutS: 1 });
            assert.equal(outcome.message, 'no ready, built or failed within 1.5 s (after phase "building")');
        });

        it("defaults to 120 s, nearly five of BinderHub's 25 s keepalives", () => {
            assert.equal(HUB_IDLE_TIMEOUT_S, 120);
        });
    });

    it("reports at most 20 phase changes, then says that further ones are not shown", async () => {
        const alternating = Array.from({ length: 2000 }, (_, i) => event(i % 2 === 0 ? "fetching" : "building", `line ${i}\n`)).join("");
        const h = await start(stream([alternating, event("built", "Built image, launching...\n")]));
        const reports: string[] = [];
        const outcome = await ask(h, { onPhase: (phase, message) => reports.push(`${phase}: ${message}`) });
        assert.equal(outcome.outcome, "built");
        assert.equal(reports.length, 21);
        assert.deepEqual(reports.slice(0, 2), ["fetching: line 0", "building: line 1"]);
        assert.equal(reports[20], "fetching: further phase changes are not shown (at most 20 per hub and ref)");
    });

    describe("unreachable", () => {
        it("a refused connection, without throwing", async () => {
            const h = await hub(() => undefined);
            await h.stop(); // the port is free now: nothing listens
            const outcome = await ask(h, { timeoutS: 5 });
            assert.equal(outcome.outcome, "unreachable");
            assert.equal(outcome.phase, null);
            assert.equal(outcome.message, `could not reach ${h.url}/build/gh/o/r/main: connect ECONNREFUSED ${h.url.slice("http://".length)}`);
        });

        it("an HTTP error, with its status", async () => {
            const h = await start((_req, res) => {
                res.writeHead(404, "Not Found");
                res.end("no such provider");
            });
            const outcome = await ask(h);
            assert.equal(outcome.outcome, "unreachable");
            assert.equal(outcome.message, `${h.url}/build/gh/o/r/main answered HTTP 404 Not Found`);
        });

        it("an answer that is not an event stream (a hub that ignored Accept: text/event-stream)", async () => {
            const h = await start((_req, res) => {
                res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
                res.end("<html>launch page</html>");
            });
            const outcome = await ask(h);
            assert.equal(outcome.outcome, "unreachable");
            assert.equal(outcome.message, `${h.url}/build/gh/o/r/main answered text/html; charset=utf-8, not an event stream`);
        });
    });

    it("refuses a plain-http hub that is not on loopback without sending anything", async () => {
        const outcome = await warmMember({ owner: "o", repository: "r", ref: "main", hub: "http://hub.example", timeoutS: 10 });
        assert.equal(outcome.outcome, "unreachable");
        assert.equal(outcome.message, "http://hub.example/build/gh/o/r/main: plain http to hub.example, which is not a loopback host: only https is asked");
        assert.deepEqual(outcome.redirects, []);
    });

    describe("redirects", () => {
        it("follows a redirect, as mybinder.org's federation sends /build/ to a member, and records it", async () => {
            const h = await start((req, res) => {
                if (req.url?.startsWith("/build/")) {
                    res.writeHead(307, { location: `/member${req.url}` });
                    res.end();
                } else stream(FOUND)(req, res, 0);
            });
            const outcome = await ask(h);
            assert.equal(outcome.outcome, "already built");
            assert.deepEqual(outcome.redirects, [`${h.url}/member/build/gh/o/r/main`]);
            assert.deepEqual(
                h.seen.map((s) => s.url),
                ["/build/gh/o/r/main", "/member/build/gh/o/r/main"],
            );
            assert.equal(h.seen[1].accept, "text/event-stream");
        });

        it("follows a redirect to another hub", async () => {
            const member = await start(stream(BUILD));
            const front = await start((req, res) => {
                res.writeHead(302, { location: `${member.url}${req.url}` });
                res.end();
            });
            const outcome = await ask(front);
            assert.equal(outcome.outcome, "built");
            assert.deepEqual(outcome.redirects, [`${member.url}/build/gh/o/r/main`]);
        });

        const refused: [string, Script, (h: Hub) => string][] = [
            [
                "a redirect loop",
                (req, res) => (res.writeHead(302, { location: req.url }), res.end()),
                (h) => `${h.url}/build/gh/o/r/main: more than 5 redirects (last to ${h.url}/build/gh/o/r/main)`,
            ],
            [
                "a redirect to another scheme",
                (_req, res) => (res.writeHead(302, { location: "file:///etc/passwd" }), res.end()),
                (h) => `${h.url}/build/gh/o/r/main: redirect to file:///etc/passwd: only http(s) is followed`,
            ],
            [
                "a redirect with credentials",
                (_req, res) => (res.writeHead(302, { location: "http://user:pw@127.0.0.1:1/x" }), res.end()),
                (h) => `${h.url}/build/gh/o/r/main: redirect to a URL with credentials`,
            ],
            ["a redirect without a Location", (_req, res) => (res.writeHead(302), res.end()), (h) => `${h.url}/build/gh/o/r/main: HTTP 302 without a Location`],
            [
                "a redirect to plain http on a host that is not loopback",
                (_req, res) => (res.writeHead(302, { location: "http://hub.example/build/gh/o/r/main" }), res.end()),
                (h) => `${h.url}/build/gh/o/r/main: plain http to hub.example, which is not a loopback host: only https is asked`,
            ],
        ];
        for (const [what, script, message] of refused) {
            it(`refuses ${what} as unreachable`, async () => {
                const h = await start(script);
                const outcome = await ask(h);
                assert.equal(outcome.outcome, "unreachable");
                assert.equal(outcome.message, message(h));
                assert.ok(h.seen.length <= 6, `${h.seen.length} requests`);
            });
        }
    });

    describe("rate limits", () => {
        it("HTTP 429 with a Retry-After beyond the timeout: rate limited at once, no second request", async () => {
            const h = await start((_req, res) => {
                res.writeHead(429, { "retry-after": "3600" });
                res.end("Rate limit exceeded. Try again in 3600 seconds.");
            });
            const t0 = Date.now();
            const outcome = await ask(h, { timeoutS: 5 });
            assert.equal(outcome.outcome, "rate limited");
            assert.match(
                outcome.message,
                new RegExp(
                    `^${h.url.replace(/\./g, "\\.")}/build/gh/o/r/main answered HTTP 429 Too Many Requests; the hub allows the next build at \\d{4}-.+Z, after the timeout$`,
                ),
            );
            assert.equal(h.seen.length, 1);
            assert.ok(Date.now() - t0 < 1000);
        });

        it("HTTP 429 whose body never ends: hangs up on it without crashing", async () => {
            const h = await start((_req, res) => {
                res.writeHead(429, { "retry-after": "3600", "content-type": "text/event-stream" });
                res.write(": still here\n\n");
            });
            const outcome = await ask(h, { timeoutS: 5 });
            assert.equal(outcome.outcome, "rate limited");
            await h.seen[0].closed;
        });

        it("HTTP 429 with a Retry-After within the timeout: waits that long, then asks again", async () => {
            const h = await start((req, res, i) => {
                if (i === 0) {
                    res.writeHead(429, { "retry-after": "1" });
                    res.end();
                } else stream(BUILD)(req, res, i);
            });
            const outcome = await ask(h, { timeoutS: 10 });
            assert.equal(outcome.outcome, "built");
            assert.equal(h.seen.length, 2);
            const gap = h.seen[1].at - h.seen[0].at;
            assert.ok(gap >= 950, `asked again after ${gap} ms`);
            assert.ok(outcome.waitedSeconds >= 0.9 && outcome.waitedSeconds < 3, `waited ${outcome.waitedSeconds} s`);
        });

        it("BinderHub's own refusal, a failed event with status_code 429 on HTTP 200: rate limited", async () => {
            const h = await start(
                stream([`data: ${JSON.stringify({ phase: "failed", status_code: 429, message: "Rate limit exceeded. Try again in 3600 seconds.\n" })}\n\n`]),
            );
            const outcome = await ask(h);
            assert.equal(outcome.outcome, "rate limited");
            assert.equal(
                outcome.message,
                `${h.url}/build/gh/o/r/main: Rate limit exceeded. Try again in 3600 seconds.; the hub refused a build (HTTP 429) and said no time to try again`,
            );
            assert.equal(h.seen.length, 1);
        });

        it("a hub that answers 429 with Retry-After: 0 forever is asked at most 4 times", async () => {
            const h = await start((_req, res) => {
                res.writeHead(429, { "retry-after": "0" });
                res.end();
            });
            const outcome = await ask(h);
            assert.equal(outcome.outcome, "rate limited");
            assert.match(outcome.message, /; refused 4 times$/);
            assert.equal(h.seen.length, 4);
        });

        it("X-RateLimit-Remaining: 0 from an earlier answer: the next request waits for X-RateLimit-Reset", async () => {
            const resetAt = Math.ceil(Date.now() / 1000) + 1;
            const h = await start(stream(FOUND, 5, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(resetAt), "x-ratelimit-limit": "10" }));
            const allowance = new HubAllowance();
            assert.equal((await ask(h, { allowance })).outcome, "already built");
            const second = await ask(h, { allowance, ref: "development" });
            assert.equal(second.outcome, "already built");
            assert.ok(h.seen[1].at >= resetAt * 1000, `second request ${resetAt * 1000 - h.seen[1].at} ms before the reset`);
            assert.ok(second.waitedSeconds > 0);
        });

        it("X-RateLimit-Remaining: 0 with a reset after the timeout: rate limited without asking", async () => {
            const h = await start(stream(FOUND, 5, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + 3600) }));
            const allowance = new HubAllowance();
            assert.equal((await ask(h, { allowance })).outcome, "already built");
            const second = await ask(h, { allowance, ref: "development", timeoutS: 5 });
            assert.equal(second.outcome, "rate limited");
            assert.match(second.message, /^the hub allows the next build at \d{4}-\d\d-\d\dT.+Z, after the timeout$/);
            assert.equal(h.seen.length, 1);
        });
    });

    it("keeps a BinderHub path prefix and encodes the ref", () => {
        assert.equal(
            buildEndpoint("o", "r", "fix/a#1", "https://notebooks.example.org/binder/"),
            "https://notebooks.example.org/binder/build/gh/o/r/fix/a%231",
        );
        assert.throws(() => buildEndpoint("o", "r", ""), { message: 'invalid launcher ref "": expected a branch name, found an empty string' });
    });
});
