/**
 * A typed client of local-github's control API (`/_local/...`), for tests and scripts. It speaks HTTP to a running
 * server, in this process or another.
 */
import type { ActiveFault, FaultRule } from "./faults";
import type { SeenRequest } from "./server";

export interface OpenedSecret {
    name: string;
    value: string;
    keyId: string;
    createdAt: string;
    updatedAt: string;
}

export class LocalGitHubClient {
    constructor(
        readonly origin: string,
        private readonly token: string,
    ) {}

    /** The `github:baseUrl` a Pulumi stack is given to reach this server. */
    get baseUrl(): string {
        return `${this.origin}/`;
    }

    private async call(method: string, path: string, body?: unknown): Promise<unknown> {
        const res = await fetch(`${this.origin}${path}`, {
            method,
            headers: { Authorization: `token ${this.token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`local-github ${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
        return text ? JSON.parse(text) : undefined;
    }

    /** Forgets faults and the request log; with `repositories`, deletes every repository too. */
    async reset(options: { repositories?: boolean } = {}): Promise<void> {
        await this.call("POST", "/_local/reset", options);
    }

    async addFault(rule: FaultRule): Promise<ActiveFault> {
        return (await this.call("POST", "/_local/faults", rule)) as ActiveFault;
    }

    async faults(): Promise<ActiveFault[]> {
        return (await this.call("GET", "/_local/faults")) as ActiveFault[];
    }

    async clearFaults(): Promise<void> {
        await this.call("DELETE", "/_local/faults");
    }

    /** Removes one fault, leaving those other clients (another test run on the same server) added. */
    async removeFault(id: number): Promise<void> {
        await this.call("DELETE", `/_local/faults/${id}`);
    }

    /** REST and git requests seen since the last reset (control requests are not listed), oldest first. */
    async requests(): Promise<SeenRequest[]> {
        return (await this.call("GET", "/_local/requests")) as SeenRequest[];
    }

    /** An Actions secret opened with the repository's private key: what the client sealed. */
    async secret(owner: string, repository: string, name: string): Promise<OpenedSecret> {
        return (await this.call(
            "GET",
            `/_local/secrets/${encodeURIComponent(owner)}/${encodeURIComponent(repository)}/${encodeURIComponent(name)}`,
        )) as OpenedSecret;
    }
}
