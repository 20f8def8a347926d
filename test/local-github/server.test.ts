import * as assert from "assert";
import { execFile } from "child_process";
import { promisify } from "util";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import sodium from "libsodium-wrappers";
import { Fixture, ORG, OTHER_TOKEN, USER } from "./fixture";
import { checkResponse } from "./openapi";

// Asynchronous: the server answering these runs in this very process.
const git = async (cwd: string, ...args: string[]) =>
    (await promisify(execFile)("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } })).stdout.trim();

describe("local-github", function () {
    this.timeout(60_000);
    const f = new Fixture();
    before(() => f.start());
    after(() => f.stop());
    beforeEach(() => f.client.reset());

    describe("accounts and auth", () => {
        it("answers 404 to GET /orgs/{owner} for a user and 200 for an organization, as the provider's owner probe expects", async () => {
            assert.strictEqual((await f.api("GET", `/orgs/${USER}`)).status, 404);
            const org = await f.api("GET", `/orgs/${ORG}`);
            assert.strictEqual(org.status, 200);
            assert.strictEqual(org.body.login, ORG);
            const user = await f.api("GET", "/user");
            assert.strictEqual(user.body.login, USER);
        });

        it("answers 401 without a token and with an unknown one", async () => {
            const none = await fetch(`${f.origin}/api/v3/user`);
            assert.strictEqual(none.status, 401);
            assert.strictEqual((await none.json()).message, "Requires authentication");
            const bad = await f.api("GET", "/user", undefined, { Authorization: "Bearer nope-nope-nope" });
            assert.strictEqual(bad.status, 401);
            assert.strictEqual(bad.body.message, "Bad credentials");
        });

        it("refuses writes to a repository of an organization the user is not a member of", async () => {
            await f.repository("guarded");
            const res = await f.api("PUT", `/repos/${ORG}/guarded/contents/x`, { message: "m", content: "eA==" }, { Authorization: `token ${OTHER_TOKEN}` });
            assert.strictEqual(res.status, 403);
        });
    });

    describe("repositories", () => {
        it("creates, edits, reads and deletes a repository; a second create of one name is a 422", async () => {
            const created = await f.repository("repo-life");
            assert.strictEqual(created.status, 201);
            assert.strictEqual(created.body.full_name, `${ORG}/repo-life`);
            assert.strictEqual(created.body.default_branch, "main");
            assert.strictEqual(created.body.has_issues, false);
            assert.strictEqual((await f.repository("repo-life")).status, 422);
            const edited = await f.api("PATCH", `/repos/${ORG}/repo-life`, { description: "changed", has_wiki: true });
            assert.strictEqual(edited.status, 200);
            assert.strictEqual(edited.body.description, "changed");
            const read = await f.api("GET", `/repos/${ORG}/repo-life`);
            assert.strictEqual(read.body.has_wiki, true);
            assert.strictEqual((await f.api("DELETE", `/repos/${ORG}/repo-life`)).status, 204);
            assert.strictEqual((await f.api("GET", `/repos/${ORG}/repo-life`)).status, 404);
        });

        it("creates a user's repository through POST /user/repos", async () => {
            const res = await f.api("POST", "/user/repos", { name: "mine", auto_init: false });
            assert.strictEqual(res.status, 201);
            assert.strictEqual(res.body.owner.login, USER);
        });

        it("answers 304 to a read whose If-None-Match is the ETag it gave, and 200 once the repository changed", async () => {
            await f.repository("etag");
            const first = await f.api("GET", `/repos/${ORG}/etag`);
            const etag = first.headers.get("etag");
            assert.ok(etag, "an ETag header");
            const again = await f.api("GET", `/repos/${ORG}/etag`, undefined, { "If-None-Match": etag });
            assert.strictEqual(again.status, 304);
            await f.api("PATCH", `/repos/${ORG}/etag`, { description: "new" });
            assert.strictEqual((await f.api("GET", `/repos/${ORG}/etag`, undefined, { "If-None-Match": etag })).status, 200);
        });

        it("rejects a repository name GitHub would not take", async () => {
            const res = await f.api("POST", `/orgs/${ORG}/repos`, { name: "../escape" });
            assert.strictEqual(res.status, 422);
            assert.strictEqual(res.body.errors[0].field, "name");
        });
    });

    describe("refs and branches", () => {
        it("creates a branch from main's head, reads it, and deletes it", async () => {
            await f.repository("refs");
            const main = await f.api("GET", `/repos/${ORG}/refs/git/ref/heads/main`);
            assert.strictEqual(main.status, 200);
            const sha = main.body.object.sha;
            const created = await f.api("POST", `/repos/${ORG}/refs/git/refs`, { ref: "refs/heads/feature/x", sha });
            assert.strictEqual(created.status, 201);
            assert.strictEqual(created.body.ref, "refs/heads/feature/x");
            assert.strictEqual(
                (await f.api("POST", `/repos/${ORG}/refs/git/refs`, { ref: "refs/heads/feature/x", sha })).body.message,
                "Reference already exists",
            );
            const branch = await f.api("GET", `/repos/${ORG}/refs/branches/${encodeURIComponent("feature/x")}`);
            assert.strictEqual(branch.status, 200);
            assert.strictEqual(branch.body.commit.sha, sha);
            assert.strictEqual((await f.api("DELETE", `/repos/${ORG}/refs/git/refs/heads/feature/x`)).status, 204);
            assert.strictEqual((await f.api("GET", `/repos/${ORG}/refs/git/ref/heads/feature/x`)).status, 404);
            assert.strictEqual((await f.api("GET", `/repos/${ORG}/refs/branches/nope`)).status, 404);
            assert.strictEqual((await f.api("DELETE", `/repos/${ORG}/refs/git/refs/heads/feature/x`)).status, 422);
        });

        it("refuses a ref to an object that does not exist", async () => {
            await f.repository("refs-bad");
            const res = await f.api("POST", `/repos/${ORG}/refs-bad/git/refs`, { ref: "refs/heads/x", sha: "0".repeat(40) });
            assert.strictEqual(res.status, 422);
            assert.strictEqual(res.body.message, "Object does not exist");
        });
    });

    describe("contents", () => {
        it("answers 404 for a missing file, 201 for a new one, 200 for an overwrite with its sha, and the commit behind it", async () => {
            await f.repository("files");
            assert.strictEqual((await f.api("GET", `/repos/${ORG}/files/contents/.binder/Dockerfile?ref=main`)).status, 404);
            const created = await f.put("files", ".binder/Dockerfile", "FROM a\n", { branch: "main" });
            assert.strictEqual(created.status, 201);
            const read = await f.api("GET", `/repos/${ORG}/files/contents/.binder/Dockerfile?ref=main`);
            assert.strictEqual(Buffer.from(read.body.content, "base64").toString(), "FROM a\n");
            assert.strictEqual(read.body.sha, created.body.content.sha);
            const updated = await f.put("files", ".binder/Dockerfile", "FROM b\n", { branch: "main", sha: read.body.sha });
            assert.strictEqual(updated.status, 200);
            assert.deepStrictEqual(
                updated.body.commit.parents.map((p: any) => p.sha),
                [created.body.commit.sha],
            );
            const commit = await f.api("GET", `/repos/${ORG}/files/commits/${updated.body.commit.sha}`);
            assert.strictEqual(commit.status, 200);
            assert.strictEqual(commit.body.commit.message, "write .binder/Dockerfile");
            assert.strictEqual(commit.body.commit.committer.name, "UW3 Bot");
            assert.deepStrictEqual(
                commit.body.files.map((x: any) => [x.filename, x.status]),
                [[".binder/Dockerfile", "modified"]],
            );
        });

        it("lists the commits that touched a path, newest first, a page at a time (the provider's read without a known commit)", async () => {
            await f.repository("history");
            const a = await f.put("history", "a.txt", "1");
            await f.put("history", "b.txt", "1");
            const a2 = await f.put("history", "a.txt", "2", { sha: a.body.content.sha });
            const all = await f.api("GET", `/repos/${ORG}/history/commits?sha=main&path=a.txt`);
            assert.deepStrictEqual(
                all.body.map((c: any) => c.sha),
                [a2.body.commit.sha, a.body.commit.sha],
            );
            const first = await f.api("GET", `/repos/${ORG}/history/commits?sha=main&per_page=2`);
            assert.strictEqual(first.body.length, 2);
            assert.match(first.headers.get("link") ?? "", /[?&]page=2>; rel="next"$/);
            const second = await f.api("GET", `/repos/${ORG}/history/commits?sha=main&per_page=2&page=2`);
            assert.deepStrictEqual(
                second.body.map((c: any) => c.commit.message),
                ["write a.txt", "Initial commit"],
            );
            assert.strictEqual(second.headers.get("link"), null);
        });

        it("puts the ref asked for in the content url (the provider reads `ref` from its query)", async () => {
            await f.repository("refurl");
            const main = (await f.api("GET", `/repos/${ORG}/refurl/git/ref/heads/main`)).body.object.sha;
            await f.api("POST", `/repos/${ORG}/refurl/git/refs`, { ref: "refs/heads/2025-01", sha: main });
            await f.put("refurl", "README.md", "branch readme\n", {
                branch: "2025-01",
                sha: (await f.api("GET", `/repos/${ORG}/refurl/contents/README.md?ref=2025-01`)).body.sha,
            });
            const onBranch = await f.api("GET", `/repos/${ORG}/refurl/contents/README.md?ref=2025-01`);
            assert.strictEqual(new URL(onBranch.body.url).searchParams.get("ref"), "2025-01");
            assert.strictEqual(Buffer.from(onBranch.body.content, "base64").toString(), "branch readme\n");
            const byDefault = await f.api("GET", `/repos/${ORG}/refurl/contents/README.md`);
            assert.strictEqual(new URL(byDefault.body.url).searchParams.get("ref"), "main");
            assert.notStrictEqual(byDefault.body.sha, onBranch.body.sha);
        });

        it("answers 409 to a PUT with a stale sha and 422 to one without a sha over an existing file; neither commits", async () => {
            await f.repository("stale");
            const first = await f.put("stale", "a.txt", "one\n");
            await f.put("stale", "a.txt", "two\n", { sha: first.body.content.sha });
            const head = (await f.api("GET", `/repos/${ORG}/stale/git/ref/heads/main`)).body.object.sha;
            const stale = await f.put("stale", "a.txt", "three\n", { sha: first.body.content.sha });
            assert.strictEqual(stale.status, 409);
            assert.match(stale.body.message, /does not match/);
            const missing = await f.put("stale", "a.txt", "three\n");
            assert.strictEqual(missing.status, 422);
            assert.strictEqual(missing.body.message, 'Invalid request.\n\n"sha" wasn\'t supplied.');
            assert.strictEqual((await f.api("GET", `/repos/${ORG}/stale/git/ref/heads/main`)).body.object.sha, head);
        });

        it("deletes a file with its sha (409 with another), and 404s a path that leaves the repository", async () => {
            await f.repository("del");
            const put = await f.put("del", "gone.txt", "x\n");
            const wrong = await f.api("DELETE", `/repos/${ORG}/del/contents/gone.txt`, { message: "rm", sha: "1".repeat(40), branch: "main" });
            assert.strictEqual(wrong.status, 409);
            const done = await f.api("DELETE", `/repos/${ORG}/del/contents/gone.txt`, { message: "rm", sha: put.body.content.sha, branch: "main" });
            assert.strictEqual(done.status, 200);
            assert.strictEqual(done.body.content, null);
            assert.strictEqual((await f.api("GET", `/repos/${ORG}/del/contents/gone.txt`)).status, 404);
            for (const p of ["..%2F..%2Fetc%2Fpasswd", ".git/config", "a/../../b"]) {
                const res = await fetch(`${f.origin}/api/v3/repos/${ORG}/del/contents/${p}`, { headers: { Authorization: `token ${f.client["token"]}` } });
                assert.strictEqual(res.status, 404, p);
            }
        });

        it("answers 404 for a PUT to a branch that does not exist", async () => {
            await f.repository("nobranch");
            assert.strictEqual((await f.put("nobranch", "a", "x", { branch: "missing" })).status, 404);
        });

        it("of writes racing on one branch, each lands or is a 409: none is lost, and a 409 leaves no commit", async () => {
            await f.repository("race");
            const writes = await Promise.all(Array.from({ length: 8 }, (_, i) => f.put("race", `f${i}.txt`, `${i}\n`)));
            const landed = writes.filter((w) => w.status === 201);
            const refused = writes.filter((w) => w.status === 409);
            assert.strictEqual(landed.length + refused.length, writes.length);
            assert.ok(landed.length >= 1);
            const clone = mkdtempSync(path.join(tmpdir(), "race-"));
            try {
                await git(clone, "clone", "-q", `${f.origin}/${ORG}/race.git`, ".");
                assert.strictEqual(Number(await git(clone, "rev-list", "--count", "HEAD")), 1 + landed.length);
                // A linear history: every landed write's parent is the one before it, none lost.
                const files = (await git(clone, "ls-files")).split("\n").sort();
                const expected = ["README.md", ...landed.map((w) => w.body.content.path)].sort();
                assert.deepStrictEqual(files, expected);
            } finally {
                rmSync(clone, { recursive: true, force: true });
            }
        });
    });

    describe("git smart HTTP", () => {
        it("serves a branch's commits: a clone shows the commit a PUT made, and a fetch of a branch gets it", async () => {
            await f.repository("clone");
            const put = await f.put("clone", ".binder/Dockerfile", "FROM busybox\n");
            const main = put.body.commit.sha;
            await f.api("POST", `/repos/${ORG}/clone/git/refs`, { ref: "refs/heads/dev", sha: main });
            const dir = mkdtempSync(path.join(tmpdir(), "clone-"));
            try {
                await git(dir, "clone", "-q", `${f.origin}/${ORG}/clone.git`, "c");
                assert.strictEqual(await git(path.join(dir, "c"), "rev-parse", "HEAD"), main);
                assert.strictEqual(readFileSync(path.join(dir, "c", ".binder/Dockerfile"), "utf8"), "FROM busybox\n");
                await git(path.join(dir, "c"), "fetch", "-q", "origin", "dev");
                assert.strictEqual(await git(path.join(dir, "c"), "rev-parse", "FETCH_HEAD"), main);
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        });

        it("takes a push only with a token of a member, and the API sees the pushed commit", async () => {
            await f.repository("push");
            const dir = mkdtempSync(path.join(tmpdir(), "push-"));
            try {
                await git(dir, "clone", "-q", `${f.origin}/${ORG}/push.git`, "c");
                const c = path.join(dir, "c");
                await git(c, "-c", "user.name=Hand", "-c", "user.email=hand@example.org", "commit", "-q", "--allow-empty", "-m", "by hand");
                await assert.rejects(git(c, "push", "-q", "origin", "main"));
                const u = new URL(f.origin);
                await git(c, "push", "-q", `http://${USER}:${f.client["token"]}@${u.host}/${ORG}/push.git`, "main");
                const head = (await f.api("GET", `/repos/${ORG}/push/git/ref/heads/main`)).body.object.sha;
                assert.strictEqual(head, await git(c, "rev-parse", "HEAD"));
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    describe("Actions secrets", () => {
        it("opens what a client sealed to the repository's public key; GET shows only names and dates", async () => {
            await f.repository("secrets");
            const key = await f.api("GET", `/repos/${ORG}/secrets/actions/secrets/public-key`);
            await sodium.ready;
            const publicKey = sodium.from_base64(key.body.key, sodium.base64_variants.ORIGINAL);
            assert.strictEqual(publicKey.length, 32);
            // As the provider seals it (Go's box.SealAnonymous, libsodium's crypto_box_seal), base64 standard.
            const sealed = sodium.to_base64(sodium.crypto_box_seal(sodium.from_string("ghp_secret value ✓"), publicKey), sodium.base64_variants.ORIGINAL);
            const put = await f.api("PUT", `/repos/${ORG}/secrets/actions/secrets/LAUNCHER_PAT`, { encrypted_value: sealed, key_id: key.body.key_id });
            assert.strictEqual(put.status, 201);
            const again = await f.api("PUT", `/repos/${ORG}/secrets/actions/secrets/LAUNCHER_PAT`, { encrypted_value: sealed, key_id: key.body.key_id });
            assert.strictEqual(again.status, 204);
            const read = await f.api("GET", `/repos/${ORG}/secrets/actions/secrets/LAUNCHER_PAT`);
            assert.deepStrictEqual(Object.keys(read.body).sort(), ["created_at", "name", "updated_at"]);
            assert.strictEqual((await f.client.secret(ORG, "secrets", "LAUNCHER_PAT")).value, "ghp_secret value ✓");
        });

        it("refuses a value sealed for another key id, and 404s a secret that is not there", async () => {
            await f.repository("secrets-bad");
            const wrong = await f.api("PUT", `/repos/${ORG}/secrets-bad/actions/secrets/X`, { encrypted_value: "AAAA", key_id: "1" });
            assert.strictEqual(wrong.status, 422);
            assert.strictEqual((await f.api("GET", `/repos/${ORG}/secrets-bad/actions/secrets/NOPE`)).status, 404);
        });
    });

    describe("fault injection", () => {
        it("answers the chosen status on the nth matching request only, before the write happens", async () => {
            await f.repository("faults");
            const fault = await f.client.addFault({ method: "PUT", path: `/api/v3/repos/${ORG}/faults/contents/**`, nth: 2, status: 502 });
            assert.strictEqual((await f.put("faults", "one", "1")).status, 201);
            const failed = await f.api("PUT", `/repos/${ORG}/faults/contents/two`, { message: "m", content: "Mg==" }, {}, false);
            assert.strictEqual(failed.status, 502);
            assert.strictEqual((await f.api("GET", `/repos/${ORG}/faults/contents/two`)).status, 404);
            assert.strictEqual((await f.put("faults", "three", "3")).status, 201);
            const seen = await f.client.requests();
            assert.deepStrictEqual(
                seen.filter((r) => r.fault === fault.id).map((r) => [r.method, r.path, r.status]),
                [["PUT", `/api/v3/repos/${ORG}/faults/contents/two`, 502]],
            );
        });

        it("with when=after, lets the write land and still answers the fault (a lost answer)", async () => {
            await f.repository("lost");
            await f.client.addFault({ method: "PUT", path: `/api/v3/repos/${ORG}/lost/contents/*`, status: 409, when: "after" });
            const res = await f.api("PUT", `/repos/${ORG}/lost/contents/a`, { message: "m", content: "YQ==" }, {}, false);
            assert.strictEqual(res.status, 409);
            assert.strictEqual((await f.api("GET", `/repos/${ORG}/lost/contents/a`)).status, 200);
        });

        it("delays the answer when asked and counts the faults it applied", async () => {
            await f.repository("slow");
            await f.client.addFault({ method: "GET", path: `/api/v3/repos/${ORG}/slow`, delayMs: 300 });
            const t0 = Date.now();
            assert.strictEqual((await f.api("GET", `/repos/${ORG}/slow`)).status, 200);
            assert.ok(Date.now() - t0 >= 300);
            assert.deepStrictEqual(
                (await f.client.faults()).map((x) => [x.hits, x.seen]),
                [[1, 1]],
            );
        });

        it("with a branch, fails only the writes to that branch (the JSON branch of a contents write) and the reads of it (?ref=)", async () => {
            await f.repository("per-branch");
            const main = await f.api("GET", `/repos/${ORG}/per-branch/git/ref/heads/main`);
            assert.strictEqual(
                (await f.api("POST", `/repos/${ORG}/per-branch/git/refs`, { ref: "refs/heads/development", sha: main.body.object.sha })).status,
                201,
            );
            await f.client.addFault({ path: `/api/v3/repos/${ORG}/per-branch/contents/**`, branch: "development", count: 2, status: 502 });
            assert.strictEqual((await f.put("per-branch", "a", "on main", { branch: "main" })).status, 201);
            const failed = await f.api("PUT", `/repos/${ORG}/per-branch/contents/a`, { message: "m", content: "YQ==", branch: "development" }, {}, false);
            assert.strictEqual(failed.status, 502);
            assert.strictEqual((await f.api("GET", `/repos/${ORG}/per-branch/contents/a?ref=development`, undefined, {}, false)).status, 502);
            assert.strictEqual((await f.api("GET", `/repos/${ORG}/per-branch/contents/a?ref=main`)).status, 200);
            // Its count spent, the branch is written as any other.
            assert.strictEqual((await f.put("per-branch", "a", "on development", { branch: "development" })).status, 201);
            await assert.rejects(f.client.addFault({ path: "/api/v3/**", branch: "", status: 502 }), /fault\.branch must be a branch name/);
        });

        it("removes one fault by its id, leaving another client's; a removed or unknown id is a 404", async () => {
            await f.repository("mine");
            await f.repository("theirs");
            const mine = await f.client.addFault({ method: "PUT", path: `/api/v3/repos/${ORG}/mine/contents/**`, count: 100, status: 502 });
            const theirs = await f.client.addFault({ method: "PUT", path: `/api/v3/repos/${ORG}/theirs/contents/**`, count: 100, status: 502 });
            await f.client.removeFault(mine.id);
            assert.deepStrictEqual(
                (await f.client.faults()).map((x) => x.id),
                [theirs.id],
            );
            assert.strictEqual((await f.put("mine", "a", "1")).status, 201);
            assert.strictEqual((await f.api("PUT", `/repos/${ORG}/theirs/contents/a`, { message: "m", content: "YQ==" }, {}, false)).status, 502);
            await assert.rejects(f.client.removeFault(mine.id), /404/);
        });

        it("rejects a malformed fault with the field named", async () => {
            await assert.rejects(f.client.addFault({ path: "no-slash", status: 502 }), /fault\.path must be a glob starting with/);
        });
    });

    describe("limits", () => {
        const small = new Fixture();
        before(() => small.start({ bodyLimit: 2048 }));
        after(() => small.stop());

        it("answers 413 to a body over the limit and writes nothing", async () => {
            await small.repository("big");
            const res = await small.put("big", "big.txt", "x".repeat(4096));
            assert.strictEqual(res.status, 413);
            assert.strictEqual((await small.api("GET", `/repos/${ORG}/big/contents/big.txt`)).status, 404);
        });
    });

    describe("against GitHub's OpenAPI description", () => {
        it("answers the provider's calls for the launcher's resources, in its order, each as GitHub's description says", async () => {
            f.operations = [];
            // Provider configure, then Repository, Branch, RepositoryFile (create, read, update, delete), ActionsSecret.
            await f.api("GET", `/orgs/${ORG}`);
            await f.api("GET", "/user");
            await f.repository("sequence");
            await f.api("PATCH", `/repos/${ORG}/sequence`, { name: "sequence", description: "a launcher", has_issues: false });
            await f.api("GET", `/repos/${ORG}/sequence`);
            const main = (await f.api("GET", `/repos/${ORG}/sequence/git/ref/heads/main`)).body.object.sha;
            await f.api("POST", `/repos/${ORG}/sequence/git/refs`, { ref: "refs/heads/2025-01", sha: main });
            await f.api("GET", `/repos/${ORG}/sequence/git/ref/heads/2025-01`);
            await f.api("GET", `/repos/${ORG}/sequence/branches/2025-01`);
            await f.api("GET", `/repos/${ORG}/sequence/contents/.binder/Dockerfile?ref=2025-01`);
            const put = await f.put("sequence", ".binder/Dockerfile", "FROM x\n", { branch: "2025-01" });
            const read = await f.api("GET", `/repos/${ORG}/sequence/contents/.binder/Dockerfile?ref=2025-01`);
            await f.api("GET", `/repos/${ORG}/sequence/commits/${put.body.commit.sha}`);
            await f.put("sequence", ".binder/Dockerfile", "FROM y\n", { branch: "2025-01", sha: read.body.sha });
            const now = await f.api("GET", `/repos/${ORG}/sequence/contents/.binder/Dockerfile?ref=2025-01`);
            await f.api("DELETE", `/repos/${ORG}/sequence/contents/.binder/Dockerfile`, { message: "Delete", sha: now.body.sha, branch: "2025-01" });
            const key = (await f.api("GET", `/repos/${ORG}/sequence/actions/secrets/public-key`)).body;
            await sodium.ready;
            const sealed = sodium.to_base64(
                sodium.crypto_box_seal(sodium.from_string("pat"), sodium.from_base64(key.key, sodium.base64_variants.ORIGINAL)),
                sodium.base64_variants.ORIGINAL,
            );
            await f.api("PUT", `/repos/${ORG}/sequence/actions/secrets/LAUNCHER_PAT`, { encrypted_value: sealed, key_id: key.key_id });
            await f.api("GET", `/repos/${ORG}/sequence/actions/secrets/LAUNCHER_PAT`);
            await f.api("DELETE", `/repos/${ORG}/sequence/git/refs/heads/2025-01`);
            await f.api("POST", "/user/repos", { name: "sequence-user" });
            await f.api("DELETE", `/repos/${ORG}/sequence`);
            assert.deepStrictEqual([...new Set(f.operations)].sort(), [
                "DELETE /repos/{owner}/{repo}",
                "DELETE /repos/{owner}/{repo}/contents/{path}",
                "DELETE /repos/{owner}/{repo}/git/refs/{ref}",
                "GET /orgs/{org}",
                "GET /repos/{owner}/{repo}",
                "GET /repos/{owner}/{repo}/actions/secrets/public-key",
                "GET /repos/{owner}/{repo}/actions/secrets/{secret_name}",
                "GET /repos/{owner}/{repo}/branches/{branch}",
                "GET /repos/{owner}/{repo}/commits/{ref}",
                "GET /repos/{owner}/{repo}/contents/{path}",
                "GET /repos/{owner}/{repo}/git/ref/{ref}",
                "GET /user",
                "PATCH /repos/{owner}/{repo}",
                "POST /orgs/{org}/repos",
                "POST /repos/{owner}/{repo}/git/refs",
                "POST /user/repos",
                "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}",
                "PUT /repos/{owner}/{repo}/contents/{path}",
            ]);
        });

        it("fails a check whose body does not match GitHub's schema (the validator is not a pass-through)", () => {
            assert.throws(
                () => checkResponse("GET", "/repos/o/r/git/ref/heads/main", 200, { ref: "refs/heads/main", object: { sha: "abc" } }),
                /must have required property/,
            );
            assert.throws(() => checkResponse("GET", "/repos/o/r", 201, {}), /GitHub documents no 201/);
            assert.strictEqual(
                checkResponse("GET", "/repos/o/r/contents/a/b/c.txt", 404, { message: "Not Found" }).operation,
                "/repos/{owner}/{repo}/contents/{path}",
            );
        });
    });
});
