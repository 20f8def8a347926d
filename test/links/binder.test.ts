import * as assert from "assert/strict";
import { badgeMarkdown, ContentLink, contentLaunchUrl, contentLinkTemplate, decodeContentLaunchUrl, launchUrl } from "../../src/links/binder";
import { LinkInputError, parseRepositorySlug } from "../../src/names/github";

const LAUNCHER = { owner: "underworldcode", repository: "uw3-binder-launcher", branch: "main" };

function link(content: Partial<ContentLink["content"]> = {}, app: ContentLink["app"] = "lab", launcher = LAUNCHER): ContentLink {
    return { launcher, content: { owner: "jane-doe", repository: "my-course", branch: "main", ...content }, app };
}

describe("launchUrl", () => {
    it("builds the mybinder v2/gh URL of a launcher branch", () => {
        assert.equal(
            launchUrl({ owner: "underworldcode", repository: "uw3-binder-launcher", ref: "development" }),
            "https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/development",
        );
    });

    it("keeps the slashes of a branch name and encodes the rest of each part", () => {
        assert.equal(launchUrl({ owner: "o", repository: "r", ref: "feature/a&b#1" }), "https://mybinder.org/v2/gh/o/r/feature/a%26b%231");
    });

    it("refuses an empty ref, a bad owner and a bad repository, naming the value", () => {
        assert.throws(() => launchUrl({ owner: "o", repository: "r", ref: "" }), {
            name: "LinkInputError",
            message: 'invalid launcher ref "": expected a branch name, found an empty string',
        });
        assert.throws(() => launchUrl({ owner: "-o", repository: "r", ref: "main" }), {
            message: 'invalid launcher owner "-o": a GitHub login is 1-39 letters, digits or single hyphens, not starting with a hyphen',
        });
        assert.throws(() => launchUrl({ owner: "o", repository: "r r", ref: "main" }), {
            message: `invalid launcher repository "r r": a GitHub repository name is 1-100 letters, digits, '.', '_' or '-'`,
        });
    });
});

describe("badgeMarkdown", () => {
    it("wraps the URL in mybinder's badge image", () => {
        assert.equal(
            badgeMarkdown("https://mybinder.org/v2/gh/o/r/main"),
            "[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/o/r/main)",
        );
    });
});

describe("contentLaunchUrl", () => {
    it("encodes the whole git-pull request as one urlpath value (lab, with a path)", () => {
        assert.equal(
            contentLaunchUrl(link({ path: "notebooks/intro.ipynb" })),
            "https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/main?urlpath=" +
                "git-pull%3Frepo%3Dhttps%253A%252F%252Fgithub.com%252Fjane-doe%252Fmy-course" +
                "%26branch%3Dmain" +
                "%26urlpath%3Dlab%252Ftree%252Fmy-course%252Fnotebooks%252Fintro.ipynb",
        );
    });

    it("leaves no raw & ? or = after the launcher's own ?urlpath=, so mybinder sees one parameter", () => {
        const url = contentLaunchUrl(link({ path: "a&b=c?.ipynb", branch: "x&y" }));
        const query = url.slice(url.indexOf("?") + 1);
        assert.equal(query.startsWith("urlpath="), true);
        assert.equal(/[&?]/.test(query), false);
        assert.equal(query.indexOf("=", "urlpath=".length), -1);
        assert.deepEqual([...new URL(url).searchParams.keys()], ["urlpath"]);
    });

    it("opens the clone folder when there is no path", () => {
        const url = contentLaunchUrl(link());
        assert.equal(url.endsWith("%26urlpath%3Dlab%252Ftree%252Fmy-course"), true);
        assert.equal(decodeContentLaunchUrl(url).nbgitpullerUrlpath, "lab/tree/my-course");
    });

    it("uses tree/<repo>/<path> for the classic notebook", () => {
        const decoded = decodeContentLaunchUrl(contentLaunchUrl(link({ path: "intro.ipynb" }, "notebook")));
        assert.equal(decoded.nbgitpullerUrlpath, "tree/my-course/intro.ipynb");
        assert.equal(decoded.app, "notebook");
    });

    it("sends the branch even when it is main", () => {
        const decoded = decodeContentLaunchUrl(contentLaunchUrl(link()));
        assert.equal(decoded.content.branch, "main");
        assert.equal(new URLSearchParams(new URL(contentLaunchUrl(link())).searchParams.get("urlpath")!.slice(9)).get("branch"), "main");
    });

    it("path-encodes the app path nbgitpuller redirects to, so # and ? stay in the file name", () => {
        const decoded = decodeContentLaunchUrl(contentLaunchUrl(link({ path: "notes & stuff/Über #1?.ipynb" })));
        assert.equal(decoded.nbgitpullerUrlpath, "lab/tree/my-course/notes%20&%20stuff/%C3%9Cber%20%231%3F.ipynb");
    });

    const awkward: [string, Partial<ContentLink["content"]>, ContentLink["app"]][] = [
        ["spaces", { path: "my notebooks/intro 1.ipynb" }, "lab"],
        ["& and =", { path: "a&b/x=y+z.ipynb" }, "lab"],
        ["# and ?", { path: "week #1/what?.ipynb" }, "notebook"],
        ["percent signs", { path: "100%/50%25.ipynb" }, "lab"],
        ["unicode", { path: "données/Über-Ωmega 🌋.ipynb" }, "lab"],
        ["a folder with a trailing slash", { path: "notebooks/" }, "lab"],
        ["a branch with slashes", { branch: "release/2025.02/rc", path: "intro.ipynb" }, "lab"],
        ["a branch with & and #", { branch: "fix/a&b#2" }, "notebook"],
        ["dots and underscores in names", { owner: "a-b-c", repository: "course.v2_final", path: ".hidden-ok/x.ipynb" }, "lab"],
    ];
    for (const [what, content, app] of awkward) {
        it(`round-trips ${what} through mybinder's and nbgitpuller's decoding`, () => {
            const input = link(content, app, { owner: "my-org", repository: "launcher", branch: "feature/x#y&z" });
            const { nbgitpullerUrlpath, ...decoded } = decodeContentLaunchUrl(contentLaunchUrl(input));
            assert.deepEqual(decoded, input);
            assert.equal(nbgitpullerUrlpath.startsWith(`${app === "lab" ? "lab/tree" : "tree"}/${input.content.repository}`), true);
        });
    }

    const refused: [string, ContentLink, string][] = [
        ["a path with ..", link({ path: "notebooks/../../etc/passwd" }), 'invalid path "notebooks/../../etc/passwd": ".." segments would leave the repository'],
        [
            "an absolute path",
            link({ path: "/home/jovyan/x.ipynb" }),
            'invalid path "/home/jovyan/x.ipynb": expected a path relative to the repository root, not an absolute path',
        ],
        [
            "an empty path",
            link({ path: "" }),
            'invalid path "": expected a relative path such as notebooks/intro.ipynb, or no path to open the repository folder',
        ],
        ["a path with an empty segment", link({ path: "a//b" }), 'invalid path "a//b": expected no "." or empty segments'],
        ["an unknown app", { ...link(), app: "voila" as never }, 'invalid app "voila": expected one of "lab", "notebook"'],
        ["an empty branch", link({ branch: "" }), 'invalid content branch "": expected a branch name, found an empty string'],
        ["a branch git refuses", link({ branch: "a..b" }), 'invalid content branch "a..b": it contains ".."'],
        ["an empty launcher branch", link({}, "lab", { ...LAUNCHER, branch: "" }), 'invalid launcher ref "": expected a branch name, found an empty string'],
        [
            "a repository with .git",
            link({ repository: "my-course.git" }),
            'invalid content repository "my-course.git": give the name without the ".git" suffix',
        ],
        [
            "a bad owner",
            link({ owner: "jane_doe" }),
            'invalid content owner "jane_doe": a GitHub login is 1-39 letters, digits or single hyphens, not starting with a hyphen',
        ],
    ];
    for (const [what, input, message] of refused) {
        it(`refuses ${what}`, () => {
            assert.throws(
                () => contentLaunchUrl(input),
                (err: unknown) => err instanceof LinkInputError && err.message === message,
            );
        });
    }
});

describe("parseRepositorySlug", () => {
    it("splits owner/repo", () => {
        assert.deepEqual(parseRepositorySlug("underworldcode/underworld3"), { owner: "underworldcode", repository: "underworld3" });
    });
    it("refuses anything but owner/repo, naming the argument", () => {
        assert.throws(() => parseRepositorySlug("underworld3", "--launcher"), {
            message: 'invalid --launcher "underworld3": expected <owner>/<repo>, e.g. underworldcode/uw3-binder-launcher',
        });
        assert.throws(() => parseRepositorySlug("a/b/c"), {
            message: 'invalid repository "a/b/c": expected <owner>/<repo>, e.g. underworldcode/uw3-binder-launcher',
        });
    });
});

describe("contentLinkTemplate", () => {
    const template = contentLinkTemplate(LAUNCHER);
    const fill = (values: { owner: string; repo: string; branch: string; path: string }) =>
        template.replaceAll("{owner}", values.owner).replaceAll("{repo}", values.repo).replaceAll("{branch}", values.branch).replaceAll("{path}", values.path);

    it("leaves the four placeholders readable and encodes the rest", () => {
        assert.equal(
            template,
            "https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/main?urlpath=" +
                "git-pull%3Frepo%3Dhttps%253A%252F%252Fgithub.com%252F{owner}%252F{repo}" +
                "%26branch%3D{branch}" +
                "%26urlpath%3Dlab%252Ftree%252F{repo}%252F{path}",
        );
    });

    it("filled in, is the very link contentLaunchUrl makes", () => {
        const values = { owner: "jane-doe", repo: "my-course", branch: "main", path: "intro.ipynb" };
        assert.equal(fill(values), contentLaunchUrl(link({ path: "intro.ipynb" })));
    });

    it("filled in with slashes in the branch and path, decodes to those values", () => {
        const decoded = decodeContentLaunchUrl(fill({ owner: "my-org", repo: "course.v2", branch: "release/2025", path: "notebooks/week_1/intro.ipynb" }));
        assert.deepEqual(decoded.content, { owner: "my-org", repository: "course.v2", branch: "release/2025", path: "notebooks/week_1/intro.ipynb" });
        assert.deepEqual(decoded.launcher, LAUNCHER);
        assert.equal(decoded.app, "lab");
    });

    it("with an empty {path}, opens the clone folder", () => {
        const decoded = decodeContentLaunchUrl(fill({ owner: "o", repo: "r", branch: "main", path: "" }));
        assert.equal(decoded.content.path, undefined);
        assert.equal(decoded.nbgitpullerUrlpath, "lab/tree/r/");
    });
});

describe("decodeContentLaunchUrl", () => {
    it("refuses the setup document's unencoded format, where mybinder sees repo, branch and urlpath as its own", () => {
        const unencoded =
            "https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/development?urlpath=git-pull?repo=https://github.com/USER/REPO&branch=development&urlpath=lab/tree/REPO";
        assert.throws(() => decodeContentLaunchUrl(unencoded), {
            message: `not a content launch link (expected exactly one urlpath parameter, found 2): ${unencoded}`,
        });
    });

    it("refuses a link whose app path opens another folder than the clone", () => {
        const url = contentLaunchUrl(link()).replace("lab%252Ftree%252Fmy-course", "lab%252Ftree%252Fother");
        assert.throws(() => decodeContentLaunchUrl(url), {
            message: `not a content launch link (git-pull urlpath opens folder "other", but nbgitpuller clones into "my-course"): ${url}`,
        });
    });
});
