/**
 * The harness's `run()`, which every integration and e2e test starts its children with: a child that exits
 * without reading its input (EPIPE on our side of the pipe) is a result, never an uncaught error that takes
 * the whole suite down with it.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { run } from "./harness";

/** More than any pipe buffers (64 KB on Linux), so the write is still pending when the child exits. */
const LARGE = Buffer.alloc(8 * 1024 * 1024, "x");

describe("harness run(): errors on the child's streams", () => {
    it("a child that exits before reading a large stdin: the write fails with EPIPE (what run() must survive)", async () => {
        // Without run(): the error is real, and would be thrown uncaught without a listener.
        const child = spawn("sh", ["-c", "exit 3"], { stdio: ["pipe", "ignore", "ignore"] });
        const error = new Promise<string | undefined>((resolve) => {
            child.stdin.on("error", (err: NodeJS.ErrnoException) => resolve(err.code));
            child.stdin.on("finish", () => resolve(undefined));
        });
        child.stdin.end(LARGE);
        assert.equal(await error, "EPIPE");
    });

    it("run() resolves with the child's exit code, and notes nothing for the unread input", async () => {
        const result = await run("sh", ["-c", "echo out; echo err >&2; exit 3"], { input: LARGE, timeoutMs: 30000 });
        assert.deepEqual(result.code, 3);
        assert.equal(result.stdout, "out\n");
        assert.equal(result.stderr, "err\n");
    });

    it("a child that reads its stdin gets all of it", async () => {
        const result = await run("wc", ["-c"], { input: LARGE, timeoutMs: 30000 });
        assert.equal(result.code, 0);
        assert.equal(result.stdout.trim(), String(LARGE.length));
    });

    it("a command that does not exist is exit 127 with the reason, not a throw", async () => {
        const result = await run("/nonexistent/uw3-binder-no-such-command", [], { input: LARGE });
        assert.equal(result.code, 127);
        assert.match(result.stderr, /ENOENT/);
    });
});
