/**
 * The fixture images of test/fixtures/images as build specs: the good image, or the good image followed by
 * one variant's lines (so every variant shares the good image's layers in the build cache).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ImageSpec, run } from "./harness";

const FIXTURES = path.join(__dirname, "..", "fixtures", "images");

/** Every file under the fixture's rootfs/ and variants/, keyed by its context path. */
function fixtureFiles(): Record<string, Buffer> {
    const files: Record<string, Buffer> = {};
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(path.join(FIXTURES, dir), { withFileTypes: true })) {
            const rel = path.posix.join(dir, entry.name);
            if (entry.isDirectory()) walk(rel);
            else files[rel] = fs.readFileSync(path.join(FIXTURES, rel));
        }
    };
    walk("rootfs");
    walk("variants");
    return files;
}

export function fixtureSpec(variant?: string): ImageSpec {
    let dockerfile = fs.readFileSync(path.join(FIXTURES, "Dockerfile"), "utf8");
    if (variant) dockerfile += "\n" + fs.readFileSync(path.join(FIXTURES, "variants", `${variant}.Dockerfile`), "utf8");
    return { dockerfile, files: fixtureFiles() };
}

const JUPYTER_FIXTURE = path.join(__dirname, "..", "fixtures", "jupyter");
const JUPYTER_FIXTURE_SCRIPT = path.join(__dirname, "..", "..", "scripts", "jupyter-fixture.sh");
/** The demo's files the Jupyter image shares (passwd, group, the start script): their one home. */
const DEMO_CONTAINER = path.join(__dirname, "..", "..", "examples", "underworld3-mini", "container");

/**
 * The context scripts/jupyter-fixture.sh makes (cached under ~/.cache: a real Python with JupyterLab 4.5 and
 * Jupyter Server 2.17 from PyPI), or the reason it could not (no Debian python3 or python3-venv, no PyPI).
 */
export async function jupyterFixtureContext(): Promise<{ dir?: string; problem?: string }> {
    const made = await run("bash", [JUPYTER_FIXTURE_SCRIPT, "context"], { timeoutMs: 900000 });
    const dir = made.stdout.trim().split("\n").pop() ?? "";
    if (made.code === 0 && fs.existsSync(path.join(dir, ".complete"))) return { dir };
    const why =
        made.stderr
            .trim()
            .split("\n")
            .filter((l) => l.includes("error:"))
            .pop() ?? `exit ${made.code}`;
    return { problem: `scripts/jupyter-fixture.sh context failed: ${why}` };
}

/** The image shaped like uw3-base's Jupyter side (test/fixtures/jupyter/Dockerfile) on `contextDir`. */
export function jupyterImageSpec(contextDir: string): ImageSpec {
    const files: Record<string, Buffer> = {
        "etc/passwd": fs.readFileSync(path.join(DEMO_CONTAINER, "etc", "passwd")),
        "etc/group": fs.readFileSync(path.join(DEMO_CONTAINER, "etc", "group")),
        start: fs.readFileSync(path.join(DEMO_CONTAINER, "start")),
    };
    return { dockerfile: fs.readFileSync(path.join(JUPYTER_FIXTURE, "Dockerfile"), "utf8"), files, contextDir };
}

/**
 * One variant on the Jupyter image built as `baseTag`: test/fixtures/jupyter/variants/<variant>.Dockerfile, or
 * one of the fixture images' rehearsal variants (their start scripts are in the context under variants/).
 * Only the variant's files are sent, not the whole environment again.
 */
export function jupyterVariantSpec(baseTag: string, variant: string): ImageSpec {
    const own = path.join(JUPYTER_FIXTURE, "variants", `${variant}.Dockerfile`);
    const lines = fs.readFileSync(fs.existsSync(own) ? own : path.join(FIXTURES, "variants", `${variant}.Dockerfile`), "utf8");
    const files: Record<string, Buffer> = {};
    for (const [name, content] of Object.entries(fixtureFiles())) if (name.startsWith("variants/")) files[name] = content;
    return { dockerfile: `FROM ${baseTag}\n${lines}`, files };
}
