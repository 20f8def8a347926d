/**
 * Name rules of the systems uw3-binder writes to: git refs, OCI registries, GitHub.
 * Each returns the reason a name is refused, or undefined when it is acceptable. No Pulumi import.
 */
import { registryPortProblem, REPOSITORY_COMPONENT_PATTERN, TAG_PATTERN } from "./oci";

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

/** A tag as the OCI distribution spec accepts it: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export function tagProblem(tag: string): string | undefined {
    return TAG_PATTERN.test(tag) ? undefined : "a registry accepts only [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
}

/** A repository path (`uw3-base`, `underworldcode/uw3-base`): lowercase components, as registries require. */
export function repositoryPathProblem(path: string): string | undefined {
    const parts = path.split("/");
    for (const part of parts) {
        if (!REPOSITORY_COMPONENT_PATTERN.test(part)) {
            return `"${part}" is not a lowercase registry path component ([a-z0-9] with . _ __ - separators)`;
        }
    }
    return undefined;
}

/** A registry host, optionally with a port (`ghcr.io`, `docker.io`, `127.0.0.1:5000`). */
export function registryServerProblem(server: string): string | undefined {
    if (/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\d{1,5})?$/.test(server)) {
        return registryPortProblem(server);
    }
    return "expected a host name with an optional port, without a scheme or path";
}

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

/**
 * Why a BinderHub base URL (`launcher.binderUrl`, each of `launcher.binderHubs`, `warmup --hubs`) is
 * refused, or undefined: a plain http(s) URL with an optional path prefix (`https://notebooks.example.org/binder`).
 * It reaches the warm-up command line (quoted, but a URL has no business holding shell syntax) and every
 * request to the hub, so credentials, a query or fragment, whitespace and anything outside the URL
 * characters it needs are refused. `example` is the URL the message suggests.
 */
export function binderUrlProblem(url: string, example = "https://mybinder.org"): string | undefined {
    let parsed: URL | undefined;
    try {
        parsed = new URL(url);
    } catch {
        parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || !/^https?:\/\/[^/]/.test(url)) return `expected an http(s) URL such as ${example}`;
    if (parsed.username !== "" || parsed.password !== "" || url.includes("@")) return "expected a URL without credentials (user:password@)";
    if (parsed.search !== "" || parsed.hash !== "" || /[?#]/.test(url)) return "expected a URL without query or fragment";
    if (!/^[A-Za-z0-9._~:/%-]+$/.test(url)) return "expected only letters, digits and . _ ~ : / % - (no spaces, quotes or shell characters)";
    return undefined;
}

/** A Dockerfile `ARG` name. */
export function buildArgProblem(name: string): string | undefined {
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? undefined : "a build arg name is letters, digits and '_', not starting with a digit";
}
