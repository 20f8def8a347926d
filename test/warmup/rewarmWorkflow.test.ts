import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { bufferIo } from "../../src/cli/commandIo";
import { runWarmup } from "../../src/cli/warmup";
import { FOUND, hub, stream } from "./hub";

const ROOT = path.join(__dirname, "..", "..");
/** The parts of the workflow file the tests read. */
interface Workflow {
    on: { schedule: unknown; workflow_dispatch: { inputs: Record<string, { required?: boolean }> } };
    permissions: unknown;
    jobs: { rewarm: { steps: { name?: string; run?: string; env?: Record<string, string>; if?: string }[] } };
}
const WORKFLOW = parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", "rewarm.yml"), "utf8")) as Workflow;
const steps = WORKFLOW.jobs.rewarm.steps;
const step = (name: string) => {
    const found = steps.find((s) => s.name === name);
    assert.ok(found, `no step "${name}"`);
    return found;
};

/** Runs a step's script with bash in `cwd`, as the runner would, with a job summary file. */
function runStep(name: string, cwd: string, env: Record<string, string> = {}) {
    const summary = path.join(cwd, "summary.md");
    fs.writeFileSync(summary, "");
    const result = spawnSync("bash", ["-e", "-c", step(name).run!], {
        cwd,
        env: { ...process.env, GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: path.join(cwd, "output"), ...env },
        encoding: "utf8",
    });
    return { ...result, summary: fs.readFileSync(summary, "utf8") };
}

describe(".github/workflows/rewarm.yml", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-rewarm-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("runs weekly and on demand with an optional course date, reading no secrets", () => {
        assert.deepEqual(WORKFLOW.on.schedule, [{ cron: "17 6 * * 1" }]);
        assert.deepEqual(Object.keys(WORKFLOW.on.workflow_dispatch.inputs), ["course_date"]);
        assert.equal(WORKFLOW.on.workflow_dispatch.inputs.course_date.required, false);
        assert.deepEqual(WORKFLOW.permissions, { contents: "read" });
        assert.equal(fs.readFileSync(path.join(ROOT, ".github", "workflows", "rewarm.yml"), "utf8").includes("secrets."), false);
    });

    it("warms the stack named in .github/uw3-binder-stack with `uw3-binder warmup --stack`", () => {
        fs.mkdirSync(path.join(dir, ".github"));
        fs.writeFileSync(path.join(dir, ".github", "uw3-binder-stack"), "2025-02\n");
        const read = runStep("Read the stack name from .github/uw3-binder-stack", dir);
        assert.equal(read.status, 0, read.stderr);
        assert.equal(fs.readFileSync(path.join(dir, "output"), "utf8"), "name=2025-02\n");
        assert.equal(step("Warm every launcher branch on every member").env!.STACK, "${{ steps.stack.outputs.name }}");
        assert.match(step("Warm every launcher branch on every member").run!, /^npx uw3-binder warmup --stack "\$STACK" --json > warmup\.json$/m);

        fs.writeFileSync(path.join(dir, ".github", "uw3-binder-stack"), "../x\n");
        const bad = runStep("Read the stack name from .github/uw3-binder-stack", dir);
        assert.equal(bad.status, 1);
        assert.match(bad.stdout, /::error file=\.github\/uw3-binder-stack::expected one stack name such as 2025-01, found '\.\.\/x'/);
    });

    it("checks the course date: a future date is reported, a past or malformed one fails the run", () => {
        assert.equal(step("Check the course date").if, "github.event_name == 'workflow_dispatch' && inputs.course_date != ''");
        const inTenDays = new Date(Date.now() + 10 * 86400_000).toISOString().slice(0, 10);
        const ok = runStep("Check the course date", dir, { COURSE_DATE: inTenDays });
        assert.equal(ok.status, 0, ok.stdout + ok.stderr);
        assert.match(
            ok.summary,
            new RegExp(`^Warming for the course starting ${inTenDays} \\((9|10) days from now\\)\\.\nThe weekly schedule warms again before then`),
        );
        const past = runStep("Check the course date", dir, { COURSE_DATE: "2020-01-06" });
        assert.equal(past.status, 1);
        assert.match(past.stdout, /::error::course_date 2020-01-06 is in the past/);
        const junk = runStep("Check the course date", dir, { COURSE_DATE: "next monday; rm -rf /" });
        assert.equal(junk.status, 1);
        assert.match(junk.stdout, /::error::course_date expects a date YYYY-MM-DD, found 'next monday; rm -rf \/'/);
    });

    it("turns warmup's JSON into a job summary table, one row per branch and member", async () => {
        const h = await hub(stream(FOUND));
        try {
            fs.writeFileSync(
                path.join(dir, "Pulumi.2025-02.yaml"),
                fs
                    .readFileSync(path.join(ROOT, "Pulumi.2025-01.yaml"), "utf8")
                    .replace("  uw3-binder:launcher:\n", `  uw3-binder:launcher:\n    binderHubs: [${h.url}]\n`),
            );
            const io = bufferIo(dir);
            assert.equal(await runWarmup(["--stack", "2025-02", "--json"], io), 0);
            fs.writeFileSync(path.join(dir, "warmup.json"), io.out);
        } finally {
            await h.stop();
        }
        const script = /node -e '([^']*)'/.exec(step("Warm every launcher branch on every member").run!)![1];
        const summary = path.join(dir, "summary.md");
        const result = spawnSync(process.execPath, ["-e", script], { cwd: dir, env: { ...process.env, GITHUB_STEP_SUMMARY: summary }, encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        const rows = fs.readFileSync(summary, "utf8").split("\n");
        assert.deepEqual(rows.slice(0, 4), [
            "### warmup --stack 2025-02 (underworldcode/uw3-binder-launcher)",
            "",
            "| branch | member | outcome | time | message |",
            "|---|---|---|---|---|",
        ]);
        assert.deepEqual(
            rows.slice(4, 7).map((r) => r.replace(/\| [\d.]+ s \|/, "| T |")),
            ["main", "uw3-release-candidate", "development"].map((b) => `| ${b} | ${h.url} | already built | T | Found built image, launching... |`),
        );
    });
});
