/**
 * Text written by someone else (a registry's or a hub's answer, a container's log, `docker`'s stderr
 * relaying either, a value from a stack file or the command line) as any command prints or writes it:
 * `escapeUnprintable` is the one escaper of such text, which every other helper here goes through. A failing gate's whole stderr lands in `pulumi up`'s error and
 * CI logs, so a hostile answer must not move the cursor, recolour the terminal, hide text behind a bidi
 * override, or fill the log with a megabyte. Pure.
 */

/** How much of one quoted value a message shows. */
const QUOTED_VALUE_MAX = 200;

// C0 controls (newline and tab included: a quoted value is one line), DEL, C1 controls (U+0085 NEL among
// them), the Unicode line and paragraph separators U+2028/U+2029 (line ends to YAML 1.1 readers such as
// PyYAML, to JavaScript before ES2019, and to some terminals and log viewers), and the bidirectional marks,
// embeddings, overrides and isolates (U+061C, U+200E/F, U+202A-E, U+2066-9), which reorder what a reader sees.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `value` as JSON a terminal shows as plain text: what JSON.stringify leaves raw of the characters above
 * (DEL, C1 controls, line separators, bidi marks) written as `\uNNNN` escapes, which every JSON reader
 * decodes back to the same value.
 */
export function printableJson(value: unknown): string {
    return JSON.stringify(value).replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `text` with every character a terminal would act on escaped as `\xNN` / `\uNNNN`; nothing cut. */
export function escapeUnprintable(text: string): string {
    return text.replace(UNPRINTABLE, escapeChar);
}

/**
 * What a command prints on stdout, line by line: each line through the one escaper, so a reason, key or
 * reference taken from input cannot end a line early, move the cursor or reorder what the reader sees.
 */
export function printableText(lines: readonly string[]): string {
    return lines.map(escapeUnprintable).join("\n") + "\n";
}

/**
 * One line a terminal shows as plain text: control characters escaped as `\xNN` / `\uNNNN`, then cut
 * to `max` characters with how much was left out.
 */
export function printableLine(value: string, max = QUOTED_VALUE_MAX): string {
    // Cut first (bounded work on a huge value), escape, then cut again (escapes lengthen the text).
    const head = value.length > max * 4 ? value.slice(0, max * 4) : value;
    const escaped = escapeUnprintable(head);
    if (escaped.length <= max && head.length === value.length) return escaped;
    return `${escaped.slice(0, max)}… (${value.length} characters in all)`;
}

/** Each line of a multi-line text (a detail with log lines under it) made safe, at most `maxLines` of them. */
export function printableLines(value: string, maxLine = QUOTED_VALUE_MAX, maxLines = 40): string {
    const lines = value.slice(0, maxLine * maxLines * 4).split("\n");
    const shown = lines.slice(0, maxLines).map((line) => printableLine(line, maxLine));
    if (lines.length > maxLines) shown.push(`… (${lines.length - maxLines} more lines)`);
    return shown.join("\n");
}
