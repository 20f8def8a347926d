import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { BinderMocks, isSecretValue, secretsAsPlaceholders, unwrapSecrets } from "../../src/plan/mocks";
import { runStack, SECRETS, stackConfig, TYPES } from "./fixtures";

/** The URN the (mock) monitor gave the resource named `name`. */
function urnOf(run: { mocks: BinderMocks }, name: string): string {
    const found = run.mocks.registrations.filter((r) => r.name === name);
    assert.strictEqual(found.length, 1, `one resource named ${name}`);
    return found[0].urn;
}

describe("program: resource options and config errors", () => {
    it("retains every GitHub resource and every pushed image on delete and orders each branch's files one after the other", async () => {
        // Mocks do not see resource options; a stack transformation does.
        const seen: { type: string; name: string; opts: pulumi.CustomResourceOptions }[] = [];
        const run = await runStack(stackConfig(), SECRETS, {
            mocks: new BinderMocks(),
            transformation: (args) => {
                seen.push({ type: args.type, name: args.name, opts: args.opts });
                return undefined;
            },
        });
        const github = seen.filter((s) => s.type.startsWith("github:") && s.type !== TYPES.actionsSecret);
        // Per launcher branch (3) its Dockerfile, README and update-workflow replacement, and the 2 non-default Branches.
        assert.strictEqual(github.length, 11);
        for (const s of github) assert.strictEqual(s.opts.retainOnDelete, true, `${s.name} must survive \`pulumi destroy\` of an old month`);
        // LAUNCHER_PAT is shared by every month's stack (components/secrets.ts): destroying an old month must not delete it.
        const secret = seen.find((s) => s.type === TYPES.actionsSecret)!;
        assert.strictEqual(secret.opts.retainOnDelete, true, "the Actions secret is shared by every month and must survive `pulumi destroy`");
        // docker-build deletes an image's pushed digests with the resource: launchers (and rollbacks) pin them.
        const images = seen.filter((s) => s.type === TYPES.image);
        assert.deepStrictEqual(
            images.map((s) => s.name),
            ["deps-image", "slim-image"],
        );
        for (const s of images) assert.strictEqual(s.opts.retainOnDelete, true, `${s.name}'s pushed digests must survive \`pulumi destroy\``);
        for (const branch of ["main", "uw3-release-candidate", "development"]) {
            const readme = seen.find((s) => s.name === `launcher-readme-${branch}`)!;
            const deps = ([] as any[]).concat(readme.opts.dependsOn ?? []);
            assert.strictEqual(deps.length, 1);
            assert.strictEqual(await deps[0].urn.promise(), urnOf(run, `launcher-dockerfile-${branch}`));
            const dockerfile = seen.find((s) => s.name === `launcher-dockerfile-${branch}`)!;
            const before = ([] as any[]).concat(dockerfile.opts.dependsOn ?? []);
            assert.strictEqual(before.length, 1);
            assert.strictEqual(await before[0].urn.promise(), urnOf(run, `launcher-workflow-${branch}`));
        }
    });

    /** Runs `body` with UW3_BINDER_LAUNCHER_PAT set to `value` (or unset), as a shell that evaluated services.sh env would. */
    async function withLauncherPatEnv<T>(value: string | undefined, body: () => Promise<T>): Promise<T> {
        const saved = process.env.UW3_BINDER_LAUNCHER_PAT;
        if (value === undefined) delete process.env.UW3_BINDER_LAUNCHER_PAT;
        else process.env.UW3_BINDER_LAUNCHER_PAT = value;
        try {
            return await body();
        } finally {
            if (saved === undefined) delete process.env.UW3_BINDER_LAUNCHER_PAT;
            else process.env.UW3_BINDER_LAUNCHER_PAT = saved;
        }
    }

    it("with no uw3-binder:launcherPat, stores UW3_BINDER_LAUNCHER_PAT as LAUNCHER_PAT, a secret; the stack's own secret wins over it", async () => {
        const { "uw3-binder:launcherPat": configured, ...others } = SECRETS;
        const fromEnv = await withLauncherPatEnv("pat-from-the-environment", () => runStack(stackConfig(), others, { mocks: new BinderMocks() }));
        const secret = fromEnv.resources.find((r) => r.type === TYPES.actionsSecret)!;
        assert.ok(isSecretValue(secret.inputs.value), "the value from the environment must be a secret");
        assert.strictEqual(unwrapSecrets(secret.inputs.value), "pat-from-the-environment");
        assert.ok(!JSON.stringify(secretsAsPlaceholders(fromEnv.resources.map((r) => r.inputs))).includes("pat-from-the-environment"));
        const both = await withLauncherPatEnv("pat-from-the-environment", () => runStack(stackConfig(), SECRETS, { mocks: new BinderMocks() }));
        assert.strictEqual(unwrapSecrets(both.resources.find((r) => r.type === TYPES.actionsSecret)!.inputs.value), configured);
    });

    it("with no uw3-binder:registryPassword, logs in to the default registry as UW3_BINDER_REGISTRY_USERNAME with UW3_BINDER_REGISTRY_PASSWORD, a secret", async () => {
        const { "uw3-binder:registryPassword": _stored, ...others } = SECRETS;
        const saved = { user: process.env.UW3_BINDER_REGISTRY_USERNAME, password: process.env.UW3_BINDER_REGISTRY_PASSWORD };
        process.env.UW3_BINDER_REGISTRY_USERNAME = "octocat";
        process.env.UW3_BINDER_REGISTRY_PASSWORD = "ghs_short-lived-workflow-token";
        let run: Awaited<ReturnType<typeof runStack>>;
        try {
            run = await runStack(stackConfig(), others, { mocks: new BinderMocks() });
        } finally {
            for (const [name, value] of [
                ["UW3_BINDER_REGISTRY_USERNAME", saved.user],
                ["UW3_BINDER_REGISTRY_PASSWORD", saved.password],
            ] as const) {
                if (value === undefined) delete process.env[name];
                else process.env[name] = value;
            }
        }
        const images = run.resources.filter((r) => r.type === TYPES.image);
        assert.strictEqual(images.length, 2);
        for (const image of images) {
            assert.deepStrictEqual(unwrapSecrets(image.inputs.registries), [
                { address: "ghcr.io", username: "octocat", password: "ghs_short-lived-workflow-token" },
            ]);
        }
        const gates = run.resources.filter((r) => r.type === TYPES.gate);
        assert.ok(gates.length > 0);
        for (const gate of gates) assert.strictEqual(unwrapSecrets(gate.inputs.password), "ghs_short-lived-workflow-token");
        // A secret from the moment it is read: nowhere in the inputs as plain text.
        assert.ok(!JSON.stringify(secretsAsPlaceholders(run.resources.map((r) => r.inputs))).includes("ghs_short-lived-workflow-token"));
    });

    it("retains every platform build and every manifest list of a multi-platform stack on delete (Underworld2 stack)", async () => {
        const seen: { type: string; name: string; opts: pulumi.CustomResourceOptions }[] = [];
        await runStack(
            stackConfig("uw2"),
            { "uw3-binder:registryPasswords": JSON.stringify({ "docker.io": "hub-token-4444" }) },
            {
                transformation: (args) => {
                    seen.push({ type: args.type, name: args.name, opts: args.opts });
                    return undefined;
                },
            },
        );
        // A manifest list is shared with every month that pushed its tag, and launchers pin its members'
        // digests through it: an old month's `destroy` must delete neither from the registry.
        const pushed = seen.filter((s) => s.type === TYPES.image || s.type === TYPES.index);
        // lavavu is the stack's multi-platform image (amd64 and arm64, one manifest list per tag).
        assert.deepStrictEqual(
            pushed.filter((s) => s.name.startsWith("lavavu-")).map((s) => [s.type, s.name]),
            [
                [TYPES.image, "lavavu-image-linux-amd64"],
                [TYPES.image, "lavavu-image-linux-arm64"],
                [TYPES.index, "lavavu-index-latest"],
            ],
        );
        assert.ok(pushed.length > 3, `the stack's other builds: ${pushed.map((s) => s.name).join(", ")}`);
        assert.deepStrictEqual(
            pushed.filter((s) => s.opts.retainOnDelete !== true).map((s) => s.name),
            [],
        );
    });

    it("rejects an invalid config before declaring any resource, with all problems in one message", async () => {
        const config = stackConfig();
        config["uw3-binder:release"] = "2025.1";
        config["uw3-binder:launcher"].branches[2].name = "main";
        const mocks = new BinderMocks();
        await assert.rejects(
            withLauncherPatEnv(undefined, () => runStack(config, { "github:token": "t" }, { mocks })),
            (err: Error) => {
                assert.strictEqual(
                    err.message,
                    [
                        "invalid uw3-binder stack config (4 problems):",
                        '  - `uw3-binder:release`: expected a release: a month YYYY.MM (for example "2025.01") or a version such as "v3.0.2", found "2025.1"',
                        '  - `uw3-binder:registry.username`: registry "ghcr.io" has a username but no password secret; set it with `pulumi config set --secret uw3-binder:registryPassword <value>` (or UW3_BINDER_REGISTRY_PASSWORD)',
                        '  - `uw3-binder:launcher.branches[2].name`: duplicate launcher branch "main"; each branch is listed once',
                        "  - `uw3-binder:launcherPat`: missing secret (stored as the LAUNCHER_PAT Actions secret); set it with `pulumi config set --secret uw3-binder:launcherPat <value>` (or UW3_BINDER_LAUNCHER_PAT)",
                    ].join("\n"),
                );
                return true;
            },
        );
        assert.deepStrictEqual(mocks.resources, []);
    });
});
