/**
 * A test that needs something on this machine (Docker, a registry, busybox) skips with the reason printed,
 * and fails under CI=true, where the CI image installs all of it (.ci/run).
 */
import * as assert from "assert/strict";
import { skipWithoutServices } from "../integration/harness";

describe("skipWithoutServices", () => {
    const ci = process.env.CI;
    afterEach(() => {
        if (ci === undefined) delete process.env.CI;
        else process.env.CI = ci;
    });
    const context = () => {
        const calls = { skipped: 0 };
        return { calls, skip: () => void calls.skipped++ } as unknown as { calls: typeof calls; skip: () => never };
    };

    it("fails under CI=true, naming what is missing", () => {
        process.env.CI = "true";
        const c = context();
        assert.throws(() => skipWithoutServices(c, "busybox probe", ["no /bin/busybox"]), {
            message: "integration environment missing under CI=true: no /bin/busybox",
        });
        assert.equal(c.calls.skipped, 0);
    });

    it("skips elsewhere, and runs when nothing is missing", () => {
        delete process.env.CI;
        const c = context();
        skipWithoutServices(c, "busybox probe", ["no /bin/busybox"]);
        assert.equal(c.calls.skipped, 1);
        process.env.CI = "true";
        skipWithoutServices(c, "busybox probe", []);
        assert.equal(c.calls.skipped, 1);
    });
});
