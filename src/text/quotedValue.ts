/**
 * How an error message quotes a value it found: the one helper every config and CLI error uses, so a
 * 10 MB value in a stack file or on a command line is named, not echoed whole, and a control character
 * in it cannot reach the terminal raw (JSON's escapes, then the one escaper's for what JSON leaves: DEL,
 * C1 controls, bidi overrides).
 */
import { escapeUnprintable } from "./printable";

/** Characters of a found string (or key) a message quotes before cutting the rest: room for any real reference or URL. */
const SHOWN_MAX_CHARS = 512;
/** Characters of compact JSON an error message shows for a found object or list. */
const SHOWN_MAX_JSON = 80;

/** `text` cut to SHOWN_MAX_CHARS, saying how long it was; for names and keys written into a message as they are. */
export function capped(text: string): string {
    return escapeUnprintable(text.length > SHOWN_MAX_CHARS ? `${text.slice(0, SHOWN_MAX_CHARS)}... (${text.length} characters)` : text);
}

/** A found value for a message: strings JSON-quoted (control characters escaped), objects as compact JSON, both capped. */
export function shown(value: unknown): string {
    if (value === undefined) return "nothing";
    if (typeof value === "string") {
        return escapeUnprintable(
            value.length > SHOWN_MAX_CHARS ? `${JSON.stringify(value.slice(0, SHOWN_MAX_CHARS))}... (${value.length} characters)` : JSON.stringify(value),
        );
    }
    // JSON.stringify gives undefined only for a function or a symbol: never config, so named by kind.
    const json = JSON.stringify(value) ?? `(a ${typeof value})`;
    return escapeUnprintable(json.length > SHOWN_MAX_JSON ? `${json.slice(0, SHOWN_MAX_JSON - 3)}...` : json);
}
