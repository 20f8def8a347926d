/**
 * GitHub's names: logins, repositories, and `<owner>/<repo>` as the config and the command lines write it.
 */
import { branchNameProblem } from "./git";
import { shown } from "../text/quotedValue";

/** GitHub user or organisation login. */
export function githubOwnerProblem(owner: string): string | undefined {
    return /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(owner)
        ? undefined
        : "a GitHub login is 1-39 letters, digits or single hyphens, not starting with a hyphen";
}

/** GitHub repository name (without owner). */
export function githubRepositoryProblem(name: string): string | undefined {
    if (name === "." || name === "..") return `"${name}" is reserved`;
    return /^[A-Za-z0-9._-]{1,100}$/.test(name) ? undefined : "a GitHub repository name is 1-100 letters, digits, '.', '_' or '-'";
}

/** `<owner>/<repo>` split at its one `/`; undefined when it is not two non-empty parts (the one home of the split). */
export function splitOwnerRepository(slug: string): { owner: string; repository: string } | undefined {
    const m = /^([^/]+)\/([^/]+)$/.exec(slug);
    return m ? { owner: m[1], repository: m[2] } : undefined;
}

/** A bad owner, repository, branch, path or app in a link or a hub request; the message names the value and what was expected. */
export class LinkInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "LinkInputError";
    }
}

function check(problem: string | undefined, what: string, value: string): void {
    if (problem !== undefined) throw new LinkInputError(`invalid ${what} ${shown(value)}: ${problem}`);
}

/** Throws a LinkInputError for an owner or repository GitHub would refuse, or a repository named with `.git`. */
export function checkRepository(owner: string, repository: string, what: string): void {
    check(githubOwnerProblem(owner), `${what} owner`, owner);
    check(githubRepositoryProblem(repository), `${what} repository`, repository);
    // nbgitpuller clones into the last segment of the URL, `.git` included; GitHub serves the repository
    // without it, so the folder name would not match the name the user knows.
    if (repository.toLowerCase().endsWith(".git")) {
        throw new LinkInputError(`invalid ${what} repository ${shown(repository)}: give the name without the ".git" suffix`);
    }
}

/** Throws a LinkInputError for an empty branch or one git refuses. */
export function checkBranch(branch: string, what: string): void {
    if (branch === "") throw new LinkInputError(`invalid ${what} "": expected a branch name, found an empty string`);
    check(branchNameProblem(branch), what, branch);
}

/** Parses `<owner>/<repo>` as GitHub names it; `what` names the argument in the error. */
export function parseRepositorySlug(slug: string, what = "repository"): { owner: string; repository: string } {
    const split = splitOwnerRepository(slug);
    if (!split) throw new LinkInputError(`invalid ${what} ${shown(slug)}: expected <owner>/<repo>, e.g. underworldcode/uw3-binder-launcher`);
    checkRepository(split.owner, split.repository, what);
    return split;
}
