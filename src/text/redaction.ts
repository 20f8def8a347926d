/**
 * The one redaction of text: a registry's credentials out of whatever a check reports.
 */

/**
 * Replaces every occurrence of a secret (and its Basic-auth encoding, which a registry might echo from the
 * Authorization header it received) with `***`. Secrets shorter than 4 characters are not searched for:
 * they would blank out ordinary words and a registry password is never that short.
 */
export function redactSecrets(text: string, secrets: { username: string; password: string } | undefined): string {
    if (!secrets) return text;
    const needles = [secrets.password, Buffer.from(`${secrets.username}:${secrets.password}`).toString("base64")].filter((s) => s.length >= 4);
    let out = text;
    for (const needle of needles) out = out.split(needle).join("***");
    return out;
}
