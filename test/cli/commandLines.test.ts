/**
 * Every command line the program hands to Pulumi's command provider (gates and warm-ups), run under `sh -c`
 * as the provider runs it, with hostile values in every interpolated place: the recorded `node` must get
 * each value as one argument, intact, and nothing else may run.
 */
import * as assert from "assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CLI } from "../../src/check/gateArgs";
import { warmupCommand } from "../../src/warmup/commandLine";
import { binderUrlProblem } from "../../src/names/hubUrl";
import { byName, inputsOf, runStack, stackConfig } from "../program/fixtures";
import { hostileValues, runUnderShell } from "./shell";

describe("command lines under sh -c", function () {
    this.timeout(60000);
    let dir: string;
    let marker: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-sh-"));
        marker = path.join(dir, "marker");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const runNode = (commandLine: string) => {
        const run = runUnderShell(commandLine, ["node"], dir);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(fs.existsSync(marker), false, `something else ran: ${commandLine}`);
        assert.equal(run.calls.length, 1, `expected one call of node, got ${JSON.stringify(run.calls)}`);
        return run.calls[0].argv;
    };

    it("warm-up: owner, repository, commit, hubs and timeout each arrive as one argument", () => {
        for (const value of hostileValues(marker)) {
            const argv = runNode(warmupCommand({ owner: value, repository: value, ref: value, hubs: [value, value], timeoutS: 600 }));
            assert.deepEqual(argv, [CLI, "warmup", `${value}/${value}`, value, "--hubs", `${value},${value}`, "--timeout-s", "600", "--json"]);
        }
    });

    it("warm-up: the issue's reproduction, https://mybinder.org/$(touch ...), runs nothing", () => {
        const binderUrl = `https://mybinder.org/$(touch ${marker})`;
        const argv = runNode(warmupCommand({ owner: "o", repository: "r", ref: "0".repeat(40), hubs: [binderUrl], timeoutS: 5 }));
        assert.equal(argv[5], binderUrl);
    });

    it("gate: hostile check options never reach a gate: the config refuses each, naming its key", async () => {
        // The gate itself runs the CLI with an argument list (components/gateProvider.ts, no shell).
        const value = `$(touch ${marker}); \`touch ${marker}\` 'q"`;
        const config = stackConfig();
        config["uw3-binder:images"].slim.checks = { kernel: { name: value }, jit: { compiler: value }, import: { python: value, modules: [value] } };
        await assert.rejects(runStack(config), (err: Error) => {
            for (const key of ["kernel.name", "jit.compiler", "import.python", "import.modules"]) {
                assert.ok(err.message.includes(`\`uw3-binder:images.slim.checks.${key}\``), `${key} not named in: ${err.message}`);
            }
            return true;
        });
        assert.ok(!fs.existsSync(marker));
    });

    it("warm-up: the command the program declares is warmupCommand's", async () => {
        const config = stackConfig();
        config["uw3-binder:launcher"].warmup = true;
        config["uw3-binder:launcher"].binderUrl = "http://127.0.0.1:8585/hub/";
        const run = await runStack(config);
        const main = inputsOf(byName(run, "launcher-warmup-main"));
        const argv = runNode(main.create);
        assert.deepEqual(argv, [
            CLI,
            "warmup",
            "underworldcode/uw3-binder-launcher",
            main.triggers[0],
            "--hubs",
            "http://127.0.0.1:8585/hub",
            "--timeout-s",
            "600",
            "--json",
        ]);
    });
});

describe("launcher.binderUrl: a plain http(s) URL", () => {
    const refused: [string, string][] = [
        ["https://mybinder.org/$(touch /tmp/x)", "expected only letters, digits and . _ ~ : / % - (no spaces, quotes or shell characters)"],
        ["https://mybinder.org/`id`", "expected only letters, digits and . _ ~ : / % - (no spaces, quotes or shell characters)"],
        ["https://mybinder.org/a;b", "expected only letters, digits and . _ ~ : / % - (no spaces, quotes or shell characters)"],
        ["https://mybinder.org/ x", "expected only letters, digits and . _ ~ : / % - (no spaces, quotes or shell characters)"],
        ["https://mybinder.org/'", "expected only letters, digits and . _ ~ : / % - (no spaces, quotes or shell characters)"],
        ["https://user:pw@mybinder.org", "expected a URL without credentials (user:password@)"],
        ["https://mybinder.org/?x=1", "expected a URL without query or fragment"],
        ["https://mybinder.org/#x", "expected a URL without query or fragment"],
        ["ftp://mybinder.org", "expected an http(s) URL such as https://mybinder.org"],
        ["mybinder.org", "expected an http(s) URL such as https://mybinder.org"],
        ["https:mybinder.org", "expected an http(s) URL such as https://mybinder.org"],
        ["http://mybinder.org", "expected https; plain http only to a loopback host such as http://127.0.0.1:8585"],
        ["http://10.0.0.1:8585/binder", "expected https; plain http only to a loopback host such as http://127.0.0.1:8585"],
        ["http://localhost.example.org", "expected https; plain http only to a loopback host such as http://127.0.0.1:8585"],
    ];
    for (const [url, reason] of refused) {
        it(`refuses ${JSON.stringify(url)}`, () => assert.equal(binderUrlProblem(url, "https://mybinder.org"), reason));
    }

    it("accepts mybinder.org, a hub under a path and a loopback hub with a port", () => {
        for (const url of [
            "https://mybinder.org",
            "https://binder.example.org/hub/",
            "http://127.0.0.1:8585",
            "http://127.1.2.3/binder",
            "http://localhost:8585",
            "https://gke.mybinder.org/%7Euser",
        ])
            assert.equal(binderUrlProblem(url, "https://mybinder.org"), undefined, url);
    });

    it("the config names the key and the value", async () => {
        const config = stackConfig();
        config["uw3-binder:launcher"].binderUrl = "https://mybinder.org/$(touch /tmp/x)";
        await assert.rejects(runStack(config), (err: Error) =>
            err.message.includes(
                '`uw3-binder:launcher.binderUrl`: expected only letters, digits and . _ ~ : / % - (no spaces, quotes or shell characters), found "https://mybinder.org/$(touch /tmp/x)"',
            ),
        );
    });
});
