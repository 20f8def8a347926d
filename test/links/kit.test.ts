import * as assert from "assert/strict";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { ContentLink, contentLaunchUrl, decodeContentLaunchUrl } from "../../src/links/binder";
import { HOSTILE_PAGES } from "./hostilePages";
import { badgeHtml, badgeRst, jupyterBookConfig, KitPage, LINK_FORMATS, mystConfig, renderLink, substitutionName } from "../../src/links/kit";

const LAUNCHER = { owner: "underworldcode", repository: "uw3-binder-launcher", branch: "main" };

function page(content: ContentLink["content"], app: ContentLink["app"] = "lab"): KitPage {
    return { url: contentLaunchUrl({ launcher: LAUNCHER, content, app }), content, app, launcher: LAUNCHER };
}

/** How each format's reader finds the URL again: a Markdown link, docutils' :target:, an HTML attribute, YAML. */
function urlsIn(format: (typeof LINK_FORMATS)[number], text: string): string[] {
    const markdown = (t: string) => [.../\]\((https:\/\/mybinder\.org\/[^\s)]*)\)$/m.exec(t)!.slice(1)];
    switch (format) {
        case "url":
            return [text];
        case "markdown":
            return markdown(text);
        case "rst":
            return [/^ {3}:target: (.*)$/m.exec(text)![1].replace(/\\(.)/g, "$1")];
        case "html":
            return [
                /^<a href="([^"]*)"><img src="https:\/\/mybinder\.org\/badge_logo\.svg" alt="Binder"><\/a>$/
                    .exec(text)![1]
                    .replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e as "amp"]),
            ];
        case "myst": {
            const [badge, , ...block] = text.split("\n");
            return [...markdown(badge), parseYaml(block.join("\n")).project.binder];
        }
        case "jupyter-book": {
            const subs = parseYaml(text).parse.myst_substitutions;
            return Object.values(subs).flatMap((b) => markdown(b as string));
        }
    }
}

describe("link kit: every format decodes to the same link", () => {
    for (const format of LINK_FORMATS) {
        for (const content of HOSTILE_PAGES) {
            it(`${format}: ${JSON.stringify(content.path ?? "(repository folder)")} on ${content.branch}`, () => {
                const p = page(content);
                const urls = urlsIn(format, renderLink(format, p));
                assert.ok(urls.length >= 1);
                for (const url of urls) {
                    const { nbgitpullerUrlpath, ...decoded } = decodeContentLaunchUrl(url);
                    assert.deepEqual(decoded, { launcher: LAUNCHER, content, app: "lab" });
                }
            });
        }
    }
});

describe("link kit renderers", () => {
    const intro = page({ owner: "jane-doe", repository: "my-course", branch: "main", path: "notebooks/intro.ipynb" });

    it("rst: an image directive whose target is the link, a trailing _ escaped so docutils reads a URI", () => {
        assert.equal(badgeRst("https://x.example/a"), ".. image:: https://mybinder.org/badge_logo.svg\n   :target: https://x.example/a\n   :alt: Binder");
        assert.equal(badgeRst("https://x.example/a_"), ".. image:: https://mybinder.org/badge_logo.svg\n   :target: https://x.example/a\\_\n   :alt: Binder");
    });

    it("html: the link as an escaped attribute", () => {
        assert.equal(
            badgeHtml(`https://x.example/?a="b"&c='<d>'`),
            `<a href="https://x.example/?a=&quot;b&quot;&amp;c=&#39;&lt;d&gt;&#39;"><img src="https://mybinder.org/badge_logo.svg" alt="Binder"></a>`,
        );
    });

    it("jupyter-book: the content repository, the interface, no binderhub_url, the badge as a substitution", () => {
        const config = parseYaml(jupyterBookConfig(intro));
        assert.deepEqual(config, {
            repository: { url: "https://github.com/jane-doe/my-course", branch: "main" },
            launch_buttons: { notebook_interface: "jupyterlab" },
            parse: {
                myst_enable_extensions: ["substitution"],
                myst_substitutions: { launch_notebooks_intro: `[![Binder](https://mybinder.org/badge_logo.svg)](${intro.url})` },
            },
        });
        assert.match(jupyterBookConfig(intro), /^# Show the badge on the page with \{\{ launch_notebooks_intro \}\}\./m);
        assert.equal(parseYaml(jupyterBookConfig(page(intro.content, "notebook"))).launch_buttons.notebook_interface, "classic");
    });

    it("myst: the content repository as github and the link as the project's binder", () => {
        const [badge, blank, ...block] = renderLink("myst", intro).split("\n");
        assert.equal(badge, `[![Binder](https://mybinder.org/badge_logo.svg)](${intro.url})`);
        assert.equal(blank, "");
        assert.deepEqual(parseYaml(block.join("\n")), { version: 1, project: { github: "https://github.com/jane-doe/my-course", binder: intro.url } });
        assert.equal(mystConfig(intro), block.join("\n"));
    });

    it("jupyter-book and myst: a line end for YAML 1.1 (U+0085, U+2028, U+2029) in a branch or path stays escaped in its comment and string", () => {
        for (const content of HOSTILE_PAGES) {
            const p = page(content);
            for (const text of [jupyterBookConfig(p), mystConfig(p)]) {
                assert.doesNotMatch(text, /[\u007f-\u009f\u2028\u2029\u202a-\u202e]/, JSON.stringify(text));
            }
            assert.deepEqual(Object.keys(parseYaml(jupyterBookConfig(p))), ["repository", "launch_buttons", "parse"]);
            assert.equal(parseYaml(jupyterBookConfig(p)).repository.branch, content.branch);
        }
        const attack = page({ owner: "o", repository: "r", branch: "main", path: "x\u2028sphinx:\u2028  extra: [evil]\u0085y" });
        assert.equal(
            jupyterBookConfig(attack).split("\n")[0],
            "# _config.yml: opens o/r@main (x\\u2028sphinx:\\u2028  extra: [evil]\\x85y) in JupyterLab, on the Underworld3 launcher underworldcode/uw3-binder-launcher@main, through nbgitpuller.",
        );
    });

    it("any branch and path a link accepts: every format is free of raw controls, separators and bidi marks, and the YAML reads back (property)", () => {
        const unit = fc.constantFrom("a", "/", ".", "-", "#", "é", " ", ":", "\u0085", "\u009b", "\u061c", "\u2028", "\u2029", "\u202e", "\u2066", "\\", '"');
        fc.assert(
            fc.property(fc.string({ unit, minLength: 1, maxLength: 16 }), fc.option(fc.string({ unit, minLength: 1, maxLength: 16 })), (branch, path) => {
                const content = { owner: "o", repository: "r", branch, ...(path === null ? {} : { path }) };
                let p: KitPage;
                try {
                    p = page(content);
                } catch (err) {
                    assert.equal((err as Error).name, "LinkInputError");
                    return;
                }
                for (const format of LINK_FORMATS) {
                    assert.doesNotMatch(
                        renderLink(format, p),
                        /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/,
                        format,
                    );
                }
                assert.equal(parseYaml(jupyterBookConfig(p)).repository.branch, branch);
                assert.equal(parseYaml(mystConfig(p)).project.binder, p.url);
            }),
            { numRuns: 300 },
        );
    });

    it("names substitutions after the page", () => {
        assert.equal(substitutionName("notebooks/Week 1/intro.ipynb"), "launch_notebooks_Week_1_intro");
        assert.equal(substitutionName(undefined), "launch_repository");
        assert.equal(substitutionName("données/x.md"), "launch_donn_es_x");
    });
});
