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
/** The port BinderHub tells the server to listen on. */
export const BINDER_PORT = 8888;
/** Seconds a server has to answer HTTP 200 before mybinder.org gives up on the launch. */
export const BINDER_START_TIMEOUT_S = 30;
/** The longest start timeout a gate or a rehearsal may be given: an hour, well inside setTimeout's 2^31 ms. */
export const MAX_START_TIMEOUT_S = 3600;
/** mybinder.org's per-user memory (`docker run --memory`; Kubernetes nodes have no swap). */
export const BINDER_MEMORY = "2g";
/** The CPUs mybinder.org guarantees each user. */
export const BINDER_CPUS = 1;
