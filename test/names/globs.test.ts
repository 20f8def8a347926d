import * as assert from "assert";
import { checkSourcePath, compileGlobs, DEFAULT_REBUILD_ON, globProblems, matchesGlob, toGitPathspecs } from "../../src/names/globs";

describe("source/globs", () => {
    describe("matchesGlob", () => {
        const cases: Array<[pattern: string, path: string, expected: boolean]> = [
            // literal paths match only themselves, at the checkout root
            ["setup.py", "setup.py", true],
            ["setup.py", "src/setup.py", false],
            ["setup.py", "setup.pyx", false],
            ["pixi.lock", "pixi.lock", true],
            ["container/Dockerfile.deps", "container/Dockerfile.deps", true],
            ["container/Dockerfile.deps", "container/Dockerfile.branch", false],
            // `.` is literal, not "any character"
            ["setup.py", "setupxpy", false],
            // `*` stays within a segment
            ["container/Dockerfile*", "container/Dockerfile", true],
            ["container/Dockerfile*", "container/Dockerfile.base.optimized", true],
            ["container/Dockerfile*", "container/old/Dockerfile.deps", false],
            ["*.md", "README.md", true],
            ["*.md", "docs/index.md", false],
            ["*", ".gitignore", true],
            // `?` is exactly one character
            ["src/?.c", "src/a.c", true],
            ["src/?.c", "src/ab.c", false],
            ["src/?.c", "src//.c", false],
            // `**` is zero or more whole segments
            ["src/**/*.pyx", "src/a.pyx", true],
            ["src/**/*.pyx", "src/underworld3/cython/petsc_types.pyx", true],
            ["src/**/*.pyx", "src/underworld3/cython/petsc_types.pyx.bak", false],
            ["src/**/*.pyx", "tests/src/a.pyx", false],
            ["src/**/*.pyx", "srcx/a.pyx", false],
            ["**/*.ipynb", "nb.ipynb", true],
            ["**/*.ipynb", "docs/beginner/tutorials/1-Meshes.ipynb", true],
            ["docs/**", "docs/index.md", true],
            ["docs/**", "docs/beginner/tutorials/1-Meshes.ipynb", true],
            ["docs/**", "docs", false],
            ["docs/**", "docsx/index.md", false],
            ["**", "anything/at/all.txt", true],
            ["a/**/b/**/c", "a/b/c", true],
            ["a/**/b/**/c", "a/x/y/b/z/c", true],
            ["a/**/b/**/c", "a/x/y/c", false],
            // dot-files are matched (a trigger list should err towards rebuilding)
            ["src/**/*.h", "src/.hidden/x.h", true],
            // `{a,b}` alternatives, nested and empty ones
            ["{pixi.toml,pixi.lock}", "pixi.lock", true],
            ["{pixi.toml,pixi.lock}", "pixi.json", false],
            ["src/**/*.{c,h}", "src/underworld3/cython/petsc_tools.h", true],
            ["src/**/*.{c,h}", "src/underworld3/cython/petsc_tools.cpp", false],
            ["container/Dockerfile{,.deps}", "container/Dockerfile", true],
            ["container/Dockerfile{,.deps}", "container/Dockerfile.deps", true],
            ["container/Dockerfile{,.deps}", "container/Dockerfile.branch", false],
            ["{src/**/*.{pyx,pxd},setup.py}", "src/x/y.pxd", true],
            ["{src,lib}/*.c", "lib/a.c", true],
            // escapes make special characters literal
            ["weird\\*name", "weird*name", true],
            ["weird\\*name", "weirdXname", false],
            ["a\\{b\\}", "a{b}", true],
            // regular-expression characters in names are literal
            ["notes (draft)+.md", "notes (draft)+.md", true],
            ["a$b^c|d.txt", "a$b^c|d.txt", true],
            // case-sensitive, as git and Linux are
            ["Setup.py", "setup.py", false],
        ];
        for (const [pattern, path, expected] of cases) {
            it(`${JSON.stringify(pattern)} ${expected ? "matches" : "does not match"} ${JSON.stringify(path)}`, () => {
                assert.strictEqual(matchesGlob(path, pattern), expected);
            });
        }
    });

    describe("rejected patterns", () => {
        const cases: Array<[pattern: string, message: string]> = [
            [
                "../underworld3/setup.py",
                `invalid glob pattern "../underworld3/setup.py": ".." would reach outside the source checkout; patterns must stay inside it`,
            ],
            ["src/../../etc/passwd", `invalid glob pattern "src/../../etc/passwd": ".." would reach outside the source checkout; patterns must stay inside it`],
            ["{..,src}/x", `invalid glob pattern "{..,src}/x": ".." would reach outside the source checkout; patterns must stay inside it`],
            ["/etc/passwd", `invalid glob pattern "/etc/passwd": it is absolute; patterns are relative to the source checkout, e.g. "src/**/*.pyx"`],
            [
                "C:/underworld3/setup.py",
                `invalid glob pattern "C:/underworld3/setup.py": it looks like a Windows drive path; patterns are POSIX paths relative to the source checkout`,
            ],
            ["", `invalid glob pattern "": it is empty (or expands to an empty alternative); name a file or use "**"`],
            ["./setup.py", `invalid glob pattern "./setup.py": "." segments are not allowed; write the path without "./"`],
            ["src//a.c", `invalid glob pattern "src//a.c": it has an empty segment ("//")`],
            ["docs/", `invalid glob pattern "docs/": it ends with "/"; to match everything under a directory write "dir/**"`],
            ["src/**.pyx", `invalid glob pattern "src/**.pyx": "**" must be a whole path segment (as in "src/**/*.pyx"), found it inside "**.pyx"`],
            [
                "src/[ab].c",
                `invalid glob pattern "src/[ab].c": character classes ("[...]") are not supported; use {a,b} alternatives or escape a literal bracket as \\[`,
            ],
            ["{pixi.toml", `invalid glob pattern "{pixi.toml": unmatched "{" at offset 0; escape a literal brace as \\{`],
            ["pixi.toml}", `invalid glob pattern "pixi.toml}": unmatched "}" at offset 9; escape a literal brace as \\}`],
            [
                "{pixi.toml}",
                `invalid glob pattern "{pixi.toml}": the brace group "{pixi.toml}" has no comma; write alternatives as {a,b} or escape literal braces as \\{ \\}`,
            ],
            ["trailing\\", `invalid glob pattern "trailing\\\\": it ends with a lone backslash`],
        ];
        for (const [pattern, message] of cases) {
            it(`rejects ${JSON.stringify(pattern)}`, () => {
                assert.throws(
                    () => compileGlobs([pattern]),
                    (err: Error) => {
                        assert.strictEqual(err.name, "GlobPatternError");
                        assert.strictEqual(err.message, message);
                        return true;
                    },
                );
            });
        }

        it("reports a Windows-style separator as such rather than matching nothing", () => {
            // `\*` is an escape, so `src\**\*.pyx` would otherwise be a legal pattern that never matches.
            assert.throws(() => compileGlobs(["src\\underworld3\\x.pyx"]), /"\\u" is not an escape .* use "\/" as the path separator/);
        });

        it("caps brace expansion", () => {
            const pattern = "{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}";
            assert.throws(() => compileGlobs([pattern]), new RegExp(`it expands to more than 256 alternatives`));
        });

        it("globProblems collects every bad pattern with its index", () => {
            assert.deepStrictEqual(globProblems(["setup.py", "../x", 7, "src/**/*.pyx", "/abs"]), [
                `[1]: invalid glob pattern "../x": ".." would reach outside the source checkout; patterns must stay inside it`,
                `[2]: expected a glob pattern string, found 7`,
                `[4]: invalid glob pattern "/abs": it is absolute; patterns are relative to the source checkout, e.g. "src/**/*.pyx"`,
            ]);
            assert.deepStrictEqual(globProblems(DEFAULT_REBUILD_ON), []);
        });
    });

    describe("GlobSet", () => {
        it("matches when any pattern matches and names the pattern that did", () => {
            const set = compileGlobs(["setup.py", "src/**/*.{c,h}"]);
            assert.strictEqual(set.matchingPattern("src/underworld3/cython/petsc_tools.c"), "src/**/*.{c,h}");
            assert.strictEqual(set.matchingPattern("setup.py"), "setup.py");
            assert.strictEqual(set.matchingPattern("docs/index.md"), undefined);
            assert.strictEqual(compileGlobs([]).matches("setup.py"), false);
        });

        it("mightMatchInside prunes only directories that cannot hold a match", () => {
            const set = compileGlobs(["pixi.toml", "container/Dockerfile*", "src/**/*.pyx", "docs/*/tutorials/*.ipynb"]);
            assert.strictEqual(set.mightMatchInside(""), true);
            assert.strictEqual(set.mightMatchInside("container"), true);
            assert.strictEqual(set.mightMatchInside("container/old"), false);
            assert.strictEqual(set.mightMatchInside("src"), true);
            assert.strictEqual(set.mightMatchInside("src/underworld3/cython"), true);
            assert.strictEqual(set.mightMatchInside("docs"), true);
            assert.strictEqual(set.mightMatchInside("docs/beginner"), true);
            assert.strictEqual(set.mightMatchInside("docs/beginner/tutorials"), true);
            assert.strictEqual(set.mightMatchInside("docs/beginner/tutorials/images"), false);
            assert.strictEqual(set.mightMatchInside(".pixi"), false);
            assert.strictEqual(set.mightMatchInside("pixi.toml"), false);
            assert.strictEqual(compileGlobs(["docs/**"]).mightMatchInside("docs/a/b"), true);
            assert.strictEqual(compileGlobs(["**"]).mightMatchInside(".pixi/envs"), true);
            assert.strictEqual(compileGlobs([]).mightMatchInside(""), false);
        });
    });

    describe("DEFAULT_REBUILD_ON", () => {
        const set = compileGlobs(DEFAULT_REBUILD_ON);
        const rebuilds = [
            "setup.py",
            "src/underworld3/cython/petsc_types.pyx",
            "src/underworld3/cython/petsc_types.pxd",
            "src/underworld3/cython/petsc_tools.c",
            "src/underworld3/cython/petsc_tools.h",
            "src/underworld3/function/_function.pyx",
            "pixi.toml",
            "pixi.lock",
            "container/Dockerfile.deps",
            "container/Dockerfile.branch",
            "container/Dockerfile.base.optimized",
        ];
        const pulledAtLaunch = [
            "src/underworld3/meshing.py",
            "src/underworld3/__init__.py",
            "docs/index.md",
            "docs/beginner/tutorials/1-Meshes.ipynb",
            "tests/test_0000_mesh.py",
            "README.md",
            "src/setup.py",
            "container/README.md",
        ];
        for (const p of rebuilds) it(`rebuilds for ${p}`, () => assert.strictEqual(set.matches(p), true));
        for (const p of pulledAtLaunch) it(`does not rebuild for ${p}`, () => assert.strictEqual(set.matches(p), false));

        it("is frozen, so a caller cannot change every image's triggers by accident", () => {
            assert.throws(() => (DEFAULT_REBUILD_ON as string[]).push("x"), TypeError);
        });
    });

    describe("toGitPathspecs", () => {
        it("expands braces into :(glob) pathspecs, once each", () => {
            assert.deepStrictEqual(toGitPathspecs(["src/**/*.{c,h}", "container/Dockerfile{,.deps}", "src/**/*.c"]), [
                ":(glob)src/**/*.c",
                ":(glob)src/**/*.h",
                ":(glob)container/Dockerfile",
                ":(glob)container/Dockerfile.deps",
            ]);
        });

        it("refuses what it would refuse to match", () => {
            assert.throws(() => toGitPathspecs(["pixi.toml", "../x"]), { name: "GlobPatternError" });
        });
    });

    describe("checkSourcePath", () => {
        it("accepts what git diff --name-only prints", () => {
            assert.strictEqual(checkSourcePath("src/underworld3/cython/petsc_types.pyx"), "src/underworld3/cython/petsc_types.pyx");
            assert.strictEqual(checkSourcePath(".gitignore"), ".gitignore");
        });
        const bad: Array<[string, string]> = [
            ["/work/underworld3/setup.py", "it is absolute"],
            ["../setup.py", `it has a ".." segment (outside the checkout)`],
            ["./setup.py", `it has an empty or "." segment`],
            ["docs//index.md", `it has an empty or "." segment`],
            ["", "it is empty"],
        ];
        for (const [p, problem] of bad) {
            it(`rejects ${JSON.stringify(p)}`, () => {
                assert.throws(() => checkSourcePath(p), {
                    name: "SourcePathError",
                    message: `invalid source path ${JSON.stringify(p)}: ${problem}; expected a POSIX path relative to the source checkout, e.g. "src/underworld3/cython/petsc_types.pyx"`,
                });
            });
        }
    });
});
