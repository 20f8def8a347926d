/**
 * Numbers a timer cannot hold, ports two gates would share, and values too large to echo: each refused
 * or named with a bounded message, in the config and on the command line.
 */
import * as assert from "assert/strict";
import { parseCheckArgs } from "../../src/cli/check";
import { bufferIo } from "../../src/cli/commandIo";
import { UsageError } from "../../src/cli/errors";
import { runWarmup } from "../../src/cli/warmup";
import { MAX_TIMEOUT_S } from "../../src/warmup/options";
import { shown } from "../../src/text/quotedValue";
import { parseImageReference } from "../../src/names/oci";
import { configProblems } from "../program/fixtures";

const problems = configProblems;

const TEN_MB = "x".repeat(10 * 1024 * 1024);
const LIMIT = "expected at most 2147483 seconds (about 24 days, the longest timer Node.js keeps)";

describe("timeouts a timer can hold", () => {
    it("is 2^31 - 1 ms, in whole seconds", () => {
        assert.equal(MAX_TIMEOUT_S, 2147483);
        assert.ok(MAX_TIMEOUT_S * 1000 <= 2 ** 31 - 1);
    });

    it("config: refuses a jupyter startTimeoutS past its bound (an hour, well inside a timer's) and accepts the bound itself", () => {
        assert.deepEqual(
            problems((c) => (c["uw3-binder:images"].slim.checks = { jupyter: { startTimeoutS: MAX_TIMEOUT_S + 1 } })),
            ["`uw3-binder:images.slim.checks.jupyter.startTimeoutS`: expected a positive number of seconds up to 3600, found 2147484"],
        );
        assert.deepEqual(
            problems((c) => (c["uw3-binder:images"].slim.checks = { jupyter: { startTimeoutS: 3600 } })),
            [],
        );
    });

    it("config: refuses a launcher warmupTimeoutS past the bound", () => {
        assert.deepEqual(
            problems((c) => (c["uw3-binder:launcher"].warmupTimeoutS = 1e10)),
            [`\`uw3-binder:launcher.warmupTimeoutS\`: ${LIMIT}, found 10000000000`],
        );
    });

    it("check: refuses --start-timeout-s past the bound as a usage error", () => {
        const ref = "127.0.0.1:5000/x/y:t";
        assert.throws(() => parseCheckArgs([ref, "--start-timeout-s", "2147484"]), {
            name: "UsageError",
            message: '--start-timeout-s must be a positive number of seconds up to 3600, found "2147484"',
        });
        assert.equal(parseCheckArgs([ref, "--start-timeout-s", "3600"]).options.startTimeoutS, 3600);
    });

    it("warmup: refuses --timeout-s past the bound as a usage error, before asking any hub", async () => {
        await assert.rejects(runWarmup(["o/r", "main", "--binder-url", "http://127.0.0.1:9", "--timeout-s", "3e9"], bufferIo(".")), {
            name: "UsageError",
            message: '--timeout-s must be at most 2147483 seconds (about 24 days, the longest timer Node.js keeps), found "3e9"',
        });
    });
});

describe("Jupyter ports of parallel gates", () => {
    it("lets two images check Jupyter on the same port: each server runs in its own network namespace", () => {
        assert.deepEqual(
            problems((c) => {
                c["uw3-binder:images"].deps.checks = {};
                c["uw3-binder:images"].slim.checks = { jupyter: { port: 8888 } };
            }),
            [],
        );
    });
});

describe("values too large to echo", () => {
    it("shown() quotes the first 512 characters and says how long the value was", () => {
        assert.equal(shown("abc"), '"abc"');
        assert.equal(shown("a\u001b[2Jb\n"), '"a\\u001b[2Jb\\n"');
        assert.equal(shown(TEN_MB), `"${"x".repeat(512)}"... (10485760 characters)`);
    });

    it("config: a 10 MB release is named in one short line", () => {
        assert.deepEqual(
            problems((c) => (c["uw3-binder:release"] = TEN_MB)),
            [
                `\`uw3-binder:release\`: expected a release: a month YYYY.MM (for example "2025.01") or a version such as "v3.0.2", found "${"x".repeat(512)}"... (10485760 characters)`,
            ],
        );
    });

    it("config: a 10 MB unknown key and a 10 MB value of a wrong type are cut too", () => {
        const found = problems((c) => {
            c[`uw3-binder:${TEN_MB}`] = 1;
            c["uw3-binder:launcher"].repository = { name: TEN_MB };
        });
        assert.equal(found.length, 2);
        for (const p of found) assert.ok(p.length < 1000, `a ${p.length}-character problem: ${p.slice(0, 200)}`);
        assert.match(found[0], /^`uw3-binder:x{501}\.\.\. \(10485771 characters\)`: unknown key;/);
    });

    it("CLI: a 10 MB image reference or flag value is cut in the usage error", () => {
        assert.throws(
            () => parseCheckArgs([`127.0.0.1:5000/${TEN_MB.toUpperCase()}:t`]),
            (err: Error) => err instanceof UsageError && err.message.length < 1500 && err.message.includes("(10485777 characters)"),
        );
        assert.throws(
            () => parseCheckArgs([`--${TEN_MB}`]),
            (err: Error) => err instanceof UsageError && err.message.length < 1500,
        );
        assert.throws(
            () => parseImageReference(`ghcr.io/x/y:t@sha256:${TEN_MB}`),
            (err: Error) => err.message.length < 1500,
        );
    });
});
