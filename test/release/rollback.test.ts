import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bufferIo } from "../../src/cli/commandIo";
import { runRollback } from "../../src/cli/rollback";
import { UsageError } from "../../src/cli/errors";
import { PROGRAM_DIR } from "../../src/plan/program";
import { newRelease } from "../../src/release/newRelease";
import { RollbackError, setLauncherPins } from "../../src/release/rollback";
import { JANUARY, RELEASE_LINE } from "./fixtures";

const BIN = path.join(PROGRAM_DIR, "bin", "uw3-binder.js");
const PRODUCTION = fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.2025-01.yaml"), "utf8");
const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const SLIM = "ghcr.io/underworldcode/uw3-base";

function cli(args: string[], cwd: string) {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, GITHUB_TOKEN: "" }, maxBuffer: 64 * 1024 * 1024 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What `pulumi stack output --json -s 2025-01` prints for the production stack, with the given pins. */
function januaryOutputs(pins: Record<string, string | undefined>, verifiedSlim = `${SLIM}:2025.01-slim@${B}`): object {
    const launchers: Record<string, object> = {};
    for (const [branch, reference] of Object.entries(pins)) {
        launchers[branch] = {
            launchUrl: `https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/${branch}`,
            ...(reference === undefined ? {} : { pinnedReference: reference }),
        };
    }
    return {
        imageReferences: { slim: [verifiedSlim] },
        verifiedReferences: { deps: `ghcr.io/underworldcode/uw3-deps:2025.01@${A}`, slim: verifiedSlim },
        launchers,
    };
}

describe("rollback", function () {
    this.timeout(60000);
    let dir: string;
    const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
    const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-rollback-"));
        write("Pulumi.2025-01.yaml", PRODUCTION);
        newRelease({ release: "2025.02", dir });
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    describe("setLauncherPins", () => {
        it("adds `pin:` to flow-map entries and keeps every other byte", () => {
            const out = setLauncherPins(
                PRODUCTION,
                "f",
                new Map([
                    ["main", `2025.01-slim@${A}`],
                    ["development", `2025.01-slim@${B}`],
                ]),
            );
            assert.equal(
                out,
                PRODUCTION.replace(
                    "- { name: main, uw3Branch: main, image: slim }",
                    `- { name: main, uw3Branch: main, image: slim, pin: "2025.01-slim@${A}" }`,
                ).replace(
                    "- { name: development, uw3Branch: development, image: slim }",
                    `- { name: development, uw3Branch: development, image: slim, pin: "2025.01-slim@${B}" }`,
                ),
            );
        });

        it("replaces an existing pin in place, keeps comments, and adds a line at the keys' indentation in a block map", () => {
            const text = [
                "config:",
                "  launcher:   # the bare key Pulumi also reads",
                "    branches:",
                "      - { name: main, uw3Branch: main, image: slim,  }   # trailing comma and comment",
                "      - name: dev",
                "        uw3Branch: development",
                "        image: slim # the last key has a comment",
                "      - name: old",
                "        pin: 'sha256:" + "c".repeat(64) + "'   # held back",
                "        image: slim",
                "",
            ].join("\n");
            const out = setLauncherPins(
                text,
                "f",
                new Map([
                    ["main", `t@${A}`],
                    ["dev", `t@${B}`],
                    ["old", A],
                ]),
            );
            assert.equal(
                out,
                [
                    "config:",
                    "  launcher:   # the bare key Pulumi also reads",
                    "    branches:",
                    `      - { name: main, uw3Branch: main, image: slim, pin: "t@${A}",  }   # trailing comma and comment`,
                    "      - name: dev",
                    "        uw3Branch: development",
                    "        image: slim # the last key has a comment",
                    `        pin: "t@${B}"`,
                    "      - name: old",
                    `        pin: "${A}"   # held back`,
                    "        image: slim",
                    "",
                ].join("\n"),
            );
        });

        it("replaces the multi-line flow entry's pin of the new-release fixture, and nothing else", () => {
            const out = setLauncherPins(JANUARY, "f", new Map([["development", `2024.12-slim@${A}`]]));
            assert.equal(out, JANUARY.replace(/pin: "2025\.01-slim@sha256:[0-9a-f]{64}"/, `pin: "2024.12-slim@${A}"`));
            assert.ok(out.includes(RELEASE_LINE));
        });

        it("refuses branches it cannot edit in place: an alias, a pin that is a block scalar", () => {
            assert.throws(
                () =>
                    setLauncherPins(
                        "x: &b { name: main, uw3Branch: main, image: slim }\nconfig:\n  uw3-binder:launcher:\n    branches:\n      - *b\n",
                        "f",
                        new Map([["main", A]]),
                    ),
                new RollbackError(
                    "f: cannot set pins in place: `uw3-binder:launcher.branches[0]` is a YAML alias; write the launcher branches out as a list of maps",
                ),
            );
            assert.throws(
                () =>
                    setLauncherPins(
                        "config:\n  uw3-binder:launcher:\n    branches:\n      - name: main\n        pin: |\n          x\n",
                        "f",
                        new Map([["main", A]]),
                    ),
                new RollbackError(
                    'f: cannot set pins in place: the `pin` of branch "main" is not a plain or quoted value; write the launcher branches out as a list of maps',
                ),
            );
        });
    });

    describe("from the command line", () => {
        const outputs = (value: object | string) => write("jan.json", typeof value === "string" ? value : JSON.stringify(value));
        const before = () => fs.readFileSync(path.join(dir, "Pulumi.2025-02.yaml"));

        it("takes the outputs `plan` shows for January, pins February's branches to them, and February's plan pins without building for the launchers", () => {
            const jan = cli(["plan", "--config-file", "Pulumi.2025-01.yaml", "--json"], dir);
            assert.equal(jan.code, 0, jan.stderr);
            const janOutputs = JSON.parse(jan.stdout).outputs;
            outputs(janOutputs);
            const r = cli(["rollback", "--to", "2025.01", "--from-outputs", "jan.json"], dir);
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stderr, "");
            const reference = janOutputs.launchers.main.pinnedReference as string;
            const pin = reference.slice(reference.lastIndexOf(":2025.01-slim@") + 1);
            assert.match(pin, /^2025\.01-slim@sha256:[0-9a-f]{64}$/);
            assert.equal(
                r.stdout.split("\n").slice(0, 4).join("\n"),
                [
                    "Pinned every launcher branch in Pulumi.2025-02.yaml to release 2025.01's verified references (from jan.json):",
                    `  main                   pin: ${pin}`,
                    `  uw3-release-candidate  pin: ${pin}`,
                    `  development            pin: ${pin}`,
                ].join("\n"),
            );
            const february = read("Pulumi.2025-02.yaml");
            const expected = PRODUCTION.replace(RELEASE_LINE, 'uw3-binder:release: "2025.02"\n  uw3-binder:previousRelease: "2025.01"').replace(
                /(- \{ name: [a-z0-9-]+, uw3Branch: [a-z0-9-]+, image: slim) \}/g,
                `$1, pin: "${pin}" }`,
            );
            assert.equal(february, expected);

            const feb = cli(["plan", "--config-file", "Pulumi.2025-02.yaml", "--json"], dir);
            assert.equal(feb.code, 0, feb.stderr);
            const plan = JSON.parse(feb.stdout);
            for (const branch of ["main", "uw3-release-candidate", "development"]) {
                const dockerfile = plan.resources.find((x: any) => x.name === `launcher-dockerfile-${branch}`);
                assert.ok(dockerfile.inputs.content.includes(`\nFROM ${reference}\n`), dockerfile.inputs.content);
                // The pinned branch's gate only re-reads the registry: every runtime check is skipped.
                const gate = plan.resources.find((x: any) => x.name === `launcher-pin-${branch}-gate-check`);
                const words: string[] = [...gate.inputs.args, gate.inputs.reference];
                assert.deepEqual([words[0], words[1], words[words.length - 1]], ["--skip", "user,jupyter,kernel,jit,import", reference]);
                // ... and the registry checks keep the image's own options (the stack's required environment).
                assert.ok(
                    words.slice(2, -1).every((w) => w.startsWith("--env-require=")),
                    words.join(" "),
                );
            }
            assert.equal(plan.outputs.launchers.main.pinnedReference, reference);
        });

        it("takes verifiedReferences.<image> for a branch January did not have", async () => {
            outputs(januaryOutputs({ main: `${SLIM}:2025.01-slim@${A}`, development: `${SLIM}:2025.01-slim@${A}` }));
            const io = bufferIo(dir);
            assert.equal(await runRollback(["--to", "2025.01", "--from-outputs", "jan.json", "--stack", "2025-02"], io), 0);
            assert.match(io.out, new RegExp(`\\n  uw3-release-candidate  pin: 2025\\.01-slim@${B}\\n`));
        });

        it("a second run changes nothing and says so", async () => {
            outputs(
                januaryOutputs({
                    main: `${SLIM}:2025.01-slim@${A}`,
                    "uw3-release-candidate": `${SLIM}:2025.01-slim@${A}`,
                    development: `${SLIM}:2025.01-slim@${A}`,
                }),
            );
            assert.equal(await runRollback(["--to", "2025.01", "--from-outputs", "jan.json"], bufferIo(dir)), 0);
            const once = read("Pulumi.2025-02.yaml");
            const io = bufferIo(dir);
            assert.equal(await runRollback(["--to", "2025.01", "--from-outputs", "jan.json"], io), 0);
            assert.equal(read("Pulumi.2025-02.yaml"), once);
            assert.match(
                io.out,
                /^Every launcher branch in Pulumi\.2025-02\.yaml is already pinned to release 2025\.01's verified references; nothing was written:\n {2}main +pin: 2025\.01-slim@sha256:a{64} {2}\(unchanged\)\n/,
            );
        });

        const refusals: [string, () => void, string[], string][] = [
            [
                "a branch with no reference at all",
                () => outputs({ launchers: { main: { pinnedReference: `${SLIM}:2025.01-slim@${A}` } }, verifiedReferences: {} }),
                ["--to", "2025.01", "--from-outputs", "jan.json"],
                'uw3-binder rollback: nothing was written (2 problems):\n  - launcher branch "uw3-release-candidate": jan.json has neither `launchers.uw3-release-candidate.pinnedReference` nor `verifiedReferences.slim`\n  - launcher branch "development": jan.json has neither `launchers.development.pinnedReference` nor `verifiedReferences.slim`\n',
            ],
            [
                "a reference without a digest",
                () => outputs(januaryOutputs({ main: `${SLIM}:2025.01-slim` })),
                ["--to", "2025.01", "--from-outputs", "jan.json"],
                'uw3-binder rollback: nothing was written: launcher branch "main": `launchers.main.pinnedReference` in jan.json: expected a reference pinned by digest (<repository>:<tag>@sha256:<64 hex>), found "ghcr.io/underworldcode/uw3-base:2025.01-slim"\n',
            ],
            [
                "a reference that does not parse",
                () => outputs(januaryOutputs({ main: `${SLIM}:2025.01-slim@sha256:abc` })),
                ["--to", "2025.01", "--from-outputs", "jan.json"],
                'uw3-binder rollback: nothing was written: launcher branch "main": `launchers.main.pinnedReference` in jan.json: invalid image reference "ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:abc": the digest must be sha256:<64 lowercase hex>, found "sha256:abc"\n',
            ],
            [
                "a reference in another repository",
                () => outputs(januaryOutputs({ main: `ghcr.io/someone/else:2025.01-slim@${A}` })),
                ["--to", "2025.01", "--from-outputs", "jan.json"],
                'uw3-binder rollback: nothing was written: launcher branch "main": `launchers.main.pinnedReference` in jan.json: the reference is in "ghcr.io/someone/else", but the branch\'s image "slim" is pushed to "ghcr.io/underworldcode/uw3-base"; a pin keeps the image\'s repository\n',
            ],
            [
                "the outputs of another month",
                () => outputs(januaryOutputs({ main: `${SLIM}:2024.12-slim@${A}` })),
                ["--to", "2025.01", "--from-outputs", "jan.json"],
                'uw3-binder rollback: nothing was written: launcher branch "main": `launchers.main.pinnedReference` in jan.json: tag "2024.12-slim" is not release 2025.01\'s; is jan.json the output of stack 2025-01?\n',
            ],
            // Issue 20, finding 8: the release is a whole word of the tag, and a reference without a tag says no month.
            ...["2025.011-slim", "x2025.01y", "2025.01.1-slim"].map((tag): [string, () => void, string[], string] => [
                `a tag that only contains the release (${tag})`,
                () => outputs(januaryOutputs({ main: `${SLIM}:${tag}@${A}` })),
                ["--to", "2025.01", "--from-outputs", "jan.json"],
                `uw3-binder rollback: nothing was written: launcher branch "main": \`launchers.main.pinnedReference\` in jan.json: tag "${tag}" is not release 2025.01's; is jan.json the output of stack 2025-01?\n`,
            ]),
            [
                "a reference pinned by digest with no tag (finding 8)",
                () => outputs(januaryOutputs({ main: `${SLIM}@${A}` })),
                ["--to", "2025.01", "--from-outputs", "jan.json"],
                `uw3-binder rollback: nothing was written: launcher branch "main": \`launchers.main.pinnedReference\` in jan.json: expected a reference tagged with release 2025.01 (<repository>:<tag>@sha256:<64 hex>), found "${SLIM}@${A}"\n`,
            ],
            [
                "a reference shown as [secret]",
                () => outputs(januaryOutputs({ main: "[secret]" })),
                ["--to", "2025.01", "--from-outputs", "jan.json"],
                'uw3-binder rollback: nothing was written: launcher branch "main": `launchers.main.pinnedReference` in jan.json: is shown as "[secret]"; save the outputs with `pulumi stack output --json --show-secrets`\n',
            ],
            [
                "an outputs file that is not JSON",
                () => outputs("Current stack outputs (3):"),
                ["--to", "2025.01", "--from-outputs", "jan.json"],
                "uw3-binder rollback: --from-outputs jan.json: not JSON; expected the output of `pulumi stack output --json`\n",
            ],
            [
                "a --to not before the stack",
                () => outputs(januaryOutputs({})),
                ["--to", "2025.02", "--from-outputs", "jan.json"],
                "uw3-binder rollback: --to 2025.02 is not before --stack 2025-02: a rollback pins the current release's launchers to the references of a month before 2025.02\n",
            ],
            [
                "a --stack that is a path",
                () => outputs(januaryOutputs({})),
                ["--to", "2025.01", "--from-outputs", "jan.json", "--stack", "../2025-02"],
                'uw3-binder rollback: --stack expects a stack name such as 2025-01 or v3.0.2, found "../2025-02"\n',
            ],
        ];
        for (const [what, setUp, argv, message] of refusals) {
            it(`refuses ${what}, exit 2, writing nothing`, async () => {
                setUp();
                const unchanged = before();
                const io = bufferIo(dir);
                assert.equal(await runRollback(argv, io), 2);
                assert.equal(io.err, message);
                assert.equal(io.out, "");
                assert.deepEqual(before(), unchanged);
                assert.deepEqual(fs.readdirSync(dir).sort(), ["Pulumi.2025-01.yaml", "Pulumi.2025-02.yaml", "jan.json"]);
            });
        }

        it("a missing --from-outputs is a usage error that says how to make the file; exit 2 from the command line", async () => {
            await assert.rejects(
                runRollback(["--to", "2025.01"], bufferIo(dir)),
                new UsageError("missing --from-outputs <file>: save that release's outputs with `pulumi stack output --json -s 2025-01 > outputs.json`"),
            );
            const r = cli(["rollback", "--to", "2025.01"], dir);
            assert.equal(r.code, 2);
            assert.equal(
                r.stderr.split("\n")[0],
                "uw3-binder rollback: missing --from-outputs <file>: save that release's outputs with `pulumi stack output --json -s 2025-01 > outputs.json`",
            );
        });
    });
});
