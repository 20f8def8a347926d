/** `uw3-binder:withdrawn` in the config schema. */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../src/config/schema";
import { validateStackFileText } from "../../src/config/stackFile";
import { PROGRAM_DIR } from "../../src/plan/program";
import { loadPlanConfig } from "../../src/config/stackFile";

const PRODUCTION = fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.2025-01.yaml"), "utf8");
const BAD = `sha256:${"d".repeat(64)}`;
const GOOD = `sha256:${"e".repeat(64)}`;
const withList = (list: string) => `${PRODUCTION.trimEnd()}\n  uw3-binder:withdrawn:\n${list}\n`;

describe("config schema: uw3-binder:withdrawn", () => {
    it("accepts entries and hands every image's gate their digests and reasons", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "withdrawn-"));
        const file = path.join(dir, "Pulumi.2025-01.yaml");
        fs.writeFileSync(file, withList(`    - { digest: "${BAD}", reason: " wrong sign ", date: "2025-02-10" }`));
        const { config } = loadPlanConfig(file);
        assert.deepEqual(config.withdrawn, [{ digest: BAD, reason: "wrong sign", date: "2025-02-10", replacement: undefined }]);
        for (const image of config.images) assert.deepEqual(image.checks.withdrawn, [{ digest: BAD, reason: "wrong sign" }]);
    });

    it("names every bad entry: digest, empty reason, date, unknown key, duplicate, withdrawn replacement", () => {
        const problems = validateStackFileText(
            withList(
                [
                    `    - { digest: "sha256:abc", reason: "x", date: "2025-02-10" }`,
                    `    - { digest: "${BAD}", reason: "  ", date: "10/02/2025" }`,
                    `    - { digest: "${BAD}", reason: "x", date: "2025-02-10", why: "y" }`,
                    `    - { digest: "${GOOD}", reason: "x", date: "2025-02-10", replacement: "2025.01-slim@${BAD}" }`,
                ].join("\n"),
            ),
            "Pulumi.2025-01.yaml",
        );
        assert.deepEqual(problems, [
            '`uw3-binder:withdrawn[0].digest`: expected sha256:<64 hex>, found "sha256:abc"',
            '`uw3-binder:withdrawn[1].reason`: expected a non-empty string, found "  "',
            '`uw3-binder:withdrawn[1].date`: expected a date YYYY-MM-DD, found "10/02/2025"',
            '`uw3-binder:withdrawn[2]`: unknown key "why"',
        ]);
        const second = validateStackFileText(
            withList(
                [
                    `    - { digest: "${BAD}", reason: "x", date: "2025-02-10" }`,
                    `    - { digest: "${BAD}", reason: "y", date: "2025-02-11" }`,
                    `    - { digest: "${GOOD}", reason: "x", date: "2025-02-10", replacement: "2025.01-slim@${BAD}" }`,
                ].join("\n"),
            ),
            "Pulumi.2025-01.yaml",
        );
        assert.deepEqual(second, [
            `\`uw3-binder:withdrawn[1].digest\`: ${BAD} is already withdrawn; each digest is listed once`,
            `\`uw3-binder:withdrawn[2].replacement\`: ${BAD} is itself withdrawn; name a release that is not`,
        ]);
    });

    it("refuses a launcher branch pinned to a withdrawn digest with no replacement; repins it with one", () => {
        const pinned = PRODUCTION.replace(
            "{ name: development, uw3Branch: development, image: slim }",
            `{ name: development, uw3Branch: development, image: slim, pin: "2025.01-slim@${BAD}" }`,
        );
        assert.notEqual(pinned, PRODUCTION);
        const text = (entry: string) => `${pinned.trimEnd()}\n  uw3-binder:withdrawn:\n    - ${entry}\n`;
        assert.deepEqual(validateStackFileText(text(`{ digest: "${BAD}", reason: "wrong sign", date: "2025-02-10" }`), "f"), [
            `\`uw3-binder:launcher.branches[2].pin\`: launcher branch "development" is pinned to ${BAD}, which is withdrawn (wrong sign); pin it to another release, or give the withdrawal a \`replacement\` (\`uw3-binder withdraw ... --from-outputs <earlier outputs>\`)`,
        ]);
        assert.deepEqual(
            validateStackFileText(text(`{ digest: "${BAD}", reason: "wrong sign", date: "2025-02-10", replacement: "2024.12-slim@${GOOD}" }`), "f"),
            [],
        );
        assert.ok(ConfigError);
    });
});
