/**
 * The BinderHub build stream's `text/event-stream` (the WHATWG "server-sent events" format), read with
 * eventsource-parser behind this project's size bounds.
 *
 * Why bounded: the stream comes from a hub we do not control. A hub that sends `data:` lines forever
 * without the blank line that ends an event, or bytes without any newline, would otherwise grow the
 * pending event or line without limit (`warmup` reached 3 GB and was killed inside `pulumi up`), and
 * re-scanning a growing buffer for a newline on every chunk costs quadratic CPU. Here every chunk is
 * scanned once for line ends, the pending line is capped, and only whole lines reach eventsource-parser,
 * whose own buffer bound (`maxBufferSize`: pending line plus pending data) is then exactly the pending
 * event's data. Past a cap `push` throws `EventStreamOverflow` and the caller hangs up.
 *
 * The fields (`data`, `event`, comments, `id`, `retry`) and the dispatch of events are eventsource-parser's;
 * `id` and `retry` serve reconnection, which a warm-up never does, and unknown fields are ignored.
 *
 * Real BinderHub events are one `data: {json}` line each (binderhub/builder.py `emit`): a build log line,
 * a phase, a progress map. 64 KiB per line and 256 KiB per event leave ample room.
 */
import { createParser, EventSourceParser, ParseError } from "eventsource-parser";

export interface EventStreamLimits {
    /** Longest line, in UTF-16 code units, before its end of line. */
    maxLineChars: number;
    /** Longest `data` of one event (all its `data:` lines joined). */
    maxEventChars: number;
}

export const EVENT_STREAM_LIMITS: EventStreamLimits = { maxLineChars: 64 * 1024, maxEventChars: 256 * 1024 };

export interface ServerSentEvent {
    /** The `event:` field; "message" when absent, as in the spec. */
    type: string;
    data: string;
}

/** The stream broke a size limit; the message says which, for the warm-up report. */
export class EventStreamOverflow extends Error {
    constructor(message: string) {
        super(message);
        this.name = "EventStreamOverflow";
    }
}

function size(chars: number): string {
    return chars % 1024 === 0 ? `${chars / 1024} KiB` : `${chars} characters`;
}

export class EventStreamParser {
    private readonly limits: EventStreamLimits;
    private readonly parser: EventSourceParser;
    /** Events the current `push` completed. */
    private completed: ServerSentEvent[] = [];
    /** Pieces of the line not yet ended, and their total length (joined only when the line ends). */
    private linePieces: string[] = [];
    private lineLength = 0;
    /** A chunk ended with CR: a LF at the start of the next one belongs to the same line end. */
    private afterCarriageReturn = false;

    constructor(limits: EventStreamLimits = EVENT_STREAM_LIMITS) {
        this.limits = limits;
        this.parser = createParser({
            onEvent: (event) => this.completed.push({ type: event.event ?? "message", data: event.data }),
            onError: (error: ParseError) => {
                if (error.type === "max-buffer-size-exceeded") {
                    throw new EventStreamOverflow(`the event stream sent an event longer than ${size(this.limits.maxEventChars)} without ending it`);
                }
                // An unknown field or a bad `retry`: ignored, as the spec says.
            },
            maxBufferSize: limits.maxEventChars,
        });
    }

    /** Feeds decoded text; returns the events it completed. Throws EventStreamOverflow past a limit. */
    push(text: string): ServerSentEvent[] {
        this.completed = [];
        let start = 0;
        if (this.afterCarriageReturn && text.startsWith("\n")) start = 1;
        this.afterCarriageReturn = false;
        for (let i = start; i < text.length; i++) {
            const c = text.charCodeAt(i);
            if (c !== 10 && c !== 13) continue;
            this.appendToLine(text, start, i);
            const line = this.linePieces.length === 1 ? this.linePieces[0] : this.linePieces.join("");
            this.linePieces = [];
            this.lineLength = 0;
            // One whole line per feed, ended by LF alone: the parser buffers nothing but the event's data,
            // and checks that against maxEventChars after every line.
            this.parser.feed(`${line}\n`);
            if (c === 13) {
                if (i + 1 < text.length) {
                    if (text.charCodeAt(i + 1) === 10) i++;
                } else this.afterCarriageReturn = true;
            }
            start = i + 1;
        }
        this.appendToLine(text, start, text.length);
        return this.completed;
    }

    private appendToLine(text: string, from: number, to: number): void {
        if (to <= from) return;
        this.lineLength += to - from;
        if (this.lineLength > this.limits.maxLineChars) {
            throw new EventStreamOverflow(`the event stream sent a line longer than ${size(this.limits.maxLineChars)}`);
        }
        this.linePieces.push(text.slice(from, to));
    }
}
