/**
 * The one error printer every command's refusals go through (src/cli/command.ts `execute`): one line,
 * escaped, and the registry credentials this process was given never printed.
 */
import * as assert from "assert/strict";
import { bufferIo } from "../../src/cli/commandIo";
import { main } from "../../src/cli/main";

describe("the CLI's error printer", () => {
    const saved = { username: process.env.UW3_BINDER_REGISTRY_USERNAME, password: process.env.UW3_BINDER_REGISTRY_PASSWORD };
    afterEach(() => {
        for (const [key, value] of [
            ["UW3_BINDER_REGISTRY_USERNAME", saved.username],
            ["UW3_BINDER_REGISTRY_PASSWORD", saved.password],
        ] as const) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
    });

    it("blanks the registry password and its Basic encoding from any message it prints", async () => {
        process.env.UW3_BINDER_REGISTRY_USERNAME = "robot";
        process.env.UW3_BINDER_REGISTRY_PASSWORD = "ghp_hunter2secret";
        const basic = Buffer.from("robot:ghp_hunter2secret").toString("base64");
        const io = bufferIo(process.cwd());
        assert.equal(await main(["link", "o/r", "--path", `/echo ghp_hunter2secret ${basic}`], io), 2);
        assert.equal(
            io.err.split("\n")[0],
            'uw3-binder link: invalid path "/echo *** ***": expected a path relative to the repository root, not an absolute path',
        );
        assert.ok(!io.err.includes("hunter2") && !io.err.includes(basic), io.err);
    });

    it("prints a message holding U+2028, U+0085 or a bidi override on one line, escaped", async () => {
        const io = bufferIo(process.cwd());
        assert.equal(await main(["link", "o/r", "--path", "/a\u2028b\u0085c\u202ed"], io), 2);
        assert.equal(
            io.err.split("\n")[0],
            'uw3-binder link: invalid path "/a\\u2028b\\x85c\\u202ed": expected a path relative to the repository root, not an absolute path',
        );
        assert.doesNotMatch(io.err, /[\u0085\u2028\u2029\u202e]/);
    });
});
