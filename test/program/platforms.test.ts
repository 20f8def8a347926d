/**
 * Every committed stack builds only platforms the `up` workflow can build: linux/amd64 natively on
 * GitHub's runners, anything else only with QEMU set up before the build (issue 19: the uw2 stack built
 * arm64 everywhere while up.yml set up no QEMU, so its arm64 RUN steps could not run).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROGRAM_DIR } from "../../src/plan/programDir";

const stacks = fs.readdirSync(PROGRAM_DIR).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));

function platformsOf(file: string): string[] {
    const images = parse(fs.readFileSync(path.join(PROGRAM_DIR, file), "utf8")).config["uw3-binder:images"] as Record<string, { platforms?: string[] }>;
    return [...new Set(Object.values(images).flatMap((i) => i.platforms ?? ["linux/amd64"]))].sort();
}

/** The `uses:` of the up workflow's steps, in order. */
function upSteps(): string[] {
    const workflow = parse(fs.readFileSync(path.join(PROGRAM_DIR, ".github/workflows/up.yml"), "utf8"));
    return (workflow.jobs.up.steps as { uses?: string }[]).map((s) => s.uses ?? "");
}

describe("platforms: what the up workflow can build", () => {
    it("sets up QEMU for arm64 before any build, since a committed stack builds linux/arm64", () => {
        const emulated = stacks.filter((f) => platformsOf(f).some((p) => p !== "linux/amd64"));
        assert.deepStrictEqual(emulated, ["Pulumi.uw2.yaml"]);
        const steps = upSteps();
        const qemu = steps.findIndex((u) => u.startsWith("docker/setup-qemu-action@"));
        assert.ok(qemu >= 0, `up.yml sets up no QEMU; its steps are ${steps.join(", ")}`);
        assert.ok(qemu < steps.findIndex((u) => u.startsWith("pulumi/actions@")), "QEMU must be set up before `pulumi up` builds");
    });

    it("builds arm64 in the uw2 stack only for lavavu, as underworld2's own CI does", () => {
        const images = parse(fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.uw2.yaml"), "utf8")).config["uw3-binder:images"] as Record<
            string,
            { platforms?: string[] }
        >;
        assert.deepStrictEqual(
            Object.entries(images)
                .filter(([, i]) => (i.platforms ?? []).includes("linux/arm64"))
                .map(([name]) => name),
            ["lavavu"],
        );
    });
});
