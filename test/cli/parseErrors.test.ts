/**
 * Every commander parse error as the CLI words it (src/cli/command.ts, through commander's public
 * exitOverride and its error codes): one line naming what was wrong and what was expected, the usage
 * after it, exit 2; nothing of commander's own wording or suggestions.
 */
import * as assert from "node:assert/strict";
import { bufferIo } from "../../src/cli/commandIo";
import { main } from "../../src/cli/main";

const REF = `127.0.0.1:5000/uw3/base:1@sha256:${"a".repeat(64)}`;

async function run(argv: string[]): Promise<{ code: number; err: string; out: string }> {
    const io = bufferIo(process.cwd());
    const code = await main(argv, io);
    return { code, err: io.err, out: io.out };
}

describe("CLI parse errors (commander through its public API)", () => {
    const cases: [string, string[], string][] = [
        [
            "an unknown command",
            ["bake"],
            'uw3-binder: unknown command "bake"; expected one of plan, targets, check, link, new-release, warmup, rollback, withdraw, rehearse, help',
        ],
        ["a flag close to a known one (no suggestion)", ["check", REF, "--jsn"], "uw3-binder check: unknown option --jsn; expected one of --json,"],
        ["a value on a boolean flag", ["check", REF, "--print-ref=yes"], "uw3-binder check: --print-ref takes no value"],
        ["an option without its value", ["check", REF, "--baseline"], "uw3-binder check: --baseline needs a value"],
        ["a missing argument", ["check"], "uw3-binder check: missing <image-ref>, e.g. ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:<64 hex>"],
        ["an extra argument", ["check", REF, "more"], `uw3-binder check: expected one <image-ref>, found 2: "${REF}", "more"`],
        ["an extra argument where none are worded", ["help", "check", "more"], 'uw3-binder help: unexpected argument "more"'],
        ["exclusive options", ["check", REF, "--only", "user", "--skip", "jit"], "uw3-binder check: --skip and --only are mutually exclusive"],
        [
            "a missing mandatory option",
            ["rollback"],
            "uw3-binder rollback: missing --to <release>, the release to roll back to (a month YYYY.MM or a version such as v3.0.1)",
        ],
    ];
    for (const [what, argv, first] of cases) {
        it(`${what}: one line, exit 2`, async () => {
            const { code, err, out } = await run(argv);
            assert.equal(code, 2);
            assert.equal(out, "");
            const [line] = err.split("\n");
            assert.ok(line.startsWith(first), `expected the line to start with ${JSON.stringify(first)}, got ${JSON.stringify(err)}`);
            assert.doesNotMatch(err, /error: |Did you mean/);
        });
    }

    it("help is not an error: exit 0, on stdout", async () => {
        const { code, out, err } = await run(["check", "--help"]);
        assert.equal(code, 0);
        assert.equal(err, "");
        assert.match(out, /^usage: uw3-binder check <image-ref> \[options\]/);
    });
});
