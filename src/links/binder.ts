/**
 * mybinder.org launch links: the plain launcher link and the nbgitpuller "content" link that opens any
 * GitHub repository inside the Underworld3 launcher image. Pure.
 *
 * A content link is decoded three times on its way to the notebook, so each layer is encoded for the one
 * that reads it:
 *   1. mybinder.org's launch page reads the `urlpath` query parameter, URL-decoding it once;
 *   2. BinderHub sends the browser to `<server>/<urlpath>` (query kept since jupyterhub/binderhub#1774),
 *      where nbgitpuller's `git-pull` handler reads `repo`, `branch` and `urlpath` from that query string;
 *   3. after cloning, nbgitpuller's page sets `window.location` to `<base_url><urlpath>` verbatim
 *      (nbgitpuller static/js/gitsync.js `redirectUrl = baseUrl + path`), so the app path must already be a
 *      valid URL path: a `#` or `?` in a file name left raw would end the path there.
 * This is the nbgitpuller link generator's Binder tab (nbgitpuller docs/_static/link_gen/link.js,
 * `generateBinderUrl`): `<binder>/v2/gh/<launcher>/<ref>?urlpath=` + encoded `git-pull?repo=..&..`. Unlike
 * the setup document's example, the inner `?` and `&` are encoded, so mybinder does not take `repo`,
 * `branch` and the inner `urlpath` as its own parameters.
 */
import { BADGE_IMAGE_URL, MYBINDER_URL } from "../mybinder/facts";
import { encodeRefPath } from "../names/git";
import { checkBranch, checkRepository, LinkInputError } from "../names/github";
import { capped, shown } from "../text/quotedValue";

/**
 * The Jupyter app a content link opens. nbgitpuller's url-options docs: classic notebook `tree/<path>`,
 * JupyterLab `lab/tree/<path>` (the link generator's `apps` table uses exactly these prefixes).
 */
export const JUPYTER_APPS = ["lab", "notebook"] as const;
export type JupyterApp = (typeof JUPYTER_APPS)[number];

const APP_PATH_PREFIX: Record<JupyterApp, string> = { lab: "lab/tree/", notebook: "tree/" };

/** A launcher repository branch (or any ref) that mybinder.org builds. */
export interface BinderRef {
    owner: string;
    repository: string;
    ref: string;
}

/** The launcher a content link starts: its image provides Underworld3, nbgitpuller and Jupyter. */
export interface LauncherBranch {
    owner: string;
    repository: string;
    branch: string;
}

/** The repository nbgitpuller clones into the session. */
export interface ContentSource {
    owner: string;
    repository: string;
    /** Always sent: nbgitpuller's own default (`master`) matches few repositories today. */
    branch: string;
    /** A file or folder inside the repository, `/`-separated and relative; omitted opens the clone folder. */
    path?: string;
}

export interface ContentLink {
    launcher: LauncherBranch;
    content: ContentSource;
    app: JupyterApp;
}

/** What `decodeContentLaunchUrl` finds: the link's inputs, and the app path nbgitpuller redirects to. */
export interface DecodedContentLink extends ContentLink {
    /** nbgitpuller's `urlpath` after its query string is parsed: the URL path the browser is sent to. */
    nbgitpullerUrlpath: string;
}

/** Checks a path inside a repository and returns its segments. */
function pathSegments(path: string): string[] {
    const problem = (reason: string) => new LinkInputError(`invalid path ${shown(path)}: ${reason}`);
    if (path === "") throw problem("expected a relative path such as notebooks/intro.ipynb, or no path to open the repository folder");
    if (path.startsWith("/")) throw problem("expected a path relative to the repository root, not an absolute path");
    const segments = path.split("/");
    if (segments.some((s) => s === "..")) throw problem('".." segments would leave the repository');
    // A trailing slash (a folder) is the one empty segment allowed; it is kept as given.
    if (segments.some((s, i) => s === "." || (s === "" && i < segments.length - 1))) throw problem('expected no "." or empty segments');
    if (/[\x00-\x1f\x7f]/.test(path)) throw problem("control characters are not allowed");
    return segments;
}

/**
 * One path segment as a URL path carries it: percent-encoded except for the characters a path segment may
 * hold literally (RFC 3986 `pchar`). `&`, `=`, `+` and friends stay readable; `#`, `?`, `%`, spaces and
 * non-ASCII are encoded.
 *
 * Caveat: JupyterLab's tree route decodes the path with `decodeURI` (jupyterlab application-extension,
 * the `tree` command), which leaves `%23` and `%3F` encoded, so a file whose name holds `#` or `?` opens as
 * a missing file in `lab`; the link itself is still exact.
 */
function encodePathSegment(segment: string): string {
    return encodeURIComponent(segment).replace(/%(24|26|2B|2C|3B|3D|3A|40)/g, (escaped) => decodeURIComponent(escaped));
}

/** `https://mybinder.org/v2/gh/<owner>/<repo>`: what every launch URL of the repository starts with. */
function launchBase(owner: string, repository: string, binderUrl: string): string {
    checkRepository(owner, repository, "launcher");
    return `${binderUrl.replace(/\/+$/, "")}/v2/gh/${owner}/${repository}`;
}

/** `https://mybinder.org/v2/gh/<owner>/<repo>/<ref>` */
export function launchUrl(target: BinderRef, binderUrl = MYBINDER_URL): string {
    const base = launchBase(target.owner, target.repository, binderUrl);
    checkBranch(target.ref, "launcher ref");
    return `${base}/${encodeRefPath(target.ref)}`;
}

/** `https://mybinder.org/v2/gh/<owner>/<repo>/<tag>`, `<tag>` left for the reader: a release's branch, none named. */
export function releaseLaunchUrlTemplate(owner: string, repository: string, binderUrl = MYBINDER_URL): string {
    return `${launchBase(owner, repository, binderUrl)}/<tag>`;
}

/**
 * The Binder badge, as mybinder.org's own "copy badge" gives it. encodeURIComponent leaves `(` and `)`
 * (from a file or branch name) raw, and an unbalanced one would end a Markdown link destination early:
 * they are percent-encoded, which every reader of the URL decodes back.
 */
export function badgeMarkdown(url: string): string {
    return `[![Binder](${BADGE_IMAGE_URL})](${url.replace(/\(/g, "%28").replace(/\)/g, "%29")})`;
}

function checkApp(app: string): asserts app is JupyterApp {
    if (!(JUPYTER_APPS as readonly string[]).includes(app)) {
        throw new LinkInputError(`invalid app ${shown(app)}: expected one of ${JUPYTER_APPS.map((a) => `"${a}"`).join(", ")}`);
    }
}

function queryString(pairs: [string, string][]): string {
    return pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
}

/**
 * The launcher link that clones `content` with nbgitpuller and opens it in `app`. The single `urlpath`
 * value is `git-pull?repo=https://github.com/<o>/<r>&branch=<b>&urlpath=<app path>`, encoded once more
 * as a whole; the app path starts with the clone folder, which nbgitpuller names after the repository.
 */
export function contentLaunchUrl(link: ContentLink): string {
    const { launcher, content, app } = link;
    checkApp(app);
    checkRepository(content.owner, content.repository, "content");
    checkBranch(content.branch, "content branch");
    const segments = [content.repository, ...(content.path === undefined ? [] : pathSegments(content.path))];
    const appPath = APP_PATH_PREFIX[app] + segments.map(encodePathSegment).join("/");
    const gitPull =
        "git-pull?" +
        queryString([
            ["repo", `https://github.com/${content.owner}/${content.repository}`],
            ["branch", content.branch],
            ["urlpath", appPath],
        ]);
    const base = launchUrl({ owner: launcher.owner, repository: launcher.repository, ref: launcher.branch });
    return `${base}?urlpath=${encodeURIComponent(gitPull)}`;
}

/** The placeholders of `contentLinkTemplate`, as they appear in it. */
const TEMPLATE_PLACEHOLDERS = { owner: "{owner}", repo: "{repo}", branch: "{branch}", path: "{path}" } as const;

/**
 * A content link (JupyterLab) for `launcher` with `{owner}`, `{repo}`, `{branch}` and `{path}` left to
 * fill in, everything else encoded exactly as `contentLaunchUrl` does. Filled in with plain values —
 * GitHub names, and a branch and path of letters, digits, `-`, `_`, `.` and `/` — it decodes to those
 * values; anything else (spaces, `#`, `&`, non-ASCII) needs `uw3-binder link`, which encodes it.
 */
export function contentLinkTemplate(launcher: LauncherBranch): string {
    const base = launchUrl({ owner: launcher.owner, repository: launcher.repository, ref: launcher.branch });
    const { owner, repo, branch, path } = TEMPLATE_PLACEHOLDERS;
    // Encode around the placeholders: each literal piece goes through the same two layers as a real link.
    const inner = (s: string) => encodeURIComponent(encodeURIComponent(s));
    const outer = (s: string) => encodeURIComponent(s);
    return (
        `${base}?urlpath=` +
        outer("git-pull?repo=") +
        inner("https://github.com/") +
        owner +
        inner("/") +
        repo +
        outer("&branch=") +
        branch +
        outer("&urlpath=") +
        inner(APP_PATH_PREFIX.lab) +
        repo +
        inner("/") +
        path
    );
}

/**
 * Decodes a content link as its readers do: mybinder's `urlpath` query parameter, decoded once; the
 * `git-pull` query string nbgitpuller parses; then the app path, each segment decoded as a URL path.
 * Throws a LinkInputError saying which layer is not what `contentLaunchUrl` makes.
 */
export function decodeContentLaunchUrl(url: string): DecodedContentLink {
    const bad = (reason: string) => new LinkInputError(`not a content launch link (${reason}): ${capped(url)}`);
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw bad("not a URL");
    }
    const spec = /^\/v2\/gh\/([^/]+)\/([^/]+)\/(.+)$/.exec(parsed.pathname);
    if (!spec) throw bad("expected a /v2/gh/<owner>/<repo>/<ref> path");
    const launcher: LauncherBranch = {
        owner: spec[1],
        repository: spec[2],
        branch: spec[3].split("/").map(decodeURIComponent).join("/"),
    };
    const urlpaths = parsed.searchParams.getAll("urlpath");
    if (urlpaths.length !== 1) throw bad(`expected exactly one urlpath parameter, found ${urlpaths.length}`);
    if ([...parsed.searchParams.keys()].length !== 1) throw bad("expected urlpath to be the only parameter");
    const gitPull = urlpaths[0];
    if (!gitPull.startsWith("git-pull?")) throw bad(`urlpath does not start with "git-pull?": ${JSON.stringify(gitPull)}`);
    const query = new URLSearchParams(gitPull.slice("git-pull?".length));
    const one = (name: string): string => {
        const values = query.getAll(name);
        if (values.length !== 1) throw bad(`expected exactly one git-pull ${name}, found ${values.length}`);
        return values[0];
    };
    const repo = one("repo");
    const branch = one("branch");
    const appPath = one("urlpath");
    const repoMatch = /^https:\/\/github\.com\/([^/]+)\/([^/]+)$/.exec(repo);
    if (!repoMatch) throw bad(`git-pull repo is not https://github.com/<owner>/<repo>: ${JSON.stringify(repo)}`);
    const app = (Object.keys(APP_PATH_PREFIX) as JupyterApp[]).find((a) => appPath.startsWith(APP_PATH_PREFIX[a]));
    if (app === undefined) throw bad(`git-pull urlpath starts with neither lab/tree/ nor tree/: ${JSON.stringify(appPath)}`);
    const [folder, ...rest] = appPath.slice(APP_PATH_PREFIX[app].length).split("/").map(decodeURIComponent);
    if (folder !== repoMatch[2])
        throw bad(`git-pull urlpath opens folder ${JSON.stringify(folder)}, but nbgitpuller clones into ${JSON.stringify(repoMatch[2])}`);
    const path = rest.length === 0 || (rest.length === 1 && rest[0] === "") ? undefined : rest.join("/");
    return {
        launcher,
        content: { owner: repoMatch[1], repository: repoMatch[2], branch, ...(path === undefined ? {} : { path }) },
        app,
        nbgitpullerUrlpath: appPath,
    };
}
