/**
 * The warm-up's hubs and timeout, declared once (src/warmup/options.ts): what the config accepts in
 * `launcher.binderHubs` and `launcher.warmupTimeoutS`, the command line the launcher component writes
 * carries unchanged to `uw3-binder warmup`, and what the config refuses the CLI refuses too.
 */
import * as assert from "assert/strict";
import fc from "fast-check";
import { UsageError } from "../../src/cli/errors";
import { parseWarmupArgs } from "../../src/cli/warmup";
import { parseBinderConfig } from "../../src/config/schema";
import { warmupCommand } from "../../src/warmup/commandLine";
import { spawnSync } from "child_process";
import { ALL_SECRETS, configProblems, stackConfig } from "../program/fixtures";

/** The argv `sh -c` hands the CLI for a command line, after `node bin/uw3-binder.js warmup`. */
function argvOf(commandLine: string): string[] {
    const words = spawnSync("sh", ["-c", `set -- ${commandLine}; printf '%s\\0' "$@"`], { encoding: "utf8" })
        .stdout.split("\0")
        .slice(0, -1);
    assert.deepEqual(words.slice(0, 3), ["node", "bin/uw3-binder.js", "warmup"]);
    return words.slice(3);
}

describe("warm-up options: one declaration for the config and the CLI", () => {
    const hub = fc.oneof(
        fc.constantFrom(
            "https://a.example",
            "https://a.example/",
            "http://127.0.0.1:8585",
            "http://localhost:8585",
            "https://x.example/binder",
            "mybinder.org",
            "https://u:p@x.example",
        ),
        fc.constantFrom("https://x.example/?q=1", "https://x.example/$(touch x)", "https://b.example", "ftp://x.example", "http://hub.example"),
    );
    const timeout = fc.oneof(fc.constantFrom(1, 600, 1.5, 0, -1, 2147483, 2147484), fc.integer({ min: 1, max: 100000 }));

    it("refuses a plain-http hub that is not on loopback in launcher.binderHubs and launcher.binderUrl, naming the key", () => {
        const reason = 'expected https; plain http only to a loopback host such as http://127.0.0.1:8585, found "http://hub.example"';
        assert.deepEqual(
            configProblems((c) => Object.assign(c["uw3-binder:launcher"], { binderHubs: ["https://a.example", "http://hub.example"] })),
            [`\`uw3-binder:launcher.binderHubs[1]\`: ${reason}`],
        );
        assert.deepEqual(
            configProblems((c) => Object.assign(c["uw3-binder:launcher"], { binderUrl: "http://hub.example" })),
            [`\`uw3-binder:launcher.binderUrl\`: ${reason}`],
        );
    });

    it("round-trips the hubs and timeout the config accepts through the launcher's command line; refuses what it refuses (property)", () => {
        fc.assert(
            fc.property(fc.array(hub, { minLength: 1, maxLength: 12 }), timeout, (hubs, timeoutS) => {
                const accepted = configProblems((c) => Object.assign(c["uw3-binder:launcher"], { binderHubs: hubs, warmupTimeoutS: timeoutS })).length === 0;
                const cli = () => parseWarmupArgs(["o/r", "main", "--hubs", hubs.join(","), "--timeout-s", String(timeoutS)]);
                if (!accepted) {
                    assert.throws(cli, UsageError, `warmup accepted --hubs ${hubs.join(",")} --timeout-s ${timeoutS}, which the config refuses`);
                    return;
                }
                const config = stackConfig();
                Object.assign(config["uw3-binder:launcher"], { binderHubs: hubs, warmupTimeoutS: timeoutS });
                const launcher = parseBinderConfig(config, ALL_SECRETS).launcher!;
                const line = warmupCommand({ owner: "o", repository: "r", ref: "0".repeat(40), hubs: launcher.binderHubs, timeoutS: launcher.warmupTimeoutS });
                assert.deepEqual(parseWarmupArgs(argvOf(line)), { hubs: launcher.binderHubs, timeoutS: launcher.warmupTimeoutS });
            }),
            { numRuns: 100 },
        );
    });
});
