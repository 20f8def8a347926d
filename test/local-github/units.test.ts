import * as assert from "assert";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { canWrite, parseAccounts } from "../../services/local-github/accounts";
import { Faults, parseFaultRule } from "../../services/local-github/faults";
import { BareRepository } from "../../services/local-github/git";
import { isBranchName, isFilePath, isLogin, isRepositoryName, isSecretName } from "../../services/local-github/names";

describe("local-github names", () => {
    it("takes the names GitHub takes and refuses the rest", () => {
        assert.deepStrictEqual(["uw3-bot", "a", "a-b-c", "x".repeat(39)].map(isLogin), [true, true, true, true]);
        assert.deepStrictEqual(["-a", "a-", "a--b", "a_b", "x".repeat(40), "../a"].map(isLogin), [false, false, false, false, false, false]);
        assert.deepStrictEqual(["uw3-binder-launcher", "a.b_c", ".github"].map(isRepositoryName), [true, true, true]);
        assert.deepStrictEqual([".", "..", "a/b", "a b", "x.git", ""].map(isRepositoryName), [false, false, false, false, false, false]);
        assert.deepStrictEqual(["main", "2025-01", "feature/x", "v1.0"].map(isBranchName), [true, true, true, true]);
        assert.deepStrictEqual(["a..b", "/a", "a/", "a.lock", ".a", "a b", "a~1", "a:b", "@", "a//b", "-a"].map(isBranchName), Array(11).fill(false));
        assert.deepStrictEqual([".binder/Dockerfile", "README.md", "a/b/c"].map(isFilePath), [true, true, true]);
        assert.deepStrictEqual(["../x", "a/../b", "/a", "a//b", ".git/config", "a/.GIT/x", "a\\b", "a\nb", ""].map(isFilePath), Array(9).fill(false));
        assert.deepStrictEqual(["LAUNCHER_PAT", "_x", "a1"].map(isSecretName), [true, true, true]);
        assert.deepStrictEqual(["1A", "GITHUB_TOKEN", "A-B", ""].map(isSecretName), [false, false, false, false]);
    });
});

describe("local-github accounts", () => {
    it("reads users, tokens and organizations, and says who may write where", () => {
        const a = parseAccounts(
            {
                users: [
                    { login: "u", token: "t".repeat(8) },
                    { login: "v", token: "v".repeat(8) },
                ],
                orgs: [{ login: "o", members: ["u"] }],
            },
            "f.json",
        );
        const u = a.byToken.get("tttttttt")!;
        assert.strictEqual(u.login, "u");
        assert.strictEqual(canWrite(a, u, a.byLogin.get("o")!), true);
        assert.strictEqual(canWrite(a, a.byLogin.get("v")!, a.byLogin.get("o")!), false);
        assert.strictEqual(canWrite(a, a.byLogin.get("v")!, u), false);
    });

    it("names the bad entry", () => {
        assert.throws(
            () => parseAccounts({ users: [{ login: "u", token: "short" }] }, "f.json"),
            /^Error: f\.json: users\[0\]\.token must be 8 to 255 printable ASCII characters$/,
        );
        assert.throws(
            () => parseAccounts({ users: [], orgs: [{ login: "o", members: ["ghost"] }] }, "f.json"),
            /orgs\[0\]\.members: "ghost" is not a user of "users"/,
        );
        assert.throws(() => parseAccounts([], "f.json"), /f\.json: expected an object with "users"/);
    });
});

describe("local-github faults", () => {
    it("applies a rule from its nth match on, count times, to its method and path only", () => {
        const faults = new Faults();
        faults.add(parseFaultRule({ method: "PUT", path: "/api/v3/repos/*/*/contents/**", nth: 2, count: 2, status: 502 }));
        const hits = ["PUT a", "GET a", "PUT a", "PUT b", "PUT a"].map((x) => {
            const [m, file] = x.split(" ");
            return faults.take(m, `/api/v3/repos/o/r/contents/.binder/${file}`)?.status ?? 0;
        });
        assert.deepStrictEqual(hits, [0, 0, 502, 502, 0]);
        assert.strictEqual(faults.take("PUT", "/api/v3/repos/o/r/git/refs"), undefined);
    });

    it("refuses a rule with neither a status nor a delay, or an unknown field", () => {
        assert.throws(() => parseFaultRule({ path: "/x" }), /fault needs a status, a delayMs, or both/);
        assert.throws(() => parseFaultRule({ path: "/x", status: 502, sometimes: true }), /fault: unknown field "sometimes"/);
        assert.throws(() => parseFaultRule({ path: "/x", status: 200 }), /fault\.status must be an integer from 400 to 599, got 200/);
    });
});

describe("local-github git writes", function () {
    this.timeout(30_000);
    let dir = "";
    before(() => (dir = mkdtempSync(path.join(tmpdir(), "local-github-git-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const who = { name: "T", email: "t@example.org", time: 1_700_000_000 };

    it("lands a write only if the branch is still where it started: a second write from the same head does not land", async () => {
        const repo = await BareRepository.init(path.join(dir, "cas.git"), "main");
        const root = await repo.commitFile("main", undefined, "a", Buffer.from("1"), { message: "root", author: who, committer: who });
        assert.ok(root);
        const first = await repo.commitFile("main", root, "b", Buffer.from("2"), { message: "first", author: who, committer: who });
        assert.ok(first);
        const second = await repo.commitFile("main", root, "c", Buffer.from("3"), { message: "second", author: who, committer: who });
        assert.strictEqual(second, undefined);
        assert.strictEqual(await repo.branchHead("main"), first);
        assert.strictEqual(
            await repo.commitFile("main", undefined, "d", Buffer.from("4"), { message: "again a root", author: who, committer: who }),
            undefined,
        );
        const info = await repo.commit(first);
        assert.deepStrictEqual([info.parents, info.message, info.author], [[root], "first", who]);
        const removed = await repo.commitFile("main", first, "a", null, { message: "rm", author: who, committer: who });
        assert.strictEqual(await repo.entry(removed!, "a"), undefined);
        assert.strictEqual((await repo.blob((await repo.entry(removed!, "b"))!.sha)).toString(), "2");
    });
});
