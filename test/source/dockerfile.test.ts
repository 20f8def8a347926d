import * as assert from "assert";
import { contextHas, dockerfileInstructions, isDigestReference, missingCopies, readDockerfile, repositoryOf } from "../../src/source/dockerfile";

// Written for these tests, in the shape of a multi-stage Dockerfile that takes its parents as build args.
const MULTI_STAGE = [
    "# a comment line",
    'ARG PETSC_IMAGE="registry.example/uw/petsc:3.22-ompi"',
    "ARG LAVAVU_IMAGE=none",
    'ARG PY="3.12"',
    'ARG BASE_IMAGE="python:$PY-slim"',
    "FROM ${PETSC_IMAGE} as petsc-image",
    "FROM ${LAVAVU_IMAGE} AS lavavu-image",
    "FROM ${BASE_IMAGE} as runtime",
    "ARG PY",
    "RUN apt-get update \\",
    "# a comment inside a continuation",
    "&&  apt-get install -y \\",
    "        git",
    "FROM runtime as build",
    "COPY --from=lavavu-image /opt /opt",
    "COPY --from=petsc-image /usr/local /usr/local",
    "COPY --chown=$NB_USER:users . /tmp/src",
    "FROM runtime",
    "COPY --from=build /opt /opt",
    "COPY --from=registry.example/uw/tools:1 /bin/tool /bin/tool",
    'COPY ["docs/a b", "/home/a"]',
    "COPY --chown=u:g ./docs/examples   /home/examples",
    "ADD https://example.org/x.tar.gz /tmp/",
    "COPY docs/*.md $HOME/",
    "COPY ${SRC} /x",
    "",
].join("\n");

describe("dockerfile: what a Dockerfile declares and reaches", () => {
    it("joins continuation lines, drops comments and keeps each instruction's first line", () => {
        const instructions = dockerfileInstructions(MULTI_STAGE);
        const run = instructions.find((i) => i.keyword === "RUN")!;
        assert.deepStrictEqual(run, { line: 10, keyword: "RUN", rest: "apt-get update  &&  apt-get install -y  git" });
        assert.strictEqual(instructions.filter((i) => i.keyword === "FROM").length, 5);
    });

    it("honours an `# escape=` directive", () => {
        const instructions = dockerfileInstructions("# escape=`\nFROM a\nRUN one `\n  two\n");
        assert.deepStrictEqual(
            instructions.map((i) => [i.line, i.keyword, i.rest]),
            [
                [2, "FROM", "a"],
                [3, "RUN", "one  two"],
            ],
        );
    });

    it("lists every ARG, the global defaults expanded, and the images reached (stage names excluded)", () => {
        const facts = readDockerfile(MULTI_STAGE);
        assert.deepStrictEqual([...facts.args].sort(), ["BASE_IMAGE", "LAVAVU_IMAGE", "PETSC_IMAGE", "PY"]);
        assert.strictEqual(facts.globalArgs.get("BASE_IMAGE"), "python:3.12-slim");
        assert.deepStrictEqual(
            facts.reaches.map((r) => [r.line, r.instruction, r.resolved, r.args]),
            [
                [6, "FROM", "registry.example/uw/petsc:3.22-ompi", ["PETSC_IMAGE"]],
                [7, "FROM", "none", ["LAVAVU_IMAGE"]],
                [8, "FROM", "python:3.12-slim", ["BASE_IMAGE"]],
                [20, "COPY --from", "registry.example/uw/tools:1", []],
            ],
        );
    });

    it("lists the context paths COPY and ADD take, not URLs, stages or other images", () => {
        const facts = readDockerfile(MULTI_STAGE);
        assert.deepStrictEqual(
            facts.copies.map((c) => [c.line, c.instruction, c.source]),
            [
                [17, "COPY", "."],
                [21, "COPY", "docs/a b"],
                [22, "COPY", "./docs/examples"],
                [24, "COPY", "docs/*.md"],
                [25, "COPY", "${SRC}"],
            ],
        );
    });

    it("finds a copied path as a file, a directory or a wildcard, and reports the ones the context lacks", () => {
        const files = ["setup.py", "docs/examples/1.ipynb", "docs/README.md"];
        assert.strictEqual(contextHas(files, "./docs/examples"), true);
        assert.strictEqual(contextHas(files, "docs/examples/"), true);
        assert.strictEqual(contextHas(files, "setup.py"), true);
        assert.strictEqual(contextHas(files, "docs/*.md"), true);
        assert.strictEqual(contextHas(files, "docs/exam"), false);
        assert.strictEqual(contextHas(files, "docs/test"), false);
        assert.strictEqual(contextHas([], "."), false);
        const facts = readDockerfile(MULTI_STAGE);
        assert.deepStrictEqual(
            missingCopies(facts, files).map((c) => [c.line, c.source]),
            [[21, "docs/a b"]],
        );
    });

    it("names a reference's repository as a registry does, and tells a digest reference from a tag", () => {
        assert.strictEqual(repositoryOf("underworldcode/petsc"), "docker.io/underworldcode/petsc");
        assert.strictEqual(repositoryOf("underworldcode/petsc:3.22.2-ompi"), "docker.io/underworldcode/petsc");
        assert.strictEqual(repositoryOf("docker.io/underworldcode/petsc:1"), "docker.io/underworldcode/petsc");
        assert.strictEqual(repositoryOf("python:3.12"), "docker.io/library/python");
        assert.strictEqual(repositoryOf("127.0.0.1:5000/demo/uw3-deps:2025.01"), "127.0.0.1:5000/demo/uw3-deps");
        assert.strictEqual(isDigestReference(`127.0.0.1:5000/demo/uw3-deps@sha256:${"a".repeat(64)}`), true);
        assert.strictEqual(isDigestReference("127.0.0.1:5000/demo/uw3-deps:2025.01"), false);
    });
});
