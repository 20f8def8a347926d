/**
 * The JSON bodies GitHub answers, built from what the server knows. Pure: each takes the server's origin
 * (`http://127.0.0.1:5080`) and plain records, and returns the object the REST API would send. The shapes are
 * those of GitHub's OpenAPI description (components/schemas/...), which the server's tests validate them against.
 */
import type { CommitInfo, Person } from "./git";

/** An account: a user, or an organization (which owns repositories but cannot log in). */
export interface Account {
    login: string;
    id: number;
    type: "User" | "Organization";
    name?: string;
    email?: string;
}

export interface RepositoryRecord {
    id: number;
    owner: Account;
    name: string;
    description: string | null;
    homepage: string | null;
    visibility: "public" | "private" | "internal";
    hasIssues: boolean;
    hasProjects: boolean;
    hasWiki: boolean;
    hasDownloads: boolean;
    hasDiscussions: boolean;
    isTemplate: boolean;
    archived: boolean;
    allowMergeCommit: boolean;
    allowSquashMerge: boolean;
    allowRebaseMerge: boolean;
    allowAutoMerge: boolean;
    deleteBranchOnMerge: boolean;
    allowUpdateBranch: boolean;
    webCommitSignoffRequired: boolean;
    defaultBranch: string;
    topics: string[];
    createdAt: string;
    updatedAt: string;
    pushedAt: string;
}

/** GitHub's timestamps: ISO 8601 in UTC, whole seconds. */
export function timestamp(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function nodeId(kind: string, id: number | string): string {
    return Buffer.from(`0:${kind}${String(id).length}:${kind}${id}`).toString("base64");
}

function api(origin: string): string {
    return `${origin}/api/v3`;
}

function enc(segment: string): string {
    return encodeURIComponent(segment);
}

/** A path in a repository, each segment escaped and the slashes kept, as GitHub writes it in URLs. */
function encPath(file: string): string {
    return file.split("/").map(enc).join("/");
}

function simpleUser(origin: string, a: Account): Record<string, unknown> {
    const url = `${api(origin)}/users/${a.login}`;
    return {
        login: a.login,
        id: a.id,
        node_id: nodeId(a.type === "User" ? "User" : "Organization", a.id),
        avatar_url: `${origin}/avatars/u/${a.id}`,
        gravatar_id: "",
        url,
        html_url: `${origin}/${a.login}`,
        followers_url: `${url}/followers`,
        following_url: `${url}/following{/other_user}`,
        gists_url: `${url}/gists{/gist_id}`,
        starred_url: `${url}/starred{/owner}{/repo}`,
        subscriptions_url: `${url}/subscriptions`,
        organizations_url: `${url}/orgs`,
        repos_url: `${url}/repos`,
        events_url: `${url}/events{/privacy}`,
        received_events_url: `${url}/received_events`,
        type: a.type,
        site_admin: false,
    };
}

/** What a user's and an organization's answers both count (nothing but repositories is counted here). */
function accountCounts(repoCount: number, createdAt: string): Record<string, unknown> {
    return { public_repos: repoCount, public_gists: 0, followers: 0, following: 0, created_at: createdAt, updated_at: createdAt };
}

/** `GET /user`: the authenticated user, with the private fields GitHub adds for oneself. */
export function privateUser(origin: string, a: Account, repoCount: number, createdAt: string): Record<string, unknown> {
    return {
        ...simpleUser(origin, a),
        name: a.name ?? a.login,
        company: null,
        blog: "",
        location: null,
        email: a.email ?? null,
        hireable: null,
        bio: null,
        ...accountCounts(repoCount, createdAt),
        private_gists: 0,
        total_private_repos: 0,
        owned_private_repos: 0,
        disk_usage: 0,
        collaborators: 0,
        two_factor_authentication: false,
    };
}

/** `GET /orgs/{org}`. */
export function organizationFull(origin: string, a: Account, repoCount: number, createdAt: string): Record<string, unknown> {
    const url = `${api(origin)}/orgs/${a.login}`;
    return {
        login: a.login,
        id: a.id,
        node_id: nodeId("Organization", a.id),
        url,
        repos_url: `${url}/repos`,
        events_url: `${url}/events`,
        hooks_url: `${url}/hooks`,
        issues_url: `${url}/issues`,
        members_url: `${url}/members{/member}`,
        public_members_url: `${url}/public_members{/member}`,
        avatar_url: `${origin}/avatars/u/${a.id}`,
        description: null,
        name: a.name ?? a.login,
        html_url: `${origin}/${a.login}`,
        has_organization_projects: true,
        has_repository_projects: true,
        ...accountCounts(repoCount, createdAt),
        type: "Organization",
        archived_at: null,
    };
}

/** `GET /repos/{owner}/{repo}` and what create and edit answer (full-repository). */
export function fullRepository(origin: string, r: RepositoryRecord, size: number): Record<string, unknown> {
    const full = `${r.owner.login}/${r.name}`;
    const url = `${api(origin)}/repos/${full}`;
    const host = new URL(origin).host;
    return {
        id: r.id,
        node_id: nodeId("Repository", r.id),
        name: r.name,
        full_name: full,
        owner: simpleUser(origin, r.owner),
        private: r.visibility !== "public",
        html_url: `${origin}/${full}`,
        description: r.description,
        fork: false,
        url,
        archive_url: `${url}/{archive_format}{/ref}`,
        assignees_url: `${url}/assignees{/user}`,
        blobs_url: `${url}/git/blobs{/sha}`,
        branches_url: `${url}/branches{/branch}`,
        collaborators_url: `${url}/collaborators{/collaborator}`,
        comments_url: `${url}/comments{/number}`,
        commits_url: `${url}/commits{/sha}`,
        compare_url: `${url}/compare/{base}...{head}`,
        contents_url: `${url}/contents/{+path}`,
        contributors_url: `${url}/contributors`,
        deployments_url: `${url}/deployments`,
        downloads_url: `${url}/downloads`,
        events_url: `${url}/events`,
        forks_url: `${url}/forks`,
        git_commits_url: `${url}/git/commits{/sha}`,
        git_refs_url: `${url}/git/refs{/sha}`,
        git_tags_url: `${url}/git/tags{/sha}`,
        git_url: `git://${host}/${full}.git`,
        issue_comment_url: `${url}/issues/comments{/number}`,
        issue_events_url: `${url}/issues/events{/number}`,
        issues_url: `${url}/issues{/number}`,
        keys_url: `${url}/keys{/key_id}`,
        labels_url: `${url}/labels{/name}`,
        languages_url: `${url}/languages`,
        merges_url: `${url}/merges`,
        milestones_url: `${url}/milestones{/number}`,
        notifications_url: `${url}/notifications{?since,all,participating}`,
        pulls_url: `${url}/pulls{/number}`,
        releases_url: `${url}/releases{/id}`,
        ssh_url: `git@${new URL(origin).hostname}:${full}.git`,
        stargazers_url: `${url}/stargazers`,
        statuses_url: `${url}/statuses/{sha}`,
        subscribers_url: `${url}/subscribers`,
        subscription_url: `${url}/subscription`,
        tags_url: `${url}/tags`,
        teams_url: `${url}/teams`,
        trees_url: `${url}/git/trees{/sha}`,
        clone_url: `${origin}/${full}.git`,
        mirror_url: null,
        hooks_url: `${url}/hooks`,
        svn_url: `${origin}/${full}`,
        homepage: r.homepage,
        language: null,
        forks_count: 0,
        stargazers_count: 0,
        watchers_count: 0,
        size,
        default_branch: r.defaultBranch,
        open_issues_count: 0,
        is_template: r.isTemplate,
        topics: r.topics,
        has_issues: r.hasIssues,
        has_projects: r.hasProjects,
        has_wiki: r.hasWiki,
        has_pages: false,
        has_downloads: r.hasDownloads,
        has_discussions: r.hasDiscussions,
        archived: r.archived,
        disabled: false,
        visibility: r.visibility,
        pushed_at: r.pushedAt,
        created_at: r.createdAt,
        updated_at: r.updatedAt,
        permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
        allow_rebase_merge: r.allowRebaseMerge,
        allow_squash_merge: r.allowSquashMerge,
        allow_merge_commit: r.allowMergeCommit,
        allow_auto_merge: r.allowAutoMerge,
        delete_branch_on_merge: r.deleteBranchOnMerge,
        allow_update_branch: r.allowUpdateBranch,
        allow_forking: true,
        web_commit_signoff_required: r.webCommitSignoffRequired,
        squash_merge_commit_title: "COMMIT_OR_PR_TITLE",
        squash_merge_commit_message: "COMMIT_MESSAGES",
        merge_commit_title: "MERGE_MESSAGE",
        merge_commit_message: "PR_TITLE",
        forks: 0,
        open_issues: 0,
        watchers: 0,
        license: null,
        network_count: 0,
        subscribers_count: 0,
    };
}

/** `GET /repos/{owner}/{repo}/git/ref/{ref}` (git-ref). `ref` is the full name, `refs/heads/...`. */
export function gitRef(origin: string, r: RepositoryRecord, ref: string, sha: string): Record<string, unknown> {
    const url = `${api(origin)}/repos/${r.owner.login}/${r.name}`;
    return {
        ref,
        node_id: nodeId("Ref", `${r.id}:${ref}`),
        url: `${url}/git/${ref.split("/").map(enc).join("/")}`,
        object: { sha, type: "commit", url: `${url}/git/commits/${sha}` },
    };
}

function gitPerson(p: Person): Record<string, unknown> {
    return { name: p.name, email: p.email, date: timestamp(new Date(p.time * 1000)) };
}

const UNSIGNED = { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };

/** The changed files of a commit, as `GET .../commits/{sha}` lists them (diff-entry, without patches). */
export interface ChangedFile {
    status: string;
    path: string;
    sha: string;
}

const STATUS: Record<string, string> = { A: "added", D: "removed", M: "modified", T: "changed" };

/** `GET /repos/{owner}/{repo}/commits/{ref}` (commit). */
export function commit(origin: string, r: RepositoryRecord, c: CommitInfo, files: ChangedFile[]): Record<string, unknown> {
    const full = `${r.owner.login}/${r.name}`;
    const url = `${api(origin)}/repos/${full}`;
    return {
        sha: c.sha,
        node_id: nodeId("Commit", `${r.id}:${c.sha}`),
        commit: {
            author: gitPerson(c.author),
            committer: gitPerson(c.committer),
            message: c.message.replace(/\n$/, ""),
            tree: { sha: c.tree, url: `${url}/git/trees/${c.tree}` },
            url: `${url}/git/commits/${c.sha}`,
            comment_count: 0,
            verification: UNSIGNED,
        },
        url: `${url}/commits/${c.sha}`,
        html_url: `${origin}/${full}/commit/${c.sha}`,
        comments_url: `${url}/commits/${c.sha}/comments`,
        author: null,
        committer: null,
        parents: c.parents.map((p) => ({ sha: p, url: `${url}/commits/${p}`, html_url: `${origin}/${full}/commit/${p}` })),
        stats: { total: 0, additions: 0, deletions: 0 },
        files: files.map((f) => ({
            sha: f.sha,
            filename: f.path,
            status: STATUS[f.status] ?? "modified",
            additions: 0,
            deletions: 0,
            changes: 0,
            blob_url: `${origin}/${full}/blob/${c.sha}/${encPath(f.path)}`,
            raw_url: `${origin}/${full}/raw/${c.sha}/${encPath(f.path)}`,
            contents_url: `${url}/contents/${encPath(f.path)}?ref=${c.sha}`,
        })),
    };
}

/** `GET /repos/{owner}/{repo}/branches/{branch}` (branch-with-protection; nothing is protected here). */
export function branchWithProtection(origin: string, r: RepositoryRecord, branch: string, head: Record<string, unknown>): Record<string, unknown> {
    const url = `${api(origin)}/repos/${r.owner.login}/${r.name}/branches/${enc(branch)}`;
    return {
        name: branch,
        commit: head,
        _links: { self: url, html: `${origin}/${r.owner.login}/${r.name}/tree/${encPath(branch)}` },
        protected: false,
        protection: { enabled: false, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } },
        protection_url: `${url}/protection`,
    };
}

/** The part of a file's answer that `GET contents` and `PUT contents` share. */
function contentLinks(origin: string, r: RepositoryRecord, file: string, blobSha: string, ref: string): Record<string, unknown> {
    const full = `${r.owner.login}/${r.name}`;
    const self = `${api(origin)}/repos/${full}/contents/${encPath(file)}?ref=${enc(ref)}`;
    const git = `${api(origin)}/repos/${full}/git/blobs/${blobSha}`;
    const html = `${origin}/${full}/blob/${enc(ref)}/${encPath(file)}`;
    return {
        name: file.split("/").pop(),
        path: file,
        sha: blobSha,
        url: self,
        html_url: html,
        git_url: git,
        download_url: `${origin}/${full}/raw/${enc(ref)}/${encPath(file)}`,
        type: "file",
        _links: { self, git, html },
    };
}

/** `GET /repos/{owner}/{repo}/contents/{path}?ref=` of a file (content-file); its `url` names the ref asked for. */
export function contentFile(origin: string, r: RepositoryRecord, file: string, blobSha: string, ref: string, content: Buffer): Record<string, unknown> {
    // GitHub wraps the base64 at 60 columns with a newline after each line.
    const b64 = content.toString("base64").replace(/.{60}/g, "$&\n");
    return {
        ...contentLinks(origin, r, file, blobSha, ref),
        size: content.length,
        content: b64.endsWith("\n") || b64 === "" ? b64 : `${b64}\n`,
        encoding: "base64",
    };
}

/** What `PUT` and `DELETE .../contents/{path}` answer (file-commit); `content` is null after a delete. */
export function fileCommit(
    origin: string,
    r: RepositoryRecord,
    file: string,
    blob: { sha: string; size: number } | null,
    branch: string,
    c: CommitInfo,
): Record<string, unknown> {
    const full = `${r.owner.login}/${r.name}`;
    const url = `${api(origin)}/repos/${full}`;
    return {
        content: blob ? { ...contentLinks(origin, r, file, blob.sha, branch), size: blob.size } : null,
        commit: {
            sha: c.sha,
            node_id: nodeId("Commit", `${r.id}:${c.sha}`),
            url: `${url}/git/commits/${c.sha}`,
            html_url: `${origin}/${full}/commit/${c.sha}`,
            author: gitPerson(c.author),
            committer: gitPerson(c.committer),
            message: c.message.replace(/\n$/, ""),
            tree: { sha: c.tree, url: `${url}/git/trees/${c.tree}` },
            parents: c.parents.map((p) => ({ sha: p, url: `${url}/git/commits/${p}`, html_url: `${origin}/${full}/commit/${p}` })),
            verification: UNSIGNED,
        },
    };
}

/** An error body as GitHub sends it (basic-error; validation-error when `errors` are given). */
export function errorBody(status: number, message: string, docs: string, errors?: Record<string, unknown>[]): Record<string, unknown> {
    return { message, documentation_url: `https://docs.github.com/enterprise-server@3.19/rest/${docs}`, ...(errors ? { errors } : {}), status: String(status) };
}
