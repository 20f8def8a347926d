/**
 * Adopting a launcher branch as it is: a frozen branch that this stack neither pins (`pin:`) nor builds
 * takes the image its `.binder/Dockerfile` already names. A FROM with a digest is that digest; a FROM with
 * a tag only is resolved once to the digest its registry serves (the caller asks the registry), and the
 * branch is then written pinned, so every later run reads the digest back. Pure: the caller reads the file.
 */
import { parseImageReference } from "../names/oci";
import { shown } from "../text/quotedValue";

/** The file adoption reads, and the longest one it reads (a launcher Dockerfile is a few lines). */
export const ADOPTED_FILE = ".binder/Dockerfile";
const MAX_ADOPTED_FILE_CHARS = 64 * 1024;

/** What a launcher branch's FROM names: the branch image's repository, its tag, and the digest when pinned. */
interface AdoptedImage {
    repositoryUrl: string;
    tag: string;
    digest?: string;
}

/** Why a branch cannot be adopted, as one line naming the branch, what was found and what was expected. */
export class AdoptionError extends Error {
    constructor(branch: string, problem: string) {
        super(`launcher branch ${shown(branch)} cannot be adopted: ${problem}; or give the branch a \`pin:\``);
        this.name = "AdoptionError";
    }
}

/**
 * The image a launcher branch's `.binder/Dockerfile` runs, which must be a tag of `repositoryUrl` (the
 * branch's configured image). `content` undefined or empty: the branch or its file is missing.
 */
export function adoptedImage(branch: string, content: string | undefined, repositoryUrl: string): AdoptedImage {
    const expected = `expected FROM ${repositoryUrl}:<tag> or FROM ${repositoryUrl}:<tag>@sha256:<64 hex>`;
    if (content === undefined || content === "") throw new AdoptionError(branch, `found no ${ADOPTED_FILE} on the branch (or no branch), ${expected}`);
    if (content.length > MAX_ADOPTED_FILE_CHARS) {
        throw new AdoptionError(branch, `${ADOPTED_FILE} is ${content.length} characters, expected a launcher Dockerfile of at most ${MAX_ADOPTED_FILE_CHARS}`);
    }
    const froms = content
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => /^FROM(\s|$)/i.test(line));
    if (froms.length !== 1) throw new AdoptionError(branch, `${ADOPTED_FILE} has ${froms.length} FROM lines, ${expected}`);
    const words = froms[0].split(/\s+/);
    let parsed: ReturnType<typeof parseImageReference> | undefined;
    try {
        parsed = words.length === 2 ? parseImageReference(words[1]) : undefined;
    } catch {
        parsed = undefined;
    }
    // A FROM without a tag means `latest` to Docker; a launcher names its tag (mybinder.org needs one).
    const tagged = words.length === 2 && words[1].split("@")[0].split("/").pop()!.includes(":");
    if (!parsed?.tag || !tagged) throw new AdoptionError(branch, `${ADOPTED_FILE} has ${shown(froms[0])}, ${expected}`);
    const found = `${parsed.registry}/${parsed.repository}`;
    if (found !== repositoryUrl) {
        throw new AdoptionError(branch, `${ADOPTED_FILE} runs ${shown(found)}, another repository than the branch's image: ${expected}`);
    }
    return { repositoryUrl, tag: parsed.tag, ...(parsed.digest ? { digest: parsed.digest } : {}) };
}
