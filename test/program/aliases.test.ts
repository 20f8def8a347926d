/**
 * The LauncherBranch component moved resources that stacks already hold: a branch's GitHub branch,
 * files, rehearsal and warm-up from under the Launcher, and a `pin:` gate from the top of the stack.
 * Each carries an alias to where it was. This proves, under the mock runtime, that every resource of a
 * stack from before is found again (nothing replaced, deleted or created but the new components):
 * each new resource's URN and aliases, as the SDK sends them to the engine, are resolved the way the
 * engine's step generator resolves them (pkg/resource/deploy/step_generator.go, generateAliases,
 * collapseAliasToUrn, inheritedChildAlias at pkg/v3.259.0, the engine the e2e suite runs) against the
 * URNs the program declared before the change.
 *
 * urnsBefore.json holds those URNs: every registration of the program at commit 4a5e491 (before
 * LauncherBranch), for each committed stack and a 2025-01 variant with every kind of launcher resource,
 * run under the mock runtime as `runStack` runs it (stack "test"). The demo's entry is the demo with its
 * launcher (which came in beside LauncherBranch): the URNs the real engine stored for it after an `up` of
 * the program before LauncherBranch (commit 3cabf17), renamed to stack "test".
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Registration } from "../../src/plan/mocks";
import { runStack, stackConfig } from "./fixtures";

const BEFORE = JSON.parse(fs.readFileSync(path.join(__dirname, "urnsBefore.json"), "utf8")) as Record<string, string[]>;
const PREFIX = "urn:pulumi:test::uw3-binder::";
const LAUNCHER = `${PREFIX}uw3-binder:index:Launcher::launcher`;

/** `resource.CreateURN`: a child's type is qualified by its parent's whole type chain. */
function createUrn(name: string, type: string, parent: string): string {
    return parent === "" ? `${PREFIX}${type}::${name}` : `${parent.slice(0, parent.lastIndexOf("::"))}$${type}::${name}`;
}
const qualifiedType = (urn: string) => urn.split("::")[2];
const nameOf = (urn: string) => urn.split("::").slice(3).join("::");
const typeOf = (urn: string) => qualifiedType(urn).split("$").pop()!;

interface Resolved {
    registration: Registration;
    /** The URN the engine gives it (the mock monitor qualifies a type by its parent's own type only). */
    urn: string;
    parent: string;
    /** The URN of the resource it takes over from the old state; undefined when the engine would create it. */
    old?: string;
}

/** The engine's resolution of a program run against the old state `olds`, in registration order. */
function resolveAgainst(registrations: Registration[], olds: readonly string[]): Resolved[] {
    const engineUrn = new Map<string, string>(); // mock URN -> engine URN
    const aliasedTo = new Map<string, string>(); // engine URN -> the old URN it was found under (sg.aliases)
    const claimed = new Set<string>();
    const resolved: Resolved[] = [];
    for (const registration of registrations) {
        const parent = registration.parent === "" ? "" : engineUrn.get(registration.parent)!;
        assert.ok(parent !== undefined, `${registration.name}: its parent was registered after it`);
        const urn = createUrn(registration.name, registration.type, parent);
        engineUrn.set(registration.urn, urn);
        const collapse = (alias: Registration["aliases"][number]): string => {
            if ("urn" in alias) return alias.urn;
            let aliasParent = alias.parentUrn === "" ? parent : engineUrn.get(alias.parentUrn)!;
            if (alias.parentUrn !== "" && aliasedTo.has(aliasParent)) aliasParent = aliasedTo.get(aliasParent)!;
            if (alias.noParent || (aliasParent !== "" && qualifiedType(aliasParent) === "pulumi:pulumi:Stack")) aliasParent = "";
            return createUrn(alias.name || registration.name, alias.type || registration.type, aliasParent);
        };
        const inherited = (type: string, name: string, parentAlias: string): string => {
            const parentName = nameOf(parent);
            const aliasName = name.startsWith(parentName) ? nameOf(parentAlias) + name.slice(parentName.length) : name;
            return `${PREFIX}${qualifiedType(parentAlias)}$${type}::${aliasName}`;
        };
        const aliases = registration.aliases.map(collapse);
        if (aliasedTo.has(parent)) {
            const parentAlias = aliasedTo.get(parent)!;
            aliases.push(inherited(registration.type, registration.name, parentAlias));
            for (const alias of aliases.slice(0, registration.aliases.length)) aliases.push(inherited(typeOf(alias), nameOf(alias), parentAlias));
        }
        const old = [urn, ...aliases].find((candidate) => olds.includes(candidate));
        if (old !== undefined) {
            assert.ok(!claimed.has(old), `${urn} claims ${old}, which another resource already took`);
            claimed.add(old);
            if (old !== urn) aliasedTo.set(urn, old);
        }
        resolved.push({ registration, urn, parent, old });
    }
    return resolved;
}

/** The 2025-01 stack with a created repository, warm-ups and a `pin:` branch: every kind of launcher resource. */
function everyLauncherResource(): Record<string, any> {
    const config = stackConfig();
    config["uw3-binder:launcher"].create = true;
    config["uw3-binder:launcher"].warmup = true;
    config["uw3-binder:launcher"].branches[2].pin = `2024.12-slim@sha256:${"e".repeat(64)}`;
    return config;
}

// uw2 is not here: it has no launcher (LauncherBranch never touched it), and issue 19 rewrote its chain.
const STACKS: [string, () => Record<string, any>][] = [
    ["2025-01", () => stackConfig()],
    ["demo", () => stackConfig("demo")],
    ["dev", () => stackConfig("dev")],
    ["2025-01 with create, warmup and a pin: branch", everyLauncherResource],
];

describe("program: a stack from before LauncherBranch keeps every resource (aliases, engine resolution)", () => {
    for (const [stack, config] of STACKS) {
        it(`${stack}: every old resource is found again, nothing is created but the LauncherBranch components`, async () => {
            const run = await runStack(config());
            const resolved = resolveAgainst(run.mocks.registrations, BEFORE[stack]);
            const created = resolved.filter((r) => r.old === undefined).map((r) => r.urn);
            assert.deepStrictEqual(
                created,
                // ... and each branch's replacement of the launcher's old update workflow (new with frozen branches).
                resolved
                    .filter((r) => r.registration.type === "uw3-binder:index:LauncherBranch" || r.registration.name.startsWith("launcher-workflow-"))
                    .map((r) => r.urn),
            );
            const found = resolved.map((r) => r.old).filter((u): u is string => u !== undefined);
            assert.deepStrictEqual([...found].sort(), [...BEFORE[stack]].sort(), "an old resource no new one takes over would be deleted");
        });
    }

    it("declares each branch's resources under its LauncherBranch, each aliased to where it was", async () => {
        const run = await runStack(everyLauncherResource());
        const resolved = resolveAgainst(run.mocks.registrations, BEFORE["2025-01 with create, warmup and a pin: branch"]);
        const launcherTree = resolved
            .filter((r) => r.urn === LAUNCHER || r.urn.startsWith(`${PREFIX}uw3-binder:index:Launcher$`) || r.registration.name.startsWith("launcher-pin-"))
            .map((r) => ({
                urn: r.urn,
                aliases: r.registration.aliases.map((a) =>
                    "urn" in a ? a.urn : { parent: a.noParent ? "(none)" : nameOf(engineParent(resolved, a.parentUrn)) },
                ),
                old: r.old,
            }))
            .sort((a, b) => a.urn.localeCompare(b.urn));
        const branch = `${PREFIX}uw3-binder:index:Launcher$uw3-binder:index:LauncherBranch`;
        const under = (type: string, name: string) => `${branch}$${type}::${name}`;
        const was = (type: string, name: string) => `${PREFIX}uw3-binder:index:Launcher$${type}::${name}`;
        const moved = (slug: string, type: string, kind: string) => ({
            urn: under(type, `launcher-${kind}-${slug}`),
            aliases: [{ parent: "launcher" }],
            old: was(type, `launcher-${kind}-${slug}`),
        });
        const FILE = "github:index/repositoryFile:RepositoryFile";
        const COMMAND = "command:local:Command";
        const BRANCH = "github:index/branch:Branch";
        const GATE = "uw3-binder:index:BinderGate";
        const expected = [
            { urn: LAUNCHER, aliases: [], old: LAUNCHER },
            ...["development", "main", "uw3-release-candidate"].flatMap((slug) => [
                { urn: `${branch}::launcher-${slug}`, aliases: [], old: undefined },
                { urn: under(FILE, `launcher-workflow-${slug}`), aliases: [], old: undefined },
            ]),
            // The pin gate was at the top of the stack; its check follows it through the engine's inherited alias.
            {
                urn: under(GATE, "launcher-pin-development-gate"),
                aliases: [{ parent: "(none)" }],
                old: `${PREFIX}${GATE}::launcher-pin-development-gate`,
            },
            {
                urn: `${branch}$${GATE}$pulumi-nodejs:dynamic/uw3-binder:Gate::launcher-pin-development-gate-check`,
                aliases: [],
                old: `${PREFIX}${GATE}$pulumi-nodejs:dynamic/uw3-binder:Gate::launcher-pin-development-gate-check`,
            },
            ...["development", "uw3-release-candidate"].map((slug) => moved(slug, BRANCH, "branch")),
            ...["development", "main", "uw3-release-candidate"].flatMap((slug) => [
                moved(slug, FILE, "dockerfile"),
                moved(slug, FILE, "readme"),
                moved(slug, COMMAND, "rehearse"),
                moved(slug, COMMAND, "warmup"),
            ]),
            {
                urn: `${PREFIX}uw3-binder:index:Launcher$github:index/repository:Repository::launcher-repository`,
                aliases: [],
                old: was("github:index/repository:Repository", "launcher-repository"),
            },
        ].sort((a, b) => a.urn.localeCompare(b.urn));
        assert.deepStrictEqual(launcherTree, expected);
    });
});

/** The engine URN of the resource the mock monitor named `mockUrn`. */
function engineParent(resolved: Resolved[], mockUrn: string): string {
    const found = resolved.find((r) => r.registration.urn === mockUrn);
    assert.ok(found, `no resource has the URN ${mockUrn}`);
    return found.urn;
}
