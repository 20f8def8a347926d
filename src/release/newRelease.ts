/**
 * `new-release`: the next release's stack file (a month `2025.02` or a version `v3.0.2`), copied from an
 * earlier one with only `uw3-binder:release` and `previousRelease` changed, and, where the launcher has a frozen
 * branch named "{release}", the previous release's frozen branch added before it.
 *
 * The copy is a splice, not a re-serialisation: the YAML parser only locates the release scalar, and the
 * new value replaces exactly those bytes, so every comment, blank line, quote style and key order of the
 * source survives byte for byte.
 *
 * Secrets. `secure:` values and the stack's key material (`encryptionsalt`, or `secretsprovider` +
 * `encryptedkey`) are copied as they are. A ciphertext is bound to the key that made it: with the
 * passphrase provider that key is derived from PULUMI_CONFIG_PASSPHRASE and the file's `encryptionsalt`,
 * with a cloud KMS provider it is the data key in `encryptedkey`; copying the key material with the
 * values keeps them decryptable under the new stack name (the same passphrase or KMS key), which is what a
 * month-to-month copy of one project's config wants. With Pulumi Cloud's default provider the key lives
 * in the service, one per stack, and the file carries none: the copied values cannot decrypt there and
 * must be set again after `pulumi stack init`. Dropping them instead would make the new file fail
 * validation for a missing secret and lose the record of which secrets the stack needs.
 */
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { isAlias, isMap, isScalar, isSeq, parse as parseYaml, Scalar, YAMLMap } from "yaml";
import { InputFileError, InputText, readInputFile, STACK_FILE_MAX_BYTES } from "../config/inputFile";
import { expandPlaceholders } from "../config/placeholders";
import { KEYS } from "../config/schema";
import {
    compareReleases,
    isReleaseStack,
    latestStackBeforeRelease,
    previousReleaseProblem,
    RELEASE_EXPECTED,
    RELEASE_STACK_EXPECTED,
    releaseOfStack,
    releaseProblem,
    releasesBefore,
    releaseStacksOfFiles,
    stackOfRelease,
} from "../names/release";
import { fullConfigKey, isSecure, openStackDocument, stackFileName, stackYamlValues, validateStackFileText } from "../config/stackFile";
import { shellQuote } from "../text/shellQuote";
import { secretCommand } from "../config/secrets";
import { printableText } from "../text/printable";
import { capped, shown } from "../text/quotedValue";

/** A release or stack name the user gave is wrong, or a file is missing or in the way. */
export class NewReleaseError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "NewReleaseError";
    }
}

/** `2025.02` → `2025-02`, `v3.0.2` → `v3.0.2`, or a NewReleaseError saying what a release looks like. */
function stackNameOfRelease(release: string): string {
    if (releaseProblem(release)) throw new NewReleaseError(`invalid release ${shown(release)}: expected ${RELEASE_EXPECTED}`);
    return stackOfRelease(release);
}

/** Checks a `--from` stack name (`2025-01`, `v3.0.1`). */
function checkStackName(stack: string, what = "--from"): string {
    if (!isReleaseStack(stack)) throw new NewReleaseError(`invalid ${what} ${shown(stack)}: expected ${RELEASE_STACK_EXPECTED}`);
    return stack;
}

export type SecretsKeyMaterial =
    /** `encryptionsalt`: the passphrase provider. */
    | { kind: "passphrase" }
    /** `secretsprovider` + `encryptedkey`: a cloud KMS or Vault provider. */
    | { kind: "kms"; provider: string }
    /** Neither: Pulumi Cloud's per-stack key (or no secret set yet). */
    | { kind: "service" };

export interface SecureValue {
    /** As `pulumi config set --path` takes it: `github:token`, `uw3-binder:registryPasswords["docker.io"]`. */
    key: string;
    /** Whether the key reaches inside a structured value (needs `--path`). */
    nested: boolean;
}

export interface ReleaseCopy {
    /** The new file's text. */
    text: string;
    /** The release the source file had, recorded as `uw3-binder:previousRelease` in the new file. */
    previousRelease: string;
    secureValues: SecureValue[];
    keyMaterial: SecretsKeyMaterial;
    /** Settings (as key paths) whose values still mention the previous release; left as they were. */
    mentionsOfPrevious: string[];
    /** The frozen launcher branch added for the previous release (before the `{release}` branch), if any. */
    frozenBranch?: string;
}

/** Replace the bytes from `start` to `end` with `with`. */
interface Splice {
    start: number;
    end: number;
    with: string;
}

/** The branch entry that stands for each release: `name: "{release}"`, built in its stack and then frozen. */
const RELEASE_BRANCH = "{release}";

/** A YAML scalar's text for `value`: plain when YAML reads it back as that string (`v3.0.2`), else double-quoted (`"0.99"`). */
function yamlText(value: string): string {
    let plain: unknown;
    try {
        plain = parseYaml(value);
    } catch {
        plain = undefined;
    }
    return plain === value && !/[#:{}[\],&*!|>'"%@`]/.test(value) ? value : JSON.stringify(value);
}

/**
 * The splice that freezes the previous release's launcher branch: where the launcher has a frozen branch named
 * "{release}" (the branch each release builds, then freezes), a literal frozen branch for `previous` goes
 * right before it, at its indentation and in its style (a flow map on one line, or a block map), with its image
 * and its `uw3Branch` (`{release}` read as `previous`). None when there is no such branch or `previous` already
 * has one. A "{release}" entry the splice cannot follow (a flow list, a map on the line after its `-`) is a
 * NewReleaseError.
 */
function frozenBranchOfPrevious(
    source: string,
    sourceName: string,
    launcher: unknown,
    previous: string,
): { splice: Splice; index: number; branch: { name: string; uw3Branch: string; image: string; frozen: true } } | undefined {
    if (!isMap(launcher)) return undefined;
    const branches = launcher.get("branches", true);
    if (!isSeq(branches)) return undefined;
    const entries = branches.items.filter((item): item is YAMLMap => isMap(item));
    if (entries.some((item) => item.get("name") === previous)) return undefined;
    const index = branches.items.findIndex((item) => isMap(item) && item.get("name") === RELEASE_BRANCH && item.get("frozen") === true);
    if (index < 0) return undefined;
    const entry = branches.items[index] as YAMLMap;
    const cannot = (why: string) =>
        new NewReleaseError(
            `${sourceName}: cannot add the frozen branch of ${previous} before the "${RELEASE_BRANCH}" branch: ${why}; write \`${KEYS.launcher}.branches\` as a block list with "- { name: ... }" or "- name: ..." entries`,
        );
    if (branches.flow) throw cannot("the branch list is a flow list ([...])");
    const uw3Branch = entry.get("uw3Branch");
    const image = entry.get("image");
    if (typeof uw3Branch !== "string" || typeof image !== "string") throw cannot("its `uw3Branch` or `image` is not a plain value");
    const branch = { name: previous, uw3Branch: expandPlaceholders(uw3Branch, { release: previous }).text, image, frozen: true as const };
    const at = entry.range![0];
    const lineStart = source.lastIndexOf("\n", at - 1) + 1;
    const lead = /^( *)- +$/.exec(source.slice(lineStart, at));
    if (!lead) throw cannot('its entry does not start on the line of its "-"');
    const fields = [`name: ${yamlText(branch.name)}`, `uw3Branch: ${yamlText(branch.uw3Branch)}`, `image: ${yamlText(image)}`, "frozen: true"];
    const keyIndent = " ".repeat(at - lineStart);
    const text = entry.flow ? `${lead[0]}{ ${fields.join(", ")} }\n` : `${lead[0]}${fields.join(`\n${keyIndent}`)}\n`;
    return { splice: { start: lineStart, end: lineStart, with: text }, index, branch };
}

function pathKey(parts: (string | number)[]): string {
    const [first, ...rest] = parts;
    return (
        String(first) + rest.map((p) => (typeof p === "number" ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join("")
    );
}

function walk(value: unknown, parts: (string | number)[], visitLeaf: (parts: (string | number)[], value: unknown) => void): void {
    if (isSecure(value) || value === null || typeof value !== "object") {
        visitLeaf(parts, value);
        return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...parts, i], visitLeaf));
    else for (const [k, v] of Object.entries(value)) walk(v, [...parts, k], visitLeaf);
}

/**
 * The new stack file's text: `source` with the release value replaced and the release it had recorded as
 * `previousRelease` (replaced where the source has one, else on the line after the release). Throws a NewReleaseError when the
 * source is not YAML or has no release key.
 */
export function copyWithRelease(source: string, sourceName: string, release: string): ReleaseCopy {
    const { doc, config, pairOf } = openStackDocument(source, sourceName, (message) => new NewReleaseError(message));
    // Pulumi also accepts the project's own keys without the namespace.
    const pair = pairOf(KEYS.release);
    const releaseLine = `expected a line like ${KEYS.release}: "2025.01"`;
    if (!pair) throw new NewReleaseError(`${sourceName}: no \`${KEYS.release}\` to bump; ${releaseLine}`);
    // The bump rewrites the value's own bytes: an alias would leave it unchanged, an anchor would change
    // every value that shares it, and a block scalar's bytes are not the value.
    if (isAlias(pair.value)) throw new NewReleaseError(`${sourceName}: \`${KEYS.release}\` is a YAML alias (*${capped(pair.value.source)}); ${releaseLine}`);
    if (!isScalar(pair.value) || !pair.value.range) throw new NewReleaseError(`${sourceName}: \`${KEYS.release}\` is not a single value; ${releaseLine}`);
    if (pair.value.anchor)
        throw new NewReleaseError(
            `${sourceName}: \`${KEYS.release}\` carries a YAML anchor (&${capped(pair.value.anchor)}), so other values may share it; ${releaseLine}`,
        );
    if (pair.value.type === Scalar.BLOCK_LITERAL || pair.value.type === Scalar.BLOCK_FOLDED) {
        throw new NewReleaseError(`${sourceName}: \`${KEYS.release}\` is a block scalar (| or >); ${releaseLine}`);
    }
    const scalar = pair.value;
    const previousRelease = String(scalar.value);
    const [start, end] = scalar.range!;
    // A plain 2025.10 is a YAML float (2025.1); quote the new value unless the source single-quoted it.
    const quote = (value: string) => (scalar.type === Scalar.QUOTE_SINGLE ? `'${value}'` : `"${value}"`);
    // The release copied from is recorded as `previousRelease`: each image's gate then measures what its
    // new layers cost the mybinder.org nodes that ran that release's image (its tag of that release).
    const releaseKey = String((pair.key as Scalar).value);
    const previousKey = `${releaseKey.slice(0, releaseKey.length - "release".length)}previousRelease`;
    const previousPair = pairOf(KEYS.previousRelease);
    const edits: Splice[] = [{ start, end, with: quote(release) }];
    if (previousPair) {
        if (
            !isScalar(previousPair.value) ||
            !previousPair.value.range ||
            previousPair.value.type === Scalar.BLOCK_LITERAL ||
            previousPair.value.type === Scalar.BLOCK_FOLDED
        ) {
            throw new NewReleaseError(
                `${sourceName}: \`${KEYS.previousRelease}\` is not a single value; expected a line like ${KEYS.previousRelease}: "2024.12"`,
            );
        }
        const [pStart, pEnd] = previousPair.value.range;
        edits.push({ start: pStart, end: pEnd, with: quote(previousRelease) });
    } else {
        const keyStart = (pair.key as Scalar).range![0];
        const lineStart = source.lastIndexOf("\n", keyStart - 1) + 1;
        const indent = source.slice(lineStart, keyStart);
        if (!/^[ ]*$/.test(indent) || config.flow) {
            throw new NewReleaseError(`${sourceName}: \`${KEYS.release}\` is not on a line of its own in a block map; ${releaseLine}`);
        }
        const lineEnd = source.indexOf("\n", end);
        const at = lineEnd < 0 ? source.length : lineEnd;
        edits.push({ start: at, end: at, with: `\n${indent}${previousKey}: ${quote(previousRelease)}` });
    }
    const frozen = frozenBranchOfPrevious(source, sourceName, pairOf(KEYS.launcher)?.value, previousRelease);
    if (frozen) edits.push(frozen.splice);
    let text = source;
    for (const edit of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start) + edit.with + text.slice(edit.end);

    const top = doc.toJS() as Record<string, unknown>;
    const keyMaterial: SecretsKeyMaterial =
        typeof top.encryptionsalt === "string"
            ? { kind: "passphrase" }
            : typeof top.encryptedkey === "string" && typeof top.secretsprovider === "string"
              ? { kind: "kms", provider: top.secretsprovider }
              : { kind: "service" };

    const secureValues: SecureValue[] = [];
    const mentionsOfPrevious: string[] = [];
    for (const [key, value] of Object.entries((top.config ?? {}) as Record<string, unknown>)) {
        if (fullConfigKey(key) === KEYS.release || fullConfigKey(key) === KEYS.previousRelease) continue;
        walk(value, [key], (parts, leaf) => {
            if (isSecure(leaf)) secureValues.push({ key: pathKey(parts), nested: parts.length > 1 });
            else if (typeof leaf === "string" && leaf.includes(previousRelease)) mentionsOfPrevious.push(pathKey(parts));
        });
    }
    // The splice must change that one value and nothing else the parser sees.
    const after = stackYamlValues(text) as { config: Record<string, unknown> };
    const previousName = previousPair ? String((previousPair.key as Scalar).value) : previousKey;
    const expected = { ...top, config: { ...(top.config as object), [releaseKey]: release, [previousName]: previousRelease } };
    if (frozen) {
        const launcherKey = Object.keys(expected.config).find((k) => fullConfigKey(k) === KEYS.launcher)!;
        const launcher = expected.config[launcherKey as keyof typeof expected.config] as unknown as { branches: unknown[] };
        launcher.branches.splice(frozen.index, 0, frozen.branch);
    }
    if (!isDeepStrictEqual(after, expected)) throw new Error(`internal: replacing the release in ${sourceName} changed other values`);
    return { text, previousRelease, secureValues, keyMaterial, mentionsOfPrevious, ...(frozen ? { frozenBranch: frozen.branch.name } : {}) };
}

export interface NewReleaseRequest {
    /** A month `YYYY.MM` or a version (`v3.0.2`). */
    release: string;
    /** The stack to copy (`2025-01`, `v3.0.1`); default: latestStackBeforeRelease among the stack files. */
    from?: string;
    dir: string;
}

export interface NewReleaseResult {
    stack: string;
    fromStack: string;
    file: string;
    fromFile: string;
    copy: ReleaseCopy;
}

/**
 * Writes `Pulumi.<new stack>.yaml` in `dir`. Refuses (NewReleaseError, nothing written) a bad release or
 * --from, a release not after --from's (see previousReleaseProblem), a missing --from file, an existing target, and a result that
 * `validateStackFileText` rejects.
 */
export function newRelease(request: NewReleaseRequest): NewReleaseResult {
    const stack = stackNameOfRelease(request.release);
    const dir = path.resolve(request.dir);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new NewReleaseError(`--dir ${request.dir}: not a directory`);
    const stacks = releaseStacksOfFiles(fs.readdirSync(dir));
    // `3.0.2` and `v3.0.2` are one release: a second stack of it would tag and pin the same images again.
    const same = stacks.find((s) => s !== stack && compareReleases(releaseOfStack(s), request.release) === 0);
    if (same !== undefined)
        throw new NewReleaseError(
            `release ${request.release} is ${releaseOfStack(same)}, which has its stack file ${stackFileName(same)} in ${dir} already; one release has one stack`,
        );
    let fromStack: string;
    if (request.from !== undefined) {
        fromStack = checkStackName(request.from);
        if (previousReleaseProblem(releaseOfStack(fromStack), request.release)) {
            throw new NewReleaseError(
                `release ${request.release} is not after --from ${fromStack}: a new release copies the stack of ${releasesBefore(request.release)}`,
            );
        }
    } else {
        const latest = latestStackBeforeRelease(stacks, request.release);
        if (latest === undefined) throw new NewReleaseError(`no stack file of ${releasesBefore(request.release)} in ${dir} to copy; pass --from <stack>`);
        fromStack = latest;
    }
    const fileName = stackFileName(stack);
    const file = path.join(dir, fileName);
    const fromFile = path.join(dir, stackFileName(fromStack));
    if (fs.existsSync(file)) {
        throw new NewReleaseError(`${fileName} already exists in ${dir}; new-release never overwrites a stack file`);
    }
    if (!fs.existsSync(fromFile)) throw new NewReleaseError(`--from ${fromStack}: no ${stackFileName(fromStack)} in ${dir}`);

    let from: InputText;
    try {
        from = readInputFile(fromFile, `--from ${stackFileName(fromStack)}`, "a stack file (Pulumi.<stack>.yaml)", STACK_FILE_MAX_BYTES);
    } catch (err) {
        if (err instanceof InputFileError) throw new NewReleaseError(err.message);
        throw err;
    }
    const copy = copyWithRelease(from.text, stackFileName(fromStack), request.release);
    const problems = validateStackFileText(copy.text, fileName);
    if (problems.length > 0) {
        throw new NewReleaseError(
            [
                `${fileName} would not be a valid stack file, so nothing was written (fix ${stackFileName(fromStack)} first):`,
                ...problems.map((p) => `  - ${p}`),
            ].join("\n"),
        );
    }
    try {
        // `wx`: fail rather than overwrite a file that appeared since the check above.
        fs.writeFileSync(file, (from.bom ? "\ufeff" : "") + copy.text, { flag: "wx" });
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST")
            throw new NewReleaseError(`${fileName} already exists in ${dir}; new-release never overwrites a stack file`);
        throw err;
    }
    return { stack, fromStack, file, fromFile, copy };
}

/** The file CI reads the stack name from (see docs/ci.md). */
const CI_STACK_FILE = ".github/uw3-binder-stack";

/** Keys come from the copied file, so each is shell-quoted: the line is meant to be pasted into a shell. */
/** What `new-release` prints after writing: the secrets to look at and the next commands, in order. */
export function nextStepsText(result: NewReleaseResult): string {
    const { stack, fromStack, copy } = result;
    const fromName = stackFileName(fromStack);
    const lines = [
        `Wrote ${stackFileName(stack)}: ${KEYS.release} "${copy.previousRelease}" -> "${releaseOfStack(stack)}", ${KEYS.previousRelease} "${copy.previousRelease}" (each image's size is checked against its ${copy.previousRelease} tag); everything else as in ${fromName}.`,
        ...(copy.frozenBranch
            ? [`Added the frozen launcher branch ${copy.frozenBranch} before the "${RELEASE_BRANCH}" branch: it keeps ${copy.frozenBranch}'s image and files.`]
            : []),
    ];
    const init =
        copy.keyMaterial.kind === "passphrase"
            ? `pulumi stack init ${stack} --secrets-provider passphrase`
            : copy.keyMaterial.kind === "kms"
              ? `pulumi stack init ${stack} --secrets-provider ${shellQuote(copy.keyMaterial.provider)}`
              : `pulumi stack init ${stack}`;
    const resetCommands = copy.secureValues.map((v) => secretCommand(v.key, { path: v.nested, stack, prompt: true }));
    if (copy.secureValues.length > 0) {
        lines.push("", `Secure values copied as ciphertext (${copy.secureValues.length}): ${copy.secureValues.map((v) => v.key).join(", ")}`);
        if (copy.keyMaterial.kind === "passphrase") {
            lines.push(
                `  ${fromName}'s encryptionsalt is copied too, so they decrypt with the same PULUMI_CONFIG_PASSPHRASE.`,
                "  To give the new stack new values (new tokens each month, or another passphrase), set each again",
                "  (it prompts for the value, keeping it out of your shell history):",
            );
        } else if (copy.keyMaterial.kind === "kms") {
            lines.push(
                `  ${fromName}'s secretsprovider and encryptedkey are copied too, so they decrypt wherever that key can be used.`,
                "  To give the new stack new values, set each again (it prompts for the value):",
            );
        } else {
            lines.push(
                `  Pulumi Cloud encrypts each stack's secrets with that stack's own key, so they will not decrypt for ${stack}.`,
                `  Set each again after \`pulumi stack init ${stack}\` (it prompts for the value):`,
            );
        }
        lines.push(...resetCommands.map((c) => `    ${c}`));
    }
    if (copy.mentionsOfPrevious.length > 0) {
        lines.push("", `Still mentioning ${copy.previousRelease}, left as they were: ${copy.mentionsOfPrevious.join(", ")}`);
    }
    const steps = [
        init,
        ...(copy.keyMaterial.kind === "service" ? resetCommands : []),
        `uw3-binder plan --stack ${stack} --against ${fromStack}`,
        `pulumi preview --stack ${stack}`,
        `pulumi up --stack ${stack}`,
    ];
    lines.push(
        "",
        "Next steps:",
        ...steps.map((s, i) => `  ${i + 1}. ${s}`),
        `  ${steps.length + 1}. point CI at it: echo ${stack} > ${CI_STACK_FILE}, and commit it with ${stackFileName(stack)}`,
    );
    return printableText(lines);
}
