/**
 * A frozen launcher branch's files that GitHub already holds as the program renders them. A stack that has
 * no state for them yet (a new release's stack) would create them, and the GitHub provider's create with
 * `overwriteOnCreate` writes through the contents API, which commits even identical content: mybinder.org
 * would then rebuild a frozen release for nothing. Such a file is declared as an import of what is there
 * instead, which reads and commits nothing. Pure: the caller reads the files.
 */

/**
 * The file's inputs that only say how a write commits: GitHub keeps no such thing beside the file, so an
 * import reads back none of them (overwriteOnCreate comes back false, the message is the last commit's)
 * and they must not count as a difference.
 */
const WRITE_ONLY_FILE_INPUTS = ["commitMessage", "commitAuthor", "commitEmail", "overwriteOnCreate"];

/**
 * The id the GitHub provider gives a RepositoryFile, and takes for its import: `<repository>:<file>:<branch>`,
 * a `:` in the path escaped as `??` (terraform-provider-github v6, resource_github_repository_file.go, buildID).
 */
export function repositoryFileId(repository: string, file: string, branch: string): string {
    return [repository, file.split(":").join("??"), branch].join(":");
}

/**
 * The resource options that keep a file GitHub already holds as `rendered`: an import of it, with the
 * write-only inputs ignored; undefined when GitHub holds anything else or nothing (then it is written).
 * A stack that already manages the file keeps it as it is: its state's id is the same one, so the engine
 * imports nothing.
 */
export function keptFileOptions(
    target: { repository: string; branch: string; file: string },
    rendered: string,
    onGitHub: string | undefined,
): { import: string; ignoreChanges: string[] } | undefined {
    if (onGitHub !== rendered) return undefined;
    return { import: repositoryFileId(target.repository, target.file, target.branch), ignoreChanges: [...WRITE_ONLY_FILE_INPUTS] };
}
