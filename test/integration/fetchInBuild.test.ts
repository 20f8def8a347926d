/**
 * A rebuild contains the new code (issue 18, item 4), with real BuildKit: the buildx builder `uw3-binder`
 * (buildkitd, `--oci-worker-net host`, so a RUN reaches loopback) driven by docker-build on the Pulumi engine,
 * as the program drives it. The Dockerfile fetches its "source" inside a RUN keyed only by a ref-carrying build
 * arg, as underworld3's `git clone --branch ${UW3_BRANCH}` does; a loopback HTTP server here is the source
 * repository and counts the fetches. With a warm builder, the Dockerfile as written reuses the fetch; the one
 * the program hands BuildKit (declareFingerprintArg) fetches again exactly when the fingerprint changes.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import * as dockerBuild from "@pulumi/docker-build";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { FINGERPRINT_ARG } from "../../src/source/builds";
import { declareFingerprintArg } from "../../src/source/dockerfile";
import { describeEngine, EngineEnv, RUN_ID } from "../e2e/engine";
import { docker } from "./harness";

/** What the build's RUN asks the source server for: the ref `UW3_BRANCH` names, below this run's id. */
const FETCH = [`/source/${RUN_ID}/main`];

/** The demo base image scripts/services.sh pushes (busybox FROM scratch): its `wget` is the fetch. */
const BASE = "127.0.0.1:5000/uw3-binder-demo/busybox:1";

/** Shaped like underworld3's Dockerfile.base.optimized: a cached layer, then the clone of the ref. */
function dockerfile(port: number): string {
    return [
        `FROM ${BASE}`,
        "ARG UW3_BRANCH",
        "RUN echo 'the environment: apt, the user, pixi' > /environment.txt",
        // The run's id in the URL: a port reused by a later run must not find this run's fetch in the cache.
        `RUN wget -q -O /source.txt "http://127.0.0.1:${port}/source/${RUN_ID}/\${UW3_BRANCH}"`,
        "",
    ].join("\n");
}

describeEngine("a rebuild fetches the ref's new source with a warm BuildKit (issue 18, item 4)", (engine: () => EngineEnv) => {
    let server: http.Server;
    let port = 0;
    let source = "";
    const fetches: string[] = [];
    const pulled: string[] = [];
    let root = "";
    let stack: Stack;
    let current: { dockerfile: string; fingerprint: string; tag: string };
    const repository = `127.0.0.1:5000/uw3-binder-test/fetch-in-build-${RUN_ID}`;

    before(async function () {
        this.timeout(120000);
        server = http.createServer((req, res) => {
            fetches.push(req.url ?? "");
            res.end(source);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        port = (server.address() as AddressInfo).port;
        root = await fs.promises.mkdtemp(path.join(os.tmpdir(), "uw3-binder-fetch-"));
        await fs.promises.mkdir(path.join(root, "context"));
        await fs.promises.mkdir(path.join(root, "state"));
        await fs.promises.writeFile(path.join(root, "context", "README"), "the staged context: nothing the fetch uses\n");
        const env = engine();
        const pulumiCommand = await PulumiCommand.get({ root: path.dirname(env.binDir), skipVersionCheck: true });
        stack = await LocalWorkspace.createOrSelectStack(
            {
                stackName: "fetch",
                projectName: "fetch-in-build",
                program: () => {
                    const image = new dockerBuild.Image("fetch", {
                        tags: [`${repository}:${current.tag}`],
                        context: { location: path.join(root, "context") },
                        dockerfile: { inline: current.dockerfile },
                        buildArgs: { UW3_BRANCH: "main", [FINGERPRINT_ARG]: current.fingerprint },
                        platforms: ["linux/amd64"],
                        builder: { name: "uw3-binder" },
                        push: true,
                    });
                    return Promise.resolve({ ref: image.ref });
                },
            },
            {
                pulumiCommand,
                envVars: {
                    PATH: `${env.binDir}:${process.env.PATH ?? ""}`,
                    PULUMI_HOME: env.pulumiHome,
                    PULUMI_BACKEND_URL: `file://${path.join(root, "state")}`,
                    PULUMI_CONFIG_PASSPHRASE: "fetch-in-build",
                    PULUMI_SKIP_UPDATE_CHECK: "true",
                    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                    ...env.services.trustEnv,
                },
                secretsProvider: "passphrase",
            },
        );
    });
    after(async function () {
        this.timeout(300000);
        server?.close();
        for (const ref of pulled) await docker(["rmi", ref]).catch(() => undefined);
        if (root) await fs.promises.rm(root, { recursive: true, force: true });
    });

    /** Builds with the engine, then reads /source.txt from the pushed image and counts the fetches the build made. */
    async function build(step: { commit: string; fingerprint: string; rewrite: boolean; tag: string }): Promise<{ holds: string; fetched: string[] }> {
        source = step.commit;
        const before = fetches.length;
        const written = dockerfile(port);
        current = {
            dockerfile: step.rewrite ? declareFingerprintArg(written, FINGERPRINT_ARG, ["UW3_BRANCH"]).text : written,
            fingerprint: step.fingerprint,
            tag: step.tag,
        };
        const result = await stack.up();
        const ref = String(result.outputs.ref.value);
        pulled.push(ref);
        const holds = await docker(["run", "--rm", "--pull", "always", "--entrypoint", "/bin/cat", ref, "/source.txt"]);
        return { holds, fetched: fetches.slice(before) };
    }

    it("as written: the second build, with a new fingerprint, reuses the first build's fetch (the stale code the issue reports)", async function () {
        this.timeout(600000);
        assert.deepStrictEqual(await build({ commit: "commit A\n", fingerprint: "sha256:a", rewrite: false, tag: "stale-1" }), {
            holds: "commit A\n",
            fetched: FETCH,
        });
        // A tag of its own, so docker-build builds again although the Dockerfile is the same.
        assert.deepStrictEqual(await build({ commit: "commit B\n", fingerprint: "sha256:b", rewrite: false, tag: "stale-2" }), {
            holds: "commit A\n",
            fetched: [],
        });
    });

    it("as the program hands it to BuildKit: the fetch runs again iff the fingerprint changed, and the image holds the new commit", async function () {
        this.timeout(600000);
        assert.deepStrictEqual(await build({ commit: "commit C\n", fingerprint: "sha256:c", rewrite: true, tag: "fresh-1" }), {
            holds: "commit C\n",
            fetched: FETCH,
        });
        assert.deepStrictEqual(await build({ commit: "commit D\n", fingerprint: "sha256:d", rewrite: true, tag: "fresh-2" }), {
            holds: "commit D\n",
            fetched: FETCH,
        });
        // Same fingerprint (nothing the rebuild decision reads changed): the fetch layer is reused.
        assert.deepStrictEqual(await build({ commit: "commit E\n", fingerprint: "sha256:d", rewrite: true, tag: "fresh-3" }), {
            holds: "commit D\n",
            fetched: [],
        });
    });
});
