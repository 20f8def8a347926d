import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parseAccounts } from "../../services/local-github/accounts";
import { LocalGitHubClient } from "../../services/local-github/client";
import { LocalGitHub } from "../../services/local-github/server";
import { checkResponse } from "./openapi";

const TOKEN = "test-token-0123456789";
export const OTHER_TOKEN = "other-token-0123456789";
export const USER = "uw3-bot";
export const ORG = "underworld-community";

export interface Answer {
    status: number;
    headers: Headers;
    body: any;
}

/**
 * The statuses GitHub's description leaves out of an operation that GitHub really answers there (most operations list
 * no 401, the secrets' GET no 404, ...). Their bodies are still checked as basic-error; any other undocumented status
 * fails the request's test as a drift.
 */
const KNOWN_UNDOCUMENTED = new Set([
    "GET /user 401",
    "GET /repos/{owner}/{repo} 304",
    "GET /repos/{owner}/{repo}/actions/secrets/{secret_name} 404",
    "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name} 422",
    "POST /orgs/{org}/repos 422",
    "GET /repos/{owner}/{repo}/git/ref/{ref} 404",
    "PUT /repos/{owner}/{repo}/contents/{path} 403",
    "PUT /repos/{owner}/{repo}/contents/{path} 413",
    "GET /repos/{owner}/{repo}/contents/{path} 404",
]);

/** A local-github on a free loopback port with a fresh data dir; `api` checks every answer against GitHub's description. */
export class Fixture {
    server!: LocalGitHub;
    client!: LocalGitHubClient;
    dir = "";

    async start(options: { bodyLimit?: number } = {}): Promise<void> {
        this.dir = mkdtempSync(path.join(tmpdir(), "local-github-"));
        const accounts = parseAccounts(
            {
                users: [
                    { login: USER, token: TOKEN, name: "UW3 Bot", email: "bot@example.org" },
                    { login: "someone-else", token: OTHER_TOKEN },
                ],
                orgs: [{ login: ORG, members: [USER] }],
            },
            "test accounts",
        );
        this.server = new LocalGitHub({ dataDir: path.join(this.dir, "data"), accounts, port: 0, ...options });
        const origin = await this.server.start();
        this.client = new LocalGitHubClient(origin, TOKEN);
    }

    async stop(): Promise<void> {
        await this.server.stop();
        rmSync(this.dir, { recursive: true, force: true });
    }

    get origin(): string {
        return this.server.origin;
    }

    /** Operations answered through `api`, as `METHOD /template`, for a test that walks a sequence of calls. */
    operations: string[] = [];

    /** A REST call under /api/v3 whose answer must match GitHub's OpenAPI description (unless `check` is false: a fault's). */
    async api(method: string, apiPath: string, body?: unknown, headers: Record<string, string> = {}, check = true): Promise<Answer> {
        const res = await fetch(`${this.origin}/api/v3${apiPath}`, {
            method,
            headers: {
                Authorization: `token ${TOKEN}`,
                Accept: "application/vnd.github+json",
                ...headers,
                ...(body === undefined ? {} : { "Content-Type": "application/json" }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        const parsed = text ? JSON.parse(text) : undefined;
        if (check) {
            const checked = checkResponse(method, apiPath.replace(/\?.*$/, ""), res.status, parsed);
            const call = `${method} ${checked.operation}`;
            if (!checked.documented && !KNOWN_UNDOCUMENTED.has(`${call} ${res.status}`))
                throw new Error(`${call} answered ${res.status}, which GitHub does not document there`);
            this.operations.push(call);
        }
        return { status: res.status, headers: res.headers, body: parsed };
    }

    /** Creates `ORG/name` with a first commit on `main`, as the launcher's Repository resource does. */
    async repository(name: string): Promise<Answer> {
        return this.api("POST", `/orgs/${ORG}/repos`, {
            name,
            description: "a launcher",
            visibility: "public",
            auto_init: true,
            has_issues: false,
            has_wiki: false,
        });
    }

    async put(repo: string, file: string, content: string, extra: Record<string, unknown> = {}): Promise<Answer> {
        return this.api("PUT", `/repos/${ORG}/${repo}/contents/${file}`, {
            message: `write ${file}`,
            content: Buffer.from(content).toString("base64"),
            committer: { name: "UW3 Bot", email: "bot@example.org" },
            author: { name: "UW3 Bot", email: "bot@example.org" },
            ...extra,
        });
    }
}
