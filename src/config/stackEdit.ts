/**
 * The one way a command edits a stack file in place (`withdraw`, `rollback`): under a lock, from the text
 * as it is once the lock is held, written whole in one rename. A symlinked stack file stays a symlink (its
 * target is replaced), and the file keeps its line endings and byte order mark. Two edits at once both land
 * (one after the other) or the second is refused while the first holds the lock; none is lost.
 */
import * as fs from "fs";
import * as path from "path";
import { InputFileError, readInputFile, STACK_FILE_MAX_BYTES } from "./inputFile";

/** What an edit of a stack file's text (LF line endings, no byte order mark) returns, and what it carries out. */
export interface StackEdit<T> {
    /** The new text; the same text writes nothing. */
    text: string;
    result: T;
}

/** The lock file of a stack file: beside the file it resolves to. */
export function stackLockFile(file: string): string {
    return path.join(path.dirname(file), `.${path.basename(file)}.lock`);
}

/** `text`'s line ending: CRLF when every line ends so, LF when none does; a mix is undefined. */
function lineEndingOf(text: string): "\n" | "\r\n" | undefined {
    const lines = text.split("\n").length - 1;
    const crlf = text.split("\r\n").length - 1;
    if (crlf === 0) return "\n";
    return crlf === lines ? "\r\n" : undefined;
}

/**
 * Edits `file` (named `fileName` in messages) by `edit`, which gets the file's text as read under the lock.
 * A problem (a held lock, an unreadable file, mixed line endings) is `fail(message)`; nothing is written then,
 * nor when `edit` throws.
 */
export function editStackFile<T>(file: string, fileName: string, fail: (message: string) => Error, edit: (text: string) => StackEdit<T>): T {
    let target: string;
    try {
        // A symlinked stack file: its target is what is read, locked and replaced.
        target = fs.realpathSync(file);
    } catch (err) {
        throw fail(`${fileName}: cannot read it (${(err as NodeJS.ErrnoException).code ?? "unknown error"})`);
    }
    const lock = stackLockFile(target);
    let lockFd: number;
    try {
        lockFd = fs.openSync(lock, "wx");
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") {
            throw fail(
                `${fileName} is being edited by another command (lock ${lock}), so nothing was written; retry, or remove the lock if no uw3-binder command is running`,
            );
        }
        throw fail(`${fileName}: cannot take the lock ${lock} (${(err as NodeJS.ErrnoException).code ?? "unknown error"}), so nothing was written`);
    }
    try {
        fs.writeSync(lockFd, `${process.pid}\n`);
        let read;
        try {
            read = readInputFile(target, fileName, "a stack file (Pulumi.<stack>.yaml)", STACK_FILE_MAX_BYTES);
        } catch (err) {
            if (err instanceof InputFileError) throw fail(err.message);
            throw err;
        }
        const ending = lineEndingOf(read.text);
        if (ending === undefined) throw fail(`${fileName} mixes CRLF and LF line endings, so nothing was written; expected one kind throughout`);
        const { text, result } = edit(ending === "\r\n" ? read.text.replace(/\r\n/g, "\n") : read.text);
        if (text === read.text.replace(/\r\n/g, "\n")) return result;
        const out = (read.bom ? "\ufeff" : "") + (ending === "\r\n" ? text.replace(/\n/g, "\r\n") : text);
        // One rename in the target's directory: a reader (or a crash) sees the old file or the new one, never half.
        const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
        try {
            const fd = fs.openSync(temporary, "wx", fs.statSync(target).mode & 0o777);
            try {
                fs.writeFileSync(fd, out);
                fs.fsyncSync(fd);
            } finally {
                fs.closeSync(fd);
            }
            fs.renameSync(temporary, target);
        } finally {
            fs.rmSync(temporary, { force: true });
        }
        return result;
    } finally {
        fs.closeSync(lockFd);
        fs.rmSync(lock, { force: true });
    }
}
