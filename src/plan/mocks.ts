/**
 * Pulumi's mock runtime as uw3-binder's plan and tests use it: every resource is recorded with its
 * resolved inputs, provider-computed outputs are deterministic (an image's digest is the sha256 of its
 * name), and an invoke nobody expected is an error rather than a silent empty answer.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { GATE_RESOURCE_TYPE, GateFigures } from "../../components/gateProvider";

export interface RecordedResource {
    type: string;
    name: string;
    /** Inputs as the engine received them; secrets still wrapped (see isSecretValue). Each type has its own. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- read by name in tests, per resource type
    inputs: Record<string, any>;
}

// How the SDK marks a secret inside serialized property values (sdk/nodejs/runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretValue(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Every Pulumi secret value replaced with `placeholder` (recursively), everything else left as it is: what `plan` shows. */
export function secretsAsPlaceholders(value: unknown, placeholder = "[secret]"): unknown {
    if (isSecretValue(value)) return placeholder;
    if (Array.isArray(value)) return value.map((v) => secretsAsPlaceholders(v, placeholder));
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretsAsPlaceholders(v, placeholder)]));
    }
    return value;
}

/** Unwraps secrets for assertions on the values themselves. */
export function unwrapSecrets(value: unknown): unknown {
    if (isSecretValue(value)) return unwrapSecrets((value as { value: unknown }).value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    return value;
}

function sha256Hex(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/**
 * A registry gives one digest to one manifest: every tag of the same build shares it, so the mock's
 * digest depends on the repository and platform, not the tag.
 */
export function mockImageDigest(repository: string, platform?: string): string {
    return `sha256:${sha256Hex(`${repository}\n${platform ?? ""}`)}`;
}

/** An index's digest depends only on its members, so every tag of one manifest list shares it. */
export function mockIndexDigest(sources: string[]): string {
    return `sha256:${sha256Hex(sources.join("\n"))}`;
}

/**
 * The last word of a launch rehearsal's command line is the reference it rehearses; a passing rehearsal
 * prints it back. The warm-up prints its report.
 */
function commandStdout(create: string): string {
    const words = create.trim().split(/\s+/);
    if (words.includes("rehearse")) return `${words[words.length - 1]}\n`;
    if (words.includes("warmup")) return "warmup: ready\n";
    return "";
}

export interface MockBehaviour {
    /** What a local command prints. */
    commandStdout?: (create: string) => string;
    /** What a gate verifies for a reference; by default a passing check gives the reference back. */
    gateVerifies?: (reference: string) => string;
    /** What a gate's `layers` check measured for a reference; by default nothing. */
    gateMeasures?: (reference: string) => GateFigures;
    /**
     * What the GitHub provider's `getRepositoryFile` invoke reads (a frozen launcher branch's adoption):
     * the file's content, or undefined for a missing branch or file.
     * Without it the invoke is unexpected.
     */
    repositoryFile?: (args: { repository: string; branch: string; file: string }) => string | undefined;
}

const GET_REPOSITORY_FILE = "github:index/getRepositoryFile:getRepositoryFile";

/** The inputs of the resource types whose outputs the mocks compute, secrets unwrapped. */
interface MockedInputs {
    tags?: string[];
    platforms?: string[];
    reference?: string;
    tag?: string;
    sources?: string[];
    create?: string;
    branch?: string;
    file?: string;
    content?: string;
}

/** An alias as the SDK sends it to the engine: a URN, or a spec the engine resolves against the old state. */
export type RegisteredAlias = { urn: string } | { name: string; type: string; stack: string; project: string; parentUrn: string; noParent: boolean };

/** What the engine receives for one registration besides its inputs: where the resource is and was. */
export interface Registration {
    urn: string;
    type: string;
    name: string;
    /** The parent's URN; "" for a resource without one. */
    parent: string;
    aliases: RegisteredAlias[];
    /** The URNs of the resources its inputs and `dependsOn` depend on, as the SDK sent them. */
    dependencies: string[];
}

/** The parts of a RegisterResourceRequest (the SDK's protobuf message) read here. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
    getAliasesList(): {
        getUrn(): string;
        getSpec():
            { getName(): string; getType(): string; getStack(): string; getProject(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
    }[];
}
type RegisterCallback = (err: unknown, response?: { getUrn(): string }) => void;

export class BinderMocks implements pulumi.runtime.Mocks {
    public readonly resources: RecordedResource[] = [];
    /** Every registration (custom and component resources alike), as the monitor received it. */
    public readonly registrations: Registration[] = [];

    /**
     * Records what `monitor` (the mock monitor `setMocks` installed) is asked to register: each resource's
     * URN, parent and aliases, which the Mocks interface does not see. Call after `setMocks`.
     */
    watch(monitor: unknown): void {
        const target = monitor as { registerResource(req: RegisterRequest, callback: RegisterCallback): void };
        const register = target.registerResource.bind(target);
        target.registerResource = (req, callback) =>
            register(req, (err, response) => {
                if (!err && response) {
                    this.registrations.push({
                        urn: response.getUrn(),
                        type: req.getType(),
                        name: req.getName(),
                        parent: req.getParent(),
                        dependencies: req.getDependenciesList(),
                        aliases: req.getAliasesList().map((alias): RegisteredAlias => {
                            const spec = alias.getSpec();
                            return spec
                                ? {
                                      name: spec.getName(),
                                      type: spec.getType(),
                                      stack: spec.getStack(),
                                      project: spec.getProject(),
                                      parentUrn: spec.getParenturn(),
                                      noParent: spec.getNoparent(),
                                  }
                                : { urn: alias.getUrn() };
                        }),
                    });
                }
                callback(err, response);
            });
    }

    constructor(private readonly behaviour: MockBehaviour = {}) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const recorded: Record<string, unknown> = { ...(args.inputs as Record<string, unknown>) };
        this.resources.push({ type: args.type, name: args.name, inputs: recorded });
        const inputs = unwrapSecrets(recorded) as MockedInputs;
        const state: Record<string, unknown> = { ...recorded };
        switch (args.type) {
            case "docker-build:index:Image": {
                const tags = inputs.tags ?? [];
                const repository = (tags[0] ?? "").replace(/:[^:/]+$/, "");
                const digest = mockImageDigest(repository, inputs.platforms?.[0]);
                state.digest = digest;
                state.ref = `${tags[0]}@${digest}`;
                break;
            }
            case GATE_RESOURCE_TYPE: {
                state.verifiedReference = (this.behaviour.gateVerifies ?? ((reference: string) => reference))(inputs.reference ?? "");
                // Every output present, as null when not measured: an absent one would be unknown in a preview.
                const figures = this.behaviour.gateMeasures?.(inputs.reference ?? "") ?? {};
                state.imageBytes = figures.imageBytes ?? null;
                state.newBytes = figures.newBytes ?? null;
                state.baseline = figures.baseline ?? null;
                break;
            }
            case "docker-build:index:Index":
                state.ref = `${inputs.tag ?? ""}@${mockIndexDigest(inputs.sources ?? [])}`;
                break;
            case "command:local:Command":
                state.stdout = (this.behaviour.commandStdout ?? commandStdout)(inputs.create ?? "");
                state.stderr = "";
                break;
            case "github:index/repositoryFile:RepositoryFile":
                state.commitSha = createHash("sha1").update([inputs.branch, inputs.file, inputs.content].join("\n")).digest("hex");
                break;
        }
        return { id: `${args.name}-id`, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const read = this.behaviour.repositoryFile;
        if (args.token !== GET_REPOSITORY_FILE || !read) {
            throw new Error(`unexpected invoke ${args.token}: uw3-binder reads only a frozen launcher branch's file, and this run expects none`);
        }
        const { repository, branch, file } = args.inputs as { repository: string; branch: string; file: string };
        const content = read({ repository, branch, file });
        // The provider answers GitHub's 404 (no branch, no file) without an error: an empty id and no content
        // (terraform-provider-github, data_source_github_repository_file.go: "Missing GitHub repository file").
        if (content === undefined) return { repository, branch, file, id: "" };
        // The data source's outputs (schema.json, getRepositoryFile), with the content as read.
        const sha = createHash("sha1").update(content).digest("hex");
        return {
            repository,
            branch,
            file,
            content,
            ref: branch,
            sha,
            commitSha: sha,
            commitAuthor: "",
            commitEmail: "",
            commitMessage: "",
            id: `${repository}/${file}`,
        };
    }
}
