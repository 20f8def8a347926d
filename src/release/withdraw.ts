/**
 * `withdraw`: records a published release that turned out bad (after its gates passed) in the stack's
 * `uw3-binder:withdrawn` list, so every gate refuses that digest from the next `pulumi up` on, as an image,
 * a parent or a pin.
 *
 * The write is a splice, as in rollback: the YAML parser only locates the list (or the end of `config:`),
 * the entry is inserted there, and every other byte of the stack file stays as it was.
 */
import { isSeq } from "yaml";
import { BinderConfig, ConfigError, ImageConfig, KEYS } from "../config/schema";
import {
    openStackDocument,
    parseValidStackFileText,
    stackYamlValues,
    readStackFileText,
    stackFileName,
    stackFileToWrite,
    validateStackFileText,
} from "../config/stackFile";
import { editStackFile } from "../config/stackEdit";
import { printableText } from "../text/printable";
import { capped, shown } from "../text/quotedValue";
import { withdrawalReasonProblem } from "../check/options";
import { ImageReference, parseDigestArgument, parseImageReference, TAG_PATTERN } from "../names/oci";

/** A bad request, registry answer, outputs file or stack file: nothing was written. One line. */
export class WithdrawError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "WithdrawError";
    }
}

export interface WithdrawalEntry {
    digest: string;
    reason: string;
    /** YYYY-MM-DD (UTC) */
    date: string;
    /** `<tag>@sha256:<hex>`: what a branch whose `pin:` is the withdrawn digest is repinned to. */
    replacement?: string;
}

// What JSON.stringify leaves raw but a YAML reader or a terminal must not see: DEL and the C1 controls (U+0085
// NEL ends a line for yaml.v3 and PyYAML), the line and paragraph separators, and the bidi controls.
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `value` as a JSON string with every control, separator and bidi character escaped: a YAML double-quoted scalar. */
function quoted(value: string): string {
    return JSON.stringify(value).replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The entry as one YAML flow map; strings quoted (an escaped JSON string is a YAML double-quoted scalar). */
function entryText(entry: WithdrawalEntry): string {
    const fields = [`digest: ${quoted(entry.digest)}`, `reason: ${quoted(entry.reason)}`, `date: ${quoted(entry.date)}`];
    if (entry.replacement !== undefined) fields.push(`replacement: ${quoted(entry.replacement)}`);
    return `{ ${fields.join(", ")} }`;
}

function lineStart(text: string, at: number): number {
    return text.lastIndexOf("\n", at - 1) + 1;
}

function lineEnd(text: string, at: number): number {
    const end = text.indexOf("\n", at);
    return end < 0 ? text.length : end;
}

/**
 * `text` with `entry` appended to `uw3-binder:withdrawn` (the key is added at the end of `config:` when
 * missing). Every other byte stays. Throws a WithdrawError for a file it cannot edit in place, or for a
 * digest that is already withdrawn.
 */
export function addWithdrawal(text: string, fileName: string, entry: WithdrawalEntry): string {
    // The entry is spliced in as block lines, after the last key.
    const { doc, config, pairOf } = openStackDocument(text, fileName, (message) => new WithdrawError(message), { block: true });
    const cannot = (what: string) => new WithdrawError(`${fileName}: cannot add the withdrawal in place: ${what}; write \`${KEYS.withdrawn}\` as a list`);

    const expected = doc.toJS() as { config: Record<string, unknown> };
    const pair = pairOf(KEYS.withdrawn);
    const value = JSON.parse(JSON.stringify(entry)) as Record<string, unknown>;
    let splice: { start: number; end: number; text: string };
    if (!pair) {
        const firstKey = config.items[0].key as { range: [number, number, number] };
        const indent = " ".repeat(firstKey.range[0] - lineStart(text, firstKey.range[0]));
        const last = config.items[config.items.length - 1];
        const lastEnd = (last.value as { range?: [number, number, number] } | null)?.range?.[1] ?? (last.key as { range: [number, number, number] }).range[1];
        // The value's range ends at its last character; the entry goes after that line (and a comment on it).
        const at = lineEnd(text, Math.max(lastEnd - 1, 0));
        splice = { start: at, end: at, text: `\n${indent}${KEYS.withdrawn}:\n${indent}  - ${entryText(entry)}` };
        expected.config[KEYS.withdrawn] = [value];
    } else {
        const list = pair.value;
        if (!isSeq(list)) throw cannot(`\`${KEYS.withdrawn}\` is ${list === null ? "empty" : "not a list"}`);
        const seq = list;
        const key = String((pair.key as { value: unknown }).value);
        (expected.config[key] as unknown[]).push(value);
        if (!seq.range) throw cannot(`\`${KEYS.withdrawn}\` has no position in the file`);
        if (seq.flow) {
            const close = text.lastIndexOf("]", seq.range[1]);
            if (close < seq.range[0]) throw cannot(`\`${KEYS.withdrawn}\` is not closed by "]"`);
            splice = { start: close, end: close, text: `${seq.items.length > 0 ? ", " : ""}${entryText(entry)}` };
        } else {
            const firstItem = seq.items[0] as { range?: [number, number, number] };
            if (!firstItem?.range) throw cannot(`\`${KEYS.withdrawn}\` has no position in the file`);
            const dash = text.lastIndexOf("-", firstItem.range[0]);
            const indent = " ".repeat(dash - lineStart(text, dash));
            const lastItem = seq.items[seq.items.length - 1] as { range?: [number, number, number] };
            const at = lineEnd(text, Math.max((lastItem.range ?? firstItem.range)[1] - 1, 0));
            splice = { start: at, end: at, text: `\n${indent}- ${entryText(entry)}` };
        }
    }
    const out = text.slice(0, splice.start) + splice.text + text.slice(splice.end);
    // The splice must add that entry and change nothing else the parser sees.
    if (JSON.stringify(stackYamlValues(out)) !== JSON.stringify(expected)) throw cannot("the list's layout is not one this command edits");
    return out;
}

export interface WithdrawRequest {
    /** `sha256:<hex>`, a reference (`<repository>:<tag>[@sha256:<hex>]`) or a tag of one of the stack's images. */
    target: string;
    reason: string;
    /** The stack whose file gets the entry; default: the current release's stack file in `dir` (see stackFileToWrite). */
    stack?: string;
    dir: string;
    /** YYYY-MM-DD */
    today: string;
    /** An earlier stack's `pulumi stack output --json`, parsed: where the replacement comes from. */
    outputs?: { name: string; value: unknown };
    /**
     * Resolves a reference by tag to its digest (the registry client); not called for a digest. Only ever
     * called for a reference in one of the stack's image repositories; `registry` is the server that image
     * is configured on, the only one the registry credentials may be sent to.
     */
    resolve(reference: ImageReference, registry: string): Promise<string>;
}

export interface WithdrawResult {
    stack: string;
    file: string;
    entry: WithdrawalEntry;
    /** The reference the target was resolved from, when it was not a digest. */
    resolvedFrom?: string;
    /** Launcher branches whose `pin:` is the withdrawn digest. */
    pinnedBranches: string[];
}

/** The config images that publish to a reference's repository (several: the builds per ref of one image). */
function imagesIn(config: BinderConfig, ref: ImageReference): ImageConfig[] {
    return config.images.filter((i) => i.repositoryUrl === `${ref.registry}/${ref.repository}`);
}

/**
 * The config image a reference names: the one image of its repository, or of several (builds per ref) the
 * one published under its tag; undefined when neither tells.
 */
function imageOf(config: BinderConfig, ref: ImageReference): ImageConfig | undefined {
    const inRepository = imagesIn(config, ref);
    if (inRepository.length === 1) return inRepository[0];
    const tagged = inRepository.filter((i) => ref.tag !== undefined && i.tags.includes(ref.tag));
    return tagged.length === 1 ? tagged[0] : undefined;
}

/** The replacement `<tag>@sha256:<hex>` from an earlier stack's `verifiedReferences.<image>`. */
function replacementFrom(outputs: { name: string; value: unknown }, image: ImageConfig, config: BinderConfig, digest: string): string {
    const verified = (outputs.value as { verifiedReferences?: Record<string, unknown> } | null)?.verifiedReferences;
    const where = `--from-outputs ${outputs.name}: \`verifiedReferences.${image.name}\``;
    if (typeof verified !== "object" || verified === null || !Object.hasOwn(verified, image.name)) {
        throw new WithdrawError(`${where} is missing; expected an earlier stack's \`pulumi stack output --json\``);
    }
    const reference = verified[image.name];
    let parsed: ImageReference;
    try {
        if (typeof reference !== "string") throw new Error(`found ${shown(reference)}`);
        parsed = parseImageReference(reference);
    } catch (err) {
        throw new WithdrawError(`${where}: expected <repository>:<tag>@sha256:<64 hex>, ${capped((err as Error).message)}`);
    }
    if (!parsed.digest || !parsed.tag) throw new WithdrawError(`${where}: expected <repository>:<tag>@sha256:<64 hex>, found ${shown(reference)}`);
    if (`${parsed.registry}/${parsed.repository}` !== image.repositoryUrl) {
        throw new WithdrawError(`${where}: ${shown(reference)} is not in ${image.name}'s repository ${shown(image.repositoryUrl)}`);
    }
    if (parsed.digest === digest || config.withdrawn.some((w) => w.digest === parsed.digest)) {
        throw new WithdrawError(`${where}: ${parsed.digest} is withdrawn too; give the outputs of a stack whose release is not`);
    }
    return `${parsed.tag}@${parsed.digest}`;
}

/** The stack file's text, read as every command reads a stack file; a problem is a WithdrawError naming it. */
function readStackFile(file: string): string {
    try {
        return readStackFileText(file);
    } catch (err) {
        if (err instanceof ConfigError) throw new WithdrawError(`${err.problems.join("; ")}, so nothing was written`);
        throw err;
    }
}

/** The stack file's config, validated; an invalid one is a WithdrawError listing its problems. */
function validConfig(text: string, fileName: string): BinderConfig {
    try {
        return parseValidStackFileText(text, fileName).config;
    } catch (err) {
        if (err instanceof ConfigError) throw new WithdrawError(`${fileName} is not a valid stack file, so nothing was written: ${err.problems.join("; ")}`);
        throw err;
    }
}

/** Records the withdrawal in the stack file, or writes nothing: the entry and the result are validated first. */
export async function withdraw(request: WithdrawRequest): Promise<WithdrawResult> {
    const reason = request.reason.replace(/\s+/g, " ").trim();
    if (reason === "") throw new WithdrawError('--reason must say why the release is withdrawn, found ""');
    const reasonProblem = withdrawalReasonProblem(reason);
    if (reasonProblem) throw new WithdrawError(`--reason: ${reasonProblem}; nothing was written`);
    const choice = stackFileToWrite(request.dir, request.stack, "to record the withdrawal in");
    if ("problem" in choice) throw new WithdrawError(choice.problem);
    const { stack, fileName, file } = choice;
    // Read once to resolve the target (which may ask a registry); the edit reads it again under the lock.
    const config = validConfig(readStackFile(file), fileName);

    const target = request.target.trim();
    let digest: string;
    let ref: ImageReference | undefined;
    let resolvedFrom: string | undefined;
    const claimed = parseDigestArgument(target);
    if (claimed && "problem" in claimed) throw new WithdrawError(`${claimed.problem}; nothing was written`);
    if (claimed) {
        digest = claimed.digest;
    } else {
        if (!target.includes("/") && !target.includes("@") && TAG_PATTERN.test(target)) {
            // A bare tag: the stack's image that is published under it.
            const tagged = config.images.filter((i) => i.tags.includes(target));
            if (tagged.length !== 1) {
                throw new WithdrawError(
                    `${shown(target)} is ${tagged.length === 0 ? "no tag" : "a tag of several images"} of ${fileName}'s images (${config.images.map((i) => `${i.name}: ${i.tags.join(", ")}`).join("; ")}); give sha256:<64 hex> or <repository>:<tag>`,
                );
            }
            ref = parseImageReference(`${tagged[0].repositoryUrl}:${target}`);
        } else {
            try {
                ref = parseImageReference(target);
            } catch (err) {
                throw new WithdrawError(`${capped((err as Error).message)}; expected sha256:<64 hex>, <repository>:<tag> or a tag of the stack's images`);
            }
            // `docker pull` reads a repository without a tag as `:latest`; a withdrawal names what it withdraws.
            if (!target.includes("@") && !target.split("/").pop()!.includes(":")) {
                throw new WithdrawError(
                    `${shown(target)} names a repository but no tag or digest; expected <repository>:<tag>, <repository>@sha256:<64 hex> or sha256:<64 hex>`,
                );
            }
        }
        // Only the stack's own repositories are looked up: the registry credentials are for its registry.
        const image = imagesIn(config, ref)[0];
        if (!image) {
            throw new WithdrawError(
                `${shown(target)} is in none of ${fileName}'s image repositories (${config.images.map((i) => i.repositoryUrl).join(", ")}); give <repository>:<tag> of one of them, or sha256:<64 hex>`,
            );
        }
        resolvedFrom = `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ""}`;
        digest = ref.digest ?? (await request.resolve(ref, image.registry.server));
    }
    // The edit itself runs under the stack file's lock, on its text as it is then: a withdrawal recorded by
    // another command meanwhile is kept, and one of the same digest is refused.
    return editStackFile(
        file,
        fileName,
        (message) => new WithdrawError(message),
        (current) => {
            const config = validConfig(current, fileName);
            const already = config.withdrawn.find((w) => w.digest === digest);
            if (already)
                throw new WithdrawError(`${digest} is already withdrawn in ${fileName} (on ${already.date}: ${capped(already.reason)}); nothing was written`);
            const pinnedBranches = (config.launcher?.branches ?? []).filter((b) => b.pin?.digest === digest).map((b) => b.name);
            let image = ref && imageOf(config, ref);
            let replacement: string | undefined;
            if (request.outputs) {
                // A digest alone does not say its image; the branches pinned to it do.
                const images = new Set((config.launcher?.branches ?? []).filter((b) => b.pin?.digest === digest).map((b) => b.image));
                if (!image && images.size === 1) image = config.images.find((i) => i.name === [...images][0]);
                if (!image) {
                    const several = ref ? imagesIn(config, ref) : [];
                    throw new WithdrawError(
                        several.length > 1
                            ? `--from-outputs: cannot tell which image ${digest} is of: ${several.map((i) => i.name).join(", ")} all publish to ${several[0].repositoryUrl}; give it as <repository>:<tag>@${digest} with the tag of one of them`
                            : `--from-outputs: cannot tell which image ${digest} is of (no launcher branch pins it); give it as <repository>:<tag>@${digest}`,
                    );
                }
                replacement = replacementFrom(request.outputs, image, config, digest);
            }
            const entry: WithdrawalEntry = { digest, reason, date: request.today, ...(replacement ? { replacement } : {}) };
            const updated = addWithdrawal(current, fileName, entry);
            const problems = validateStackFileText(updated, fileName);
            if (problems.length > 0)
                throw new WithdrawError(`${fileName} would not be a valid stack file with this withdrawal, so nothing was written: ${problems.join("; ")}`);
            return { text: updated, result: { stack, file, entry, resolvedFrom, pinnedBranches } };
        },
    );
}

/** What `withdraw` prints: the entry, what the next `up` does with it, and the commands. */
export function withdrawText(result: WithdrawResult): string {
    const fileName = stackFileName(result.stack);
    const lines = [
        `Withdrew ${result.entry.digest}${result.resolvedFrom ? ` (${result.resolvedFrom})` : ""} in ${fileName}: ${result.entry.reason}`,
        "",
        "From the next `pulumi up` on, every gate refuses it: as an image (a rebuild identical to it included), as a parent, or as a pin.",
    ];
    // Without a replacement, a branch pinned to the digest would be a config error, so nothing is written then.
    if (result.pinnedBranches.length > 0) {
        lines.push(`Launcher branches pinned to it (${result.pinnedBranches.join(", ")}) are repinned to ${result.entry.replacement}; their README says why.`);
    } else if (result.entry.replacement) {
        lines.push(`A branch whose pin: is this digest is repinned to ${result.entry.replacement}.`);
    }
    lines.push("", "Next steps:", `  1. pulumi preview --stack ${result.stack}`, `  2. pulumi up --stack ${result.stack}`, `  3. commit ${fileName}`);
    return printableText(lines);
}
