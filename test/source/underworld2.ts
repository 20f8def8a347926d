/**
 * A checkout laid out like github:underworldcode/underworld2 (whose real tree has 2,166 files): stand-in files
 * at the real paths, and the Dockerfiles of test/fixtures/underworld2 (the real ones' ARG/FROM/COPY structure)
 * where the real tree keeps them. For the program tests and the engine's preview of the uw2 stack.
 */
import * as fs from "fs";
import * as path from "path";
import { Checkout } from "./checkout";

const FIXTURES = path.join(__dirname, "..", "fixtures", "underworld2");
const DOCKER = "docs/development/docker";

/** Stand-in files at the real tree's paths (the real one has 2,166 files; these are its shape). */
const TREE: Record<string, string> = {
    "setup.py": "from setuptools import setup\nsetup(package_dir={'': 'src'})\n",
    "pyproject.toml": '[project]\nname = "underworld"\nreadme = "README.md"\nlicense = {file = "./LICENSE.md"}\n',
    "README.md": "# Underworld 2\n",
    "LICENSE.md": "LGPLv3\n",
    "MANIFEST.in": "recursive-include src/underworld *py\n",
    "requirements.txt": "numpy<2\n",
    Dockerfile: "FROM underworldcode/underworld2:2.16.0-ompi\n",
    ".dockerignore": "libUnderworld/build\n",
    "src/underworld/__init__.py": "",
    "src/underworld/_version.py": '__version__ = "2.16.0"\n',
    "src/underworld/libUnderworld/CMakeLists.txt": "project(libUnderworld C)\n",
    "src/underworld/libUnderworld/StGermain/Base/Foundation/src/Memory.c": "int stg_memory(void) { return 0; }\n",
    "src/underworld/UWGeodynamics/__init__.py": "",
    "docs/examples/1_01_Steady_State_Heat.ipynb": '{"cells": []}\n',
    "docs/cheatsheet/Underworld2Cheatsheet.ipynb": '{"cells": []}\n',
    "docs/user_guide/01_Introduction.ipynb": '{"cells": []}\n',
    "docs/test/mesh_aux.py": "",
    "docs/UWGeodynamics/examples/1_01_Shortening.ipynb": '{"cells": []}\n',
    "docs/UWGeodynamics/benchmarks/2D_Rayleigh-Taylor.ipynb": '{"cells": []}\n',
    "docs/UWGeodynamics/tutorials/Tutorial_1.ipynb": '{"cells": []}\n',
    "docs/pytests/tests.py": "",
    [`${DOCKER}/docker.md`]: "Underworld Docker Schema\n",
    [`${DOCKER}/docker-builder.sh`]: "#!/usr/bin/env bash\n",
    "conda/meta.yaml": "package: {name: underworld}\n",
    ".github/workflows/CI.yml": "name: CI\n",
};

const DOCKERFILES: Record<string, string> = {
    [`${DOCKER}/mpi/Dockerfile.openmpi`]: "Dockerfile.openmpi",
    [`${DOCKER}/mpi/Dockerfile.mpich`]: "Dockerfile.mpich",
    [`${DOCKER}/petsc/Dockerfile`]: "Dockerfile.petsc",
    [`${DOCKER}/lavavu/Dockerfile`]: "Dockerfile.lavavu",
    [`${DOCKER}/underworld2/Dockerfile`]: "Dockerfile.underworld2",
    [`${DOCKER}/base/Dockerfile`]: "Dockerfile.base",
};

/** Writes the underworld2-shaped files into `dir` (created), without git. */
export function writeUnderworld2Files(dir: string): Checkout {
    fs.mkdirSync(dir, { recursive: true });
    const checkout = new Checkout(dir);
    for (const [rel, content] of Object.entries(TREE)) checkout.write(rel, content);
    for (const [rel, fixture] of Object.entries(DOCKERFILES)) checkout.write(rel, fs.readFileSync(path.join(FIXTURES, fixture)));
    return checkout;
}

/** An underworld2-shaped git repository at `dir` with one commit on `development`. */
export function makeUnderworld2Checkout(dir: string): Checkout {
    const checkout = writeUnderworld2Files(dir);
    checkout.git(["init", "-q", "-b", "development"]);
    checkout.commitAll("Underworld2, laid out as the real tree");
    return checkout;
}
