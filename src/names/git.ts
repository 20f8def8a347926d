/**
 * git's name rules, and a branch as other names carry it (resource names, URL paths). Each `...Problem`
 * returns the reason a name is refused, or undefined when it is acceptable.
 */

/** `git check-ref-format --branch` rules, so a branch GitHub would refuse is caught before any resource. */
export function branchNameProblem(name: string): string | undefined {
    if (name.length === 0) return "it is empty";
    if (name === "@") return 'it is "@"';
    if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return "it contains a space, a control character or one of ~ ^ : ? * [ \\";
    if (name.includes("..")) return 'it contains ".."';
    if (name.includes("@{")) return 'it contains "@{"';
    if (name.startsWith("/") || name.endsWith("/") || name.includes("//")) return "it has an empty path component";
    if (name.endsWith(".")) return 'it ends with "."';
    if (name.startsWith("-")) return 'it starts with "-"';
    for (const component of name.split("/")) {
        if (component.startsWith(".")) return `component "${component}" starts with "."`;
        if (component.endsWith(".lock")) return `component "${component}" ends with ".lock"`;
    }
    return undefined;
}

/**
 * An Underworld3 branch as the launcher files write it: raw after `ENV UW3_BRANCH=` in the Dockerfile, where
 * Docker would expand `$`, strip quotes and backslashes and split at spaces, and in a Markdown code span in
 * the README. git accepts such names (`a"b`, `feat-${HOME}`); the launcher does not.
 */
export function uw3BranchProblem(name: string): string | undefined {
    const git = branchNameProblem(name);
    if (git) return `git refuses this branch name: ${git}`;
    const bad = /[^A-Za-z0-9._/@+-]/.exec(name)?.[0];
    if (bad !== undefined) {
        return `it contains ${JSON.stringify(bad)}, which the launcher Dockerfile's \`ENV UW3_BRANCH=\` would expand or strip; use letters, digits and . _ - / @ +`;
    }
    return undefined;
}

/** A branch name as it appears in resource names (`launcher-dockerfile-<slug>`): `/` and other symbols become `-`. */
export function branchSlug(branch: string): string {
    return branch.replace(/[^A-Za-z0-9-]/g, "-");
}

/** A git ref as a URL path: each `/`-separated part encoded (BinderHub splits the spec at the first two `/`). */
export function encodeRefPath(ref: string): string {
    return ref.split("/").map(encodeURIComponent).join("/");
}
