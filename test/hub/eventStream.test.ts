import * as assert from "assert/strict";
import { EVENT_STREAM_LIMITS, EventStreamOverflow, EventStreamParser } from "../../src/hub/eventStream";

/** Feeds `text` split into pieces of `size` characters and collects every event. */
function parseAll(text: string, size = text.length, parser = new EventStreamParser()) {
    const events = [];
    for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
    return events;
}

describe("EventStreamParser", () => {
    const STREAM = ':keepalive\n\ndata: {"phase": "waiting"}\n\nevent: progress\ndata: line 1\ndata:line 2\n\ndata\n\n';
    const EXPECTED = [
        { type: "message", data: '{"phase": "waiting"}' },
        { type: "progress", data: "line 1\nline 2" },
        { type: "message", data: "" },
    ];

    for (const size of [1, 2, 3, 7, 1000]) {
        it(`parses comments, multi-line data and event types split into ${size}-character pieces`, () => {
            assert.deepEqual(parseAll(STREAM, size), EXPECTED);
        });
    }

    it("accepts CRLF and lone CR line ends, a CRLF split between chunks counting once", () => {
        assert.deepEqual(parseAll(STREAM.replace(/\n/g, "\r\n"), 1), EXPECTED);
        assert.deepEqual(parseAll(STREAM.replace(/\n/g, "\r"), 1), EXPECTED);
        const parser = new EventStreamParser();
        assert.deepEqual(parser.push("data: a\r"), []);
        assert.deepEqual(parser.push("\n\r\n"), [{ type: "message", data: "a" }]);
    });

    it("dispatches nothing for a blank line without data, and nothing before the blank line", () => {
        assert.deepEqual(parseAll("\n\n\n:x\n\ndata: pending\n"), []);
    });

    it("refuses a line longer than the limit without a newline, after reading only past the limit", () => {
        const parser = new EventStreamParser({ maxLineChars: 100, maxEventChars: 1000 });
        assert.deepEqual(parser.push("data: " + "x".repeat(94)), []); // exactly 100: still allowed
        assert.throws(
            () => parser.push("y"),
            (err: unknown) => err instanceof EventStreamOverflow && err.message === "the event stream sent a line longer than 100 characters",
        );
    });

    it("refuses an event whose data lines never end, even when each line is short", () => {
        const parser = new EventStreamParser({ maxLineChars: 100, maxEventChars: 1024 });
        assert.throws(
            () => {
                for (let i = 0; i < 1000; i++) parser.push("data: 0123456789\n");
            },
            (err: unknown) => err instanceof EventStreamOverflow && err.message === "the event stream sent an event longer than 1 KiB without ending it",
        );
    });

    it("keeps the limits of a real hub: 64 KiB lines, 256 KiB events", () => {
        assert.deepEqual(EVENT_STREAM_LIMITS, { maxLineChars: 65536, maxEventChars: 262144 });
        const big = "x".repeat(60 * 1024);
        assert.deepEqual(parseAll(`data: ${big}\n\n`, 4096), [{ type: "message", data: big }]);
    });

    it("scans a long line once: a megabyte in 1-byte pieces overflows in linear time", () => {
        const parser = new EventStreamParser();
        const started = process.hrtime.bigint();
        let overflowAt = -1;
        for (let i = 0; i < 1024 * 1024; i++) {
            try {
                parser.push("x");
            } catch (err) {
                assert.ok(err instanceof EventStreamOverflow);
                overflowAt = i;
                break;
            }
        }
        assert.equal(overflowAt, EVENT_STREAM_LIMITS.maxLineChars);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        assert.ok(ms < 2000, `took ${ms} ms`);
    });
});
