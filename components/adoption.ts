import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { ADOPTED_FILE, AdoptionError, adoptedImage } from "../src/launcher/adopt";
import { pinnedReference } from "../src/launcher/pins";
import { RegistryClient } from "../src/registry/client";
import { boundTo } from "../src/registry/session";
import { parseImageReference } from "../src/names/oci";
import { printableLine } from "../src/text/printable";
import { shown } from "../src/text/quotedValue";

export interface AdoptedPinArgs {
    /** The launcher repository and the branch to adopt. */
    readonly owner: string;
    readonly repository: string;
    readonly branch: string;
    /** The branch's image: `<server>/<namespace>/<repository>`, and the server it lives on. */
    readonly repositoryUrl: string;
    readonly server: string;
    /** The login for that server only (the registry client sends it nowhere else). */
    readonly login?: { username: pulumi.Input<string>; password: pulumi.Input<string> };
}

/** The first line of an error from the provider or the registry, printable and bounded. */
function firstLine(err: unknown): string {
    return printableLine(String((err as Error)?.message ?? err).split("\n")[0]).slice(0, 300);
}

/**
 * Fails the run with `message`: logged as the engine's own error line (a failure inside an Output reaches
 * the engine wrapped in "error serializing property ..." for every input it flows into), then thrown.
 */
function refuse(message: string): never {
    void pulumi.log.error(message);
    throw new pulumi.RunError(message);
}

/**
 * One file of a launcher branch as GitHub holds it now, read through the GitHub provider (the
 * `getRepositoryFile` invoke, which also runs in a preview); undefined when the branch or the file is
 * missing (the provider answers GitHub's 404 with no content, not an error).
 */
async function readLauncherFile(branch: { owner: string; repository: string; branch: string }, file: string): Promise<string | undefined> {
    const read = await github.getRepositoryFile({ repository: `${branch.owner}/${branch.repository}`, branch: branch.branch, file });
    return read.content;
}

/**
 * `files` of a launcher branch as GitHub holds them now (undefined: missing), read before anything is
 * written to it; a read that fails fails the run with one line naming the branch and the file.
 */
export function launcherFilesOnGitHub(
    branch: { owner: string; repository: string; branch: string },
    files: readonly string[],
): pulumi.Output<Record<string, string | undefined>> {
    return pulumi.output(
        Promise.all(
            files.map(async (file) => {
                try {
                    return [file, await readLauncherFile(branch, file)] as const;
                } catch (err) {
                    refuse(`launcher branch ${shown(branch.branch)}: reading ${file} from GitHub failed (${firstLine(err)})`);
                }
            }),
        ).then((read) => Object.fromEntries(read)),
    );
}

/**
 * The pinned reference a frozen launcher branch already runs: its `.binder/Dockerfile`, read through the
 * GitHub provider (the `getRepositoryFile` invoke, also in a preview), FROM the branch's image. A digest is
 * taken as it is; a tag alone is resolved once to the digest the registry serves for it (the branch is then
 * written pinned, so later runs read the digest back). Anything else fails the run with a one-line refusal.
 */
export function adoptedPin(args: AdoptedPinArgs): pulumi.Output<string> {
    // The login is a secret and so would be anything computed with it; the reference holds none of it.
    return pulumi.unsecret(
        pulumi.output(args.login).apply(async (login) => {
            let content: string | undefined;
            try {
                content = await readLauncherFile(args, ADOPTED_FILE);
            } catch (err) {
                refuse(new AdoptionError(args.branch, `reading ${ADOPTED_FILE} failed (${firstLine(err)})`).message);
            }
            try {
                const image = adoptedImage(args.branch, content, args.repositoryUrl);
                if (image.digest) return pinnedReference(image.repositoryUrl, image.tag, image.digest);
                const reference = `${image.repositoryUrl}:${image.tag}`;
                let digest: string | undefined;
                try {
                    digest = await new RegistryClient(parseImageReference(reference), boundTo(login, args.server)).tagDigest();
                } catch (err) {
                    throw new AdoptionError(args.branch, `resolving ${reference} failed (${firstLine(err)})`);
                }
                if (!digest) throw new AdoptionError(args.branch, `its FROM ${reference} names a tag the registry does not have`);
                return pinnedReference(image.repositoryUrl, image.tag, digest);
            } catch (err) {
                if (err instanceof AdoptionError) refuse(err.message);
                throw err;
            }
        }),
    );
}
