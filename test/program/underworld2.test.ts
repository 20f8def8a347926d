/**
 * The uw2 stack planned against a checkout laid out like github:underworldcode/underworld2 (generated here:
 * directories and stand-in files named as in the real tree, the Dockerfiles' ARG/FROM/COPY structure from
 * test/fixtures/underworld2): every staged context holds what its Dockerfile copies, every pin reaches an
 * ARG the Dockerfile declares; and a stack breaking each rule is refused, naming the key (issue 19).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROGRAM_DIR } from "../../src/plan/program";
import { parseBinderConfig } from "../../src/config/schema";
import { prepareBuild } from "../../src/source/builds";
import { readDockerfile } from "../../src/source/dockerfile";
import { Checkout, makeTempRoot } from "../source/checkout";
import { makeUnderworld2Checkout } from "../source/underworld2";
import { byName, inputsOf, ofType, runStack, stackConfig, TYPES } from "./fixtures";

const DOCKER = "docs/development/docker";
const SECRETS = { "uw3-binder:registryPasswords": JSON.stringify({ "docker.io": "dockerhub-token-4444" }) };

/** The uw2 stack file's config at `checkout`, changed by `mutate`. */
function uw2Config(checkout: Checkout, mutate: (images: Record<string, any>) => void = () => {}): Record<string, any> {
    const config = stackConfig("uw2");
    config["uw3-binder:source"].path = checkout.dir;
    mutate(config["uw3-binder:images"]);
    return config;
}

/** The staged files of a build, relative to its context (the staging marker left out). */
function stagedFiles(inputs: any): string[] {
    const context = path.join(PROGRAM_DIR, inputs.context.location);
    return fs
        .readdirSync(context, { recursive: true })
        .map(String)
        .filter((f) => fs.statSync(path.join(context, f)).isFile() && f !== ".uw3-binder-staged-context")
        .sort();
}

describe("program: the uw2 stack on a checkout laid out like underworld2", function () {
    this.timeout(60000);
    const temp = makeTempRoot("underworld2");
    let checkout: Checkout;
    before(() => {
        checkout = makeUnderworld2Checkout(path.join(temp.root, "underworld2"));
    });
    after(() => temp.cleanup());

    it("stages what underworld2's Dockerfile copies: the package, what setup.py reads and the docs it puts in the home directory", async () => {
        const run = await runStack(uw2Config(checkout), SECRETS, { stack: "uw2-layout" });
        assert.deepStrictEqual(stagedFiles(inputsOf(byName(run, "underworld2-image"))), [
            "LICENSE.md",
            "MANIFEST.in",
            "README.md",
            "docs/UWGeodynamics/benchmarks/2D_Rayleigh-Taylor.ipynb",
            "docs/UWGeodynamics/examples/1_01_Shortening.ipynb",
            "docs/UWGeodynamics/tutorials/Tutorial_1.ipynb",
            "docs/cheatsheet/Underworld2Cheatsheet.ipynb",
            `${DOCKER}/underworld2/Dockerfile`,
            "docs/examples/1_01_Steady_State_Heat.ipynb",
            "docs/test/mesh_aux.py",
            "docs/user_guide/01_Introduction.ipynb",
            "pyproject.toml",
            "setup.py",
            "src/underworld/UWGeodynamics/__init__.py",
            "src/underworld/__init__.py",
            "src/underworld/_version.py",
            "src/underworld/libUnderworld/CMakeLists.txt",
            "src/underworld/libUnderworld/StGermain/Base/Foundation/src/Memory.c",
        ]);
        // The MPI, PETSc and lavavu images copy nothing from the checkout: their context is their Dockerfile.
        assert.deepStrictEqual(stagedFiles(inputsOf(byName(run, "petsc-mpich-image"))), [`${DOCKER}/petsc/Dockerfile`]);
    });

    it("hands every parent's digest to an ARG its Dockerfile declares, and every other build arg too", async () => {
        const run = await runStack(uw2Config(checkout), SECRETS, { stack: "uw2-layout" });
        const builds = ofType(run, TYPES.image).map(inputsOf);
        assert.strictEqual(builds.length, 8);
        for (const build of builds) {
            const declared = readDockerfile(fs.readFileSync(path.join(PROGRAM_DIR, build.dockerfile.location), "utf8")).args;
            const given = Object.keys(build.buildArgs).filter((a) => a !== "UW3_SOURCE_FINGERPRINT");
            assert.deepStrictEqual(
                given.filter((a) => !declared.has(a)),
                [],
                `${build.tags[0]}: build args ${given.join(", ")}`,
            );
        }
        const uw2 = inputsOf(byName(run, "underworld2-mpich-image"));
        assert.deepStrictEqual(Object.keys(uw2.buildArgs).sort(), ["LAVAVU_IMAGE", "PETSC_IMAGE", "UW3_SOURCE_FINGERPRINT"]);
        assert.match(uw2.buildArgs.PETSC_IMAGE, /^docker\.io\/underworldcode\/petsc@sha256:[0-9a-f]{64}$/);
    });

    it("declares an image built on request only when it is requested, and a written-once one behind its registry check", async () => {
        const idle = await runStack(uw2Config(checkout), SECRETS, { stack: "uw2-layout" });
        assert.deepStrictEqual(
            idle.resources.filter((r) => /^(base|underworld2-release)/.test(r.name)).map((r) => r.name),
            [],
        );
        const requested = await runStack(
            uw2Config(checkout, (images) => (images["underworld2-release-ompi"].build = "requested")),
            SECRETS,
            { stack: "uw2-layout" },
        );
        const vacancy = inputsOf(byName(requested, "underworld2-release-ompi-tags-vacant"));
        assert.deepStrictEqual(vacancy.references, ["docker.io/underworldcode/underworld2:2.16.0-ompi"]);
        assert.strictEqual(vacancy.username, "underworldcode");
        assert.deepStrictEqual(inputsOf(byName(requested, "underworld2-release-ompi-image")).tags, ["docker.io/underworldcode/underworld2:2.16.0-ompi"]);
        // The dev builds push no written-once tag and ask no registry first.
        assert.deepStrictEqual(
            requested.resources.filter((r) => r.name.endsWith("-tags-vacant")).map((r) => r.name),
            ["underworld2-release-ompi-tags-vacant"],
        );
    });

    it("reports each line where base reaches lavavu and petsc by tag: the digest pin cannot reach them", () => {
        const config = parseBinderConfig(
            uw2Config(checkout, (images) => (images.base.build = "requested")),
            { keys: ["uw3-binder:registryPasswords"], registryPasswordServers: ["docker.io"], githubTokenFromEnv: false },
        );
        const base = config.images.find((i) => i.name === "base")!;
        const source = {
            programDir: PROGRAM_DIR,
            path: checkout.dir,
            repository: "underworldcode/underworld2",
            release: "2025.01",
            stagingRoot: ".uw3-binder/contexts/uw2-layout",
        };
        const dockerfile = `${DOCKER}/base/Dockerfile`;
        assert.deepStrictEqual(prepareBuild(base, source, false, config.images).warnings, [
            `image "base": ${dockerfile}:6 COPY --from "underworldcode/lavavu" reaches "lavavu" by tag, which this stack builds: the digest pin does not reach it`,
            `image "base": ${dockerfile}:7 COPY --from "underworldcode/lavavu" reaches "lavavu" by tag, which this stack builds: the digest pin does not reach it`,
            `image "base": ${dockerfile}:11 COPY --from "underworldcode/petsc" reaches "petsc-ompi" or "petsc-mpich" by tag, which this stack builds: the digest pin does not reach it`,
            `image "base": ${dockerfile}:12 COPY --from "underworldcode/petsc" reaches "petsc-ompi" or "petsc-mpich" by tag, which this stack builds: the digest pin does not reach it`,
        ]);
        // underworld2 takes both parents through its ARGs: nothing to report.
        const uw2 = config.images.find((i) => i.name === "underworld2")!;
        assert.deepStrictEqual(prepareBuild(uw2, source, false, config.images).warnings, []);
    });

    describe("refuses a stack that breaks a rule, naming the key", () => {
        async function refusal(mutate: (images: Record<string, any>) => void, plan = true): Promise<string> {
            try {
                await runStack(uw2Config(checkout, mutate), SECRETS, { stack: "uw2-layout", plan });
            } catch (err) {
                return (err as Error).message;
            }
            throw new Error("expected the stack to be refused");
        }

        it("context and rebuildOn patterns from before the code moved under src/ (in plan and in up)", async () => {
            const old = (images: Record<string, any>) => {
                images.underworld2.context = ["setup.py", "underworld/**", "libUnderworld/**", `${DOCKER}/underworld2/**`];
                images.underworld2.rebuildOn = images.underworld2.context;
            };
            for (const plan of [true, false]) {
                const message = await refusal(old, plan);
                assert.match(
                    message,
                    /`uw3-binder:images\.underworld2\.context\[1\]`: the pattern "underworld\/\*\*" matches no file of the source checkout; nearest existing directories: src\/underworld\n/,
                );
                assert.match(
                    message,
                    /`uw3-binder:images\.underworld2\.rebuildOn\[2\]`: the pattern "libUnderworld\/\*\*" matches no file of the source checkout; nearest existing directories: src\/underworld\/libUnderworld/,
                );
            }
        });

        it("a checkout on another branch than development, which `dev` says it holds", async () => {
            checkout.git(["checkout", "-q", "-b", "main"]);
            try {
                const message = await refusal(() => {});
                assert.match(message, new RegExp(`\`uw3-binder:source\\.branch\`: expected the checkout ${checkout.dir} on development, found main`));
            } finally {
                checkout.git(["checkout", "-q", "development"]);
            }
        });

        it("a context lacking a directory the Dockerfile copies", async () => {
            const message = await refusal((images) => {
                images["underworld2-mpich"].context = images["underworld2-mpich"].context.filter((p: string) => p !== "docs/test/**");
            });
            assert.match(
                message,
                /image "underworld2-mpich": docs\/development\/docker\/underworld2\/Dockerfile:35 COPY "\.\/docs\/test": the staged build context has no such path; add it to `uw3-binder:images\.underworld2-mpich\.context`/,
            );
        });

        it("a parent handed through an ARG the Dockerfile does not declare (base takes none)", async () => {
            const message = await refusal((images) => {
                images.base.build = "requested";
                images.base.from = [{ image: "petsc-ompi", arg: "PETSC_IMAGE" }];
            });
            assert.match(
                message,
                /`uw3-binder:images\.base\.from`: docs\/development\/docker\/base\/Dockerfile never declares `ARG PETSC_IMAGE`, so the digest of "petsc-ompi" would pin nothing/,
            );
        });

        it("a build arg the Dockerfile does not declare", async () => {
            const message = await refusal((images) => (images.openmpi.args = { OPENMPI_VERSION: "5.0.0" }));
            assert.match(
                message,
                /`uw3-binder:images\.openmpi\.args\.OPENMPI_VERSION`: docs\/development\/docker\/mpi\/Dockerfile\.openmpi never declares `ARG OPENMPI_VERSION`/,
            );
        });

        it("an image built every run from a parent built only on request", async () => {
            const message = await refusal((images) => (images.lavavu.build = "on-request"));
            assert.match(message, /`uw3-binder:images\.underworld2\.from\[1\]\.image`: "lavavu" is built only on request and not requested/);
        });

        it("a written-once image built on every run", async () => {
            const message = await refusal((images) => (images["underworld2-release-mpich"].build = "always"));
            assert.match(message, /`uw3-binder:images\.underworld2-release-mpich\.writeOnce`: a written-once image refuses every build after its first push/);
        });
    });
});
