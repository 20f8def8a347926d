/**
 * Whatever a hub answers, a warm-up ends in one of its outcomes, never an exception, and what it reports
 * is printable (issue 20: warm-up's exit code is 0 whatever a hub sends, with a JSON outcome per member).
 */
import * as assert from "assert/strict";
import fc from "fast-check";
import * as http from "http";
import { warmMember, WARMUP_OUTCOMES } from "../../src/hub/build";
import { event, hub, Hub } from "../warmup/hub";

/** One scripted answer: a status, headers and body pieces, the connection ended or left open. */
interface Answer {
    status: number;
    headers: Record<string, string>;
    body: string[];
    end: boolean;
}

const headerText = fc.oneof(
    // Numbers past JavaScript's dates among them: a time no Date can hold must still be an outcome.
    fc.constantFrom("0", "1", "9999999999999", "99999999999999999999", "9".repeat(40), "-5", "1.5", "Wed, 21 Oct 2015 07:28:00 GMT", "soon", ""),
    fc.string({ unit: fc.constantFrom("a", "0", " ", ";", "=", "é", "\u2028", "\u202e"), maxLength: 12 }),
);
const answer: fc.Arbitrary<Answer> = fc.record({
    status: fc.constantFrom(200, 200, 200, 204, 301, 302, 307, 400, 404, 429, 429, 429, 429, 500, 503),
    headers: fc.record(
        {
            "content-type": fc.constantFrom("text/event-stream", "text/event-stream; charset=utf-8", "text/html", "application/json", "text/event-streamx"),
            "retry-after": headerText,
            "x-ratelimit-remaining": headerText,
            "x-ratelimit-reset": headerText,
            // Relative, refused or loopback targets only: the tests speak to loopback and nothing else.
            location: fc.constantFrom("/elsewhere", "ftp://x.example/", "http://hub.example/", "http://[bad", "http://u:p@127.0.0.1:1/", "//127.0.0.1:1/x", ""),
        },
        { requiredKeys: [] },
    ),
    body: fc.array(
        fc.oneof(
            fc.constantFrom(
                event("building", "Step 1/3\n"),
                event("built", "Built image\n"),
                event("ready", "ready\n"),
                event("failed", "no\n"),
                event("failed", "rate\n", { status_code: 429 }),
                event("\u001b[2J\u2028", "\u202eevil\r\nline"),
                ":keepalive\n\n",
                "data: {not json\n\n",
                "data: 42\n\n",
                "data: null\n\n",
                'data: {"phase": 7}\n\n',
                "\r\n",
                'data: {"phase": "building"',
            ),
            fc.string({ maxLength: 30 }),
        ),
        { maxLength: 6 },
    ),
    end: fc.boolean(),
});

const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("warmMember: any answer from a hub", function () {
    this.timeout(120_000);
    let h: Hub;
    let current: Answer;
    before(async () => {
        h = await hub((_req: http.IncomingMessage, res: http.ServerResponse) => {
            try {
                res.writeHead(current.status, current.headers);
            } catch {
                res.writeHead(current.status);
            }
            for (const piece of current.body) res.write(piece);
            if (current.end) res.end();
        });
    });
    after(() => h.stop());

    it("ends in one of the outcomes with a printable phase and message, never a rejection (property)", async () => {
        await fc.assert(
            fc.asyncProperty(answer, async (a) => {
                current = a;
                const outcome = await warmMember({ owner: "o", repository: "r", ref: "main", hub: h.url, timeoutS: 3, idleTimeoutS: 0.3 });
                assert.ok((WARMUP_OUTCOMES as readonly string[]).includes(outcome.outcome), outcome.outcome);
                assert.doesNotMatch(outcome.message, RAW_CONTROL);
                if (outcome.phase !== null) assert.doesNotMatch(outcome.phase, RAW_CONTROL);
                assert.ok(Number.isFinite(outcome.elapsedSeconds) && Number.isFinite(outcome.waitedSeconds));
                JSON.stringify(outcome);
            }),
            { numRuns: 150 },
        );
    });
});
