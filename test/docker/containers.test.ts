/**
 * A run's ContainerSet removes what the run started on every path: when the work ends, when it throws,
 * and when the process gets SIGINT/SIGTERM (exit 130/143). A stand-in `docker` on PATH records its
 * arguments, so no engine is needed.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { whileRemovingOnSignal } from "../../src/docker/containers";

const ROOT = path.resolve(__dirname, "../..");

describe("ContainerSet", () => {
    let dir: string;
    let log: string;
    let savedPath: string | undefined;

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-binder-containers-test-"));
        log = path.join(dir, "docker.log");
        fs.writeFileSync(path.join(dir, "docker"), `#!/bin/sh\necho "$*" >> '${log}'\n`, { mode: 0o755 });
        savedPath = process.env.PATH;
        process.env.PATH = `${dir}${path.delimiter}${process.env.PATH ?? ""}`;
    });

    afterEach(() => {
        process.env.PATH = savedPath;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : []);

    it("removes the containers and images still recorded when the work ends, and forgets what the engine removed", async () => {
        let names: string[] = [];
        await whileRemovingOnSignal("uw3-binder-test-", (containers) => {
            names = [containers.uniqueName("a"), containers.uniqueName("b")];
            for (const name of names) containers.add(name);
            containers.forget(names[1]);
            containers.addImage("uw3-binder-test:x");
            return Promise.resolve();
        });
        assert.match(names[0], new RegExp(`^uw3-binder-test-a-${process.pid}-[0-9a-f]{8}$`));
        assert.deepEqual(calls(), [`rm --force ${names[0]}`, "image rm --force --no-prune uw3-binder-test:x"]);
    });

    it("removes them when the work throws, and passes the error on", async () => {
        await assert.rejects(
            whileRemovingOnSignal("uw3-binder-test-", (containers) => {
                containers.add("uw3-binder-test-left");
                return Promise.reject(new Error("boom"));
            }),
            { message: "boom" },
        );
        assert.deepEqual(calls(), ["rm --force uw3-binder-test-left"]);
    });

    for (const [signal, code] of [
        ["SIGTERM", 143],
        ["SIGINT", 130],
    ] as const) {
        it(`removes them synchronously on ${signal} and exits ${code}`, async function () {
            this.timeout(30000);
            const script = [
                `require(${JSON.stringify(path.join(ROOT, "node_modules/ts-node/register/transpile-only"))});`,
                `const { whileRemovingOnSignal } = require(${JSON.stringify(path.join(ROOT, "src/docker/containers"))});`,
                'void whileRemovingOnSignal("uw3-binder-test-", (c) => { c.add("uw3-binder-test-running"); c.addImage("uw3-binder-test:built");',
                '  process.stdout.write("ready\\n"); return new Promise(() => setInterval(() => undefined, 1000)); });',
            ].join("\n");
            const child = spawn(process.execPath, ["-e", script], { env: process.env, stdio: ["ignore", "pipe", "inherit"] });
            await new Promise<void>((resolve, reject) => {
                child.on("error", reject);
                child.stdout.on("error", reject);
                child.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
                child.on("close", (c) => reject(new Error(`the child exited (${c}) before it was ready`)));
            });
            child.kill(signal);
            const exit = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
            assert.equal(exit, code);
            assert.deepEqual(calls(), ["rm --force uw3-binder-test-running", "image rm --force --no-prune uw3-binder-test:built"]);
        });
    }
});
