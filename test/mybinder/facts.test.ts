/**
 * mybinder.org's documented defaults, pinned as literals (README: "What `check` verifies", "Rehearsing a
 * launch", "Warming the federation"; the Binder setup document): each is read where the config, the CLI, a
 * gate and a rehearsal take it, so a changed constant fails here, not silently everywhere at once.
 */
import * as assert from "assert/strict";
import { parseCheckArgs } from "../../src/cli/check";
import { parseRehearseArgs } from "../../src/cli/rehearse";
import { parseBinderConfig } from "../../src/config/schema";
import { launchUrl } from "../../src/links/binder";
import { rehearsalRunArgs } from "../../src/rehearsal/launch";
import { BINDER_START_SCRIPT, binderServerArgs, binderServerEnv, binderServerPrefix, binderStartCommand } from "../../src/mybinder/facts";
import { ALL_SECRETS, stackConfig } from "../program/fixtures";

const REF = `ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:${"6d3894260f28".padEnd(64, "0")}`;

/** The production stack with everything optional left out, so every default applies. */
function defaultsConfig() {
    const config = stackConfig();
    const launcher = config["uw3-binder:launcher"];
    for (const key of ["warmupTimeoutS", "binderUrl", "binderHubs", "rehearsal", "create", "warmup", "commitAuthor"]) delete launcher[key];
    for (const image of Object.values<Record<string, unknown>>(config["uw3-binder:images"])) {
        delete image.platforms;
        delete image.checks;
    }
    return parseBinderConfig(config, ALL_SECRETS);
}

describe("mybinder.org's documented defaults", () => {
    it("check: 800 MB per layer, 4096 MB per image, linux/amd64, UID 1000, port 8888, 30 s to answer, at most 3600 s", () => {
        const { options } = parseCheckArgs([REF]);
        assert.equal(options.maxLayerMb, 800);
        assert.equal(options.maxImageMb, 4096);
        assert.deepEqual(options.platforms, ["linux/amd64"]);
        assert.equal(options.uid, 1000);
        assert.equal(options.jupyterPort, 8888);
        assert.equal(options.startTimeoutS, 30);
        assert.equal(parseCheckArgs([REF, "--start-timeout-s", "3600"]).options.startTimeoutS, 3600);
        assert.throws(() => parseCheckArgs([REF, "--start-timeout-s", "3601"]), /up to 3600/);
    });

    it("config: the same check defaults, linux/amd64 images, https://mybinder.org, the three federation members, 600 s warm-ups", () => {
        const config = defaultsConfig();
        for (const image of config.images) {
            assert.deepEqual(image.platforms, ["linux/amd64"]);
            assert.equal(image.checks.maxLayerMb, 800);
            assert.equal(image.checks.maxImageMb, 4096);
            assert.equal(image.checks.uid, 1000);
            assert.equal(image.checks.jupyterPort, 8888);
            assert.equal(image.checks.startTimeoutS, 30);
        }
        const launcher = config.launcher!;
        assert.equal(launcher.binderUrl, "https://mybinder.org");
        assert.deepEqual(launcher.binderHubs, ["https://2i2c.mybinder.org", "https://gesis.mybinder.org", "https://bids.mybinder.org"]);
        assert.equal(launcher.warmupTimeoutS, 600);
        assert.deepEqual(launcher.rehearsal, { enabled: true, memory: "2g", cpus: 1, startTimeoutS: 30 });
        assert.equal(config.source.launcherPatSecret, true);
    });

    it("rehearsal: 2g memory without swap, 1 CPU, UID 1000, 30 s, port 8888, at most 3600 s", () => {
        const { options } = parseRehearseArgs([REF, "--branch", "main", "--uw3-branch", "main", "--release", "2025.01"]);
        assert.deepEqual(options, { memory: "2g", cpus: 1, startTimeoutS: 30 });
        const run = rehearsalRunArgs("c", "i", options, { prefix: "/user/x-abcdefgh/", token: "t", apiToken: "a" });
        assert.deepEqual(run.slice(run.indexOf("--user"), run.indexOf("--user") + 2), ["--user", "1000"]);
        assert.ok(run.includes("--port=8888"));
        assert.deepEqual(run.slice(run.indexOf("--memory-swap"), run.indexOf("--memory-swap") + 2), ["--memory-swap", "2g"]);
        assert.throws(
            () => parseRehearseArgs([REF, "--branch", "m", "--uw3-branch", "m", "--release", "2025.01", "--start-timeout-s", "3601"]),
            /at most 3600/,
        );
    });

    it("launch: BinderHub's python3 start script, /user/<repo>-<8>/ prefixes, its arguments twice, JupyterHub's environment", () => {
        // binderhub b9fad995 helm-chart/binderhub/values.yaml `jupyterhub.singleuser.cmd` (unchanged since 276be908, 2023-03-01).
        assert.deepEqual(binderStartCommand().slice(0, 2), ["python3", "-c"]);
        const script = BINDER_START_SCRIPT.split("\n");
        for (const line of [
            "    import jupyterlab.labapp",
            '    major = int(jupyterlab.__version__.split(".", 1)[0])',
            "    have_lab = major >= 3",
            '    exe = "jupyter-lab"',
            '    exe = "jupyter-notebook"',
            "os.execvp(exe, sys.argv)",
        ]) {
            assert.ok(script.includes(line), `start script has no line ${JSON.stringify(line)}`);
        }
        // binderhub/launcher.py unique_name_from_repo: long names keep 15 + "-" + 15 characters.
        assert.equal(binderServerPrefix("underworldcode/uw3-binder-launcher", "abcd1234"), "/user/underworldcode--binder-launcher-abcd1234/");
        assert.equal(binderServerPrefix("/minrk/Binder-Example.git", "x1y2z3w4"), "/user/minrk-binder-example-x1y2z3w4/");
        // BinderSpawnerMixin.get_args without auth, mybinder.org-deploy's cors_allow_origin "*".
        assert.deepEqual(binderServerArgs("/user/u-1/", "tok"), [
            "--ip=0.0.0.0",
            "--port=8888",
            "--NotebookApp.base_url=/user/u-1/",
            "--NotebookApp.token=tok",
            "--NotebookApp.trust_xheaders=True",
            "--NotebookApp.allow_origin=*",
            "--NotebookApp.allow_origin_pat=.*",
            "--ServerApp.base_url=/user/u-1/",
            "--ServerApp.token=tok",
            "--ServerApp.trust_xheaders=True",
            "--ServerApp.allow_origin=*",
            "--ServerApp.allow_origin_pat=.*",
        ]);
        // jupyterhub spawner.py get_env, KubeSpawner's JUPYTER_IMAGE*, mybinder.org's 2G (binary) / 450M / 1 / 0.01.
        const env = binderServerEnv("/user/u-1/", "api", "img:tag", 2147483648, 1);
        assert.equal(env.JUPYTERHUB_SERVICE_PREFIX, "/user/u-1/");
        assert.equal(env.JUPYTERHUB_USER, "u-1");
        assert.equal(env.JUPYTERHUB_API_TOKEN, "api");
        assert.equal(env.JUPYTERHUB_API_URL, "http://hub:8081/hub/api");
        assert.equal(env.JUPYTERHUB_ACTIVITY_URL, "http://hub:8081/hub/api/users/u-1/activity");
        assert.equal(env.JUPYTERHUB_OAUTH_CALLBACK_URL, "/user/u-1/oauth_callback");
        assert.equal(env.JUPYTERHUB_SERVICE_URL, "http://0.0.0.0:8888/user/u-1/");
        assert.equal(env.MEM_LIMIT, "2147483648");
        assert.equal(env.MEM_GUARANTEE, "471859200");
        assert.equal(env.CPU_LIMIT, "1.0");
        assert.equal(env.CPU_GUARANTEE, "0.01");
        assert.equal(binderServerEnv("/user/u-1/", "a", "i", 1, 0.5).CPU_LIMIT, "0.5");
        assert.equal(env.JUPYTER_IMAGE, "img:tag");
    });

    it("links: launch links and badges on https://mybinder.org", () => {
        assert.equal(launchUrl({ owner: "o", repository: "r", ref: "main" }), "https://mybinder.org/v2/gh/o/r/main");
    });
});
