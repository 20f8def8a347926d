/**
 * A real git repository shaped like an underworld3 checkout, made in a temp dir for the source tests.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The slim image's triggers as the lead's config writes them. */
export const SLIM_REBUILD_ON = ["setup.py", "src/**/*.pyx", "src/**/*.c", "src/**/*.h", "pixi.toml", "pixi.lock", "container/Dockerfile*"];
/** The deps image's build context as the lead's config writes it. */
export const DEPS_CONTEXT = ["pixi.toml", "pixi.lock", "container/Dockerfile.deps"];

export const UNDERWORLD3_FILES: Record<string, string> = {
    ".gitignore": [".pixi/", "build/", "*.so", "# Cython output, generated next to its .pyx", "src/underworld3/cython/petsc_types.c", ""].join("\n"),
    "pixi.toml": '[workspace]\nname = "underworld3"\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n[dependencies]\npetsc = ">=3.22"\n',
    "pixi.lock": "version: 6\nenvironments:\n  default:\n    packages:\n      - conda: petsc-3.22.2\n",
    "setup.py": "from setuptools import setup, Extension\nsetup(ext_modules=[Extension('petsc_types', ['src/underworld3/cython/petsc_types.pyx'])])\n",
    "README.md": "# Underworld3\n",
    "src/underworld3/__init__.py": "__version__ = '0.99'\n",
    "src/underworld3/meshing.py": "def box():\n    return 'mesh'\n",
    "src/underworld3/systems/solvers.py": "class Stokes:\n    pass\n",
    "src/underworld3/cython/petsc_types.pyx": "cdef class PtrContainer:\n    pass\n",
    "src/underworld3/cython/petsc_types.pxd": "cdef class PtrContainer\n",
    "src/underworld3/cython/petsc_tools.c": '#include "petsc_tools.h"\nint uw_tool(void) { return 0; }\n',
    "src/underworld3/cython/petsc_tools.h": "int uw_tool(void);\n",
    "src/underworld3/function/_function.pyx": "def evaluate(expr):\n    return expr\n",
    "docs/index.md": "# Documentation\n",
    "docs/beginner/tutorials/1-Meshes.ipynb": '{"cells": [], "nbformat": 4}\n',
    "tests/test_0000_mesh.py": "def test_box():\n    assert True\n",
    "container/Dockerfile.deps": "FROM ubuntu:24.04\nCOPY pixi.toml pixi.lock ./\nRUN pixi install\n",
    "container/Dockerfile.branch":
        "ARG DEPS_IMAGE\nFROM ${DEPS_IMAGE}\nARG UW3_BRANCH\nRUN git clone -b ${UW3_BRANCH} https://github.com/underworldcode/underworld3\n",
    "scripts/start.sh": '#!/bin/bash\nexec "$@"\n',
};

// Fixed identities and dates, and no user/system config: the tests must not depend on the machine's git setup.
const GIT_ENV: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.invalid",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.invalid",
    GIT_AUTHOR_DATE: "2025-01-14T00:00:00Z",
    GIT_COMMITTER_DATE: "2025-01-14T00:00:00Z",
};

export class Checkout {
    constructor(readonly dir: string) {}

    /** Runs git in the checkout (or `cwd` below it) and returns trimmed stdout. */
    git(args: string[], cwd = this.dir): string {
        return execFileSync("git", args, { cwd, env: GIT_ENV, stdio: ["ignore", "pipe", "pipe"] })
            .toString("utf8")
            .trim();
    }

    write(rel: string, content: string | Buffer, mode?: number): void {
        const absolute = path.join(this.dir, rel);
        fs.mkdirSync(path.dirname(absolute), { recursive: true });
        fs.writeFileSync(absolute, content);
        if (mode !== undefined) fs.chmodSync(absolute, mode);
    }

    append(rel: string, content: string): void {
        fs.appendFileSync(path.join(this.dir, rel), content);
    }

    remove(rel: string): void {
        fs.rmSync(path.join(this.dir, rel), { recursive: true, force: true });
    }

    path(rel: string): string {
        return path.join(this.dir, rel);
    }

    commitAll(message: string): void {
        this.git(["add", "-A"]);
        this.git(["commit", "-q", "--allow-empty", "-m", message]);
    }
}

/** A temp dir that `cleanup` removes; every test file keeps its fixtures under one. */
export function makeTempRoot(label: string): { root: string; cleanup(): void } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `uw3-binder-${label}-`));
    return { root, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Writes the underworld3-shaped files into `dir` (created), without git. */
export function writeUnderworld3Files(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const checkout = new Checkout(dir);
    for (const [rel, content] of Object.entries(UNDERWORLD3_FILES)) checkout.write(rel, content);
    fs.chmodSync(checkout.path("scripts/start.sh"), 0o755);
}

/** An underworld3-shaped git repository at `dir` with one commit on `main`. */
export function makeUnderworld3Checkout(dir: string): Checkout {
    writeUnderworld3Files(dir);
    const checkout = new Checkout(dir);
    checkout.git(["init", "-q", "-b", "main"]);
    // The machine's default could be either; the tests rely on git seeing chmod.
    checkout.git(["config", "core.fileMode", "true"]);
    checkout.commitAll("Initial import");
    return checkout;
}
