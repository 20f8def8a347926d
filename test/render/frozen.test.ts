/**
 * A frozen release branch's files depend only on its own pin, name and Underworld3 branch and on the
 * following branches: a later release (another stack release, more frozen branches) renders the same bytes,
 * so no commit reaches it and mybinder.org keeps its build cached. And the README keeps what the real
 * launcher's gives its users.
 */
import * as assert from "assert/strict";
import { bufferIo } from "../../src/cli/commandIo";
import { runLink } from "../../src/cli/link";
import { BranchListing, launcherCommitMessage, launcherDockerfile, launcherReadme, LauncherPin, updateWorkflow } from "../../src/render/launcher";

const REPO = { owner: "underworldcode", repository: "uw3-binder-launcher", defaultBranch: "main" };
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const base = (tag: string, c: string) => `ghcr.io/underworldcode/uw3-base:${tag}@${digest(c)}`;

const FOLLOWING: BranchListing[] = [
    { name: "main", uw3Branch: "main" },
    { name: "development", uw3Branch: "development" },
];
const frozen = (name: string): BranchListing => ({ name, uw3Branch: name, frozen: true });

/** Every file and commit message of one branch, as the program writes them. */
function files(pin: LauncherPin, branches: BranchListing[]) {
    return {
        dockerfile: launcherDockerfile(pin),
        readme: launcherReadme(REPO, pin, branches),
        workflow: updateWorkflow(),
        messages: (["Dockerfile", "README", "workflow"] as const).map((f) => launcherCommitMessage(f, pin)),
    };
}

describe("frozen launcher branches: files", () => {
    const v302Stack = [...FOLLOWING, frozen("v0.99"), frozen("v3.0.0"), frozen("v3.0.1"), frozen("v3.0.2")];
    const v303Stack = [...FOLLOWING, frozen("v0.99"), frozen("v3.0.0"), frozen("v3.0.1"), frozen("v3.0.2"), frozen("v3.0.3")];
    const pins: Record<string, string> = { "v0.99": base("v0.99-slim", "1"), "v3.0.0": base("v3.0.0-slim", "2"), "v3.0.1": base("v3.0.1-slim", "3") };

    for (const branch of ["v0.99", "v3.0.0", "v3.0.1"]) {
        it(`${branch}: byte-identical in the v3.0.2 and the v3.0.3 stack, which adds a frozen branch`, () => {
            const pin = (release: string): LauncherPin => ({ branch, uw3Branch: branch, release, reference: pins[branch], frozen: true });
            assert.deepEqual(files(pin("v3.0.3"), v303Stack), files(pin("v3.0.2"), v302Stack));
        });
    }

    it("the release a stack builds: the same bytes once the next release adopts it (its gate's size figures and the stack release are left out)", () => {
        const reference = base("v3.0.2-slim", "4");
        const built: LauncherPin = {
            branch: "v3.0.2",
            uw3Branch: "v3.0.2",
            release: "v3.0.2",
            reference,
            frozen: true,
            size: { imageBytes: 3.3 * 1024 ** 3, newBytes: 57 * 1024 ** 2, previousRelease: "uw3-base:v3.0.1-slim" },
        };
        const adopted: LauncherPin = { branch: "v3.0.2", uw3Branch: "v3.0.2", release: "v3.0.3", reference, frozen: true };
        assert.deepEqual(files(adopted, v303Stack), files(built, v302Stack));
    });

    it("names no release in a frozen Dockerfile or commit message, and says it is frozen", () => {
        const pin: LauncherPin = { branch: "v3.0.1", uw3Branch: "v3.0.1", release: "v3.0.2", reference: pins["v3.0.1"], frozen: true };
        assert.equal(
            launcherDockerfile(pin),
            [
                "# Binder launcher for Underworld3 - v3.0.1, a frozen release: its image never changes",
                "# Managed by uw3-binder; edits by hand are overwritten by the next `pulumi up`.",
                `FROM ${pins["v3.0.1"]}`,
                "ENV UW3_BRANCH=v3.0.1",
                "",
            ].join("\n"),
        );
        assert.equal(launcherCommitMessage("Dockerfile", pin), "Pin v3.0.1 to uw3-base:v3.0.1-slim@sha256:333333333333 (frozen release)");
        assert.equal(launcherCommitMessage("workflow", pin), "Replace .github/workflows/update-image.yml: uw3-binder pins v3.0.1");
    });

    it("a following branch of a build per ref: byte-identical in the v3.0.2 and the v3.0.3 stack, naming the ref it follows, not the release", () => {
        const dev = (release: string): LauncherPin => ({
            branch: "development",
            uw3Branch: "development",
            release,
            reference: base("development-slim", "5"),
            follows: "development",
            size: { imageBytes: 3.3 * 1024 ** 3 },
        });
        assert.deepEqual(files(dev("v3.0.3"), v303Stack), files(dev("v3.0.2"), v302Stack));
        const { dockerfile, readme, messages } = files(dev("v3.0.2"), v302Stack);
        assert.equal(
            dockerfile,
            [
                "# Binder launcher for Underworld3 - development branch (follows development)",
                "# Managed by uw3-binder; edits by hand are overwritten by the next `pulumi up`.",
                `FROM ${base("development-slim", "5")}`,
                "ENV UW3_BRANCH=development",
                "",
            ].join("\n"),
        );
        assert.deepEqual(messages, [
            "Pin development to uw3-base:development-slim@sha256:555555555555 (follows development)",
            "Update development README for uw3-base:development-slim@sha256:555555555555 (follows development)",
            "Replace .github/workflows/update-image.yml: uw3-binder pins development",
        ]);
        assert.ok(readme.includes("\n- Follows: `development` (repinned to each verified build of that ref)\n- Image: "), readme);
        assert.ok(readme.includes("\n- Size: 3.3 GB compressed\n"), readme);
        assert.ok(!readme.includes("v3.0.2") && !readme.includes("- Release:"), readme);
    });

    it("the default branch following a build per ref: byte-identical in the v3.0.2 and the v3.0.3 stack, its README included", () => {
        const main = (release: string): LauncherPin => ({ branch: "main", uw3Branch: "main", release, reference: base("main-slim", "6"), follows: "main" });
        assert.deepEqual(files(main("v3.0.3"), v303Stack), files(main("v3.0.2"), v302Stack));
        assert.ok(!files(main("v3.0.3"), v303Stack).readme.includes("v3.0.3"));
    });

    it("a following branch of an image without refs (a month stack) still names the stack release, and a new frozen branch leaves its README alone, the default branch's too", () => {
        const dev: LauncherPin = { branch: "development", uw3Branch: "development", release: "v3.0.2", reference: base("development-slim", "5") };
        assert.ok(launcherDockerfile(dev).startsWith("# Binder launcher for Underworld3 - development branch (release v3.0.2)\n"));
        assert.equal(launcherReadme(REPO, dev, v302Stack), launcherReadme(REPO, dev, v303Stack));
        const main: LauncherPin = { ...dev, branch: "main", uw3Branch: "main" };
        assert.equal(launcherReadme(REPO, main, v302Stack), launcherReadme(REPO, main, v303Stack));
    });
});

describe("launcher README: what the real one gives its users", () => {
    const branches = [...FOLLOWING, frozen("v0.99"), frozen("v3.0.0"), frozen("v3.0.1")];
    const mainPin: LauncherPin = { branch: "main", uw3Branch: "main", release: "v3.0.1", reference: base("main-slim", "6") };
    const v301: LauncherPin = { branch: "v3.0.1", uw3Branch: "v3.0.1", release: "v3.0.1", reference: base("v3.0.1-slim", "3"), frozen: true };

    it("the default branch has a badge row per following branch, as the real one, and says how to launch a release by its tag", () => {
        const readme = launcherReadme(REPO, mainPin, branches);
        const rows = readme.split("\n").filter((l) => l.startsWith("| `"));
        assert.deepEqual(rows, [
            "| `main` | `main` (follows it) | [![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/main) |",
            "| `development` | `development` (follows it) | [![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/development) |",
        ]);
        assert.ok(readme.includes("\nEach release also has its own frozen launcher branch: see [Pinning to a release](#pinning-to-a-release).\n"), readme);
        assert.ok(readme.includes("\n## Pinning to a release\n"), readme);
        assert.ok(readme.includes("\nLaunch a release by its tag:\n\n```\nhttps://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/<tag>\n```\n"), readme);
        for (const release of ["v0.99", "v3.0.0", "v3.0.1"])
            assert.ok(!readme.includes(`/uw3-binder-launcher/${release}`), `main's README launches ${release}`);
    });

    it("a frozen branch says it is a frozen release and where the latest is, and names no other frozen branch", () => {
        const readme = launcherReadme(REPO, v301, branches);
        assert.ok(readme.includes("## A frozen release\n\nThis branch is a frozen release: it launches the image above, by its digest"), readme);
        assert.ok(
            readme.includes(
                "For the latest Underworld3, launch [`main`](https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/main) or [`development`](https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/development).",
            ),
        );
        assert.ok(!readme.includes("v0.99") && !readme.includes("v3.0.0"));
        assert.ok(!readme.includes("- Release:"));
    });

    it("launching your own repository: the link `uw3-binder link` makes for this branch, and the third-party launch notes", async () => {
        const io = bufferIo(process.cwd());
        const argv = ["myuser/geodynamics-course", "--branch", "main", "--path", "tutorials/intro.ipynb"];
        assert.equal(await runLink([...argv, "--launcher", "underworldcode/uw3-binder-launcher", "--launcher-branch", "v3.0.1", "--json"], io), 0);
        const { url } = JSON.parse(io.out) as { url: string };
        // The real launcher README's example link (URL Format section), for this branch.
        assert.equal(
            url,
            "https://mybinder.org/v2/gh/underworldcode/uw3-binder-launcher/v3.0.1?urlpath=git-pull%3Frepo%3Dhttps%253A%252F%252Fgithub.com%252Fmyuser%252Fgeodynamics-course%26branch%3Dmain%26urlpath%3Dlab%252Ftree%252Fgeodynamics-course%252Ftutorials%252Fintro.ipynb",
        );
        const readme = launcherReadme(REPO, v301, branches);
        assert.ok(readme.includes(`\`\`\`\n${url}\n\`\`\``), readme);
        assert.ok(readme.includes(`uw3-binder link ${argv.join(" ")} --launcher underworldcode/uw3-binder-launcher --launcher-branch v3.0.1`));
        for (const note of [
            "**any public GitHub repository**",
            "[nbgitpuller](https://nbgitpuller.readthedocs.io/)",
            "needs no `.binder/` directory",
            "must be public on GitHub",
            "`python3` kernel",
            "`import underworld3 as uw`",
        ]) {
            assert.ok(readme.includes(note), note);
        }
    });

    it("says the update workflow no longer rewrites the pin, and the workflow written in its place edits nothing", () => {
        assert.ok(launcherReadme(REPO, mainPin, branches).includes("It also writes `.github/workflows/update-image.yml`, which no longer edits anything"));
        const workflow = updateWorkflow();
        assert.ok(workflow.includes("  repository_dispatch:\n    types: [image-updated]\n"));
        assert.ok(workflow.includes("permissions: {}\n"));
        // No checkout, no sed, no push: the one step prints a line.
        assert.deepEqual(
            workflow.split("\n").filter((l) => l.trim().startsWith("- ")),
            ['      - run: echo "uw3-binder pins this launcher\'s branches; the image-updated dispatch is no longer used."'],
        );
    });
});
