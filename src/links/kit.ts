/**
 * The course author's kit: one content launch link (`contentLaunchUrl`) rendered for each place an
 * author pastes it. Pure.
 *
 * Jupyter Book's own launch button (sphinx-book-theme header_buttons/launch.py) builds
 * `<binderhub_url>/v2/gh/<book repo>/<branch>?urlpath=<ui>/<page>`: it starts the book repository's own
 * environment, and its JupyterHub button appends `git-pull?...` unencoded, so neither can open a page in
 * the Underworld3 launcher. The site blocks therefore carry the content repository for the theme's
 * source links, leave `binderhub_url` unset, and put the encoded launch link where the page can show it.
 */
import { BADGE_IMAGE_URL } from "../mybinder/facts";
import { escapeUnprintable } from "../text/printable";
import { badgeMarkdown } from "./binder";

export const LINK_FORMATS = ["url", "markdown", "rst", "html", "myst", "jupyter-book"] as const;
export type LinkFormat = (typeof LINK_FORMATS)[number];

export interface KitPage {
    /** The encoded launch link (`contentLaunchUrl`). */
    url: string;
    content: { owner: string; repository: string; branch: string; path?: string };
    app: "lab" | "notebook";
    launcher: { owner: string; repository: string; branch: string };
}

/** HTML attribute text: the five characters that could end or break an attribute, escaped. */
function escapeHtmlAttribute(text: string): string {
    return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/**
 * A YAML double-quoted scalar: JSON's string syntax is valid YAML, and what JSON leaves raw that a YAML 1.1
 * reader (PyYAML, which Jupyter Book reads `_config.yml` with) takes as a line end (U+0085, U+2028, U+2029)
 * or refuses (DEL, C1 controls) goes through the one escaper, whose `\xNN` and `\uNNNN` are YAML escapes too.
 */
function yamlString(text: string): string {
    return escapeUnprintable(JSON.stringify(text));
}

/**
 * A YAML comment line: `#` and `text` with everything that could end the line early escaped. PyYAML ends a
 * comment at U+0085, U+2028 and U+2029 too, so a branch or path holding one would turn the rest into config.
 */
function yamlComment(text: string): string {
    return `# ${escapeUnprintable(text)}`;
}

/**
 * The reStructuredText badge. docutils reads `:target:` through `parse_target`: a backslash escapes,
 * and a target ending in an unescaped `_` is a reference name, not a URI, so both are escaped.
 */
export function badgeRst(url: string): string {
    const target = url.replace(/\\/g, "\\\\").replace(/_$/, "\\_");
    return [`.. image:: ${BADGE_IMAGE_URL}`, `   :target: ${target}`, "   :alt: Binder"].join("\n");
}

export function badgeHtml(url: string): string {
    return `<a href="${escapeHtmlAttribute(url)}"><img src="${BADGE_IMAGE_URL}" alt="Binder"></a>`;
}

/** The substitution name a page's badge gets in a Jupyter Book: `launch_<path as letters, digits, _>`. */
export function substitutionName(path: string | undefined): string {
    const stem = (path ?? "")
        .replace(/\.(ipynb|md)$/i, "")
        .replace(/[^A-Za-z0-9]+/g, "_")
        .replace(/^_+|_+$/g, "");
    return `launch_${stem === "" ? "repository" : stem}`;
}

function opens(page: KitPage): string {
    const { content, launcher, app } = page;
    return `${content.owner}/${content.repository}@${content.branch} (${content.path ?? "the repository folder"}) in ${app === "lab" ? "JupyterLab" : "the classic notebook"}, on the Underworld3 launcher ${launcher.owner}/${launcher.repository}@${launcher.branch}, through nbgitpuller`;
}

/**
 * A Jupyter Book `_config.yml` block: the repository for the theme's source and issue buttons, the
 * notebook interface, no `binderhub_url` (see above), and the page's badge as a MyST substitution, which
 * the page shows with `{{ launch_<name> }}`.
 */
export function jupyterBookConfig(page: KitPage): string {
    const name = substitutionName(page.content.path);
    return [
        yamlComment(`_config.yml: opens ${opens(page)}.`),
        `# Show the badge on the page with {{ ${name} }}. No launch_buttons.binderhub_url: Jupyter Book's own`,
        "# Binder button would start this repository's environment instead of the Underworld3 image.",
        "repository:",
        `  url: ${yamlString(`https://github.com/${page.content.owner}/${page.content.repository}`)}`,
        `  branch: ${yamlString(page.content.branch)}`,
        "launch_buttons:",
        `  notebook_interface: ${page.app === "lab" ? "jupyterlab" : "classic"}`,
        "parse:",
        "  myst_enable_extensions: [substitution]",
        "  myst_substitutions:",
        `    ${name}: ${yamlString(badgeMarkdown(page.url))}`,
    ].join("\n");
}

/**
 * A MyST (mystmd) `myst.yml` block: the content repository as the project's `github`, and the launch
 * link as its `binder` link, which MyST's themes show as the launch button; the page badge is the
 * Markdown one, which MyST renders as is.
 */
export function mystConfig(page: KitPage): string {
    return [
        yamlComment(`myst.yml: opens ${opens(page)}.`),
        "version: 1",
        "project:",
        `  github: ${yamlString(`https://github.com/${page.content.owner}/${page.content.repository}`)}`,
        `  binder: ${yamlString(page.url)}`,
    ].join("\n");
}

/** What `link --format <format>` prints (without a final newline). */
export function renderLink(format: LinkFormat, page: KitPage): string {
    switch (format) {
        case "url":
            return page.url;
        case "markdown":
            return badgeMarkdown(page.url);
        case "rst":
            return badgeRst(page.url);
        case "html":
            return badgeHtml(page.url);
        case "myst":
            return [badgeMarkdown(page.url), "", mystConfig(page)].join("\n");
        case "jupyter-book":
            return jupyterBookConfig(page);
    }
}
