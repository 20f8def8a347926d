/**
 * `rollback`: repins every launcher branch of the current release's stack to the references an earlier release's
 * gates verified, by writing `pin:` entries into the current stack file. Nothing is rebuilt: a pinned branch
 * only has its digest re-checked in the registry (see launcherPins), where `pulumi up -s <old release's stack>` would
 * rebuild today's checkout and push a new digest over the old tag.
 *
 * The old release's references come from its stack outputs, which only the Pulumi CLI can read: the user hands
 * in `pulumi stack output --json -s <its stack>`. Each branch takes `launchers.<branch>.pinnedReference`, or,
 * for a branch that release did not have, `verifiedReferences.<its image>`.
 *
 * The write is a splice, as in new-release: the YAML parser only locates each branch entry, and the pin is
 * inserted into (or replaces) exactly those bytes, so every other byte of the stack file stays as it was.
 */
import * as path from "path";
import { isAlias, isMap, isScalar, isSeq, Scalar } from "yaml";
import { BinderConfig, ConfigError, KEYS } from "../config/schema";
import { isReleaseStack, previousReleaseProblem, RELEASE_EXPECTED, releaseOfStack, releaseProblem, releasesBefore, stackOfRelease } from "../names/release";
import {
    fullConfigKey,
    openStackDocument,
    stackYamlValues,
    parseValidStackFileText,
    stackFileName,
    stackFileToWrite,
    validateStackFileText,
} from "../config/stackFile";
import { editStackFile } from "../config/stackEdit";
import { InputFileError, OUTPUTS_EXPECTED, OUTPUTS_FILE_MAX_BYTES, readJsonFile } from "../config/inputFile";
import { printableText } from "../text/printable";
import { capped, shown } from "../text/quotedValue";
import { parseImageReference } from "../names/oci";

/** A bad request, outputs file or stack file: nothing was written. */
export class RollbackError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RollbackError";
    }
}

export interface BranchRollback {
    branch: string;
    image: string;
    /** The `pin:` the branch had before, if any. */
    previousPin?: string;
    /** What `pin:` becomes: `<tag>@sha256:<hex>`, or `sha256:<hex>` for a reference without a tag. */
    pin: string;
    /** Where in the outputs the reference came from. */
    from: string;
}

/**
 * The pin of every launcher branch of `config`, from an earlier month's stack outputs (the parsed JSON of
 * `pulumi stack output --json`). Throws a RollbackError listing every problem: a branch with no reference,
 * a reference that is not `<repository>:<tag>@sha256:<hex>`, one in another repository than the branch's
 * image (a pin keeps the image's repository), or one whose tag is not `release`'s.
 */
function rollbackPins(config: BinderConfig, outputs: unknown, outputsName: string, release: string): BranchRollback[] {
    if (!config.launcher) throw new RollbackError(`the stack has no \`${KEYS.launcher}\`: there are no launcher branches to roll back`);
    if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) {
        throw new RollbackError(`${outputsName}: expected the JSON object \`pulumi stack output --json\` prints, found ${shown(outputs)}`);
    }
    const record = outputs as Record<string, unknown>;
    const launchers = typeof record.launchers === "object" && record.launchers !== null ? (record.launchers as Record<string, unknown>) : {};
    const verified =
        typeof record.verifiedReferences === "object" && record.verifiedReferences !== null ? (record.verifiedReferences as Record<string, unknown>) : {};
    const problems: string[] = [];
    const pins: BranchRollback[] = [];
    for (const branch of config.launcher.branches) {
        const image = config.images.find((i) => i.name === branch.image)!;
        const launcherEntry = launchers[branch.name] as { pinnedReference?: unknown } | undefined;
        let from: string;
        let reference: unknown;
        if (launcherEntry && Object.prototype.hasOwnProperty.call(launcherEntry, "pinnedReference")) {
            from = `launchers.${branch.name}.pinnedReference`;
            reference = launcherEntry.pinnedReference;
        } else if (Object.prototype.hasOwnProperty.call(verified, image.name)) {
            from = `verifiedReferences.${image.name}`;
            reference = verified[image.name];
        } else {
            problems.push(
                `launcher branch ${shown(branch.name)}: ${outputsName} has neither \`launchers.${capped(branch.name)}.pinnedReference\` nor \`verifiedReferences.${image.name}\``,
            );
            continue;
        }
        const where = `launcher branch ${shown(branch.name)}: \`${capped(from)}\` in ${outputsName}`;
        if (reference === "[secret]") {
            problems.push(`${where}: is shown as "[secret]"; save the outputs with \`pulumi stack output --json --show-secrets\``);
            continue;
        }
        if (typeof reference !== "string") {
            problems.push(`${where}: expected an image reference <repository>:<tag>@sha256:<64 hex>, found ${shown(reference)}`);
            continue;
        }
        let parsed;
        try {
            parsed = parseImageReference(reference);
        } catch (err) {
            problems.push(`${where}: ${(err as Error).message}`);
            continue;
        }
        if (!parsed.digest) {
            problems.push(`${where}: expected a reference pinned by digest (<repository>:<tag>@sha256:<64 hex>), found ${shown(reference)}`);
            continue;
        }
        const repository = `${parsed.registry}/${parsed.repository}`;
        if (repository !== image.repositoryUrl) {
            problems.push(
                `${where}: the reference is in ${shown(repository)}, but the branch's image ${shown(image.name)} is pushed to ${shown(image.repositoryUrl)}; a pin keeps the image's repository`,
            );
            continue;
        }
        // An outputs file of another release is the likely mistake: where the image's tags carry the release,
        // the tag says which release the reference is from.
        // The release must be a whole word of the tag (`2025.01-slim`, not `2025.011-slim` nor `x2025.01y`), and
        // a reference without a tag cannot say its release at all.
        if (image.tags.some((t) => namesRelease(t, config.release))) {
            if (parsed.tag === undefined) {
                problems.push(`${where}: expected a reference tagged with release ${release} (<repository>:<tag>@sha256:<64 hex>), found ${shown(reference)}`);
                continue;
            }
            if (!namesRelease(parsed.tag, release)) {
                problems.push(
                    `${where}: tag ${shown(parsed.tag)} is not release ${release}'s; is ${outputsName} the output of stack ${stackOfRelease(release)}?`,
                );
                continue;
            }
        }
        pins.push({
            branch: branch.name,
            image: image.name,
            previousPin: branch.pin ? (branch.pin.tag ? `${branch.pin.tag}@${branch.pin.digest}` : branch.pin.digest) : undefined,
            pin: parsed.tag !== undefined ? `${parsed.tag}@${parsed.digest}` : parsed.digest,
            from,
        });
    }
    if (problems.length > 0) throw new RollbackError(problemsMessage("nothing was written", problems));
    return pins;
}

/** Whether `tag` names `release` as a whole word: not inside a longer run of letters, digits or dots. */
function namesRelease(tag: string, release: string): boolean {
    for (let at = tag.indexOf(release); at >= 0; at = tag.indexOf(release, at + 1)) {
        const before = tag[at - 1];
        const after = tag[at + release.length];
        if ((before === undefined || /[-_]/.test(before)) && (after === undefined || /[-_]/.test(after))) return true;
    }
    return false;
}

/** One problem on one line after the heading; several as a list under it. */
function problemsMessage(heading: string, problems: string[]): string {
    return problems.length === 1 ? `${heading}: ${problems[0]}` : [`${heading} (${problems.length} problems):`, ...problems.map((p) => `  - ${p}`)].join("\n");
}

/**
 * `text` with `pin: "<value>"` set on the launcher branch entries named in `pins`: an existing pin's value
 * is replaced, a missing one is added as the entry's last key (`, pin: ...` in a flow map, a line at the
 * keys' indentation in a block map). Every other byte stays. Throws a RollbackError for a launcher list it
 * cannot edit in place (an alias, a branch entry that is not a map, a pin that is an alias or block scalar).
 */
export function setLauncherPins(text: string, fileName: string, pins: Map<string, string>): string {
    const { doc, pairOf } = openStackDocument(text, fileName, (message) => new RollbackError(message));
    const launcherPair = pairOf(KEYS.launcher);
    const cannot = (what: string) => new RollbackError(`${fileName}: cannot set pins in place: ${what}; write the launcher branches out as a list of maps`);
    if (!launcherPair || !isMap(launcherPair.value)) throw cannot(`\`${KEYS.launcher}\` is not a map`);
    const branches = launcherPair.value.get("branches", true);
    if (!isSeq(branches)) throw cannot(`\`${KEYS.launcher}.branches\` is ${isAlias(branches) ? "a YAML alias" : "not a list"}`);

    const splices: { start: number; end: number; text: string }[] = [];
    const expected = doc.toJS() as { config: Record<string, unknown> };
    const expectedBranches = Object.entries(expected.config).find(([k]) => fullConfigKey(k) === KEYS.launcher)![1] as { branches: Record<string, unknown>[] };
    const found = new Set<string>();
    branches.items.forEach((item, index) => {
        if (!isMap(item)) throw cannot(`\`${KEYS.launcher}.branches[${index}]\` is ${isAlias(item) ? "a YAML alias" : "not a map"}`);
        const name = item.get("name");
        if (typeof name !== "string" || !pins.has(name)) return;
        found.add(name);
        const value = JSON.stringify(pins.get(name));
        expectedBranches.branches[index].pin = pins.get(name);
        const pinPair = item.items.find((p) => isScalar(p.key) && p.key.value === "pin");
        if (pinPair) {
            const node = pinPair.value;
            if (!isScalar(node) || !node.range || node.anchor || node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
                throw cannot(`the \`pin\` of branch ${shown(name)} is not a plain or quoted value`);
            }
            splices.push({ start: node.range[0], end: node.range[1], text: value });
            return;
        }
        const last = item.items[item.items.length - 1];
        const lastEnd =
            (last.value as { range?: [number, number, number] } | null)?.range?.[1] ?? (last.key as { range?: [number, number, number] }).range?.[1];
        if (lastEnd === undefined) throw cannot(`branch ${shown(name)} has no position in the file`);
        if (item.flow) {
            splices.push({ start: lastEnd, end: lastEnd, text: `, pin: ${value}` });
            return;
        }
        const firstKeyStart = (item.items[0].key as { range: [number, number, number] }).range[0];
        const indent = firstKeyStart - (text.lastIndexOf("\n", firstKeyStart - 1) + 1);
        const lineEnd = text.indexOf("\n", lastEnd);
        const at = lineEnd < 0 ? text.length : lineEnd;
        splices.push({ start: at, end: at, text: `\n${" ".repeat(indent)}pin: ${value}` });
    });
    const missing = [...pins.keys()].filter((b) => !found.has(b));
    if (missing.length > 0)
        throw cannot(`no entry for branch${missing.length === 1 ? "" : "es"} ${missing.map((b) => shown(b)).join(", ")} in \`${KEYS.launcher}.branches\``);

    let out = text;
    for (const s of splices.sort((a, b) => b.start - a.start)) out = out.slice(0, s.start) + s.text + out.slice(s.end);
    // The splices must set those pins and change nothing else the parser sees.
    if (JSON.stringify(stackYamlValues(out)) !== JSON.stringify(expected)) throw new Error(`internal: setting pins in ${fileName} changed other values`);
    return out;
}

export interface RollbackRequest {
    /** The release rolled back to: a month `YYYY.MM` or a version (`v3.0.1`). */
    to: string;
    /** The path of `pulumi stack output --json -s <its stack>`'s output (relative to `dir`). */
    outputsFile: string;
    /** How messages name it; default: `outputsFile`. */
    outputsName?: string;
    /** The stack whose file gets the pins; default: the current release's stack file in `dir` (see stackFileToWrite). */
    stack?: string;
    dir: string;
}

export interface RollbackResult {
    stack: string;
    file: string;
    pins: BranchRollback[];
    /** False when every branch already had exactly that pin. */
    changed: boolean;
}

function readOutputs(file: string, name: string): unknown {
    try {
        return readJsonFile(file, `--from-outputs ${name}`, OUTPUTS_EXPECTED, OUTPUTS_FILE_MAX_BYTES);
    } catch (err) {
        if (err instanceof InputFileError) throw new RollbackError(err.message);
        throw err;
    }
}

/**
 * Writes the pins into the stack file, or nothing: every reference and the resulting file are validated
 * first, and the file is replaced in one rename.
 */
export function rollback(request: RollbackRequest): RollbackResult {
    if (releaseProblem(request.to)) throw new RollbackError(`invalid --to ${shown(request.to)}: expected the release to roll back to, ${RELEASE_EXPECTED}`);
    const dir = path.resolve(request.dir);
    const choice = stackFileToWrite(dir, request.stack, "to write the pins into");
    if ("problem" in choice) throw new RollbackError(choice.problem);
    const { stack, fileName, file } = choice;
    if (isReleaseStack(stack) && previousReleaseProblem(request.to, releaseOfStack(stack))) {
        throw new RollbackError(
            `--to ${request.to} is not before --stack ${stack}: a rollback pins the current release's launchers to the references of ${releasesBefore(releaseOfStack(stack))}`,
        );
    }
    const outputsName = request.outputsName ?? request.outputsFile;
    const outputs = readOutputs(path.resolve(dir, request.outputsFile), outputsName);
    // Read, decided and written under the stack file's lock: an edit another command made meanwhile is kept.
    return editStackFile<RollbackResult>(
        file,
        fileName,
        (message) => new RollbackError(message),
        (text) => {
            let config: BinderConfig;
            try {
                config = parseValidStackFileText(text, fileName).config;
            } catch (err) {
                if (err instanceof ConfigError)
                    throw new RollbackError(problemsMessage(`${fileName} is not a valid stack file, so nothing was written`, err.problems));
                throw err;
            }
            const pins = rollbackPins(config, outputs, outputsName, request.to);
            const changed = pins.some((p) => p.pin !== p.previousPin);
            if (!changed) return { text, result: { stack, file, pins, changed } };
            const updated = setLauncherPins(text, fileName, new Map(pins.map((p) => [p.branch, p.pin])));
            const problems = validateStackFileText(updated, fileName);
            if (problems.length > 0)
                throw new RollbackError(problemsMessage(`${fileName} would not be a valid stack file with these pins, so nothing was written`, problems));
            return { text: updated, result: { stack, file, pins, changed } };
        },
    );
}

/** What `rollback` prints: each branch's new pin, and the commands that apply it. */
export function rollbackText(result: RollbackResult, request: { to: string; outputsFile: string }): string {
    const fileName = stackFileName(result.stack);
    const width = Math.max(...result.pins.map((p) => p.branch.length));
    const lines = [
        result.changed
            ? `Pinned every launcher branch in ${fileName} to release ${request.to}'s verified references (from ${request.outputsFile}):`
            : `Every launcher branch in ${fileName} is already pinned to release ${request.to}'s verified references; nothing was written:`,
        ...result.pins.map(
            (p) => `  ${p.branch.padEnd(width)}  pin: ${p.pin}${p.previousPin === p.pin ? "  (unchanged)" : p.previousPin ? `  (was ${p.previousPin})` : ""}`,
        ),
        "",
        "Nothing is rebuilt for a pinned branch: the program only re-checks that its digest is still in the registry.",
        "",
        "Next steps:",
        `  1. pulumi preview --stack ${result.stack}     # only launcher files change, back to ${request.to}`,
        `  2. pulumi up --stack ${result.stack}`,
        `  3. commit ${fileName}; remove the pin: lines to let the branches follow ${result.stack}'s images again`,
    ];
    return printableText(lines);
}
