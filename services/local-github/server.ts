import { spawn } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";
import { Accounts, canWrite } from "./accounts";
import { ActiveFault, Faults, parseFaultRule } from "./faults";
import type { Person } from "./git";
import { isBranchName, isFilePath, isLogin, isObjectName, isRepositoryName, isSecretName } from "./names";
import { isSealedBox, openSealedBox } from "./secrets";
import * as shapes from "./shapes";
import { Repository, Store } from "./store";

export interface LocalGitHubOptions {
    /** Where the repositories live; created if missing. */
    dataDir: string;
    accounts: Accounts;
    /** A loopback address. Default 127.0.0.1. */
    host?: string;
    /** Default 5080; 0 picks a free port. */
    port?: number;
    /** Largest REST request body, bytes. Default 10 MiB. */
    bodyLimit?: number;
    /** Largest git push, bytes. Default 200 MiB. */
    pushLimit?: number;
}

/** One request as the control API lists it. */
export interface SeenRequest {
    seq: number;
    method: string;
    path: string;
    query: string;
    status: number;
    fault?: number;
}

interface Reply {
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
}

class HttpError extends Error {
    constructor(
        readonly status: number,
        message: string,
        readonly docs = "",
        readonly errors?: Record<string, unknown>[],
    ) {
        super(message);
    }
}

const REQUEST_LOG_LIMIT = 10_000;
const HEADER_LIMIT = 16 * 1024;

function isLoopback(host: string): boolean {
    return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "::1" || host === "localhost";
}

/** Reads a request body up to `limit` bytes; a longer one is a 413. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const declared = Number(req.headers["content-length"] ?? 0);
        if (declared > limit) return reject(new HttpError(413, `Request body over ${limit} bytes`));
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (c: Buffer) => {
            size += c.length;
            if (size > limit) {
                req.destroy();
                reject(new HttpError(413, `Request body over ${limit} bytes`));
            } else chunks.push(c);
        });
        req.on("end", () => resolve(Buffer.concat(chunks)));
        req.on("error", reject);
    });
}

function jsonObject(body: Buffer): Record<string, unknown> {
    if (body.length === 0) return {};
    let parsed: unknown;
    try {
        parsed = JSON.parse(body.toString("utf8"));
    } catch {
        throw new HttpError(400, "Problems parsing JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new HttpError(400, "Body should be a JSON object");
    return parsed as Record<string, unknown>;
}

function invalid(field: string, message = `"${field}" wasn't supplied.`): HttpError {
    return new HttpError(422, `Invalid request.\n\n${message}`);
}

function optString(body: Record<string, unknown>, field: string): string | undefined {
    const v = body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw invalid(field, `For '${field}', ${JSON.stringify(v)} is not a string.`);
    return v;
}

function optBool(body: Record<string, unknown>, field: string): boolean | undefined {
    const v = body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") throw invalid(field, `For '${field}', ${JSON.stringify(v)} is not a boolean.`);
    return v;
}

/** The `branch` a JSON request body names (a contents write), if any; never throws. */
function bodyBranch(body: Buffer): string | undefined {
    if (body.length === 0 || body.length > 64 * 1024 * 1024) return undefined;
    try {
        const parsed: unknown = JSON.parse(body.toString("utf8"));
        const branch = typeof parsed === "object" && parsed !== null ? (parsed as { branch?: unknown }).branch : undefined;
        return typeof branch === "string" ? branch : undefined;
    } catch {
        return undefined;
    }
}

const NOT_FOUND = (docs = "") => new HttpError(404, "Not Found", docs);

/** The REST endpoints the GitHub provider calls, git smart HTTP, and a control API for tests, on one loopback port. */
export class LocalGitHub {
    private server?: http.Server;
    private store: Store;
    private faults = new Faults();
    private seen: SeenRequest[] = [];
    private seq = 0;
    private readonly startedAt = shapes.timestamp(new Date());
    /** `http://host:port`, once listening. */
    origin = "";

    constructor(private readonly options: LocalGitHubOptions) {
        const host = options.host ?? "127.0.0.1";
        if (!isLoopback(host)) throw new Error(`local-github listens on loopback only (127.0.0.0/8, ::1); got host ${JSON.stringify(host)}`);
        this.store = new Store(options.dataDir, options.accounts);
    }

    async start(): Promise<string> {
        await this.store.open();
        const server = http.createServer({ maxHeaderSize: HEADER_LIMIT, requestTimeout: 300_000, headersTimeout: 30_000 }, (req, res) => {
            this.handle(req, res).catch((e: unknown) => {
                if (!res.headersSent) this.send(res, req, { status: 500, body: shapes.errorBody(500, `local-github: ${(e as Error).message}`, "") });
                else res.destroy();
            });
        });
        this.server = server;
        const host = this.options.host ?? "127.0.0.1";
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(this.options.port ?? 5080, host, () => resolve());
        });
        const { port } = server.address() as AddressInfo;
        this.origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
        return this.origin;
    }

    async stop(): Promise<void> {
        const server = this.server;
        if (!server) return;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://local");
        const method = req.method ?? "GET";
        const entry: SeenRequest = { seq: ++this.seq, method, path: url.pathname, query: url.search, status: 0 };
        if (url.pathname.startsWith("/_local/")) {
            const reply = await this.control(req, method, url).catch((e: unknown) => this.errorReply(e));
            return this.send(res, req, reply);
        }
        this.seen.push(entry);
        if (this.seen.length > REQUEST_LOG_LIMIT) this.seen.splice(0, this.seen.length - REQUEST_LOG_LIMIT);
        res.on("finish", () => (entry.status = res.statusCode));
        const isApi = url.pathname.startsWith("/api/v3/") || url.pathname === "/api/v3";
        // The body first (bounded), so that a fault can be about the branch a contents write names.
        let body: Buffer;
        try {
            body = isApi ? await readBody(req, this.options.bodyLimit ?? 10 * 1024 * 1024) : Buffer.alloc(0);
        } catch (e) {
            return this.send(res, req, this.errorReply(e));
        }
        const fault = this.faults.take(method, url.pathname, url.searchParams.get("ref") ?? bodyBranch(body));
        if (fault) entry.fault = fault.id;
        if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        if (fault?.status !== undefined && fault.when === "before") {
            req.resume();
            return this.send(res, req, this.faultReply(fault));
        }
        if (isApi) {
            const reply = await this.api(req, method, url, body).catch((e: unknown) => this.errorReply(e));
            return this.send(res, req, fault?.status !== undefined ? this.faultReply(fault) : reply);
        }
        const smart = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/.exec(url.pathname);
        if (smart) return this.smartHttp(req, res, smart[1], smart[2], smart[3], url);
        req.resume();
        this.send(res, req, { status: 404, body: shapes.errorBody(404, "Not Found", "") });
    }

    private faultReply(fault: ActiveFault): Reply {
        const status = fault.status ?? 500;
        return { status, body: shapes.errorBody(status, `local-github: fault ${fault.id} injected`, "") };
    }

    private errorReply(e: unknown): Reply {
        if (e instanceof HttpError) return { status: e.status, body: shapes.errorBody(e.status, e.message, e.docs, e.errors) };
        return { status: 500, body: shapes.errorBody(500, `local-github: ${(e as Error).message}`, "") };
    }

    private send(res: http.ServerResponse, req: http.IncomingMessage, reply: Reply): void {
        const headers: Record<string, string> = {
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Request-Id": randomBytes(8).toString("hex").toUpperCase(),
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": "4999",
            "X-RateLimit-Reset": String(Math.floor(Date.now() / 1000) + 3600),
            "X-RateLimit-Used": "1",
            "X-RateLimit-Resource": "core",
            ...reply.headers,
        };
        if (reply.body === undefined) {
            res.writeHead(reply.status, headers);
            res.end();
            return;
        }
        const text = JSON.stringify(reply.body);
        if (req.method === "GET" && reply.status === 200) {
            const etag = `W/"${createHash("sha256").update(text).digest("hex")}"`;
            headers.ETag = etag;
            headers["Cache-Control"] = "private, max-age=60, s-maxage=60";
            headers.Vary = "Accept, Authorization, Cookie";
            const ifNoneMatch = req.headers["if-none-match"];
            if (ifNoneMatch && ifNoneMatch.split(",").some((t) => t.trim() === etag || t.trim() === etag.slice(2))) {
                res.writeHead(304, headers);
                res.end();
                return;
            }
        }
        headers["Content-Type"] = "application/json; charset=utf-8";
        headers["Content-Length"] = String(Buffer.byteLength(text));
        res.writeHead(reply.status, headers);
        res.end(text);
    }

    /** The user a request's token names; a 401 as GitHub words it otherwise. */
    private user(req: http.IncomingMessage): shapes.Account {
        const auth = req.headers.authorization;
        if (!auth) throw new HttpError(401, "Requires authentication", "overview/resources-in-the-rest-api#authentication");
        const m = /^(?:token|bearer)\s+(\S+)$/i.exec(auth);
        const user = m ? this.options.accounts.byToken.get(m[1]) : undefined;
        if (!user) throw new HttpError(401, "Bad credentials", "overview/resources-in-the-rest-api#authentication");
        return user;
    }

    private async control(req: http.IncomingMessage, method: string, url: URL): Promise<Reply> {
        const body = await readBody(req, 64 * 1024);
        this.user(req);
        const p = url.pathname;
        if (p === "/_local/health" && method === "GET") return { status: 200, body: { ok: true } };
        if (p === "/_local/requests" && method === "GET") return { status: 200, body: this.seen };
        if (p === "/_local/reset" && method === "POST") {
            const options = jsonObject(body);
            this.faults.clear();
            this.seen = [];
            if (optBool(options, "repositories")) await this.store.removeAll();
            return { status: 204 };
        }
        if (p === "/_local/faults") {
            if (method === "GET") return { status: 200, body: this.faults.list() };
            if (method === "DELETE") {
                this.faults.clear();
                return { status: 204 };
            }
            if (method === "POST") {
                try {
                    return { status: 201, body: this.faults.add(parseFaultRule(jsonObject(body))) };
                } catch (e) {
                    if (e instanceof HttpError) throw e;
                    throw new HttpError(422, (e as Error).message);
                }
            }
        }
        const one = /^\/_local\/faults\/([1-9][0-9]{0,8})$/.exec(p);
        if (one && method === "DELETE") {
            if (!this.faults.remove(Number(one[1]))) throw new HttpError(404, `no fault ${one[1]}`);
            return { status: 204 };
        }
        const secret = /^\/_local\/secrets\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(p);
        if (secret && method === "GET") {
            const [owner, name, secretName] = secret.slice(1).map(decodeURIComponent);
            const repo = await this.store.get(owner, name);
            const stored = isSecretName(secretName) ? repo?.secrets[secretName.toUpperCase()] : undefined;
            if (!repo || !stored) throw NOT_FOUND();
            const value = await openSealedBox(repo.secretsKey, stored.encryptedValue);
            return {
                status: 200,
                body: { name: secretName.toUpperCase(), value, keyId: stored.keyId, createdAt: stored.createdAt, updatedAt: stored.updatedAt },
            };
        }
        throw new HttpError(404, `no control endpoint ${method} ${p}`);
    }

    // ---- REST ----

    private async api(req: http.IncomingMessage, method: string, url: URL, body: Buffer): Promise<Reply> {
        const user = this.user(req);
        let segments: string[];
        try {
            segments = url.pathname.slice("/api/v3/".length).split("/").map(decodeURIComponent);
        } catch {
            throw NOT_FOUND();
        }
        if (segments[segments.length - 1] === "" && segments.length > 1) segments.pop();
        const [s0, s1, s2, s3] = segments;
        const route = `${method} ${segments.slice(0, 1).join("/")}`;
        if (method === "GET" && segments.length === 1 && s0 === "user") return this.getUser(user);
        if (route === "GET orgs" && segments.length === 2) return this.getOrg(s1);
        if (method === "POST" && segments.length === 2 && s0 === "user" && s1 === "repos") return this.createRepo(user, user, jsonObject(body));
        if (method === "POST" && segments.length === 3 && s0 === "orgs" && s2 === "repos") {
            const org = this.store.owner(s1);
            if (!org || org.type !== "Organization") throw NOT_FOUND();
            if (!canWrite(this.options.accounts, user, org))
                throw new HttpError(403, "You need admin access to the organization before adding a repository to it.");
            return this.createRepo(user, org, jsonObject(body));
        }
        if (s0 !== "repos" || segments.length < 3) throw NOT_FOUND();
        const repo = await this.repository(user, s1, s2);
        const rest = segments.slice(3);
        const write = method !== "GET" && method !== "HEAD";
        if (write && !canWrite(this.options.accounts, user, repo.record.owner)) throw new HttpError(403, "Resource not accessible by personal access token");
        if (rest.length === 0) {
            if (method === "GET") return this.repoReply(repo, 200);
            if (method === "PATCH") return this.editRepo(repo, jsonObject(body));
            if (method === "DELETE") {
                await this.store.remove(repo.record.owner.login, repo.record.name);
                return { status: 204 };
            }
        }
        const tail = rest.slice(1);
        switch (`${method} ${s3}${tail.length ? `/${tail[0]}` : ""}`) {
            case "GET git/ref":
                return this.getRef(repo, tail.slice(1).join("/"));
            case "POST git/refs":
                if (tail.length === 1) return this.createRef(repo, jsonObject(body));
                break;
            case "PATCH git/refs":
                return this.updateRef(repo, tail.slice(1).join("/"), jsonObject(body));
            case "DELETE git/refs":
                return this.deleteRef(repo, tail.slice(1).join("/"));
        }
        if (s3 === "branches" && method === "GET" && tail.length > 0) return this.getBranch(repo, tail.join("/"));
        if (s3 === "contents" && tail.length > 0) {
            const file = tail.join("/");
            if (!isFilePath(file)) throw NOT_FOUND("repos/contents/contents#get-repository-content");
            if (method === "GET") return this.getContents(repo, file, url.searchParams.get("ref"));
            if (method === "PUT") return this.putContents(user, repo, file, jsonObject(body));
            if (method === "DELETE") return this.deleteContents(user, repo, file, jsonObject(body));
        }
        if (s3 === "commits" && method === "GET" && tail.length === 1) return this.getCommit(repo, tail[0]);
        if (s3 === "commits" && method === "GET" && tail.length === 0) return this.listCommits(repo, url);
        if (s3 === "actions" && tail[0] === "secrets") {
            if (tail.length === 2 && tail[1] === "public-key" && method === "GET")
                return { status: 200, body: { key_id: repo.secretsKey.keyId, key: repo.secretsKey.publicKey } };
            if (tail.length === 2) return this.secret(repo, method, tail[1], jsonObject(body));
        }
        if (s3 === "vulnerability-alerts" && tail.length === 0) {
            if (method === "GET") throw NOT_FOUND("repos/repos#check-if-vulnerability-alerts-are-enabled-for-a-repository");
            if (method === "PUT" || method === "DELETE") return { status: 204 };
        }
        if (s3 === "topics" && tail.length === 0 && method === "PUT") return this.replaceTopics(repo, jsonObject(body));
        throw NOT_FOUND();
    }

    private async getUser(user: shapes.Account): Promise<Reply> {
        const owned = (await this.store.all()).filter((r) => r.record.owner.login === user.login).length;
        return { status: 200, body: shapes.privateUser(this.origin, user, owned, this.startedAt) };
    }

    private async getOrg(login: string): Promise<Reply> {
        const org = isLogin(login) ? this.store.owner(login) : undefined;
        if (!org || org.type !== "Organization") throw NOT_FOUND("orgs/orgs#get-an-organization");
        const owned = (await this.store.all()).filter((r) => r.record.owner.login === org.login).length;
        return { status: 200, body: shapes.organizationFull(this.origin, org, owned, this.startedAt) };
    }

    /** A repository the user may see; 404 as GitHub answers for one it may not. */
    private async repository(user: shapes.Account, owner: string, name: string): Promise<Repository> {
        const repo = await this.store.get(owner, name);
        if (!repo) throw NOT_FOUND("repos/repos#get-a-repository");
        if (repo.record.visibility !== "public" && !canWrite(this.options.accounts, user, repo.record.owner)) throw NOT_FOUND("repos/repos#get-a-repository");
        return repo;
    }

    private repoReply(repo: Repository, status: number): Reply {
        return { status, body: shapes.fullRepository(this.origin, repo.record, 0) };
    }

    private applySettings(record: Omit<shapes.RepositoryRecord, "id">, body: Record<string, unknown>): void {
        const description = optString(body, "description");
        if (description !== undefined) record.description = description;
        const homepage = optString(body, "homepage");
        if (homepage !== undefined) record.homepage = homepage;
        const visibility = optString(body, "visibility");
        const isPrivate = optBool(body, "private");
        if (visibility !== undefined) {
            if (visibility !== "public" && visibility !== "private" && visibility !== "internal")
                throw invalid("visibility", `For 'visibility', "${visibility}" is not one of public, private, internal.`);
            record.visibility = visibility;
        } else if (isPrivate !== undefined) record.visibility = isPrivate ? "private" : "public";
        const flags: [string, keyof shapes.RepositoryRecord][] = [
            ["has_issues", "hasIssues"],
            ["has_projects", "hasProjects"],
            ["has_wiki", "hasWiki"],
            ["has_downloads", "hasDownloads"],
            ["has_discussions", "hasDiscussions"],
            ["is_template", "isTemplate"],
            ["archived", "archived"],
            ["allow_merge_commit", "allowMergeCommit"],
            ["allow_squash_merge", "allowSquashMerge"],
            ["allow_rebase_merge", "allowRebaseMerge"],
            ["allow_auto_merge", "allowAutoMerge"],
            ["delete_branch_on_merge", "deleteBranchOnMerge"],
            ["allow_update_branch", "allowUpdateBranch"],
            ["web_commit_signoff_required", "webCommitSignoffRequired"],
        ];
        for (const [field, key] of flags) {
            const v = optBool(body, field);
            if (v !== undefined) (record as unknown as Record<string, unknown>)[key] = v;
        }
        record.updatedAt = shapes.timestamp(new Date());
    }

    private async createRepo(user: shapes.Account, owner: shapes.Account, body: Record<string, unknown>): Promise<Reply> {
        const name = optString(body, "name");
        if (name === undefined) throw invalid("name");
        if (!isRepositoryName(name))
            throw new HttpError(422, "Repository creation failed.", "repos/repos#create-a-repository-for-the-authenticated-user", [
                { resource: "Repository", code: "custom", field: "name", message: "name is not a valid repository name (letters, digits, . - _, at most 100)" },
            ]);
        const now = shapes.timestamp(new Date());
        const record: Omit<shapes.RepositoryRecord, "id"> = {
            owner,
            name,
            description: null,
            homepage: null,
            visibility: "public",
            hasIssues: true,
            hasProjects: true,
            hasWiki: true,
            hasDownloads: true,
            hasDiscussions: false,
            isTemplate: false,
            archived: false,
            allowMergeCommit: true,
            allowSquashMerge: true,
            allowRebaseMerge: true,
            allowAutoMerge: false,
            deleteBranchOnMerge: false,
            allowUpdateBranch: false,
            webCommitSignoffRequired: false,
            defaultBranch: "main",
            topics: [],
            createdAt: now,
            updatedAt: now,
            pushedAt: now,
        };
        this.applySettings(record, body);
        const repo = await this.store.create(record);
        if (!repo)
            throw new HttpError(422, "Repository creation failed.", "repos/repos#create-a-repository-for-the-authenticated-user", [
                { resource: "Repository", code: "custom", field: "name", message: "name already exists on this account" },
            ]);
        if (optBool(body, "auto_init")) {
            const person = this.person(user, undefined, "author");
            const readme = `# ${name}\n${record.description ? `\n${record.description}\n` : ""}`;
            await repo.git.commitFile(record.defaultBranch, undefined, "README.md", Buffer.from(readme), {
                message: "Initial commit",
                author: person,
                committer: person,
            });
        }
        return { ...this.repoReply(repo, 201), headers: { Location: `${this.origin}/api/v3/repos/${owner.login}/${name}` } };
    }

    private async editRepo(repo: Repository, body: Record<string, unknown>): Promise<Reply> {
        const rename = optString(body, "name");
        if (rename !== undefined && rename !== repo.record.name) throw invalid("name", "local-github does not rename repositories.");
        const defaultBranch = optString(body, "default_branch");
        if (defaultBranch !== undefined && defaultBranch !== repo.record.defaultBranch) {
            const branches = await repo.git.branches();
            // An empty repository takes any name (its first push creates the branch), as GitHub allows.
            if (branches.length > 0 && !branches.includes(defaultBranch)) throw invalid("default_branch", `The branch ${defaultBranch} was not found.`);
        }
        const updated = await this.store.update(repo.record.owner.login, repo.record.name, (r) => {
            this.applySettings(r.record, body);
            if (defaultBranch !== undefined) r.record.defaultBranch = defaultBranch;
        });
        if (!updated) throw NOT_FOUND();
        return this.repoReply(updated.repo, 200);
    }

    private async replaceTopics(repo: Repository, body: Record<string, unknown>): Promise<Reply> {
        const names = body.names;
        if (!Array.isArray(names) || !names.every((n) => typeof n === "string" && /^[a-z0-9][a-z0-9-]{0,49}$/.test(n)))
            throw invalid("names", "topics must be lower-case letters, digits and hyphens, at most 50 characters");
        await this.store.update(repo.record.owner.login, repo.record.name, (r) => {
            r.record.topics = names as string[];
        });
        return { status: 200, body: { names } };
    }

    // ---- refs and branches ----

    private fullRef(ref: string): string {
        const full = `refs/${ref}`;
        if (!/^(heads|tags)\//.test(ref) || !isBranchName(ref.replace(/^(heads|tags)\//, ""))) throw NOT_FOUND("git/refs#get-a-reference");
        return full;
    }

    private async getRef(repo: Repository, ref: string): Promise<Reply> {
        const full = this.fullRef(ref);
        const sha = await repo.git.commitSha(full);
        if (!sha) throw NOT_FOUND("git/refs#get-a-reference");
        return { status: 200, body: shapes.gitRef(this.origin, repo.record, full, sha) };
    }

    private async createRef(repo: Repository, body: Record<string, unknown>): Promise<Reply> {
        const ref = optString(body, "ref");
        const sha = optString(body, "sha");
        if (ref === undefined) throw invalid("ref");
        if (sha === undefined) throw invalid("sha");
        if (!/^refs\/(heads|tags)\//.test(ref) || !isBranchName(ref.replace(/^refs\/(heads|tags)\//, "")))
            throw new HttpError(422, "Reference name is not valid", "git/refs#create-a-reference");
        const commit = isObjectName(sha) ? await repo.git.commitSha(sha) : undefined;
        if (!commit || commit.length !== 40 || commit !== sha) throw new HttpError(422, "Object does not exist", "git/refs#create-a-reference");
        if (!(await repo.git.moveRef(ref, commit, undefined))) throw new HttpError(422, "Reference already exists", "git/refs#create-a-reference");
        const url = `${this.origin}/api/v3/repos/${repo.record.owner.login}/${repo.record.name}/git/${ref}`;
        return { status: 201, body: shapes.gitRef(this.origin, repo.record, ref, commit), headers: { Location: url } };
    }

    private async updateRef(repo: Repository, ref: string, body: Record<string, unknown>): Promise<Reply> {
        const full = this.fullRef(ref);
        const sha = optString(body, "sha");
        if (sha === undefined) throw invalid("sha");
        const force = optBool(body, "force") ?? false;
        const old = await repo.git.commitSha(full);
        if (!old) throw new HttpError(422, "Reference does not exist", "git/refs#update-a-reference");
        const commit = isObjectName(sha) ? await repo.git.commitSha(sha) : undefined;
        if (!commit || commit !== sha) throw new HttpError(422, "Object does not exist", "git/refs#update-a-reference");
        if (!force) {
            const base = await repo.git.text(["merge-base", old, commit]).catch(() => "");
            if (base !== old) throw new HttpError(422, "Update is not a fast forward", "git/refs#update-a-reference");
        }
        if (!(await repo.git.moveRef(full, commit, old))) throw new HttpError(409, `Reference ${full} moved meanwhile`, "git/refs#update-a-reference");
        return { status: 200, body: shapes.gitRef(this.origin, repo.record, full, commit) };
    }

    private async deleteRef(repo: Repository, ref: string): Promise<Reply> {
        const full = this.fullRef(ref);
        const old = await repo.git.commitSha(full);
        if (!old || !(await repo.git.moveRef(full, "", old))) throw new HttpError(422, "Reference does not exist", "git/refs#delete-a-reference");
        return { status: 204 };
    }

    private async commitBody(repo: Repository, sha: string): Promise<Record<string, unknown>> {
        const info = await repo.git.commit(sha);
        const changed = await repo.git.changedFiles(info);
        const files: shapes.ChangedFile[] = [];
        for (const f of changed) {
            const entry = f.status === "D" ? undefined : await repo.git.entry(sha, f.path);
            files.push({ status: f.status, path: f.path, sha: entry?.sha ?? "0".repeat(40) });
        }
        return shapes.commit(this.origin, repo.record, info, files);
    }

    private async getBranch(repo: Repository, branch: string): Promise<Reply> {
        const head = isBranchName(branch) ? await repo.git.branchHead(branch) : undefined;
        if (!head) throw new HttpError(404, "Branch not found", "branches/branches#get-a-branch");
        return { status: 200, body: shapes.branchWithProtection(this.origin, repo.record, branch, await this.commitBody(repo, head)) };
    }

    private async getCommit(repo: Repository, ref: string): Promise<Reply> {
        const sha = isObjectName(ref) ? await repo.git.commitSha(ref) : isBranchName(ref) ? await repo.git.branchHead(ref) : undefined;
        if (!sha) throw new HttpError(422, `No commit found for SHA: ${ref}`, "commits/commits#get-a-commit");
        return { status: 200, body: await this.commitBody(repo, sha) };
    }

    /** `GET .../commits?sha=&path=&per_page=&page=`: newest first, one page at a time with GitHub's `Link` header. */
    private async listCommits(repo: Repository, url: URL): Promise<Reply> {
        const q = url.searchParams;
        const perPage = Number(q.get("per_page") ?? 30);
        const page = Number(q.get("page") ?? 1);
        if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw invalid("per_page", "per_page must be 1 to 100.");
        if (!Number.isInteger(page) || page < 1 || page > 10_000) throw invalid("page", "page must be 1 to 10000.");
        const file = q.get("path");
        if (file !== null && !isFilePath(file)) return { status: 200, body: [] };
        if ((await repo.git.branches()).length === 0) throw new HttpError(409, "Git Repository is empty.", "commits/commits#list-commits");
        const start = await this.resolveRef(repo, q.get("sha"));
        const args = ["rev-list", `--max-count=${perPage + 1}`, `--skip=${(page - 1) * perPage}`, start.sha, ...(file ? ["--", file] : [])];
        const shas = (await repo.git.text(args)).split("\n").filter((x) => x.length > 0);
        const body = [];
        for (const sha of shas.slice(0, perPage)) body.push(await this.commitBody(repo, sha));
        const headers: Record<string, string> = {};
        if (shas.length > perPage) {
            const next = new URL(`${this.origin}${url.pathname}${url.search}`);
            next.searchParams.set("page", String(page + 1));
            headers.Link = `<${next.toString()}>; rel="next"`;
        }
        return { status: 200, body, headers };
    }

    // ---- contents ----

    /** The commit a `ref` names: a branch, a tag or a commit sha; the default branch when absent. */
    private async resolveRef(repo: Repository, ref: string | null): Promise<{ name: string; sha: string }> {
        const name = ref ?? repo.record.defaultBranch;
        if ((await repo.git.branches()).length === 0) throw new HttpError(404, "This repository is empty.", "repos/contents#get-repository-content");
        let sha: string | undefined;
        if (isBranchName(name)) sha = (await repo.git.branchHead(name)) ?? (await repo.git.commitSha(`refs/tags/${name}`));
        if (!sha && isObjectName(name)) sha = await repo.git.commitSha(name);
        if (!sha) throw new HttpError(404, `No commit found for the ref ${name}`, "repos/contents#get-repository-content");
        return { name, sha };
    }

    private async getContents(repo: Repository, file: string, ref: string | null): Promise<Reply> {
        const at = await this.resolveRef(repo, ref);
        const entry = await repo.git.entry(at.sha, file);
        if (!entry) throw NOT_FOUND("repos/contents#get-repository-content");
        if (entry.type !== "blob")
            throw new HttpError(404, "local-github serves files only (no directories, symlinks or submodules)", "repos/contents#get-repository-content");
        const content = await repo.git.blob(entry.sha);
        return { status: 200, body: shapes.contentFile(this.origin, repo.record, file, entry.sha, at.name, content) };
    }

    /** The author or committer of a contents write: as given, else the authenticated user. */
    private person(user: shapes.Account, given: unknown, field: string): Person {
        const now = Math.floor(Date.now() / 1000);
        if (given === undefined || given === null)
            return { name: user.name ?? user.login, email: user.email ?? `${user.id}+${user.login}@users.noreply.local`, time: now };
        if (typeof given !== "object") throw invalid(field, `For '${field}', ${JSON.stringify(given)} is not an object.`);
        const g = given as Record<string, unknown>;
        const name = optString(g, "name");
        const email = optString(g, "email");
        if (!name || !email) throw invalid(field, `"${field}" needs both "name" and "email".`);
        if (/[<>\n\0]/.test(name) || /[<>\n\0\s]/.test(email)) throw invalid(field, `"${field}" has a name or email git cannot record.`);
        const date = optString(g, "date");
        const time = date === undefined ? now : Math.floor(Date.parse(date) / 1000);
        if (!Number.isFinite(time)) throw invalid(field, `For '${field}.date', ${JSON.stringify(date)} is not an ISO 8601 date.`);
        return { name, email, time };
    }

    private writeRequest(user: shapes.Account, body: Record<string, unknown>, defaultMessage?: string) {
        const message = optString(body, "message") ?? defaultMessage;
        if (message === undefined) throw invalid("message");
        const committer = this.person(user, body.committer, "committer");
        const author = body.author === undefined || body.author === null ? committer : this.person(user, body.author, "author");
        return { message, author, committer };
    }

    private async putContents(user: shapes.Account, repo: Repository, file: string, body: Record<string, unknown>): Promise<Reply> {
        const content64 = optString(body, "content");
        const request = this.writeRequest(user, body);
        if (content64 === undefined) throw invalid("content");
        if (!/^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/.test(content64)) throw invalid("content", "content is not valid Base64");
        const content = Buffer.from(content64, "base64");
        const sha = optString(body, "sha");
        const branches = await repo.git.branches();
        const branch = optString(body, "branch") ?? repo.record.defaultBranch;
        if (!isBranchName(branch)) throw new HttpError(422, `Branch ${branch} is not a valid branch name`, "repos/contents#create-or-update-file-contents");
        const head = await repo.git.branchHead(branch);
        // The first file of an empty repository creates its branch; otherwise the branch must exist.
        if (!head && branches.length > 0) throw new HttpError(404, `Branch ${branch} not found`, "repos/contents#create-or-update-file-contents");
        const existing = head ? await repo.git.entry(head, file) : undefined;
        if (existing && existing.type !== "blob") throw new HttpError(422, `${file} is a directory`, "repos/contents#create-or-update-file-contents");
        if (existing && sha === undefined) throw invalid("sha");
        if (sha !== undefined && sha !== existing?.sha)
            throw new HttpError(409, `${file} does not match ${sha}`, "repos/contents#create-or-update-file-contents");
        const commit = await repo.git.commitFile(branch, head, file, content, request);
        if (!commit)
            throw new HttpError(
                409,
                `is at another commit than ${head ?? "nothing"}: ${branch} moved while this write was made`,
                "repos/contents#create-or-update-file-contents",
            );
        await this.touch(repo);
        const blob = await repo.git.entry(commit, file);
        const info = await repo.git.commit(commit);
        return {
            status: existing ? 200 : 201,
            body: shapes.fileCommit(this.origin, repo.record, file, { sha: blob?.sha ?? "", size: content.length }, branch, info),
        };
    }

    private async deleteContents(user: shapes.Account, repo: Repository, file: string, body: Record<string, unknown>): Promise<Reply> {
        const request = this.writeRequest(user, body);
        const sha = optString(body, "sha");
        if (sha === undefined) throw invalid("sha");
        const branch = optString(body, "branch") ?? repo.record.defaultBranch;
        const head = isBranchName(branch) ? await repo.git.branchHead(branch) : undefined;
        if (!head) throw new HttpError(404, `Branch ${branch} not found`, "repos/contents#delete-a-file");
        const existing = await repo.git.entry(head, file);
        if (!existing || existing.type !== "blob") throw NOT_FOUND("repos/contents#delete-a-file");
        if (existing.sha !== sha) throw new HttpError(409, `${file} does not match ${sha}`, "repos/contents#delete-a-file");
        const commit = await repo.git.commitFile(branch, head, file, null, request);
        if (!commit) throw new HttpError(409, `${branch} moved while this delete was made`, "repos/contents#delete-a-file");
        await this.touch(repo);
        return { status: 200, body: shapes.fileCommit(this.origin, repo.record, file, null, branch, await repo.git.commit(commit)) };
    }

    private async touch(repo: Repository): Promise<void> {
        await this.store.update(repo.record.owner.login, repo.record.name, (r) => {
            r.record.pushedAt = shapes.timestamp(new Date());
        });
    }

    // ---- Actions secrets ----

    private async secret(repo: Repository, method: string, rawName: string, body: Record<string, unknown>): Promise<Reply> {
        if (!isSecretName(rawName)) throw NOT_FOUND("actions/secrets#get-a-repository-secret");
        const name = rawName.toUpperCase();
        const { owner, name: repoName } = { owner: repo.record.owner.login, name: repo.record.name };
        if (method === "GET") {
            const s = repo.secrets[name];
            if (!s) throw NOT_FOUND("actions/secrets#get-a-repository-secret");
            return { status: 200, body: { name, created_at: s.createdAt, updated_at: s.updatedAt } };
        }
        if (method === "DELETE") {
            const done = await this.store.update(owner, repoName, (r) => {
                const had = name in r.secrets;
                delete r.secrets[name];
                return had;
            });
            if (!done?.result) throw NOT_FOUND("actions/secrets#delete-a-repository-secret");
            return { status: 204 };
        }
        if (method !== "PUT") throw NOT_FOUND();
        const encryptedValue = optString(body, "encrypted_value");
        const keyId = optString(body, "key_id");
        if (encryptedValue === undefined) throw invalid("encrypted_value");
        if (keyId === undefined) throw invalid("key_id");
        if (keyId !== repo.secretsKey.keyId)
            throw new HttpError(422, "Bad request: key_id is not this repository's current public key", "actions/secrets#create-or-update-a-repository-secret");
        if (Buffer.byteLength(encryptedValue) > 64 * 1024 || !(await isSealedBox(encryptedValue)))
            throw new HttpError(
                422,
                "Bad request: encrypted_value is not a base64 sealed box (at most 48 KB)",
                "actions/secrets#create-or-update-a-repository-secret",
            );
        const now = shapes.timestamp(new Date());
        const done = await this.store.update(owner, repoName, (r) => {
            const created = !(name in r.secrets);
            r.secrets[name] = { encryptedValue, keyId, createdAt: r.secrets[name]?.createdAt ?? now, updatedAt: now };
            return created;
        });
        if (!done) throw NOT_FOUND();
        return done.result ? { status: 201, body: {} } : { status: 204 };
    }

    // ---- git smart HTTP ----

    /** Hands a smart-HTTP request to `git http-backend` (CGI): clone and fetch for anyone who may read, push for writers. */
    private smartHttp(req: http.IncomingMessage, res: http.ServerResponse, owner: string, name: string, service: string, url: URL): void {
        const fail = (status: number, message: string, headers: Record<string, string> = {}) => {
            req.resume();
            res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...headers });
            res.end(`${message}\n`);
        };
        let user: shapes.Account | undefined;
        const auth = req.headers.authorization;
        if (auth) {
            const basic = /^basic\s+(\S+)$/i.exec(auth);
            const password = basic
                ? Buffer.from(basic[1], "base64")
                      .toString("utf8")
                      .replace(/^[^:]*:/, "")
                : /^(?:token|bearer)\s+(\S+)$/i.exec(auth)?.[1];
            user = password ? this.options.accounts.byToken.get(password) : undefined;
            if (!user) return fail(401, "Invalid username or token.", { "WWW-Authenticate": 'Basic realm="GitHub"' });
        }
        const pushing = service === "git-receive-pack" || url.searchParams.get("service") === "git-receive-pack";
        if (!isLogin(owner) || !isRepositoryName(name)) return fail(404, "Repository not found.");
        void this.store.get(owner, name).then(
            (repo) => {
                const visible = repo && (repo.record.visibility === "public" || (user && canWrite(this.options.accounts, user, repo.record.owner)));
                if (!repo || (!visible && !user)) {
                    if (repo && !user) return fail(401, "Authentication required.", { "WWW-Authenticate": 'Basic realm="GitHub"' });
                    return fail(404, "Repository not found.");
                }
                if (!visible) return fail(404, "Repository not found.");
                if (pushing && !user) return fail(401, "Authentication required.", { "WWW-Authenticate": 'Basic realm="GitHub"' });
                if (pushing && !canWrite(this.options.accounts, user!, repo.record.owner)) return fail(403, "Permission denied.");
                this.cgi(req, res, repo, service, url, user, pushing);
            },
            () => fail(500, "local-github: could not read the repository"),
        );
    }

    private cgi(
        req: http.IncomingMessage,
        res: http.ServerResponse,
        repo: Repository,
        service: string,
        url: URL,
        user: shapes.Account | undefined,
        pushing: boolean,
    ): void {
        const rel = `/${repo.record.owner.login.toLowerCase()}/${repo.record.name.toLowerCase()}.git/${service}`;
        const env: Record<string, string> = {
            PATH: process.env.PATH ?? "/usr/bin:/bin",
            GIT_PROJECT_ROOT: this.store.reposRoot,
            GIT_HTTP_EXPORT_ALL: "1",
            GIT_CONFIG_NOSYSTEM: "1",
            HOME: repo.git.gitDir,
            PATH_INFO: rel,
            REQUEST_METHOD: req.method ?? "GET",
            QUERY_STRING: url.search.replace(/^\?/, ""),
            CONTENT_TYPE: req.headers["content-type"] ?? "",
            REMOTE_ADDR: req.socket.remoteAddress ?? "",
        };
        if (user && pushing) env.REMOTE_USER = user.login;
        if (req.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = req.headers["content-encoding"];
        if (typeof req.headers["git-protocol"] === "string") env.GIT_PROTOCOL = req.headers["git-protocol"];
        if (req.headers["content-length"]) env.CONTENT_LENGTH = req.headers["content-length"];
        const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
        const limit = this.options.pushLimit ?? 200 * 1024 * 1024;
        let received = 0;
        req.on("data", (c: Buffer) => {
            received += c.length;
            if (received > limit) {
                child.kill();
                req.destroy();
            }
        });
        req.pipe(child.stdin);
        child.stdin.on("error", () => undefined);
        child.stderr.resume();
        let head = Buffer.alloc(0);
        let started = false;
        child.stdout.on("data", (chunk: Buffer) => {
            if (started) {
                res.write(chunk);
                return;
            }
            head = Buffer.concat([head, chunk]);
            const end = head.indexOf("\r\n\r\n");
            if (end < 0) {
                if (head.length > HEADER_LIMIT) child.kill();
                return;
            }
            started = true;
            let status = 200;
            const headers: Record<string, string> = {};
            for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
                const colon = line.indexOf(":");
                const key = line.slice(0, colon).trim();
                const value = line.slice(colon + 1).trim();
                if (key.toLowerCase() === "status") status = Number(value.split(" ")[0]) || 500;
                else if (key) headers[key] = value;
            }
            res.writeHead(status, headers);
            res.write(head.subarray(end + 4));
        });
        child.on("close", (code) => {
            if (!started) {
                if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
                res.end(`git http-backend exited ${code}\n`);
            } else res.end();
            if (pushing && code === 0) void this.touch(repo);
        });
    }
}
