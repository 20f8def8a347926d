import { promises as fs } from "fs";
import * as path from "path";
import type { Accounts } from "./accounts";
import { BareRepository } from "./git";
import { isLogin, isRepositoryName } from "./names";
import { newSecretsKey, SecretsKey, StoredSecret } from "./secrets";
import type { Account, RepositoryRecord } from "./shapes";

/** What is kept beside each bare repository (`<repo>.git/local-github.json`): settings, the Actions key and secrets. */
interface RepositoryMeta {
    record: Omit<RepositoryRecord, "owner"> & { owner: string };
    secretsKey: SecretsKey;
    secrets: Record<string, StoredSecret>;
}

const META = "local-github.json";

export interface Repository {
    record: RepositoryRecord;
    git: BareRepository;
    secretsKey: SecretsKey;
    secrets: Record<string, StoredSecret>;
}

/**
 * The repositories under `<dataDir>/repos/<owner>/<name>.git`, owner and name lower-cased as GitHub matches them.
 * Directory names come only from names that passed `isLogin` / `isRepositoryName`, so none leaves the data dir.
 */
export class Store {
    private nextId = 1;
    /** Meta writes of one repository, one after another. */
    private chains = new Map<string, Promise<unknown>>();

    constructor(
        readonly dataDir: string,
        readonly accounts: Accounts,
    ) {}

    get reposRoot(): string {
        return path.join(this.dataDir, "repos");
    }

    gitDir(owner: string, name: string): string {
        if (!isLogin(owner) || !isRepositoryName(name)) throw new Error(`not a repository name: ${owner}/${name}`);
        return path.join(this.reposRoot, owner.toLowerCase(), `${name.toLowerCase()}.git`);
    }

    async open(): Promise<void> {
        await fs.mkdir(this.reposRoot, { recursive: true });
        for (const r of await this.all()) this.nextId = Math.max(this.nextId, r.record.id + 1);
    }

    async all(): Promise<Repository[]> {
        const found: Repository[] = [];
        for (const owner of await fs.readdir(this.reposRoot).catch(() => [])) {
            if (!isLogin(owner)) continue;
            for (const dir of await fs.readdir(path.join(this.reposRoot, owner)).catch(() => [])) {
                const name = dir.replace(/\.git$/, "");
                const repo = dir.endsWith(".git") && isRepositoryName(name) ? await this.get(owner, name) : undefined;
                if (repo) found.push(repo);
            }
        }
        return found;
    }

    owner(login: string): Account | undefined {
        return this.accounts.byLogin.get(login.toLowerCase());
    }

    async get(owner: string, name: string): Promise<Repository | undefined> {
        if (!isLogin(owner) || !isRepositoryName(name)) return undefined;
        const gitDir = this.gitDir(owner, name);
        let meta: RepositoryMeta;
        try {
            meta = JSON.parse(await fs.readFile(path.join(gitDir, META), "utf8")) as RepositoryMeta;
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
            throw e;
        }
        const account = this.owner(meta.record.owner);
        if (!account) return undefined;
        return { record: { ...meta.record, owner: account }, git: new BareRepository(gitDir), secretsKey: meta.secretsKey, secrets: meta.secrets };
    }

    /** Creates the bare repository and its meta; undefined when the owner already has a repository by that name. */
    async create(record: Omit<RepositoryRecord, "id">): Promise<Repository | undefined> {
        const gitDir = this.gitDir(record.owner.login, record.name);
        try {
            await fs.mkdir(path.dirname(gitDir), { recursive: true });
            await fs.mkdir(gitDir);
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code === "EEXIST") return undefined;
            throw e;
        }
        const git = await BareRepository.init(gitDir, record.defaultBranch);
        const repo: Repository = { record: { ...record, id: this.nextId++ }, git, secretsKey: await newSecretsKey(), secrets: {} };
        await this.save(repo);
        return repo;
    }

    /** Writes a repository's meta atomically (a whole new file renamed over the old). */
    async save(repo: Repository): Promise<void> {
        const meta: RepositoryMeta = { record: { ...repo.record, owner: repo.record.owner.login }, secretsKey: repo.secretsKey, secrets: repo.secrets };
        const file = path.join(repo.git.gitDir, META);
        const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
        await fs.writeFile(tmp, JSON.stringify(meta, null, 2), { mode: 0o600 });
        await fs.rename(tmp, file);
    }

    /** Runs `change` on a fresh read of the repository and saves it, one change at a time per repository. */
    async update<T>(owner: string, name: string, change: (repo: Repository) => T | Promise<T>): Promise<{ repo: Repository; result: T } | undefined> {
        const key = this.gitDir(owner, name);
        const previous = this.chains.get(key) ?? Promise.resolve();
        const next = previous.then(async () => {
            const repo = await this.get(owner, name);
            if (!repo) return undefined;
            const result = await change(repo);
            await this.save(repo);
            return { repo, result };
        });
        this.chains.set(
            key,
            next.catch(() => undefined),
        );
        return next;
    }

    async remove(owner: string, name: string): Promise<void> {
        await fs.rm(this.gitDir(owner, name), { recursive: true, force: true });
    }

    async removeAll(): Promise<void> {
        await fs.rm(this.reposRoot, { recursive: true, force: true });
        await fs.mkdir(this.reposRoot, { recursive: true });
    }
}
