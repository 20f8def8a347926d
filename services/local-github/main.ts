/**
 * local-github: a stand-in for GitHub's REST API (the endpoints the Pulumi GitHub provider calls, under /api/v3/),
 * git smart HTTP and a control API, on a loopback port. See services/local-github/README.md.
 *
 *     node dist/services/local-github/main.js --dir DIR --accounts FILE [--host 127.0.0.1] [--port 5080]
 *
 * Flags fall back to LOCAL_GITHUB_DIR, LOCAL_GITHUB_ACCOUNTS, LOCAL_GITHUB_HOST, LOCAL_GITHUB_PORT. Prints
 * `local-github listening on http://HOST:PORT` once it answers; exits 2 on bad usage or config, 1 if it cannot listen.
 */
import { readFileSync } from "fs";
import { parseAccounts } from "./accounts";
import { LocalGitHub } from "./server";

const USAGE = "usage: local-github --dir DIR --accounts FILE [--host 127.0.0.1] [--port 5080] [--body-limit BYTES]";

function usage(problem: string): never {
    process.stderr.write(`local-github: ${problem}\n${USAGE}\n`);
    process.exit(2);
}

function main(argv: string[]): void {
    const flags: Record<string, string | undefined> = {
        dir: process.env.LOCAL_GITHUB_DIR,
        accounts: process.env.LOCAL_GITHUB_ACCOUNTS,
        host: process.env.LOCAL_GITHUB_HOST,
        port: process.env.LOCAL_GITHUB_PORT,
        "body-limit": undefined,
    };
    for (let i = 0; i < argv.length; i += 2) {
        const key = argv[i].replace(/^--/, "");
        if (!argv[i].startsWith("--") || !(key in flags)) usage(`unknown argument ${JSON.stringify(argv[i])}`);
        if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
        flags[key] = argv[i + 1];
    }
    if (!flags.dir) usage("--dir (or LOCAL_GITHUB_DIR) is required: the directory the repositories live in");
    if (!flags.accounts) usage("--accounts (or LOCAL_GITHUB_ACCOUNTS) is required: a JSON file of users, tokens and orgs");
    const port = Number(flags.port ?? "5080");
    if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port must be 0 to 65535, got ${JSON.stringify(flags.port)}`);
    const bodyLimit = flags["body-limit"] === undefined ? undefined : Number(flags["body-limit"]);
    if (bodyLimit !== undefined && (!Number.isInteger(bodyLimit) || bodyLimit < 1024 || bodyLimit > 1024 ** 3))
        usage(`--body-limit must be 1024 to ${1024 ** 3} bytes, got ${JSON.stringify(flags["body-limit"])}`);
    let server: LocalGitHub;
    try {
        const text = readFileSync(flags.accounts, "utf8");
        if (text.length > 1024 * 1024) throw new Error(`${flags.accounts}: over 1 MiB`);
        let raw: unknown;
        try {
            raw = JSON.parse(text);
        } catch (e) {
            throw new Error(`${flags.accounts}: not JSON (${(e as Error).message})`, { cause: e });
        }
        server = new LocalGitHub({
            dataDir: flags.dir,
            accounts: parseAccounts(raw, flags.accounts),
            host: flags.host ?? "127.0.0.1",
            port,
            ...(bodyLimit ? { bodyLimit } : {}),
        });
    } catch (e) {
        usage((e as Error).message);
    }
    server.start().then(
        (origin) => {
            process.stdout.write(`local-github listening on ${origin}\n`);
            const stop = () => void server.stop().then(() => process.exit(0));
            process.on("SIGTERM", stop);
            process.on("SIGINT", stop);
        },
        (e: unknown) => {
            process.stderr.write(`local-github: cannot listen: ${(e as Error).message}\n`);
            process.exit(1);
        },
    );
}

main(process.argv.slice(2));
