import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runLink } from "../../src/cli/link";
import { bufferIo } from "../../src/cli/commandIo";
import { UsageError } from "../../src/cli/errors";
import { contentLaunchUrl, decodeContentLaunchUrl } from "../../src/links/binder";

const REPO_ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(REPO_ROOT, "bin", "uw3-binder.js");

const STACK_FILE = `# a stack of another org, to check link reads the owner and launcher from it
config:
  github:owner: my-org
  uw3-binder:release: "2025.02"
  uw3-binder:launcher:
    repository: uw3-launcher
    defaultBranch: stable
    branches:
      - { name: stable, uw3Branch: main, image: slim }
`;

describe("uw3-binder link", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-link-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const expectedUrl = (
        content: { path?: string; branch?: string } = {},
        launcher = { owner: "underworldcode", repository: "uw3-binder-launcher", branch: "main" },
        app: "lab" | "notebook" = "lab",
    ) => contentLaunchUrl({ launcher, content: { owner: "jane-doe", repository: "my-course", branch: content.branch ?? "main", path: content.path }, app });

    it("prints the link and the badge for people", async () => {
        const io = bufferIo(dir);
        assert.equal(await runLink(["jane-doe/my-course", "--path", "notebooks/intro.ipynb"], io), 0);
        const url = expectedUrl({ path: "notebooks/intro.ipynb" });
        assert.equal(
            io.out,
            [
                "Opens jane-doe/my-course@main (notebooks/intro.ipynb) in JupyterLab",
                "on the Underworld3 launcher underworldcode/uw3-binder-launcher@main.",
                "",
                "Launch URL:",
                url,
                "",
                "Badge Markdown:",
                `[![Binder](https://mybinder.org/badge_logo.svg)](${url})`,
                "",
            ].join("\n"),
        );
        assert.equal(io.err, "");
    });

    it("prints a branch, path and launcher branch for people with their line ends, controls and bidi overrides escaped", async () => {
        const io = bufferIo(dir);
        const argv = ["jane-doe/my-course", "--branch", "fix\u2028x\u202e", "--path", "a\u0085b\u2029c.ipynb", "--launcher-branch", "dev\u2066"];
        assert.equal(await runLink(argv, io), 0);
        assert.deepEqual(io.out.split("\n").slice(0, 3), [
            "Opens jane-doe/my-course@fix\\u2028x\\u202e (a\\x85b\\u2029c.ipynb) in JupyterLab",
            "on the Underworld3 launcher underworldcode/uw3-binder-launcher@dev\\u2066.",
            "",
        ]);
        assert.doesNotMatch(io.out, /[\u0085\u2028\u2029\u202e\u2066]/);
    });

    it("--json with --format writes the text's raw line separators and bidi overrides as \\u escapes", async () => {
        const io = bufferIo(dir);
        assert.equal(await runLink(["jane-doe/my-course", "--branch", "fix\u202ex", "--format", "myst", "--json"], io), 0);
        assert.doesNotMatch(io.out, /[\u0085\u2028\u2029\u202e]/);
        const printed = JSON.parse(io.out) as { text: string };
        assert.ok(printed.text.startsWith("[![Binder]"), printed.text);
    });

    it("--json prints exactly url and badge", async () => {
        const io = bufferIo(dir);
        assert.equal(await runLink(["jane-doe/my-course", "--branch", "week/1", "--app", "notebook", "--json"], io), 0);
        const url = expectedUrl({ branch: "week/1" }, undefined, "notebook");
        assert.equal(io.out, `{"url":${JSON.stringify(url)},"badge":${JSON.stringify(`[![Binder](https://mybinder.org/badge_logo.svg)](${url})`)}}\n`);
        assert.deepEqual(Object.keys(JSON.parse(io.out)), ["url", "badge"]);
    });

    it("--launcher and --launcher-branch pick another launcher", async () => {
        const io = bufferIo(dir);
        await runLink(["jane-doe/my-course", "--launcher", "me/my-launcher", "--launcher-branch", "development", "--json"], io);
        assert.deepEqual(decodeContentLaunchUrl(JSON.parse(io.out).url).launcher, { owner: "me", repository: "my-launcher", branch: "development" });
    });

    it("--stack takes the launcher owner, repository and default branch from Pulumi.<stack>.yaml", async () => {
        fs.writeFileSync(path.join(dir, "Pulumi.2025-02.yaml"), STACK_FILE);
        const io = bufferIo(dir);
        await runLink(["jane-doe/my-course", "--stack", "2025-02", "--json"], io);
        assert.deepEqual(decodeContentLaunchUrl(JSON.parse(io.out).url).launcher, { owner: "my-org", repository: "uw3-launcher", branch: "stable" });

        const io2 = bufferIo(dir);
        await runLink(["jane-doe/my-course", "--stack", "2025-02", "--launcher-branch", "development", "--json"], io2);
        assert.deepEqual(decodeContentLaunchUrl(JSON.parse(io2.out).url).launcher, { owner: "my-org", repository: "uw3-launcher", branch: "development" });
    });

    it("--format prints only that markup; with --json also format and text", async () => {
        const url = expectedUrl({ path: "notebooks/intro.ipynb" });
        const io = bufferIo(dir);
        assert.equal(await runLink(["jane-doe/my-course", "--path", "notebooks/intro.ipynb", "--format", "html"], io), 0);
        assert.equal(io.out, `<a href="${url}"><img src="https://mybinder.org/badge_logo.svg" alt="Binder"></a>\n`);
        const json = bufferIo(dir);
        await runLink(["jane-doe/my-course", "--path", "notebooks/intro.ipynb", "--format", "url", "--json"], json);
        assert.deepEqual(JSON.parse(json.out), { url, badge: `[![Binder](https://mybinder.org/badge_logo.svg)](${url})`, format: "url", text: url });
    });

    const usageErrors: [string, string[], string][] = [
        ["an unknown format", ["a/b", "--format", "asciidoc"], '--format expects one of url, markdown, rst, html, myst, jupyter-book, found "asciidoc"'],
        [
            "--stack with --launcher",
            ["a/b", "--stack", "2025-02", "--launcher", "x/y"],
            "--stack and --launcher are mutually exclusive: --stack takes the launcher from the stack file",
        ],
        ["a missing stack file", ["a/b", "--stack", "2024-12"], "--stack 2024-12: no Pulumi.2024-12.yaml in DIR"],
        ["a stack name with a path", ["a/b", "--stack", "../x"], '--stack expects a stack name such as 2025-01 or v3.0.2, found "../x"'],
        ["no repository", [], "expected one <owner>/<repo>, found none"],
        ["two repositories", ["a/b", "c/d"], 'expected one <owner>/<repo>, found "a/b" "c/d"'],
        [
            "a repository without owner",
            ["my-course"],
            'invalid content repository "my-course": expected <owner>/<repo>, e.g. underworldcode/uw3-binder-launcher',
        ],
        ["an unknown app", ["a/b", "--app", "voila"], '--app expects one of lab, notebook, found "voila"'],
        ["a path leaving the repository", ["a/b", "--path", "../secrets"], 'invalid path "../secrets": ".." segments would leave the repository'],
        ["a bad launcher", ["a/b", "--launcher", "nope"], 'invalid --launcher "nope": expected <owner>/<repo>, e.g. underworldcode/uw3-binder-launcher'],
    ];
    for (const [what, argv, message] of usageErrors) {
        it(`refuses ${what} as a usage error`, async () => {
            fs.writeFileSync(path.join(dir, "Pulumi.2025-02.yaml"), STACK_FILE);
            await assert.rejects(runLink(argv, bufferIo(dir)), (err: unknown) => err instanceof UsageError && err.message === message.replace("DIR", dir));
        });
    }

    it("refuses a stack file without a launcher, naming the file and key", async () => {
        fs.writeFileSync(path.join(dir, "Pulumi.x.yaml"), "config:\n  github:owner: my-org\n");
        await assert.rejects(runLink(["a/b", "--stack", "x"], bufferIo(dir)), {
            message: "Pulumi.x.yaml: `uw3-binder:launcher.repository`: expected the launcher repository name, found nothing",
        });
    });

    it("refuses a stack file that is not YAML, naming the file", async () => {
        fs.writeFileSync(path.join(dir, "Pulumi.x.yaml"), "config: [\n");
        await assert.rejects(
            runLink(["a/b", "--stack", "x"], bufferIo(dir)),
            (err: unknown) => err instanceof UsageError && err.message.startsWith("Pulumi.x.yaml: not valid YAML: "),
        );
    });

    it("exits 2 from the command line with the error and the usage", () => {
        const result = spawnSync(process.execPath, [BIN, "link", "a/b", "--path", "/etc/passwd"], { cwd: dir, encoding: "utf8" });
        assert.equal(result.status, 2);
        assert.equal(result.stdout, "");
        assert.equal(
            result.stderr.split("\n")[0],
            'uw3-binder link: invalid path "/etc/passwd": expected a path relative to the repository root, not an absolute path',
        );
        assert.equal(result.stderr.includes("usage: uw3-binder link <owner>/<repo> [options]"), true);
    });

    it("exits 0 from the command line and prints the JSON", () => {
        const result = spawnSync(process.execPath, [BIN, "link", "jane-doe/my-course", "--json"], { cwd: dir, encoding: "utf8" });
        assert.equal(result.status, 0);
        assert.equal(JSON.parse(result.stdout).url, expectedUrl());
    });
});
