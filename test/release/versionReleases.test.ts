/**
 * Releases named by version tag (`v3.0.2`), as Underworld3 releases today, next to the months: new-release,
 * rollback, withdraw, link, plan --against and the stack file discovery, several releases in one month.
 */
import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { stackYamlValues } from "../../src/config/stackFile";
import { PROGRAM_DIR } from "../../src/plan/program";
import { copyWithRelease, NewReleaseError, newRelease, nextStepsText } from "../../src/release/newRelease";

const BIN = path.join(PROGRAM_DIR, "bin", "uw3-binder.js");
const PRODUCTION = fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.2025-01.yaml"), "utf8");
const MONTH_LINE = 'uw3-binder:release: "2025.01"';
/** The production stack as the release v3.0.1 (released three days after v3.0.0, in the same month). */
const V301 = PRODUCTION.replace(MONTH_LINE, "uw3-binder:release: v3.0.1");
const V300 = PRODUCTION.replace(MONTH_LINE, "uw3-binder:release: v3.0.0");
/** Underworld3's setup as committed: one uw3-base:<ref>-slim per ref, main and development following, the releases frozen. */
const COMMITTED_V301 = fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.v3.0.1.yaml"), "utf8");

function cli(args: string[], cwd: string) {
    const env = { ...process.env, GITHUB_TOKEN: "", UW3_BINDER_REGISTRY_USERNAME: "", UW3_BINDER_REGISTRY_PASSWORD: "" };
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("releases by version tag", function () {
    // Each CLI run of `plan` loads the Pulumi SDK; --against plans two stacks.
    this.timeout(120000);
    let dir: string;
    const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
    const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-versions-"));
        // Two releases in one month (v3.0.0 on 2026-03-14, v3.0.1 three days later), after a month stack.
        write("Pulumi.2026-02.yaml", PRODUCTION.replace(MONTH_LINE, 'uw3-binder:release: "2026.02"'));
        write("Pulumi.v3.0.0.yaml", V300);
        write("Pulumi.v3.0.1.yaml", V301);
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    describe("new-release", () => {
        it("new-release v3.0.2 copies the latest version's stack: release v3.0.2, previousRelease v3.0.1, every other byte kept", () => {
            const r = cli(["new-release", "v3.0.2"], dir);
            assert.equal(r.code, 0, r.stderr);
            assert.equal(
                read("Pulumi.v3.0.2.yaml"),
                V301.replace("uw3-binder:release: v3.0.1", 'uw3-binder:release: "v3.0.2"\n  uw3-binder:previousRelease: "v3.0.1"'),
            );
            assert.equal(
                r.stdout.split("\n")[0],
                'Wrote Pulumi.v3.0.2.yaml: uw3-binder:release "v3.0.1" -> "v3.0.2", uw3-binder:previousRelease "v3.0.1" (each image\'s size is checked against its v3.0.1 tag); everything else as in Pulumi.v3.0.1.yaml.',
            );
            assert.match(
                r.stdout,
                /\n {2}\d\. uw3-binder plan --stack v3\.0\.2 --against v3\.0\.1\n {2}\d\. pulumi preview --stack v3\.0\.2\n {2}\d\. pulumi up --stack v3\.0\.2\n/,
            );
            // And the next one replaces the recorded previous release.
            assert.equal(cli(["new-release", "3.0.3"], dir).code, 0);
            assert.match(read("Pulumi.3.0.3.yaml"), /uw3-binder:release: "3\.0\.3"\n {2}uw3-binder:previousRelease: "v3\.0\.2"\n/);
        });

        it("refuses a second spelling of a release that has its stack (3.0.1 is v3.0.1), writing nothing", () => {
            const before = fs.readdirSync(dir).sort();
            assert.throws(
                () => newRelease({ release: "3.0.1", dir }),
                new NewReleaseError(`release 3.0.1 is v3.0.1, which has its stack file Pulumi.v3.0.1.yaml in ${dir} already; one release has one stack`),
            );
            assert.throws(
                () => newRelease({ release: "v3.0", from: "2026-02", dir }),
                new NewReleaseError(`release v3.0 is v3.0.0, which has its stack file Pulumi.v3.0.0.yaml in ${dir} already; one release has one stack`),
            );
            assert.deepEqual(fs.readdirSync(dir).sort(), before);
        });

        it("orders versions by number: v3.0.10 copies v3.0.9, not v3.0.1", () => {
            write("Pulumi.v3.0.9.yaml", V301.replace("release: v3.0.1", "release: v3.0.9"));
            assert.equal(newRelease({ release: "v3.0.10", dir }).fromStack, "v3.0.9");
        });

        it("a first version copies the latest month (a switch from months to versions); a later month still copies a month", () => {
            fs.rmSync(path.join(dir, "Pulumi.v3.0.0.yaml"));
            fs.rmSync(path.join(dir, "Pulumi.v3.0.1.yaml"));
            const result = newRelease({ release: "v3.0.0", dir });
            assert.equal(result.fromStack, "2026-02");
            assert.match(read("Pulumi.v3.0.0.yaml"), /uw3-binder:release: "v3\.0\.0"\n {2}uw3-binder:previousRelease: "2026\.02"\n/);
            assert.equal(newRelease({ release: "2026.03", dir }).fromStack, "2026-02");
        });

        it("refuses to copy a later version or to go back from versions to a month, writing nothing", () => {
            const before = fs.readdirSync(dir).sort();
            assert.throws(
                () => newRelease({ release: "v3.0.0", from: "v3.0.1", dir }),
                new NewReleaseError(
                    "release v3.0.0 is not after --from v3.0.1: a new release copies the stack of a version before v3.0.0, or a month (a switch from months to versions)",
                ),
            );
            assert.throws(
                () => newRelease({ release: "2026.04", from: "v3.0.1", dir }),
                new NewReleaseError("release 2026.04 is not after --from v3.0.1: a new release copies the stack of a month before 2026.04"),
            );
            assert.deepEqual(fs.readdirSync(dir).sort(), before);
        });
    });

    describe("new-release freezes the previous release's launcher branch", () => {
        const stack = (branches: string) =>
            [
                "config:",
                "  uw3-binder:release: v3.0.1   # the release",
                "  uw3-binder:launcher:",
                "    repository: uw3-binder-launcher",
                "    branches:",
                branches,
                "# end",
                "",
            ].join("\n");

        it("splices a frozen flow line for v3.0.1 right before the frozen {release} branch, at its indentation, and no other byte", () => {
            const source = stack(
                [
                    "      - { name: main, uw3Branch: main, image: base }            # following",
                    "      - { name: v3.0.0, uw3Branch: v3.0.0, image: base, frozen: true }",
                    "      # this release: built here, then frozen",
                    '      - { name: "{release}", uw3Branch: "{release}", image: base, frozen: true }',
                ].join("\n"),
            );
            const copy = copyWithRelease(source, "Pulumi.v3.0.1.yaml", "v3.0.2");
            assert.equal(
                copy.text,
                stack(
                    [
                        "      - { name: main, uw3Branch: main, image: base }            # following",
                        "      - { name: v3.0.0, uw3Branch: v3.0.0, image: base, frozen: true }",
                        "      # this release: built here, then frozen",
                        "      - { name: v3.0.1, uw3Branch: v3.0.1, image: base, frozen: true }",
                        '      - { name: "{release}", uw3Branch: "{release}", image: base, frozen: true }',
                    ].join("\n"),
                ).replace("release: v3.0.1   # the release", 'release: "v3.0.2"   # the release\n  uw3-binder:previousRelease: "v3.0.1"'),
            );
            assert.equal(copy.frozenBranch, "v3.0.1");
        });

        it("follows a block-map entry with a block map, copies the entry's image, and quotes a name YAML would read as a number", () => {
            const source = stack(
                [
                    "    - name: main",
                    "      uw3Branch: main",
                    "      image: uw3",
                    '    - name: "{release}"',
                    '      uw3Branch: "{release}"',
                    "      image: uw3 # built once",
                    "      frozen: true",
                ].join("\n"),
            ).replace("release: v3.0.1", "release: '0.99'");
            const copy = copyWithRelease(source, "f", "v3.0.0");
            assert.equal(
                copy.text,
                stack(
                    [
                        "    - name: main",
                        "      uw3Branch: main",
                        "      image: uw3",
                        '    - name: "0.99"',
                        '      uw3Branch: "0.99"',
                        "      image: uw3",
                        "      frozen: true",
                        '    - name: "{release}"',
                        '      uw3Branch: "{release}"',
                        "      image: uw3 # built once",
                        "      frozen: true",
                    ].join("\n"),
                ).replace("release: v3.0.1   # the release", "release: 'v3.0.0'   # the release\n  uw3-binder:previousRelease: '0.99'"),
            );
        });

        it("the splice adds exactly one branch, the previous release's, at any indentation, in either style, after any versions (property)", () => {
            const version = fc.tuple(fc.nat(999), fc.nat(999), fc.nat(999)).map((n) => `v${n.join(".")}`);
            fc.assert(
                fc.property(
                    version,
                    fc.integer({ min: 0, max: 8 }),
                    fc.boolean(),
                    fc.constantFrom("base", "uw3", "0.5"),
                    (previous, extra, flow, imageName) => {
                        const pad = " ".repeat(4 + extra);
                        const image = imageName === "0.5" ? '"0.5"' : imageName;
                        const entry = flow
                            ? `${pad}- { name: "{release}", uw3Branch: "{release}", image: ${image}, frozen: true }`
                            : `${pad}- name: "{release}"\n${pad}  uw3Branch: "{release}"\n${pad}  image: ${image}\n${pad}  frozen: true`;
                        const source = `config:\n  uw3-binder:release: ${previous}\n  uw3-binder:launcher:\n    branches:\n${pad}- { name: main, uw3Branch: main, image: ${image} }\n${entry}\n`;
                        const copy = copyWithRelease(source, "f", "v999.1000.0");
                        const values = stackYamlValues(copy.text) as { config: Record<string, { branches: unknown[] }> };
                        assert.deepEqual(values.config["uw3-binder:launcher"].branches, [
                            { name: "main", uw3Branch: "main", image: imageName },
                            { name: previous, uw3Branch: previous, image: imageName, frozen: true },
                            { name: "{release}", uw3Branch: "{release}", image: imageName, frozen: true },
                        ]);
                        // Every line of the source is still there, in order; the new ones are the previous release and the frozen branch.
                        const added = copy.text.split("\n").filter((line) => !source.split("\n").includes(line));
                        assert.equal(added.filter((line) => line.includes(previous) && !line.includes("uw3-binder:")).length, flow ? 1 : 2);
                    },
                ),
            );
        });

        it("adds nothing when the {release} branch is not frozen, when there is none, or when the previous release already has its branch", () => {
            for (const branches of [
                '      - { name: "{release}", uw3Branch: "{release}", image: base }',
                "      - { name: main, uw3Branch: main, image: base }",
                '      - { name: v3.0.1, uw3Branch: v3.0.1, image: base, frozen: true }\n      - { name: "{release}", uw3Branch: "{release}", image: base, frozen: true }',
            ]) {
                const copy = copyWithRelease(stack(branches), "f", "v3.0.2");
                assert.equal(
                    copy.text,
                    stack(branches).replace("release: v3.0.1   # the release", 'release: "v3.0.2"   # the release\n  uw3-binder:previousRelease: "v3.0.1"'),
                );
                assert.equal(copy.frozenBranch, undefined);
                assert.equal(nextStepsText({ stack: "v3.0.2", fromStack: "v3.0.1", file: "", fromFile: "", copy }).includes("frozen"), false);
            }
        });

        it("refuses, naming the file and what to write instead, a branch list it cannot splice into", () => {
            const expected =
                'f: cannot add the frozen branch of v3.0.1 before the "{release}" branch: WHY; write `uw3-binder:launcher.branches` as a block list with "- { name: ... }" or "- name: ..." entries';
            assert.throws(
                () => copyWithRelease(stack('      [{ name: "{release}", uw3Branch: "{release}", image: base, frozen: true }]'), "f", "v3.0.2"),
                new NewReleaseError(expected.replace("WHY", "the branch list is a flow list ([...])")),
            );
            assert.throws(
                () =>
                    copyWithRelease(
                        stack('      -\n        name: "{release}"\n        uw3Branch: "{release}"\n        image: base\n        frozen: true'),
                        "f",
                        "v3.0.2",
                    ),
                new NewReleaseError(expected.replace("WHY", 'its entry does not start on the line of its "-"')),
            );
        });
    });

    describe("the other commands", () => {
        it("withdraw writes into the current release's stack: the latest version, not the latest month nor v3.0.0", () => {
            write("Pulumi.2026-12.yaml", PRODUCTION.replace(MONTH_LINE, 'uw3-binder:release: "2026.12"'));
            const digest = `sha256:${"d".repeat(64)}`;
            const r = cli(["withdraw", digest, "--reason", "wrong sign"], dir);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, new RegExp(`^Withdrew ${digest} in Pulumi\\.v3\\.0\\.1\\.yaml: wrong sign\n`));
            assert.ok(read("Pulumi.v3.0.1.yaml").includes(`digest: "${digest}"`));
            assert.equal(read("Pulumi.v3.0.0.yaml"), V300);
        });

        it("withdraw of a build per ref takes the replacement from that build's outputs, chosen by its tag; a digest of a shared repository alone is refused", () => {
            write("Pulumi.v3.0.1.yaml", COMMITTED_V301);
            const repository = "ghcr.io/underworldcode/uw3-base";
            const earlier = (ref: string, hex: string) => `${repository}:${ref}-slim@sha256:${hex.repeat(64)}`;
            write(
                "out.json",
                JSON.stringify({
                    verifiedReferences: {
                        "base-main": earlier("main", "a"),
                        "base-development": earlier("development", "b"),
                        "base-v3-0-0": earlier("v3.0.0", "c"),
                    },
                }),
            );
            const bad = `sha256:${"d".repeat(64)}`;
            const shared = cli(["withdraw", `${repository}@${bad}`, "--reason", "x", "--from-outputs", "out.json", "--stack", "v3.0.1"], dir);
            assert.equal(shared.code, 2, shared.stderr);
            assert.match(
                shared.stderr,
                new RegExp(
                    `^uw3-binder withdraw: --from-outputs: cannot tell which image ${bad} is of: base-main, base-development, base-v3-0-1 all publish to ghcr\\.io/underworldcode/uw3-base; give it as <repository>:<tag>@${bad} with the tag of one of them\n$`,
                ),
            );
            assert.equal(read("Pulumi.v3.0.1.yaml"), COMMITTED_V301);
            const r = cli(["withdraw", `${repository}:development-slim@${bad}`, "--reason", "x", "--from-outputs", "out.json", "--stack", "v3.0.1"], dir);
            assert.equal(r.code, 0, r.stderr);
            assert.ok(read("Pulumi.v3.0.1.yaml").includes(`replacement: "development-slim@sha256:${"b".repeat(64)}"`), read("Pulumi.v3.0.1.yaml"));
        });

        it("rollback --to v3.0.0 pins v3.0.1's branches to v3.0.0's references; --to a later version or a month after is refused", () => {
            const plan = cli(["plan", "--stack", "v3.0.0", "--json"], dir);
            assert.equal(plan.code, 0, plan.stderr);
            const outputs = JSON.parse(plan.stdout).outputs;
            write("v300.json", JSON.stringify(outputs));
            const r = cli(["rollback", "--to", "v3.0.0", "--from-outputs", "v300.json"], dir);
            assert.equal(r.code, 0, r.stderr);
            const reference = outputs.launchers.main.pinnedReference as string;
            assert.match(reference, /:v3\.0\.0-slim@sha256:[0-9a-f]{64}$/);
            assert.ok(
                read("Pulumi.v3.0.1.yaml").includes(
                    `- { name: main, uw3Branch: main, image: slim, pin: "${reference.slice(reference.lastIndexOf(":v3.0.0") + 1)}" }`,
                ),
            );
            assert.equal(
                cli(["rollback", "--to", "v3.0.10", "--from-outputs", "v300.json", "--stack", "v3.0.1"], dir).stderr,
                "uw3-binder rollback: --to v3.0.10 is not before --stack v3.0.1: a rollback pins the current release's launchers to the references of a version before v3.0.1, or a month (a switch from months to versions)\n",
            );
            assert.equal(
                cli(["rollback", "--to", "v3.0.0", "--from-outputs", "v300.json", "--stack", "2026-02"], dir).stderr,
                "uw3-binder rollback: --to v3.0.0 is not before --stack 2026-02: a rollback pins the current release's launchers to the references of a month before 2026.02\n",
            );
            assert.equal(
                cli(["rollback", "--to", "v3.0.0-rc1", "--from-outputs", "v300.json"], dir).stderr,
                'uw3-binder rollback: invalid --to "v3.0.0-rc1": expected the release to roll back to, a release: a month YYYY.MM (for example "2025.01") or a version such as "v3.0.2"\n',
            );
        });

        it("link --stack v3.0.1 reads the launcher from Pulumi.v3.0.1.yaml", () => {
            const r = cli(["link", "underworldcode/my-notebooks", "--stack", "v3.0.1", "--launcher-branch", "development"], dir);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /underworldcode\/uw3-binder-launcher\/development/);
        });

        it("new-release v3.0.2 of the committed v3.0.1 stack, then plan --against: one new image, one new frozen branch, no other branch's files change", () => {
            write("Pulumi.v3.0.1.yaml", COMMITTED_V301);
            assert.equal(cli(["new-release", "v3.0.2"], dir).code, 0);
            const r = cli(["plan", "--stack", "v3.0.2", "--against", "v3.0.1", "--json"], dir);
            assert.equal(r.code, 0, r.stderr);
            const comparison = JSON.parse(r.stdout) as {
                images: { name: string; change: string; tags?: string[] }[];
                branches: { branch: string; change: string; files: { file: string; change: string; what: string[] }[] }[];
            };
            const newImages = comparison.images.filter((i) => i.change === "new");
            assert.deepEqual(
                newImages.map((i) => i.tags),
                [["ghcr.io/underworldcode/uw3-base:v3.0.2-slim", "ghcr.io/underworldcode/uw3-base:latest-slim"]],
            );
            // The following builds are the same images; v3.0.1's build is its own stack's (its branch now pins it as adopted).
            assert.deepEqual(
                comparison.images.filter((i) => i.change !== "new").map((i) => [i.name, i.change]),
                [
                    ["base-main-image", "unchanged"],
                    ["base-development-image", "unchanged"],
                    ["base-v3-0-1-image", "gone"],
                ],
            );
            const changes = Object.fromEntries(
                comparison.branches.map((b) => [b.branch, [b.change, b.files.filter((f) => f.change !== "unchanged").map((f) => [f.file, f.what.join("+")])]]),
            );
            assert.deepEqual(changes, {
                main: ["unchanged", []],
                development: ["unchanged", []],
                "v0.99": ["unchanged", []],
                "v3.0.0": ["unchanged", []],
                "v3.0.1": ["unchanged", []],
                "v3.0.2": [
                    "new",
                    [
                        [".github/workflows/update-image.yml", ""],
                        [".binder/Dockerfile", ""],
                        ["README.md", ""],
                    ],
                ],
            });
            const table = cli(["plan", "--stack", "v3.0.2", "--against", "v3.0.1"], dir);
            assert.equal(table.code, 0, table.stderr);
            assert.match(table.stdout, /\nlauncher branches \(1 new, 5 unchanged\):\n/);
            assert.match(table.stdout, /\n {2}unchanged {2}main {9}\.github\/workflows\/update-image\.yml, \.binder\/Dockerfile, README\.md\n/);
            assert.match(table.stdout, /\n {2}new {8}v3\.0\.2 {7}\.github\/workflows\/update-image\.yml, \.binder\/Dockerfile, README\.md\n$/);
        });

        it("plan --against shows what v3.0.2 changes against v3.0.1: the image's tags and the new branch; --against names a missing file in one line", () => {
            assert.equal(cli(["new-release", "v3.0.2"], dir).code, 0);
            // The frozen line new-release splices before a "{release}" branch, written here as a literal branch.
            const text = read("Pulumi.v3.0.2.yaml");
            write(
                "Pulumi.v3.0.2.yaml",
                text.replace("- { name: development,", "- { name: v3.0.1, uw3Branch: v3.0.1, image: slim }\n      - { name: development,"),
            );
            const r = cli(["plan", "--stack", "v3.0.2", "--against", "v3.0.1", "--json"], dir);
            assert.equal(r.code, 0, r.stderr);
            const comparison = JSON.parse(r.stdout);
            assert.deepEqual([comparison.stack, comparison.against], ["v3.0.2", "v3.0.1"]);
            const slim = comparison.images.find((i: { name: string }) => i.name === "slim-image");
            assert.deepEqual(
                [slim.change, slim.tagsBefore, slim.tags],
                ["changed", ["ghcr.io/underworldcode/uw3-base:v3.0.1-slim"], ["ghcr.io/underworldcode/uw3-base:v3.0.2-slim"]],
            );
            const branch = comparison.branches.find((b: { branch: string }) => b.branch === "v3.0.1");
            assert.deepEqual(
                [branch.change, branch.files.map((f: { file: string; change: string }) => [f.file, f.change])],
                [
                    "new",
                    [
                        [".github/workflows/update-image.yml", "new"],
                        [".binder/Dockerfile", "new"],
                        ["README.md", "new"],
                    ],
                ],
            );
            const table = cli(["plan", "--stack", "v3.0.2", "--against", "v3.0.1"], dir);
            assert.equal(table.code, 0, table.stderr);
            assert.match(table.stdout, /^stack v3\.0\.2 against v3\.0\.1:\n/);
            assert.match(table.stdout, /\n {2}new {8}v3\.0\.1 {17}\.github\/workflows\/update-image\.yml, \.binder\/Dockerfile, README\.md\n/);
            const missing = cli(["plan", "--stack", "v3.0.2", "--against", "v2.9.9"], dir);
            assert.equal([missing.code, missing.stderr.split("\n")[0]].join(" "), `2 uw3-binder plan: --against v2.9.9: no Pulumi.v2.9.9.yaml in ${dir}`);
            const outside = cli(["plan", "--stack", "v3.0.2", "--against", "../v3.0.1"], dir);
            assert.equal(
                [outside.code, outside.stderr.split("\n")[0]].join(" "),
                '2 uw3-binder plan: --against expects a stack name such as 2025-01 or v3.0.2, found "../v3.0.1"',
            );
            const both = cli(["plan", "--stack", "v3.0.2", "--against", "v3.0.1", "--since", "HEAD"], dir);
            assert.equal(
                [both.code, both.stderr.split("\n")[0]].join(" "),
                "2 uw3-binder plan: --since and --against are mutually exclusive: --since asks what a source change rebuilds, --against what a stack changes",
            );
        });
    });
});
