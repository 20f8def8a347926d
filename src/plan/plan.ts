/**
 * `uw3-binder plan`: the program's resources and outputs for a stack file, computed offline.
 * Every secret, whether the stack file holds it encrypted or not yet, stands as "[secret]".
 */
import { BinderConfig, KEYS } from "../config/schema";
import { loadPlanConfig, planSecretPresence, SECRET_PLACEHOLDER, stackNameOfFile } from "../config/stackFile";
import { launcherPins } from "../launcher/branchPins";
import { pinnedReference } from "../launcher/pins";
import { GATE_RESOURCE_TYPE } from "../../components/gateProvider";
import { BinderMocks, mockImageDigest, secretsAsPlaceholders } from "./mocks";
import { ProgramRun, runProgram } from "./program";

export interface Plan {
    stack: string;
    resources: { type: string; name: string; inputs: Record<string, unknown> }[];
    outputs: Record<string, unknown>;
    /** The frozen branches adopted at `up`, each with the stand-in reference the plan pins it to. */
    adopted: { branch: string; standIn: string }[];
}

/**
 * The tag of an adopted branch's stand-in FROM: a frozen branch that nothing pins and this stack does not
 * build takes, at `up`, the digest its `.binder/Dockerfile` on GitHub names; offline nothing is read.
 */
const ADOPTED_STAND_IN_TAG = "adopted-at-up";

/**
 * What the plan stands in for each adopted branch's `.binder/Dockerfile` on GitHub: FROM its image under the
 * tag `adopted-at-up`, at a digest made up from the branch (mockImageDigest). Every other file reads as
 * missing, so the plan shows each of the branch's files written; at `up`, one GitHub already holds as
 * rendered is kept instead (src/launcher/kept.ts).
 */
function adoptedStandIns(config: BinderConfig): Map<string, string> {
    const standIns = new Map<string, string>();
    if (!config.launcher) return standIns;
    launcherPins<void>(config.launcher, config.images, config.release, {
        built: () => undefined,
        pinned: () => undefined,
        adopted: (branch, image) => {
            standIns.set(
                branch.name,
                pinnedReference(image.repositoryUrl, ADOPTED_STAND_IN_TAG, mockImageDigest(`${image.repositoryUrl} ${branch.name}`, "adopted")),
            );
        },
    });
    return standIns;
}

/** A dynamic resource carries its provider's serialized code as `__provider`: the engine's, not a reader's. */
function withoutProviderCode(inputs: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(inputs).filter(([key]) => key !== "__provider"));
}

function dropUndefined(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(dropUndefined);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [k, dropUndefined(v)]),
        );
    }
    return value;
}

/**
 * The program run for a stack file under the mocks, as `plan` and `targets` compute it: the config validated
 * first (a bad config never reaches the program), every secret standing as "[secret]".
 */
export async function runStackFile(file: string): Promise<ProgramRun & Pick<Plan, "adopted">> {
    const { stack, config: binderConfig } = loadPlanConfig(file); // validates first: a bad config never reaches the program
    const presence = planSecretPresence(stack, stack.values);
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(stack.values)) {
        if (presence.keys.includes(key) || key === KEYS.token) continue;
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    for (const key of presence.keys) {
        config[key] =
            key === KEYS.registryPasswords
                ? JSON.stringify(Object.fromEntries(presence.registryPasswordServers.map((s) => [s, SECRET_PLACEHOLDER])))
                : SECRET_PLACEHOLDER;
    }
    const standIns = adoptedStandIns(binderConfig);
    const mocks = new BinderMocks({
        repositoryFile: ({ branch, file: path }) => {
            const standIn = path === ".binder/Dockerfile" ? standIns.get(branch) : undefined;
            return standIn && `FROM ${standIn}\n`;
        },
    });
    const run = await runProgram({ stack: stackNameOfFile(file), config, secretKeys: presence.keys, plan: true, mocks });
    return { ...run, adopted: [...standIns].map(([branch, standIn]) => ({ branch, standIn })) };
}

export async function computePlan(file: string): Promise<Plan> {
    const run = await runStackFile(file);
    return {
        stack: stackNameOfFile(file),
        resources: run.resources.map((r) => ({
            type: r.type,
            name: r.name,
            inputs: dropUndefined(secretsAsPlaceholders(withoutProviderCode(r.inputs))) as Record<string, unknown>,
        })),
        outputs: run.printableOutputs,
        adopted: run.adopted,
    };
}

/** An input as text, and a list input as its items' texts. */
const text = (value: unknown): string => (typeof value === "string" ? value : value === undefined ? "undefined" : JSON.stringify(value));
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map((v: unknown) => (v === undefined || v === null ? "" : text(v))) : []);

function summary(type: string, inputs: Record<string, unknown>): string {
    switch (type) {
        case "docker-build:index:Image":
            return `${list(inputs.tags).join(", ")} (${list(inputs.platforms).join(", ")})`;
        case GATE_RESOURCE_TYPE:
            return `uw3-binder check ${[...list(inputs.args), ...list([inputs.reference])].join(" ")}`;
        case "docker-build:index:Index":
            return `${text(inputs.tag)} <- ${list(inputs.sources).length} platform images`;
        case "command:local:Command":
            return text(inputs.create ?? "").replace(/^node \S+ /, "uw3-binder ");
        case "github:index/repositoryFile:RepositoryFile":
            return `${text(inputs.branch)}:${text(inputs.file)} "${text(inputs.commitMessage)}"`;
        case "github:index/branch:Branch":
            return `${text(inputs.branch)} from ${text(inputs.sourceBranch)}`;
        case "github:index/repository:Repository":
            return `${text(inputs.name)} (${text(inputs.visibility)})`;
        case "github:index/actionsSecret:ActionsSecret":
            return `${text(inputs.repository)}: ${text(inputs.secretName)}`;
        default:
            return "";
    }
}

/** The readable form: one row per resource, then the outputs. */
export function renderPlanTable(plan: Plan): string {
    const rows = plan.resources.map((r) => [r.type, r.name, summary(r.type, r.inputs)]);
    const widths = [0, 1].map((i) => Math.max(i === 0 ? 4 : 4, ...rows.map((row) => row[i].length)));
    const line = (cols: string[]) => `${cols[0].padEnd(widths[0])}  ${cols[1].padEnd(widths[1])}  ${cols[2]}`.trimEnd();
    const out = [`stack ${plan.stack}: ${plan.resources.length} resources`, "", line(["TYPE", "NAME", "WHAT"]), ...rows.map(line), "", "outputs:"];
    out.push(JSON.stringify(plan.outputs, null, 2));
    if (plan.adopted.length > 0) {
        out.push(
            "",
            `adopted at up (frozen, nothing pins or builds them): offline GitHub is not read, so each FROM ...:${ADOPTED_STAND_IN_TAG}@sha256:... above is a`,
            "stand-in and every file shows as written; at up each takes the digest its .binder/Dockerfile names, and a file GitHub",
            "already holds as rendered is kept, not committed:",
            ...plan.adopted.map((a) => `  ${a.branch}: ${a.standIn}`),
        );
    }
    return out.join("\n");
}
