import * as assert from "assert";
import { readDockerfile } from "../../src/source/dockerfile";
import { missingCopyProblems, nearestDirectories, parentByTagReports, undeclaredArgProblems, unmatchedPatternProblems } from "../../src/source/sourceChecks";

// A tree laid out as underworld2's is: the package under src/, the Dockerfiles under docs/development/docker.
const TREE = [
    "setup.py",
    "pyproject.toml",
    "src/underworld/__init__.py",
    "src/underworld/libUnderworld/SConfigure",
    "docs/examples/1_Hello.ipynb",
    "docs/development/docker/underworld2/Dockerfile",
];

describe("sourceChecks: problems found before a build", () => {
    it("names the directories nearest to a pattern that matches nothing", () => {
        assert.deepStrictEqual(nearestDirectories("underworld/**", TREE), ["src/underworld"]);
        assert.deepStrictEqual(nearestDirectories("libUnderworld/**", TREE), ["src/underworld/libUnderworld"]);
        assert.deepStrictEqual(nearestDirectories("docs/tutorials/**", TREE), ["docs/development", "docs/examples"]);
    });

    it("refuses each context and rebuildOn pattern matching no file, naming the key and the pattern", () => {
        const image = { name: "underworld2", context: ["setup.py", "underworld/**"], rebuildOn: ["setup.py", "libUnderworld/**"] };
        assert.deepStrictEqual(unmatchedPatternProblems(image, TREE), [
            '`uw3-binder:images.underworld2.context[1]`: the pattern "underworld/**" matches no file of the source checkout; nearest existing directories: src/underworld',
            '`uw3-binder:images.underworld2.rebuildOn[1]`: the pattern "libUnderworld/**" matches no file of the source checkout; nearest existing directories: src/underworld/libUnderworld',
        ]);
        assert.deepStrictEqual(unmatchedPatternProblems({ ...image, context: ["setup.py", "src/**"], rebuildOn: ["src/**/SConfigure"] }, TREE), []);
    });

    it("names the image, the Dockerfile line and the path of a COPY the staged context lacks", () => {
        const facts = readDockerfile("FROM a\nCOPY . /tmp/src\nCOPY ./docs/examples /home/examples\nCOPY ./docs/test /home/test\n");
        const image = { name: "underworld2", dockerfile: "docs/development/docker/underworld2/Dockerfile" };
        assert.deepStrictEqual(missingCopyProblems(image, facts, TREE), [
            'image "underworld2": docs/development/docker/underworld2/Dockerfile:4 COPY "./docs/test": the staged build context has no such path; add it to `uw3-binder:images.underworld2.context`',
        ]);
    });

    it("refuses a build arg, or a parent's arg, that the Dockerfile never declares", () => {
        const facts = readDockerfile('ARG PETSC_IMAGE="x"\nFROM ${PETSC_IMAGE}\nARG PY\n');
        const image = {
            name: "base",
            dockerfile: "base/Dockerfile",
            args: { PY: "3.12", MPI: "mpich", HTTP_PROXY: "http://p" },
            parents: [
                { image: "petsc", arg: "PETSC_IMAGE" },
                { image: "lavavu", arg: "LAVAVU_IMAGE" },
            ],
        };
        assert.deepStrictEqual(undeclaredArgProblems(image, facts), [
            "`uw3-binder:images.base.args.MPI`: base/Dockerfile never declares `ARG MPI`, so this build arg would set nothing",
            '`uw3-binder:images.base.from`: base/Dockerfile never declares `ARG LAVAVU_IMAGE`, so the digest of "lavavu" would pin nothing; name an ARG its FROM or COPY --from uses',
        ]);
    });

    it("reports a parent the stack builds that the Dockerfile reaches by tag, and not one reached by digest", () => {
        const stack = [
            { name: "petsc", repositoryUrl: "docker.io/underworldcode/petsc" },
            { name: "lavavu", repositoryUrl: "docker.io/underworldcode/lavavu" },
        ];
        const byTag = readDockerfile(
            "FROM ubuntu:24.04\nCOPY --from=underworldcode/lavavu /opt /opt\nCOPY --from=underworldcode/petsc /usr/local /usr/local\n",
        );
        const base = { name: "base", dockerfile: "base/Dockerfile", args: {}, parents: [] };
        assert.deepStrictEqual(parentByTagReports(base, byTag, stack), [
            'image "base": base/Dockerfile:2 COPY --from "underworldcode/lavavu" reaches "lavavu" by tag, which this stack builds: the digest pin does not reach it',
            'image "base": base/Dockerfile:3 COPY --from "underworldcode/petsc" reaches "petsc" by tag, which this stack builds: the digest pin does not reach it',
        ]);
        const viaArg = readDockerfile('ARG PETSC_IMAGE="underworldcode/petsc:3.22.2-ompi"\nFROM ${PETSC_IMAGE} as petsc-image\nFROM python:3.12\n');
        // The ARG's default names petsc by tag: reported unless the parent's digest is given through it.
        assert.strictEqual(parentByTagReports(base, viaArg, stack).length, 1);
        assert.match(
            parentByTagReports(base, viaArg, stack)[0],
            /:2 FROM "underworldcode\/petsc:3.22.2-ompi" \(through ARG PETSC_IMAGE\) reaches "petsc" by tag/,
        );
        assert.deepStrictEqual(parentByTagReports({ ...base, parents: [{ image: "petsc", arg: "PETSC_IMAGE" }] }, viaArg, stack), []);
        assert.deepStrictEqual(parentByTagReports({ ...base, args: { PETSC_IMAGE: `underworldcode/petsc@sha256:${"b".repeat(64)}` } }, viaArg, stack), []);
    });
});
