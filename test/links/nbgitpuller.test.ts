import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { badgeMarkdown, contentLaunchUrl, decodeContentLaunchUrl } from "../../src/links/binder";
import { jupyterBookConfig, mystConfig, substitutionName } from "../../src/links/kit";
import { HOSTILE_PAGES } from "./hostilePages";

const CHECK = path.join(__dirname, "nbgitpuller_check.py");
const LAUNCHER = { owner: "underworldcode", repository: "uw3-binder-launcher", branch: "main" };
/** Reused between runs: installing nbgitpuller (and jupyter_server) from PyPI takes a minute. */
const VENV = path.join(os.tmpdir(), "uw3-binder-nbgitpuller-venv");

function run(command: string, args: string[]) {
    return spawnSync(command, args, { encoding: "utf8", timeout: 600_000 });
}

/** A venv with the real nbgitpuller, or the reason there is none. */
function nbgitpullerPython(): { python: string } | { skip: string } {
    const python = path.join(VENV, "bin", "python");
    if (fs.existsSync(python) && run(python, ["-c", "import nbgitpuller.handlers"]).status === 0) return { python };
    const venv = run("python3", ["-m", "venv", VENV]);
    if (venv.error || venv.status !== 0) return { skip: `python3 -m venv failed: ${venv.error?.message ?? venv.stderr.trim().split("\n").pop()}` };
    const pip = run(path.join(VENV, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "nbgitpuller"]);
    if (pip.status !== 0) return { skip: `pip install nbgitpuller failed: ${(pip.error?.message ?? pip.stderr).trim().split("\n").pop()}` };
    return { python };
}

describe("nbgitpuller from PyPI agrees with our content links", function () {
    this.timeout(900_000);
    let python: string;
    before(function () {
        const found = nbgitpullerPython();
        if ("skip" in found) {
            if (process.env.CI === "true") throw new Error(`nbgitpuller is required under CI=true: ${found.skip}`);
            console.log(`      skipped: ${found.skip}`);
            this.skip();
        }
        python = found.python;
    });

    // Every --format carries this same URL (test/links/kit.test.ts decodes each markup back to it).
    it("BinderHub and nbgitpuller read back the repository, branch and file of every hostile path", () => {
        const cases = HOSTILE_PAGES.flatMap((content) =>
            (["lab", "notebook"] as const).map((app) => ({ url: contentLaunchUrl({ launcher: LAUNCHER, content, app }), content, app })),
        );
        const result = spawnSync(python, [CHECK], { input: JSON.stringify(cases.map((c) => ({ url: c.url }))), encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        const found: any[] = JSON.parse(result.stdout);
        assert.equal(found.length, cases.length);
        cases.forEach(({ url, content, app }, i) => {
            const expectedPath = `/user/jovyan-abc/${app === "lab" ? "lab/tree" : "tree"}/${content.repository}${content.path === undefined ? "" : `/${content.path}`}`;
            assert.deepEqual(
                found[i],
                {
                    binderArguments: ["urlpath"],
                    repo: `https://github.com/${content.owner}/${content.repository}`,
                    branch: content.branch,
                    targetpath: content.repository,
                    redirectPath: expectedPath,
                    redirectQuery: "",
                    redirectFragment: "",
                },
                `${JSON.stringify(content)} (${app})`,
            );
            // And our own decoder agrees with theirs.
            assert.equal(decodeContentLaunchUrl(url).content.branch, found[i].branch);
        });
    });

    it("PyYAML (Jupyter Book's reader of _config.yml) reads the jupyter-book and myst blocks of every hostile page as written", () => {
        const pages = HOSTILE_PAGES.map((content) => {
            const url = contentLaunchUrl({ launcher: LAUNCHER, content, app: "lab" });
            return { content, page: { url, content, app: "lab" as const, launcher: LAUNCHER } };
        });
        const documents = pages.flatMap(({ page }) => [jupyterBookConfig(page), mystConfig(page)]);
        const script = "import json, sys, yaml\nprint(json.dumps([yaml.safe_load(d) for d in json.load(sys.stdin)]))";
        const result = spawnSync(python, ["-c", script], { input: JSON.stringify(documents), encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        const read: any[] = JSON.parse(result.stdout);
        pages.forEach(({ content, page }, i) => {
            const github = `https://github.com/${content.owner}/${content.repository}`;
            assert.deepEqual(read[2 * i], {
                repository: { url: github, branch: content.branch },
                launch_buttons: { notebook_interface: "jupyterlab" },
                parse: { myst_enable_extensions: ["substitution"], myst_substitutions: { [substitutionName(content.path)]: badgeMarkdown(page.url) } },
            });
            assert.deepEqual(read[2 * i + 1], { version: 1, project: { github, binder: page.url } });
        });
    });

    it("refuses the paths nbgitpuller would resolve outside the clone, before any link exists", () => {
        for (const p of ["../secrets.ipynb", "a/../../b.ipynb", "/etc/passwd"]) {
            assert.throws(() => contentLaunchUrl({ launcher: LAUNCHER, content: { owner: "o", repository: "r", branch: "main", path: p }, app: "lab" }), {
                name: "LinkInputError",
            });
        }
    });
});
