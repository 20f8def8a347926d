/**
 * `uw3-binder rehearse <pinned-reference> --branch B --uw3-branch U (--release R | --frozen | --follows REF)` (R a month YYYY.MM or a version v3.0.2): builds the launcher
 * branch's `.binder/Dockerfile` as mybinder.org's repo2docker would and starts it as BinderHub does.
 *
 * The launcher component runs it with `--print-ref` before it repins a branch and pins only what it
 * printed, so stdout then carries nothing but the reference; the table goes to stderr. Exit codes: 0 the
 * launch answered HTTP 200 in time, 1 the rehearsal failed, 2 a usage error.
 */
import { Option } from "commander";
import { BINDER_PORT, BINDER_UID } from "../mybinder/facts";
import { shown } from "../text/quotedValue";
import { splitPinnedReference } from "../render/launcher";
import { describedLaunchCommand } from "../rehearsal/launch";
import {
    DEFAULT_REHEARSAL_OPTIONS,
    FROZEN_FLAG,
    REHEARSAL_OPTION_FIELDS,
    REHEARSAL_TARGET_FIELDS,
    RehearsalField,
    RehearsalOptions,
    RehearsalTarget,
} from "../rehearsal/options";
import { CliCommand, parsedOption } from "./command";
import { bufferIo } from "./commandIo";
import { UsageError } from "./errors";

const d = DEFAULT_REHEARSAL_OPTIONS;
const FOLLOWS = REHEARSAL_TARGET_FIELDS.find((f) => f.key === "follows")!.flag;

interface RehearseArgs {
    reference: string;
    target: RehearsalTarget;
    options: RehearsalOptions;
    json: boolean;
    printRef: boolean;
}

function pinnedReference(text: string): string {
    const reference = text.trim();
    try {
        // The launcher's FROM: mybinder.org needs the tag, the digest makes the pin exact.
        splitPinnedReference(reference);
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
    return reference;
}

/** A flag of a declared field (src/rehearsal/options.ts): the word read as the field reads it, refused by the field's one rule. */
function fieldOption<K extends string, V>(fields: readonly RehearsalField<K, V>[], key: K, description: string): Option {
    const field = fields.find((f) => f.key === key)!;
    return parsedOption(`${field.flag} ${field.placeholder}`, description, (word) => {
        const value = field.read(word);
        const problem = field.problem(value);
        if (problem) throw new UsageError(`${field.flag}: ${problem}, found "${word}"`);
        return value;
    });
}

/** The `rehearse` command line, without what it does: its arguments, its options and its help. */
function declareRehearseLine(command: CliCommand): CliCommand {
    return command
        .description(
            "Builds the launcher branch's .binder/Dockerfile (exactly as uw3-binder commits it, FROM <pinned-reference>) " +
                `as mybinder.org's repo2docker does, starts it as BinderHub does (UID ${BINDER_UID}, its CPU and memory limits, JupyterHub's ` +
                `environment, no network, "${describedLaunchCommand()}" through the image's entrypoint), waits as the hub does for ` +
                `an answer under HTTP 500 to GET /user/<name>/api on port ${BINDER_PORT}, then for HTTP 200 on /user/<name>/?token=<token>, where the user is sent. ` +
                "The image and the container are removed afterwards.",
        )
        .usage("<pinned-reference> --branch NAME --uw3-branch NAME (--release <YYYY.MM|v3.0.2> | --frozen | --follows <ref>) [options]")
        .argument("<pinned-reference>", "<repository>:<tag>@sha256:<64 hex>, the launcher's FROM", pinnedReference)
        .argumentsWorded({
            missing: () => "missing <pinned-reference>, e.g. ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:<64 hex>",
            excess: (args) => `expected one <pinned-reference>, found ${args.length}: ${args.map((p) => shown(p)).join(", ")}`,
        })
        .mandatory(
            fieldOption(REHEARSAL_TARGET_FIELDS, "branch", "the launcher branch (its name is in the Dockerfile's comment)"),
            () => "missing --branch, e.g. --branch development",
        )
        .mandatory(
            fieldOption(REHEARSAL_TARGET_FIELDS, "uw3Branch", "the Underworld3 branch (ENV UW3_BRANCH)"),
            () => "missing --uw3-branch, e.g. --uw3-branch development",
        )
        .addOption(
            fieldOption(
                REHEARSAL_TARGET_FIELDS,
                "release",
                `the release: a month YYYY.MM or a version such as v3.0.2 (in the Dockerfile's comment); or ${FROZEN_FLAG}, or ${FOLLOWS}`,
            ),
        )
        .option(FROZEN_FLAG, "a frozen release branch: its Dockerfile names no release (instead of --release)")
        .addOption(
            fieldOption(
                REHEARSAL_TARGET_FIELDS,
                "follows",
                "a following branch of a build per ref: the ref it follows, which its Dockerfile names (instead of --release)",
            ),
        )
        .exclusive("--release", FROZEN_FLAG, `give --release <release> or ${FROZEN_FLAG}, not both`)
        .exclusive("--release", FOLLOWS, `give --release <release> or ${FOLLOWS} <ref>, not both`)
        .exclusive(FROZEN_FLAG, FOLLOWS, `give ${FROZEN_FLAG} or ${FOLLOWS} <ref>, not both: a frozen branch follows no ref`)
        .addOption(fieldOption(REHEARSAL_OPTION_FIELDS, "memory", `memory limit, e.g. 2g or 512m (default ${d.memory}, mybinder.org's)`))
        .addOption(fieldOption(REHEARSAL_OPTION_FIELDS, "cpus", `CPU limit (default ${d.cpus}, mybinder.org's)`))
        .addOption(
            fieldOption(REHEARSAL_OPTION_FIELDS, "startTimeoutS", `seconds the server has to answer HTTP 200 (default ${d.startTimeoutS}, mybinder.org's)`),
        )
        .option("--json", 'print {"reference", "branch", "ok", "secondsToHttp200", "checks": [{"name", "ok", "detail"}]}')
        .option("--print-ref", "print only the rehearsed reference on stdout (the table goes to stderr)")
        .exclusive("--json", "--print-ref")
        .addHelpText("after", "\nexit status: 0 the launch answered HTTP 200 in time, 1 the rehearsal failed, 2 usage error");
}

/** What a parsed `rehearse` command line asks for. */
function rehearseArgsOf(command: CliCommand): RehearseArgs {
    const [reference] = command.processedArgs as [string];
    const o = command.opts<{
        branch: string;
        uw3Branch: string;
        release?: string;
        frozen?: true;
        follows?: string;
        memory?: string;
        cpus?: number;
        startTimeoutS?: number;
        json?: true;
        printRef?: true;
    }>();
    if (o.release === undefined && !o.frozen && o.follows === undefined) {
        throw new UsageError(
            `missing --release, e.g. --release 2025.01 (or ${FROZEN_FLAG} for a frozen release branch, ${FOLLOWS} <ref> for a following branch of a build per ref)`,
        );
    }
    const names = { branch: o.branch, uw3Branch: o.uw3Branch };
    const target: RehearsalTarget = o.frozen
        ? { ...names, release: "", frozen: true }
        : o.follows !== undefined
          ? { ...names, release: "", follows: o.follows }
          : { ...names, release: o.release! };
    return {
        reference,
        target,
        options: { memory: o.memory ?? d.memory, cpus: o.cpus ?? d.cpus, startTimeoutS: o.startTimeoutS ?? d.startTimeoutS },
        json: o.json === true,
        printRef: o.printRef === true,
    };
}

/** Parses `rehearse` arguments; every problem is a UsageError naming the flag, what it expects and what it got. */
export function parseRehearseArgs(argv: string[]): RehearseArgs {
    const command = declareRehearseLine(new CliCommand("rehearse", bufferIo(process.cwd())));
    command.parse(argv, { from: "user" });
    return rehearseArgsOf(command);
}

async function rehearse(command: CliCommand): Promise<number> {
    const io = command.io;
    const args = rehearseArgsOf(command);
    const [{ renderCheckTable }, { rehearsalReport, rehearseLaunch }] = await Promise.all([import("../check/run"), import("../rehearsal/launch")]);

    // rehearseLaunch removes its container and image, also on SIGINT/SIGTERM (exit 130/143).
    const outcome = await rehearseLaunch(args.reference, args.target, args.options);

    if (args.json) {
        io.stdout(JSON.stringify(rehearsalReport(outcome), null, 2) + "\n");
        return outcome.ok ? 0 : 1;
    }
    const table = `launcher branch ${outcome.branch}: ${outcome.reference}\n${renderCheckTable(outcome.steps)}\n`;
    if (!args.printRef) {
        io.stdout(table);
        return outcome.ok ? 0 : 1;
    }
    io.stderr(table);
    if (!outcome.ok) return 1;
    io.stdout(outcome.reference + "\n");
    return 0;
}

/** Declares `rehearse` on `command`: its arguments, options, help and action. */
export function declareRehearse(command: CliCommand): CliCommand {
    return declareRehearseLine(command).runs(rehearse);
}
