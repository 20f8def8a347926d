/** Where a command writes and which directory it works in; tests pass their own. */
export interface CommandIo {
    stdout(text: string): void;
    stderr(text: string): void;
    cwd: string;
}

export const processIo: CommandIo = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    get cwd() {
        return process.cwd();
    },
};

/** Collects what a command writes, for tests and for callers that render it themselves. */
export function bufferIo(cwd: string): CommandIo & { out: string; err: string } {
    const io = {
        out: "",
        err: "",
        cwd,
        stdout(text: string) {
            io.out += text;
        },
        stderr(text: string) {
            io.err += text;
        },
    };
    return io;
}
