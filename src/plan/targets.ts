/**
 * `uw3-binder targets`: the URNs a `pulumi up --target` needs to update one source ref only, chosen from
 * what the program registers under the mocks (the URNs the engine gives the same resources).
 *
 * A ref's share of the stack is the launcher branches that launch it (`uw3Branch`), each with everything
 * under it, and everything those resources depend on: the image and gate that build and verify what the
 * branch pins (each with everything under it, so an image's vacancy check and index come with it), and
 * their parent images. Nothing of another ref is chosen unless the ref's own resources depend on it (a
 * parent image, such as the deps image of a deps/slim chain), and the shared Launcher component is not chosen.
 * Used WITHOUT `--target-dependents`: that would add whatever depends on a chosen resource, so a parent image
 * would bring in every other ref's image built on it, and with them their branches. Every chosen resource's
 * dependencies are chosen too, so none is missing from the update; what is not chosen keeps its state.
 */
import { RecordedResource, Registration, unwrapSecrets } from "./mocks";

const LAUNCHER_BRANCH_TYPE = "uw3-binder:index:LauncherBranch";
/** The components whose whole subtree goes with any resource of theirs that a chosen resource depends on. */
const UNIT_TYPES = ["uw3-binder:index:BinderImage", "uw3-binder:index:BinderGate"];
/** The resources that say which launcher branch they write (their `branch` input). */
const BRANCH_RESOURCE_TYPES = ["github:index/repositoryFile:RepositoryFile", "github:index/branch:Branch"];

/**
 * The URN the engine gives each registration: its type qualified by every ancestor's type
 * (`Launcher$LauncherBranch$github:...`), where the mock monitor keeps only the parent's.
 */
function engineUrns(registrations: readonly Registration[]): Map<string, string> {
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const urns = new Map<string, string>();
    const qualifiedType = (r: Registration): string => {
        const parent = byUrn.get(r.parent);
        return parent ? `${qualifiedType(parent)}$${r.type}` : r.type;
    };
    for (const r of registrations) {
        const prefix = r.urn.split("::").slice(0, 2).join("::"); // urn:pulumi:<stack>::<project>
        urns.set(r.urn, `${prefix}::${qualifiedType(r)}::${r.name}`);
    }
    return urns;
}

/**
 * The engine's URNs of the launcher branches named `branches`, with their subtrees and dependencies, in the order
 * the program registered them. Throws when two registrations share a type and name (the mocks' record
 * could not be matched to one URN) or a branch has no resource.
 */
export function branchTargets(registrations: readonly Registration[], resources: readonly RecordedResource[], branches: readonly string[]): string[] {
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const children = new Map<string, string[]>();
    for (const r of registrations) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
    const urnOf = (type: string, name: string): string => {
        const found = registrations.filter((r) => r.type === type && r.name === name);
        if (found.length !== 1) throw new Error(`expected one registration of ${type} ${name}, found ${found.length}`);
        return found[0].urn;
    };
    const ancestorOfType = (urn: string, types: readonly string[]): string | undefined => {
        for (let r = byUrn.get(urn); r !== undefined; r = byUrn.get(r.parent)) if (types.includes(r.type)) return r.urn;
        return undefined;
    };

    const chosen = new Set<string>();
    const pending: string[] = [];
    /** Chooses `urn`, and with `subtree` everything under it (another component's children stay unchosen). */
    const add = (urn: string, subtree: boolean): void => {
        if (!byUrn.has(urn)) return; // the root stack is never registered here
        if (!chosen.has(urn)) pending.push(urn);
        chosen.add(urn);
        if (subtree) for (const child of children.get(urn) ?? []) add(child, true);
    };
    for (const branch of branches) {
        const written = resources.filter((r) => BRANCH_RESOURCE_TYPES.includes(r.type) && (unwrapSecrets(r.inputs) as { branch?: unknown }).branch === branch);
        const roots = new Set(written.map((r) => ancestorOfType(urnOf(r.type, r.name), [LAUNCHER_BRANCH_TYPE])));
        roots.delete(undefined);
        if (roots.size === 0) throw new Error(`no launcher branch resources write branch ${JSON.stringify(branch)}`);
        for (const root of roots) add(root!, true);
    }
    while (pending.length > 0) {
        for (const dependency of byUrn.get(pending.pop()!)!.dependencies) {
            const unit = ancestorOfType(dependency, UNIT_TYPES);
            if (unit === undefined) add(dependency, false);
            else if (!chosen.has(unit)) add(unit, true);
        }
    }
    const engine = engineUrns(registrations);
    return registrations.filter((r) => chosen.has(r.urn)).map((r) => engine.get(r.urn)!);
}
