/**
 * The one reader of a file a command is given (a stack file, an outputs file): a regular file (a symlink
 * to one is followed), at most a bounded number of bytes, valid UTF-8. Anything else is one line naming
 * the file, what it is and what was expected; a FIFO or a device is refused before it is opened for
 * reading, so nothing blocks and nothing grows without bound.
 */
import * as fs from "fs";

/** The most bytes a stack file may hold (256 KiB, parsed well under a second; the production stacks are under 8 KiB). */
export const STACK_FILE_MAX_BYTES = 256 * 1024;

/** The most bytes an outputs file (`pulumi stack output --json`) may hold: 16 MiB. */
export const OUTPUTS_FILE_MAX_BYTES = 16 * 1024 * 1024;

/** A file that is not a readable, bounded, UTF-8 regular file: `message` is one line naming it. */
export class InputFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "InputFileError";
    }
}

export interface InputText {
    /** The text, without a leading byte order mark. */
    text: string;
    /** Whether the file began with a UTF-8 byte order mark (an edit writes it back). */
    bom: boolean;
}

function kindOf(stat: fs.Stats): string {
    if (stat.isDirectory()) return "a directory";
    if (stat.isFIFO()) return "a FIFO";
    if (stat.isSocket()) return "a socket";
    if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
    return "not a regular file";
}

/**
 * `file`'s text. `name` is how messages name it (`--from-outputs jan.json`, `Pulumi.2025-02.yaml`),
 * `expected` what it should be ("a stack file (Pulumi.<stack>.yaml)").
 */
export function readInputFile(file: string, name: string, expected: string, maxBytes: number): InputText {
    const problem = (what: string) => new InputFileError(`${name}: ${what}, expected ${expected}`);
    let fd: number;
    try {
        const stat = fs.statSync(file);
        if (!stat.isFile()) throw problem(`is ${kindOf(stat)}`);
        // O_NONBLOCK: were the file swapped for a FIFO since the stat, opening it does not wait for a writer.
        fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (err) {
        if (err instanceof InputFileError) throw err;
        const code = (err as NodeJS.ErrnoException).code;
        throw problem(code === "ENOENT" ? "no such file" : `cannot read it (${code ?? "unknown error"})`);
    }
    try {
        const stat = fs.fstatSync(fd);
        if (!stat.isFile()) throw problem(`is ${kindOf(stat)}`);
        if (stat.size > maxBytes) throw problem(`is ${stat.size} bytes, over the limit of ${maxBytes}`);
        // Read one byte past the bound: a file that grew since the stat is refused, not read on.
        const buffer = Buffer.alloc(maxBytes + 1);
        let length = 0;
        for (;;) {
            const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
            if (n === 0) break;
            length += n;
            if (length > maxBytes) throw problem(`is over the limit of ${maxBytes} bytes`);
        }
        return decodeUtf8(buffer.subarray(0, length), problem);
    } catch (err) {
        if (err instanceof InputFileError) throw err;
        throw problem(`cannot read it (${(err as NodeJS.ErrnoException).code ?? "unknown error"})`);
    } finally {
        fs.closeSync(fd);
    }
}

function decodeUtf8(bytes: Buffer, problem: (what: string) => InputFileError): InputText {
    const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    const body = bom ? bytes.subarray(3) : bytes;
    try {
        return { text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body), bom };
    } catch {
        throw problem(`is not valid UTF-8 (at byte ${firstInvalidUtf8(body) + (bom ? 3 : 0)})`);
    }
}

/** The offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
    for (let i = 0; i < bytes.length;) {
        const c = bytes[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        // The continuation bytes a lead byte takes, and the range of the first (no overlongs, no surrogates).
        const [n, low, high] =
            c >= 0xc2 && c <= 0xdf
                ? [1, 0x80, 0xbf]
                : c === 0xe0
                  ? [2, 0xa0, 0xbf]
                  : c === 0xed
                    ? [2, 0x80, 0x9f]
                    : c >= 0xe1 && c <= 0xef
                      ? [2, 0x80, 0xbf]
                      : c === 0xf0
                        ? [3, 0x90, 0xbf]
                        : c >= 0xf1 && c <= 0xf3
                          ? [3, 0x80, 0xbf]
                          : c === 0xf4
                            ? [3, 0x80, 0x8f]
                            : [0, 0, 0];
        if (n === 0 || i + n >= bytes.length) return i;
        if (bytes[i + 1] < low || bytes[i + 1] > high) return i;
        for (let k = 2; k <= n; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
        i += n + 1;
    }
    return -1;
}

/** What an outputs file is expected to be, as messages say it. */
export const OUTPUTS_EXPECTED = "the output of `pulumi stack output --json`";

/** The deepest nesting of arrays and objects a JSON file read here may have. */
const MAX_JSON_DEPTH = 64;

function depthOver(value: unknown, max: number): boolean {
    const stack: [unknown, number][] = [[value, 0]];
    while (stack.length > 0) {
        const [v, depth] = stack.pop()!;
        if (typeof v !== "object" || v === null) continue;
        if (depth >= max) return true;
        for (const child of Object.values(v)) stack.push([child, depth + 1]);
    }
    return false;
}

/** A JSON file's value, read as readInputFile reads it; not JSON, or nested deeper than MAX_JSON_DEPTH, is one line. */
export function readJsonFile(file: string, name: string, expected: string, maxBytes: number): unknown {
    const { text } = readInputFile(file, name, expected, maxBytes);
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        const reason = err instanceof RangeError ? "nested too deeply" : "not JSON";
        throw new InputFileError(`${name}: ${reason}; expected ${expected}`);
    }
    if (depthOver(value, MAX_JSON_DEPTH)) throw new InputFileError(`${name}: nested deeper than ${MAX_JSON_DEPTH} levels; expected ${expected}`);
    return value;
}
