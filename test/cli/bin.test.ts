/**
 * The `bin/uw3-binder.js` entry point as a shell pipeline sees it: output reaches a slow reader whole, and a
 * reader that goes away early is not an error.
 */
import * as assert from "assert/strict";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROGRAM_DIR } from "../../src/plan/program";

const BIN = path.join(PROGRAM_DIR, "bin", "uw3-binder.js");

/** The production stack with 30 launcher branches: `plan --json` is well over a pipe's 64 KiB buffer. */
function thirtyBranchStack(): string {
    const text = fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.2025-01.yaml"), "utf8").trimEnd();
    const extra = Array.from({ length: 27 }, (_, i) => `      - { name: feature-${String(i).padStart(2, "0")}, uw3Branch: feature-${i}, image: slim }`);
    return `${text}\n${extra.join("\n")}\n`;
}

describe("bin/uw3-binder.js in a pipeline", function () {
    this.timeout(60000);
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-bin-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("plan --json of a 30-branch stack reaches a reader that starts late, whole and valid, exit 0", () => {
        const file = path.join(dir, "Pulumi.big.yaml");
        fs.writeFileSync(file, thirtyBranchStack());
        // The reader sleeps first, so the pipe fills at 64 KiB and the rest waits in the writer's queue.
        const r = spawnSync(
            "sh",
            ["-c", '{ "$0" "$1" plan --config-file "$2" --json; echo "exit=$?" >&2; } | { sleep 1; cat; }', process.execPath, BIN, file],
            {
                encoding: "utf8",
                maxBuffer: 64 * 1024 * 1024,
            },
        );
        assert.equal(r.stderr, "exit=0\n");
        assert.ok(r.stdout.length > 64 * 1024, `expected more than 64 KiB of JSON, got ${r.stdout.length} bytes`);
        const plan = JSON.parse(r.stdout);
        const dockerfiles = plan.resources.filter(
            (x: any) => x.type === "github:index/repositoryFile:RepositoryFile" && x.inputs.file === ".binder/Dockerfile",
        );
        assert.equal(dockerfiles.length, 30);
        assert.equal(dockerfiles[29].inputs.branch, "feature-26");
    });

    it("link into a reader that has already closed the pipe: no stack trace, exit 0", async () => {
        const child = spawn(process.execPath, [BIN, "link", "jane-doe/my-course"], { stdio: ["ignore", "pipe", "pipe"] });
        // Closed long before the CLI has loaded and writes, so its write meets EPIPE.
        child.stdout.destroy();
        let stderr = "";
        child.stderr.on("data", (chunk) => (stderr += chunk));
        const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
        assert.equal(stderr, "");
        assert.equal(code, 0);
    });
});
