/** `uw3-binder withdraw`: the stack-file edit (pure) and the command (spawned). */
import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROGRAM_DIR } from "../../src/plan/program";
import { addWithdrawal, WithdrawError } from "../../src/release/withdraw";

const BIN = path.join(PROGRAM_DIR, "bin", "uw3-binder.js");
const PRODUCTION = fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.2025-01.yaml"), "utf8");
const BAD = `sha256:${"d".repeat(64)}`;
const OTHER = `sha256:${"c".repeat(64)}`;
const GOOD = `sha256:${"e".repeat(64)}`;
const SLIM = "ghcr.io/underworldcode/uw3-base";
const TODAY = () => new Date().toISOString().slice(0, 10);

function cli(args: string[], cwd: string) {
    const env = { ...process.env, GITHUB_TOKEN: "", UW3_BINDER_REGISTRY_USERNAME: "", UW3_BINDER_REGISTRY_PASSWORD: "" };
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("withdraw: the stack-file edit (pure)", () => {
    const entry = { digest: BAD, reason: 'wrong sign, "see" #42', date: "2025-02-10" };

    it("adds uw3-binder:withdrawn at the end of config: and keeps every other byte", () => {
        const out = addWithdrawal(PRODUCTION, "f", entry);
        assert.equal(
            out,
            `${PRODUCTION.trimEnd()}\n  uw3-binder:withdrawn:\n    - { digest: "${BAD}", reason: "wrong sign, \\"see\\" #42", date: "2025-02-10" }\n`,
        );
    });

    it("appends to a block list, after a comment on its last line, and to a flow list", () => {
        const block = `config:\n  uw3-binder:release: "2025.02"  # x\n  withdrawn:\n    - { digest: "${OTHER}", reason: a, date: "2025-01-02" }  # the old one\n# trailing\n`;
        assert.equal(
            addWithdrawal(block, "f", entry),
            `config:\n  uw3-binder:release: "2025.02"  # x\n  withdrawn:\n    - { digest: "${OTHER}", reason: a, date: "2025-01-02" }  # the old one\n    - { digest: "${BAD}", reason: "wrong sign, \\"see\\" #42", date: "2025-02-10" }\n# trailing\n`,
        );
        const flow = `config:\n  uw3-binder:withdrawn: []\n  uw3-binder:release: "2025.02"\n`;
        assert.equal(
            addWithdrawal(flow, "f", { ...entry, replacement: `2025.01-slim@${GOOD}` }),
            `config:\n  uw3-binder:withdrawn: [{ digest: "${BAD}", reason: "wrong sign, \\"see\\" #42", date: "2025-02-10", replacement: "2025.01-slim@${GOOD}" }]\n  uw3-binder:release: "2025.02"\n`,
        );
    });

    it("refuses a withdrawn key that is not a list, and a file that is not a config map", () => {
        assert.throws(() => addWithdrawal(`config:\n  uw3-binder:withdrawn: nope\n`, "Pulumi.x.yaml", entry), {
            name: "WithdrawError",
            message: "Pulumi.x.yaml: cannot add the withdrawal in place: `uw3-binder:withdrawn` is not a list; write `uw3-binder:withdrawn` as a list",
        });
        assert.throws(() => addWithdrawal(`foo: 1\n`, "Pulumi.x.yaml", entry), new WithdrawError("Pulumi.x.yaml: expected a top-level block `config:` map"));
    });
});

describe("uw3-binder withdraw (CLI)", function () {
    this.timeout(60000);
    let dir: string;
    const file = () => path.join(dir, "Pulumi.2025-02.yaml");
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-withdraw-"));
        // An older month too: without --stack the newest is edited.
        fs.writeFileSync(path.join(dir, "Pulumi.2025-01.yaml"), PRODUCTION);
        fs.writeFileSync(file(), PRODUCTION.replace('uw3-binder:release: "2025.01"', 'uw3-binder:release: "2025.02"'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("records { digest, reason, date } in the newest monthly stack file, exit 0", () => {
        const before = fs.readFileSync(file(), "utf8");
        const r = cli(["withdraw", BAD, "--reason", "wrong sign in the Stokes solver"], dir);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(
            fs.readFileSync(file(), "utf8"),
            `${before.trimEnd()}\n  uw3-binder:withdrawn:\n    - { digest: "${BAD}", reason: "wrong sign in the Stokes solver", date: "${TODAY()}" }\n`,
        );
        assert.equal(fs.readFileSync(path.join(dir, "Pulumi.2025-01.yaml"), "utf8"), PRODUCTION);
        assert.match(r.stdout, new RegExp(`^Withdrew ${BAD} in Pulumi.2025-02.yaml: wrong sign in the Stokes solver\n`));
    });

    it("repins a branch pinned to the digest to the earlier outputs' verified reference (--from-outputs)", () => {
        const pinned = fs
            .readFileSync(file(), "utf8")
            .replace(
                "{ name: development, uw3Branch: development, image: slim }",
                `{ name: development, uw3Branch: development, image: slim, pin: "2025.02-slim@${BAD}" }`,
            );
        fs.writeFileSync(file(), pinned);
        fs.writeFileSync(path.join(dir, "jan.json"), JSON.stringify({ verifiedReferences: { slim: `${SLIM}:2025.01-slim@${GOOD}` } }));
        const r = cli(["withdraw", BAD, "--reason", "bad", "--from-outputs", "jan.json", "--stack", "2025-02"], dir);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(
            fs.readFileSync(file(), "utf8"),
            `${pinned.trimEnd()}\n  uw3-binder:withdrawn:\n    - { digest: "${BAD}", reason: "bad", date: "${TODAY()}", replacement: "2025.01-slim@${GOOD}" }\n`,
        );
        assert.match(r.stdout, new RegExp(`Launcher branches pinned to it \\(development\\) are repinned to 2025.01-slim@${GOOD}; their README says why.`));
    });

    const refusals: [string, string[], (setup: string) => void, string][] = [
        ["no reason", [BAD], () => {}, 'uw3-binder withdraw: missing --reason "<why>": the launcher README says why a release was withdrawn'],
        ["a blank reason", [BAD, "--reason", " \t"], () => {}, 'uw3-binder withdraw: --reason must say why the release is withdrawn, found ""'],
        ["two targets", [BAD, OTHER, "--reason", "x"], () => {}, `uw3-binder withdraw: expected one <digest-or-tag>, found "${BAD}" "${OTHER}"`],
        [
            "a bad stack name",
            [BAD, "--reason", "x", "--stack", "../etc"],
            () => {},
            'uw3-binder withdraw: --stack expects a stack name such as 2025-01 or v3.0.2, found "../etc"',
        ],
        [
            "a tag of no image",
            ["2024.99-slim", "--reason", "x"],
            () => {},
            'uw3-binder withdraw: "2024.99-slim" is no tag of Pulumi.2025-02.yaml\'s images (deps: 2025.02; slim: 2025.02-slim); give sha256:<64 hex> or <repository>:<tag>',
        ],
        [
            "half the credentials",
            [BAD, "--reason", "x"],
            () => {},
            "uw3-binder withdraw: UW3_BINDER_REGISTRY_PASSWORD is set but UW3_BINDER_REGISTRY_USERNAME is not; set both or neither",
        ],
        [
            "a digest already withdrawn",
            [BAD, "--reason", "again"],
            (f) =>
                fs.writeFileSync(
                    f,
                    `${fs.readFileSync(f, "utf8").trimEnd()}\n  uw3-binder:withdrawn:\n    - { digest: "${BAD}", reason: "first", date: "2025-02-01" }\n`,
                ),
            `uw3-binder withdraw: ${BAD} is already withdrawn in Pulumi.2025-02.yaml (on 2025-02-01: first); nothing was written`,
        ],
        [
            "a pinned branch and no replacement",
            [BAD, "--reason", "wrong sign"],
            (f) =>
                fs.writeFileSync(
                    f,
                    fs
                        .readFileSync(f, "utf8")
                        .replace("{ name: main, uw3Branch: main, image: slim }", `{ name: main, uw3Branch: main, image: slim, pin: "${BAD}" }`),
                ),
            `uw3-binder withdraw: Pulumi.2025-02.yaml would not be a valid stack file with this withdrawal, so nothing was written: \`uw3-binder:launcher.branches[0].pin\`: launcher branch "main" is pinned to ${BAD}, which is withdrawn (wrong sign); pin it to another release, or give the withdrawal a \`replacement\` (\`uw3-binder withdraw ... --from-outputs <earlier outputs>\`)`,
        ],
        [
            "outputs whose reference is withdrawn too",
            [`${SLIM}:2025.02-slim@${BAD}`, "--reason", "x", "--from-outputs", "out.json"],
            (f) => fs.writeFileSync(path.join(path.dirname(f), "out.json"), JSON.stringify({ verifiedReferences: { slim: `${SLIM}:2025.02-slim@${BAD}` } })),
            `uw3-binder withdraw: --from-outputs out.json: \`verifiedReferences.slim\`: ${BAD} is withdrawn too; give the outputs of a stack whose release is not`,
        ],
        [
            "an outputs file that is not JSON",
            [BAD, "--reason", "x", "--from-outputs", "out.json"],
            (f) => fs.writeFileSync(path.join(path.dirname(f), "out.json"), "{"),
            "uw3-binder withdraw: --from-outputs out.json: not JSON; expected the output of `pulumi stack output --json`",
        ],
    ];
    for (const [what, args, setup, message] of refusals) {
        it(`refuses ${what} in one line, exit 2, the stack file unchanged`, () => {
            setup(file());
            const before = fs.readFileSync(file(), "utf8");
            const env = what === "half the credentials" ? { UW3_BINDER_REGISTRY_PASSWORD: "pw" } : {};
            const r = spawnSync(process.execPath, [BIN, "withdraw", ...args], {
                cwd: dir,
                encoding: "utf8",
                env: { ...process.env, GITHUB_TOKEN: "", UW3_BINDER_REGISTRY_USERNAME: "", UW3_BINDER_REGISTRY_PASSWORD: "", ...env },
            });
            assert.equal(r.status, 2, r.stdout);
            assert.equal(r.stderr, `${message}\n`);
            assert.equal(r.stdout, "");
            assert.equal(fs.readFileSync(file(), "utf8"), before);
            assert.deepEqual(
                fs.readdirSync(dir).filter((f) => f.startsWith(".")),
                [],
            );
        });
    }

    it("is listed by uw3-binder --help", () => {
        assert.match(cli(["--help"], dir).stdout, /\n {2}withdraw +withdraw a bad release/);
    });
});
