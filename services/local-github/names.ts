/**
 * What GitHub accepts as an account login, a repository name, a branch, a file path and a secret name. Every name
 * from a request passes one of these before it reaches git or the data directory, so no request can name a path
 * outside a repository (no `..`, no absolute path, no `.git` component).
 */

/** A user or organization login: alphanumerics and single inner hyphens, at most 39 characters. */
export function isLogin(name: string): boolean {
    return name.length <= 39 && /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9]))*$/.test(name);
}

/** A repository name: letters, digits, `.`, `-`, `_`, at most 100 characters; never `.` or `..`. */
export function isRepositoryName(name: string): boolean {
    return name.length <= 100 && /^[A-Za-z0-9._-]+$/.test(name) && name !== "." && name !== ".." && !name.toLowerCase().endsWith(".git");
}

/** A branch name as `git check-ref-format --branch` accepts it (at most 255 bytes). */
export function isBranchName(name: string): boolean {
    if (name.length === 0 || Buffer.byteLength(name) > 255) return false;
    if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
    if (name.includes("..") || name.includes("@{") || name.includes("//") || name === "@") return false;
    if (name.startsWith("/") || name.endsWith("/") || name.endsWith(".") || name.startsWith("-")) return false;
    return name.split("/").every((part) => !part.startsWith(".") && !part.endsWith(".lock"));
}

/** A file path in a repository: `/`-separated, no empty, `.`, `..` or `.git` component, no control character. */
export function isFilePath(path: string): boolean {
    if (path.length === 0 || Buffer.byteLength(path) > 4096 || /[\x00-\x1f\x7f\\]/.test(path)) return false;
    return path.split("/").every((part) => part.length > 0 && Buffer.byteLength(part) <= 255 && part !== "." && part !== ".." && part.toLowerCase() !== ".git");
}

/** An Actions secret name: letters, digits and `_`, not starting with a digit nor with `GITHUB_`. */
export function isSecretName(name: string): boolean {
    return name.length <= 255 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !name.toUpperCase().startsWith("GITHUB_");
}

/** A full or abbreviated hexadecimal object name. */
export function isObjectName(sha: string): boolean {
    return /^[0-9a-f]{4,40}$/.test(sha);
}
