import { isLogin } from "./names";
import type { Account } from "./shapes";

/**
 * Who exists and who may log in, read from a JSON file (`--accounts FILE`):
 *
 *     { "users": [{ "login": "uw3-bot", "token": "…", "name": "UW3 bot", "email": "bot@example.org" }],
 *       "orgs":  [{ "login": "underworld-community", "members": ["uw3-bot"] }] }
 *
 * A token authenticates its user (`Authorization: token T` or `Bearer T`, or the password of HTTP basic auth for
 * git). A user may write to its own repositories and to those of the organizations it is a member of.
 */
export interface AccountsFile {
    users: { login: string; token: string; name?: string; email?: string }[];
    orgs?: { login: string; members: string[] }[];
}

export interface Accounts {
    byLogin: Map<string, Account>;
    byToken: Map<string, Account>;
    /** Lower-case org login -> lower-case member logins. */
    members: Map<string, Set<string>>;
}

/** Checks an accounts file's content; throws one line naming what was wrong and what was expected. */
export function parseAccounts(raw: unknown, source: string): Accounts {
    const fail = (what: string): never => {
        throw new Error(`${source}: ${what}`);
    };
    if (typeof raw !== "object" || raw === null || !Array.isArray((raw as AccountsFile).users))
        fail('expected an object with "users": [{ "login", "token" }] and optional "orgs": [{ "login", "members" }]');
    const file = raw as AccountsFile;
    const accounts: Accounts = { byLogin: new Map(), byToken: new Map(), members: new Map() };
    let id = 1000;
    const add = (login: unknown, type: Account["type"], where: string, extra: { name?: unknown; email?: unknown }): Account => {
        if (typeof login !== "string" || !isLogin(login))
            fail(`${where}.login must be a GitHub login (letters, digits, inner hyphens, at most 39), got ${JSON.stringify(login)}`);
        const key = (login as string).toLowerCase();
        if (accounts.byLogin.has(key)) fail(`${where}.login ${JSON.stringify(login)} is given twice`);
        for (const f of ["name", "email"] as const) if (extra[f] !== undefined && typeof extra[f] !== "string") fail(`${where}.${f} must be a string`);
        const account: Account = {
            login: login as string,
            id: ++id,
            type,
            ...(extra.name ? { name: extra.name as string } : {}),
            ...(extra.email ? { email: extra.email as string } : {}),
        };
        accounts.byLogin.set(key, account);
        return account;
    };
    file.users.forEach((u, i) => {
        const where = `users[${i}]`;
        if (typeof u !== "object" || u === null) fail(`${where} must be an object`);
        const account = add(u.login, "User", where, u);
        if (typeof u.token !== "string" || !/^[\x21-\x7e]{8,255}$/.test(u.token)) fail(`${where}.token must be 8 to 255 printable ASCII characters`);
        if (accounts.byToken.has(u.token)) fail(`${where}.token is also another user's token`);
        accounts.byToken.set(u.token, account);
    });
    (file.orgs ?? []).forEach((o, i) => {
        const where = `orgs[${i}]`;
        if (typeof o !== "object" || o === null || !Array.isArray(o.members)) fail(`${where} must be an object with "login" and "members": [user logins]`);
        add(o.login, "Organization", where, {});
        const members = new Set<string>();
        for (const m of o.members) {
            if (typeof m !== "string" || accounts.byLogin.get(m.toLowerCase())?.type !== "User")
                fail(`${where}.members: ${JSON.stringify(m)} is not a user of "users"`);
            members.add(m.toLowerCase());
        }
        accounts.members.set(o.login.toLowerCase(), members);
    });
    return accounts;
}

/** Whether `user` may write to what `owner` owns. */
export function canWrite(accounts: Accounts, user: Account, owner: Account): boolean {
    if (owner.type === "User") return owner.login.toLowerCase() === user.login.toLowerCase();
    return accounts.members.get(owner.login.toLowerCase())?.has(user.login.toLowerCase()) ?? false;
}
