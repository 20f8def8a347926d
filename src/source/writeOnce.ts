/**
 * Written-once tags (`writeOnce: true`): a stable release such as `underworld2:2.16.0-ompi` is pushed once
 * and never overwritten, by a dev build or a repeated release build (the Underworld Docker schema). Checked
 * before the build, since docker-build pushes every tag of a build as soon as it is built: a build is
 * refused when the registry already holds one of its tags, naming the tag and the digest it holds.
 */
import { parseImageReference } from "../names/oci";
import { RegistryClient } from "../registry/client";
import { HttpOptions } from "../registry/http";
import { RegistryCredentials } from "../registry/session";

/** The refusal for `reference` (`<repository>:<tag>`) when the registry holds `existingDigest` under it; undefined when vacant. */
function writeOnceRefusal(reference: string, existingDigest: string | undefined): string | undefined {
    if (existingDigest === undefined) return undefined;
    return `${reference} is written once and the registry already holds it at ${existingDigest}; a build would overwrite it: give the release a new tag, or stop building this image (\`build: on-request\`)`;
}

/** Rejects with every written-once tag of `references` the registry already holds; resolves when all are vacant. */
export async function checkTagsVacant(references: readonly string[], credentials?: RegistryCredentials, opts: HttpOptions = {}): Promise<void> {
    const refusals: string[] = [];
    for (const reference of references) {
        const refusal = writeOnceRefusal(reference, await new RegistryClient(parseImageReference(reference), credentials, opts).tagDigest());
        if (refusal) refusals.push(refusal);
    }
    if (refusals.length > 0) throw new Error(refusals.join("\n"));
}
