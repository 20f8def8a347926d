/**
 * The layer diagram of uw3-binder, as the rules `npm run lint` holds it to (dependency-cruiser).
 *
 * Floors, from the ground up. A module may import its own floor and the floors below it, never one above:
 * the rules below are derived from this list, one per floor, so the list is the one home of the layers.
 * Everything below the components runs outside the Pulumi engine (the CLI, the gate's `check`, the tests)
 * and imports no `@pulumi` package; the third rule says so instead of a line in each file's header.
 */
/** The modules of src/check that declare (options, the gate's arguments, its result) rather than run checks. */
const CHECK_DECLARATIONS = "(options|gateArgs|types|result|gate|credentialEnv)[.]ts$";

const FLOORS = [
    { name: "text", paths: ["^src/text/"], holds: "quoting and escaping untrusted text, one redaction, shell quoting; imports nothing of the project" },
    { name: "names", paths: ["^src/names/"], holds: "git, OCI and GitHub name rules, image references, releases, hub URLs, loopback hosts, globs" },
    {
        name: "facts and protocols",
        paths: ["^src/mybinder/", "^src/http/", "^src/registry/", "^src/hub/", "^src/docker/", "^src/git/"],
        holds: "mybinder.org's facts; clients of a registry, a BinderHub, the docker CLI and git",
    },
    {
        name: "option declarations",
        paths: [`^src/check/${CHECK_DECLARATIONS}`, "^src/rehearsal/(options|commandLine)[.]ts$", "^src/warmup/(options|commandLine)[.]ts$"],
        holds: "check, rehearsal and warm-up options, each declared once, the command lines built from them, and the gate's run of its check and result",
    },
    { name: "config", paths: ["^src/config/"], holds: "the stack config, derived from the declarations" },
    { name: "planning", paths: ["^src/source/", "^src/launcher/", "^src/render/", "^src/links/"], holds: "sources and builds, pins, renderers, links" },
    { name: "components", paths: ["^components/", "^config[.]ts$"], holds: "the Pulumi components and the one reader of Pulumi config" },
    { name: "program", paths: ["^index[.]ts$", "^src/plan/"], holds: "the program, and the program under the mock runtime" },
    {
        name: "runs",
        paths: [
            `^src/check/(?!${CHECK_DECLARATIONS})`,
            "^src/rehearsal/(?!(options|commandLine)[.]ts$)",
            "^src/warmup/(?!(options|commandLine)[.]ts$)",
            "^src/release/",
        ],
        holds: "what the commands run: the gate's checks, a rehearsal, a warm-up, the stack-file edits",
    },
    { name: "cli", paths: ["^src/cli/"], holds: "commander: one file per command" },
];

const anyOf = (paths) => paths.join("|");
const COMPONENTS = FLOORS.findIndex((f) => f.name === "components");

module.exports = {
    forbidden: [
        ...FLOORS.slice(0, -1).map((floor, i) => ({
            name: `floor-${floor.name.replace(/ /g, "-")}`,
            severity: "error",
            comment: `${floor.name} (${floor.holds}) imports only its own floor and those below: ${FLOORS.slice(0, i + 1)
                .map((f) => f.name)
                .join(", ")}`,
            from: { path: anyOf(floor.paths) },
            to: { path: anyOf(FLOORS.slice(i + 1).flatMap((f) => f.paths)) },
        })),
        {
            name: "no-pulumi-below-components",
            severity: "error",
            comment: "code that runs outside the engine (everything below the components, the runs and the CLI) imports no @pulumi package",
            from: { path: anyOf([...FLOORS.slice(0, COMPONENTS).flatMap((f) => f.paths), ...FLOORS.slice(COMPONENTS + 2).flatMap((f) => f.paths)]) },
            to: { path: "(^|/)node_modules/@pulumi/" },
        },
        {
            name: "floor-unknown",
            severity: "error",
            comment: "every module of the program is on a floor: a new folder is added to FLOORS (.dependency-cruiser.cjs) first",
            from: { path: "^(src/|components/|index[.]ts$|config[.]ts$)", pathNot: anyOf(FLOORS.flatMap((f) => f.paths)) },
            to: {},
        },
        {
            name: "no-circular",
            severity: "error",
            comment: "no two modules import each other, directly or through others",
            from: {},
            to: { circular: true },
        },
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
        exclude: { path: "^(dist|test|bench|engine|scripts|examples)/" },
        reporterOptions: {
            archi: { collapsePattern: "^(src/[^/]+|components|node_modules/[^/]+)/|^[^/]+[.]ts$" },
        },
    },
};
