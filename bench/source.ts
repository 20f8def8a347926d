/**
 * Source bench: on a generated checkout shaped like underworld3 (thousands of small files, a ~1 MB
 * pixi.lock, a `.git` carrying tens of MB of deleted notebook history), measures what staging saves in
 * build-context bytes, how long fingerprinting takes, and checks the rebuild decision end to end on real
 * commits. Run alone with `npx ts-node bench/source.ts`; `benchSource()` returns the report lines.
 */
import { execFileSync } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { contextBytes, stageBuildContext } from "../src/source/context";
import { fingerprintSources } from "../src/source/fingerprint";
import { changedPathsSince } from "../src/git/commands";
import { DEFAULT_REBUILD_ON } from "../src/names/globs";
import { changedImages, ImageNode } from "../src/source/rebuild";
import { formatMs, medianMs, runAlone, timed } from "./timing";

const DEPS_CONTEXT = ["pixi.toml", "pixi.lock", "container/Dockerfile.deps"];
const SLIM_REBUILD_ON = ["setup.py", "src/**/*.pyx", "src/**/*.c", "src/**/*.h", "pixi.toml", "pixi.lock", "container/Dockerfile*"];
const GRAPH: ImageNode[] = [
    { name: "deps", context: DEPS_CONTEXT, rebuildOn: [] },
    { name: "slim", from: "deps", context: ["container/Dockerfile.branch"], rebuildOn: SLIM_REBUILD_ON },
];

const GIT_ENV: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "Bench",
    GIT_AUTHOR_EMAIL: "bench@example.invalid",
    GIT_COMMITTER_NAME: "Bench",
    GIT_COMMITTER_EMAIL: "bench@example.invalid",
};

function git(cwd: string, args: string[]): string {
    return execFileSync("git", ["-c", "gc.auto=0", ...args], { cwd, env: GIT_ENV, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 })
        .toString("utf8")
        .trim();
}

/** Deterministic pseudo-random text, so every run generates the same tree (except the random images). */
class Words {
    private state = 0x2545f491;
    private static readonly VOCABULARY = (
        "mesh stokes solver petsc viscosity velocity pressure boundary condition swarm particle advection " +
        "diffusion temperature buoyancy rayleigh number timestep tolerance nonlinear jacobian residual " +
        "preconditioner multigrid field variable projection quadrature element degree continuous discontinuous"
    ).split(" ");
    next(): number {
        // xorshift32
        let x = this.state;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        this.state = x >>> 0;
        return this.state;
    }
    text(bytes: number): string {
        const out: string[] = [];
        let size = 0;
        while (size < bytes) {
            const w = Words.VOCABULARY[this.next() % Words.VOCABULARY.length];
            const sep = this.next() % 12 === 0 ? "\n" : " ";
            out.push(w, sep);
            size += w.length + 1;
        }
        return out.join("");
    }
    between(lo: number, hi: number): number {
        return lo + (this.next() % (hi - lo + 1));
    }
}

function write(root: string, rel: string, content: string | Buffer): void {
    const absolute = path.join(root, rel);
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    fs.writeFileSync(absolute, content);
}

function notebook(words: Words, cells: number, imageBytes = 0): string {
    const nbCells = [];
    for (let i = 0; i < cells; i++) {
        nbCells.push({ cell_type: "markdown", metadata: {}, source: [words.text(200)] });
        nbCells.push({
            cell_type: "code",
            metadata: {},
            execution_count: i + 1,
            source: [`mesh = uw.meshing.Box(cellSize=${i / 10})`],
            outputs: [] as unknown[],
        });
    }
    if (imageBytes > 0) {
        // Random bytes stand in for rendered PNG output: incompressible, like the real thing.
        (nbCells[1].outputs as unknown[]).push({
            output_type: "display_data",
            data: { "image/png": randomBytes(imageBytes).toString("base64") },
            metadata: {},
        });
    }
    return JSON.stringify({ cells: nbCells, metadata: { kernelspec: { name: "python3" } }, nbformat: 4, nbformat_minor: 5 }, null, 1) + "\n";
}

function pixiLock(words: Words, bytes: number): string {
    const lines = ["version: 6", "environments:", "  default:", "    packages:"];
    let size = 0;
    let i = 0;
    while (size < bytes) {
        const name = `${words.text(8).trim().replace(/\s+/g, "-")}-${i++}`;
        const sha = createHash("sha256").update(name).digest("hex");
        const entry = [
            `- conda: https://conda.anaconda.org/conda-forge/linux-64/${name}-1.${i % 30}.0-h${sha.slice(0, 7)}_0.conda`,
            `  sha256: ${sha}`,
            `  md5: ${sha.slice(0, 32)}`,
            `  depends:`,
            `  - libgcc >=13`,
            `  - python >=3.12,<3.13.0a0`,
            `  license: BSD-3-Clause`,
            `  size: ${1000 + ((i * 7919) % 900000)}`,
        ];
        lines.push(...entry);
        size += entry.join("\n").length;
    }
    return lines.join("\n") + "\n";
}

/** Generates the checkout; returns its tracked file count. */
function generateCheckout(root: string): number {
    const words = new Words();
    let files = 0;
    const add = (rel: string, content: string | Buffer): void => {
        write(root, rel, content);
        files++;
    };
    add(".gitignore", ".pixi/\nbuild/\n*.so\n");
    add(
        "pixi.toml",
        `[workspace]\nname = "underworld3"\nchannels = ["conda-forge"]\nplatforms = ["linux-64", "osx-arm64"]\n\n[dependencies]\n${words.text(2000)}\n`,
    );
    add("pixi.lock", pixiLock(words, 1024 * 1024));
    add("setup.py", `from setuptools import setup, Extension\n# ${words.text(3000)}\n`);
    add("container/Dockerfile.deps", "FROM ubuntu:24.04\nCOPY pixi.toml pixi.lock ./\nRUN pixi install -e runtime\n");
    add(
        "container/Dockerfile.branch",
        "ARG DEPS_IMAGE\nFROM ${DEPS_IMAGE}\nARG UW3_BRANCH\nRUN git clone --depth 1 -b ${UW3_BRANCH} https://github.com/underworldcode/underworld3 && pixi run build\n",
    );
    add("container/Dockerfile.base.optimized", `FROM ubuntu:24.04\n# ${words.text(4000)}\n`);
    const packages = ["meshing", "systems", "function", "swarm", "discretisation", "visualisation", "utilities", "coordinates", "maths", "model"];
    for (let i = 0; i < 1800; i++) add(`src/underworld3/${packages[i % packages.length]}/module_${i}.py`, `"""${words.text(words.between(2000, 6000))}"""\n`);
    for (let i = 0; i < 30; i++) add(`src/underworld3/cython/ext_${i}.pyx`, `# cython: language_level=3\n${words.text(words.between(4000, 20000))}\n`);
    for (let i = 0; i < 20; i++) add(`src/underworld3/cython/ext_${i}.pxd`, `# ${words.text(1500)}\n`);
    for (let i = 0; i < 10; i++) add(`src/underworld3/cython/petsc_tools_${i}.c`, `/* ${words.text(8000)} */\n`);
    for (let i = 0; i < 10; i++) add(`src/underworld3/cython/petsc_tools_${i}.h`, `/* ${words.text(1000)} */\n`);
    for (let i = 0; i < 900; i++)
        add(`docs/${["user", "developer", "beginner", "advanced"][i % 4]}/page_${i}.md`, `# Page ${i}\n\n${words.text(words.between(1000, 4000))}\n`);
    for (let i = 0; i < 300; i++) add(`docs/beginner/tutorials/${i}-Tutorial.ipynb`, notebook(words, words.between(3, 8)));
    return files;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/** The source bench's report; `benchSource` for bench/run.ts, whose sections are asynchronous. */
export function benchSource(): Promise<string[]> {
    return new Promise((resolve) => resolve(sourceReport()));
}

function sourceReport(): string[] {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "uw3-binder-bench-source-"));
    const lines: string[] = [];
    try {
        const checkout = path.join(root, "underworld3");
        fs.mkdirSync(checkout);
        const generated = timed(() => {
            const tracked = generateCheckout(checkout);
            git(checkout, ["init", "-q", "-b", "development"]);
            git(checkout, ["add", "-A"]);
            git(checkout, ["commit", "-q", "-m", "Import"]);
            // History a fresh clone still carries: notebooks committed with rendered output, deleted later.
            const words = new Words();
            for (let i = 0; i < 40; i++) write(checkout, `docs/examples/output_${i}.ipynb`, notebook(words, 2, 750 * 1024));
            git(checkout, ["add", "-A"]);
            git(checkout, ["commit", "-q", "-m", "Examples with rendered output"]);
            git(checkout, ["rm", "-q", "-r", "docs/examples"]);
            git(checkout, ["commit", "-q", "-m", "Strip notebook output"]);
            return tracked;
        });
        const checkoutBytes = contextBytes(checkout);
        const gitBytes = contextBytes(path.join(checkout, ".git"));
        lines.push(
            `source: generated an underworld3-shaped checkout in ${formatMs(generated.ms)}: ${generated.value} tracked files, .git ${mb(gitBytes)} (3 commits, 40 deleted notebooks)`,
        );

        // Cold: the first fingerprint after the commit (git's stat cache is as the commit left it); warm: repeats.
        const cold = timed(() => fingerprintSources(checkout, SLIM_REBUILD_ON));
        const warm = medianMs(5, () => fingerprintSources(checkout, SLIM_REBUILD_ON));
        lines.push(`  fingerprint, slim triggers (${cold.value.files.length} files): cold ${formatMs(cold.ms)}, warm ${formatMs(warm)} (median of 5)`);
        const depsCold = timed(() => fingerprintSources(checkout, DEPS_CONTEXT));
        const depsWarm = medianMs(5, () => fingerprintSources(checkout, DEPS_CONTEXT));
        lines.push(
            `  fingerprint, deps context (${depsCold.value.files.length} files, ${mb(fs.statSync(path.join(checkout, "pixi.lock")).size)} pixi.lock): cold ${formatMs(depsCold.ms)}, warm ${formatMs(depsWarm)}`,
        );
        const all = timed(() => fingerprintSources(checkout, ["**"]));
        const allWarm = medianMs(3, () => fingerprintSources(checkout, ["**"]));
        lines.push(`  fingerprint, every file ("**", ${all.value.files.length} files): first ${formatMs(all.ms)}, warm ${formatMs(allWarm)} (median of 3)`);

        const defaults = timed(() => fingerprintSources(checkout, DEFAULT_REBUILD_ON));
        lines.push(`  fingerprint, DEFAULT_REBUILD_ON (${defaults.value.files.length} files, adds *.pxd): ${formatMs(defaults.ms)}`);

        const staging = path.join(root, "project", ".uw3-binder", "context", "deps");
        const staged = timed(() => stageBuildContext(checkout, DEPS_CONTEXT, staging));
        const stagedBytes = contextBytes(staging);
        lines.push(
            `  deps build context: staged ${mb(stagedBytes)} in ${staged.value.files.length} files (${formatMs(staged.ms)}) instead of the whole checkout's ${mb(checkoutBytes)} incl .git (${((100 * stagedBytes) / checkoutBytes).toFixed(1)} %)`,
        );

        // Touching mtimes makes every file stat-dirty: git re-reads each one to find it unchanged, and keeps
        // doing so because we never take the index lock to save the result; the next ordinary git command does.
        // An hour ago, like a `git checkout` of the same content: older than the index, so not "racily clean".
        const touchedAt = new Date(Date.now() - 3600 * 1000);
        for (const f of all.value.files) fs.utimesSync(path.join(checkout, f), touchedAt, touchedAt);
        const touched = timed(() => fingerprintSources(checkout, SLIM_REBUILD_ON));
        lines.push(
            `  fingerprint after touching every file's mtime: ${formatMs(touched.ms)}, ${touched.value.fingerprint === cold.value.fingerprint ? "unchanged, as it must be" : "CHANGED (wrong)"}`,
        );
        git(checkout, ["status", "--porcelain"]);
        const refreshed = medianMs(3, () => fingerprintSources(checkout, SLIM_REBUILD_ON));
        lines.push(`  fingerprint once an ordinary \`git status\` has refreshed the index: ${formatMs(refreshed)}`);

        // End to end on real commits: the changed paths git reports, decided by the image graph, and
        // checked against what the fingerprints say.
        const scenarios: Array<{ label: string; change: () => void; expected: string[] }> = [
            { label: "docs-only change", change: () => fs.appendFileSync(path.join(checkout, "docs/user/page_0.md"), "\nA typo fixed.\n"), expected: [] },
            {
                label: ".pyx change",
                change: () => fs.appendFileSync(path.join(checkout, "src/underworld3/cython/ext_3.pyx"), "\ncdef int added = 1\n"),
                expected: ["slim"],
            },
            {
                label: "pixi.lock change",
                change: () =>
                    fs.appendFileSync(path.join(checkout, "pixi.lock"), "- conda: https://conda.anaconda.org/conda-forge/linux-64/mpich-4.2.3-h0_0.conda\n"),
                expected: ["deps", "slim"],
            },
        ];
        for (const scenario of scenarios) {
            const before = { deps: fingerprintSources(checkout, DEPS_CONTEXT).fingerprint, slim: fingerprintSources(checkout, SLIM_REBUILD_ON).fingerprint };
            const base = git(checkout, ["rev-parse", "HEAD"]);
            scenario.change();
            git(checkout, ["commit", "-q", "-am", scenario.label]);
            const decided = timed(() => changedImages(GRAPH, changedPathsSince(checkout, base, "HEAD")));
            const after = { deps: fingerprintSources(checkout, DEPS_CONTEXT).fingerprint, slim: fingerprintSources(checkout, SLIM_REBUILD_ON).fingerprint };
            const fingerprintsMoved = (["deps", "slim"] as const).filter((n) => before[n] !== after[n]);
            const ok = JSON.stringify(decided.value) === JSON.stringify(scenario.expected);
            lines.push(
                `  ${scenario.label}: ${decided.value.length} image(s) rebuild [${decided.value.join(", ")}] (expected ${scenario.expected.length}${ok ? "" : ` [${scenario.expected.join(", ")}] — MISMATCH`}; decided in ${formatMs(decided.ms)}; fingerprints changed: [${fingerprintsMoved.join(", ")}])`,
            );
            if (!ok) process.exitCode = 1;
        }
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
    return lines;
}

runAlone(module, benchSource);
