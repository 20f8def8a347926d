/**
 * mybinder.org's facts: how it builds and starts a launcher, and where it is. The one home of each; the
 * check options, the rehearsal, the warm-up, the links and the config derive from them, and
 * test/mybinder/facts.test.ts pins the documented values as literals.
 */

/** The public BinderHub, and the default `launcher.binderUrl`. */
export const MYBINDER_URL = "https://mybinder.org";
/** The badge image mybinder.org's "copy badge" links. */
export const BADGE_IMAGE_URL = `${MYBINDER_URL}/badge_logo.svg`;

/**
 * The federation's members, by their public URLs. Source: https://mybinder.readthedocs.io/en/latest/about/federation.html
 * (the user guide's federation page), and the `federationRedirect.hosts` of jupyterhub/mybinder.org-deploy
 * config/prod.yaml (2i2c, GESIS and BIDS, weight 50 each, at commit 95860dbc). Members
 * change; `launcher.binderHubs` overrides this list, and this is the one place to update it.
 */
export const FEDERATION_MEMBERS: readonly string[] = ["https://2i2c.mybinder.org", "https://gesis.mybinder.org", "https://bids.mybinder.org"];

/** mybinder.org's nodes run this platform: an image a launcher pins must provide it. */
export const BINDER_PLATFORM = "linux/amd64";

/** The notebook user: repo2docker's NB_USER. */
export const BINDER_USER = "jovyan";
/** jovyan's UID: repo2docker's NB_UID and the UID BinderHub runs the container as. */
export const BINDER_UID = 1000;
/** The port BinderHub tells the server to listen on: KubeSpawner's default (`self.port = 8888` when unset). */
export const BINDER_PORT = 8888;
/**
 * Seconds the server has, from the container's start, to answer the hub's readiness request (BINDER_READY_PATH)
 * before mybinder.org gives up on the launch: JupyterHub's `Spawner.http_timeout` default (30), which neither
 * BinderHub's chart nor mybinder.org-deploy changes.
 */
export const BINDER_START_TIMEOUT_S = 30;
/** The longest start timeout a gate or a rehearsal may be given: an hour, well inside setTimeout's 2^31 ms. */
export const MAX_START_TIMEOUT_S = 3600;
/** mybinder.org's per-user memory (`docker run --memory`; Kubernetes nodes have no swap). */
export const BINDER_MEMORY = "2g";
/** The CPUs mybinder.org guarantees each user. */
export const BINDER_CPUS = 1;

// ---------------------------------------------------------------------------------------------------
// How mybinder.org starts a launcher's image. Read in (bare clones, `git show <commit>:<path>`):
//   jupyterhub/mybinder.org-deploy 95860dbc (2026-08-05): mybinder/Chart.yaml (binderhub chart
//     1.0.0-0.dev.git.3983.h383374de: binderhub 383374de, 24 commits after the binderhub snapshot below, whose
//     start command last changed in 2023), mybinder/values.yaml (BinderSpawner.cors_allow_origin "*", no
//     singleuser.cmd, singleuser.defaultUrl cleared, memory 2G limit / 450M guarantee, cpu 1 / 0.01, the
//     user-etc-jupyter ConfigMap mounted at /etc/jupyter), config/prod.yaml (no override of any of these);
//   jupyterhub/binderhub b9fad995 (2026-04-20): helm-chart/binderhub/values.yaml (`jupyterhub.singleuser.cmd`,
//     unchanged since 276be908, 2023-03-01; the BinderSpawnerMixin `get_args`/`get_env` in hub.extraConfig,
//     whose --ServerApp. copies date from 2f7189ee, 2023-02-15),
//     binderhub/launcher.py (user names, the token, the URL the user is sent to);
//   jupyterhub/kubespawner 4161d544 (2026-07-22): kubespawner/spawner.py (`get_pod_manifest`: container
//     `args` = cmd + get_args(), no `command`, so the image's ENTRYPOINT runs them and its CMD is ignored;
//     `working_dir` None keeps the image's WORKDIR; port 8888), kubespawner/objects.py (`args=cmd`);
//   jupyterhub/zero-to-jupyterhub-k8s 48ea50e3 (2026-07-24): jupyterhub/values.yaml (singleuser.uid 1000,
//     fsGid 100), files/hub/jupyterhub_config.py (singleuser.cmd -> Spawner.cmd);
//   jupyterhub/jupyterhub 2841153d (2026-08-20): spawner.py (`get_env`, `http_timeout` 30), user.py
//     (`_wait_up`: GET <server url>api), utils.py (`wait_for_http_server`: any status under 500, no redirects).
// BinderHub runs without hub authentication (`auth_enabled` False): the server is plain jupyter-lab (or
// jupyter-notebook) with a token, never jupyterhub-singleuser, so it never calls the hub. Not reproduced: the
// pod's egress rules and bandwidth limit (a rehearsal has no network at all) and the BINDER_* request variables.

/**
 * What BinderHub's `singleuser.cmd` runs (`python3 -c <this>`, then the spawner's arguments): jupyter-lab when
 * jupyterlab 3 or later imports in the image's python3, else jupyter-notebook, exec'd with the arguments. The
 * same decision and messages as the chart's script, which the rehearsal runs through the image's ENTRYPOINT.
 */
export const BINDER_START_SCRIPT = [
    "import os",
    "import sys",
    "try:",
    "    import jupyterlab",
    "    import jupyterlab.labapp",
    '    major = int(jupyterlab.__version__.split(".", 1)[0])',
    "except Exception as e:",
    '    print("Failed to import jupyterlab: {e}", file=sys.stderr)',
    "    have_lab = False",
    "else:",
    "    have_lab = major >= 3",
    "if have_lab:",
    '    print("Launching jupyter-lab", file=sys.stderr)',
    '    exe = "jupyter-lab"',
    "else:",
    '    print("jupyter-lab not found, launching jupyter-notebook", file=sys.stderr)',
    '    exe = "jupyter-notebook"',
    "os.execvp(exe, sys.argv)",
    "",
].join("\n");

/** The message BINDER_START_SCRIPT prints when it falls back to jupyter-notebook. */
export const BINDER_NO_LAB_MESSAGE = "jupyter-lab not found, launching jupyter-notebook";

/** BinderHub's start command: container `args`, so the image's ENTRYPOINT runs it and the image's CMD is not used. */
export function binderStartCommand(): string[] {
    return ["python3", "-c", BINDER_START_SCRIPT];
}

/**
 * The URL prefix the hub's proxy sends a launch to: `/user/<name>/`, where BinderHub names the user after the
 * repository (`<owner>-<repo>`, lowercase, cut to 15 + "-" + 15 characters when longer than 32) and eight
 * random characters from a-z0-9.
 */
export function binderServerPrefix(repositoryPath: string, suffix: string): string {
    let prefix = repositoryPath
        .replace(/^\/+|\/+$/g, "")
        .replace(/\//g, "-")
        .toLowerCase();
    if (prefix.endsWith(".git")) prefix = prefix.slice(0, -4);
    if (prefix.length > 32) prefix = `${prefix.slice(0, 15)}-${prefix.slice(-15)}`;
    return `/user/${prefix}-${suffix}/`;
}

/**
 * The spawner's arguments after the start command (BinderSpawnerMixin.get_args without auth, with
 * mybinder.org's `cors_allow_origin: "*"` and no default URL): every `--NotebookApp.` option again as
 * `--ServerApp.`, so jupyter-lab on jupyter_server reads them too.
 */
export function binderServerArgs(prefix: string, token: string): string[] {
    const args = [
        "--ip=0.0.0.0",
        `--port=${BINDER_PORT}`,
        `--NotebookApp.base_url=${prefix}`,
        `--NotebookApp.token=${token}`,
        "--NotebookApp.trust_xheaders=True",
        "--NotebookApp.allow_origin=*",
        "--NotebookApp.allow_origin_pat=.*",
    ];
    return [...args, ...args.filter((a) => a.startsWith("--NotebookApp.")).map((a) => a.replace("--NotebookApp.", "--ServerApp."))];
}

/** The hub's address as a user pod sees it (zero-to-jupyterhub's hub service, port 8081). */
const HUB_API_URL = "http://hub:8081/hub/api";
/** mybinder.org's per-user guarantees, as KubeSpawner hands them on (450M and 0.01 CPU). */
const BINDER_MEMORY_GUARANTEE_BYTES = 450 * 1024 ** 2;
const BINDER_CPU_GUARANTEE = 0.01;

/**
 * The environment a launch's container gets (JupyterHub's Spawner.get_env, KubeSpawner's and BinderSpawner's
 * additions), for a server at `prefix` whose user is `/user/<name>/`. The BINDER_* variables that name the
 * repository and the request (BINDER_REPO_URL, BINDER_REF_URL, BINDER_REQUEST, ...) are left out: they name a
 * mybinder.org request, which a rehearsal does not have. `memoryBytes` and `cpus` are the limits.
 */
export function binderServerEnv(prefix: string, apiToken: string, image: string, memoryBytes: number, cpus: number): Record<string, string> {
    const name = prefix.replace(/^\/user\//, "").replace(/\/$/, "");
    const scopes = JSON.stringify([`access:servers!server=${name}/`, `access:servers!user=${name}`]);
    return {
        JUPYTERHUB_API_TOKEN: apiToken,
        JPY_API_TOKEN: apiToken,
        JUPYTERHUB_CLIENT_ID: `jupyterhub-user-${name}`,
        JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED: "0",
        JUPYTERHUB_HOST: "",
        JUPYTERHUB_OAUTH_CALLBACK_URL: `${prefix}oauth_callback`,
        JUPYTERHUB_OAUTH_SCOPES: scopes,
        JUPYTERHUB_OAUTH_ACCESS_SCOPES: scopes,
        JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES: "[]",
        JUPYTERHUB_USER: name,
        JUPYTERHUB_SERVER_NAME: "",
        JUPYTERHUB_API_URL: HUB_API_URL,
        JUPYTERHUB_ACTIVITY_URL: `${HUB_API_URL}/users/${name}/activity`,
        JUPYTERHUB_BASE_URL: "/",
        JUPYTERHUB_SERVICE_PREFIX: prefix,
        JUPYTERHUB_SERVICE_URL: `http://0.0.0.0:${BINDER_PORT}${prefix}`,
        // mybinder.org sets neither JupyterHub.public_url nor subdomain_host.
        JUPYTERHUB_PUBLIC_URL: "",
        JUPYTERHUB_PUBLIC_HUB_URL: "",
        MEM_LIMIT: String(memoryBytes),
        MEM_GUARANTEE: String(BINDER_MEMORY_GUARANTEE_BYTES),
        // Python's str() of a float: 1 -> "1.0".
        CPU_LIMIT: Number.isInteger(cpus) ? cpus.toFixed(1) : String(cpus),
        CPU_GUARANTEE: String(BINDER_CPU_GUARANTEE),
        JUPYTER_IMAGE_SPEC: image,
        JUPYTER_IMAGE: image,
    };
}

/**
 * The hub's readiness request, relative to the server's prefix: a launch is up once `GET <prefix>api`
 * answers with any status under 500 (even 404), redirects not followed, within BINDER_START_TIMEOUT_S.
 */
export const BINDER_READY_PATH = "api";
/** The lowest status the hub counts as "not up yet". */
export const BINDER_READY_STATUS_BELOW = 500;

/**
 * Where mybinder.org mounts its own Jupyter configuration (a ConfigMap, read-only) over the image: whatever the
 * image keeps in /etc/jupyter is hidden. Its jupyter_notebook_config.py (page templates; it imports `notebook`)
 * is not loaded by jupyter-lab 4.5 on jupyter_server 2.17 (tried: mounted there, it leaves no trace in the
 * log and the server starts), so an empty read-only directory there has the same effect on such an image.
 */
export const BINDER_JUPYTER_CONFIG_DIR = "/etc/jupyter";
