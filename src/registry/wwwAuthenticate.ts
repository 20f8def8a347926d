/**
 * The `WWW-Authenticate` header of a 401 (RFC 7235 / RFC 9110 §11.6.1): every challenge in it, and the
 * one a registry client answers. A header may offer several challenges (`Bearer realm=..., Basic
 * realm=...`, or one header per challenge joined with commas by fetch); parameter values may be quoted
 * strings holding commas and backslash escapes; scheme and parameter names are case-insensitive.
 * Pure; no imports.
 */

export interface AuthChallenge {
    /** Lower-case scheme, e.g. `bearer`, `basic`. */
    scheme: string;
    /** Parameter names lower-cased, values unquoted. */
    params: Record<string, string>;
    /** The token68 form (`Negotiate abc==`) when the challenge has one instead of parameters. */
    token68?: string;
}

// RFC 9110 token characters; an unquoted value is read more leniently (up to a space or comma) since
// registries write URLs there (`realm=https://t/token`).
const TOKEN = "[A-Za-z0-9!#$%&'*+.^_`|~-]+";
const SCHEME = new RegExp(`(${TOKEN})`, "y");
const PARAM = new RegExp(`(${TOKEN})[ \\t]*=[ \\t]*(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s,"]*))`, "y");
const TOKEN68 = /([A-Za-z0-9._~+/-]+=*)[ \t]*(?=,|$)/y;
const SEPARATORS = /[\s,]*/y;
const SPACES = /[ \t]*/y;
const SPACES_REQUIRED = /[ \t]+/y;

function malformed(header: string): Error {
    return new Error(`malformed WWW-Authenticate header "${header}": expected "<scheme> key=value, ..."`);
}

/** Every challenge of a header, in order. Throws when the header does not start with a scheme. */
export function parseChallenges(header: string): AuthChallenge[] {
    const challenges: AuthChallenge[] = [];
    let at = 0;
    const match = (re: RegExp): RegExpExecArray | null => {
        re.lastIndex = at;
        const m = re.exec(header);
        if (m) at = re.lastIndex;
        return m;
    };
    const skip = (re: RegExp): void => {
        match(re);
    };
    skip(SEPARATORS);
    while (at < header.length) {
        const scheme = match(SCHEME);
        if (!scheme) {
            if (challenges.length === 0) throw malformed(header);
            break;
        }
        const challenge: AuthChallenge = { scheme: scheme[1].toLowerCase(), params: {} };
        challenges.push(challenge);
        // A scheme alone (`Negotiate`), or followed by a comma, has no parameters.
        if (!match(SPACES_REQUIRED)) {
            if (at < header.length && header[at] !== ",") throw malformed(header);
            skip(SEPARATORS);
            continue;
        }
        const token68 = match(TOKEN68);
        if (token68) {
            challenge.token68 = token68[1];
            skip(SEPARATORS);
            continue;
        }
        // Parameters until the next challenge: `name=` after a comma is a parameter, `name ` a scheme.
        for (;;) {
            const start = at;
            const param = match(PARAM);
            if (!param) {
                at = start;
                break;
            }
            challenge.params[param[1].toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/gs, "$1") : param[3];
            skip(SPACES);
            if (at >= header.length) break;
            if (header[at] !== ",") {
                // Junk after a value ends the header: what was read so far is kept.
                at = header.length;
                break;
            }
            skip(SEPARATORS);
        }
        skip(SEPARATORS);
    }
    if (challenges.length === 0) throw malformed(header);
    return challenges;
}

/** The schemes this client answers, the preferred first: a token scopes access, Basic sends the password. */
const PREFERENCE = ["bearer", "basic"];

/** The challenge a registry client answers: Bearer over Basic when both are offered, else the first. */
export function preferredChallenge(challenges: AuthChallenge[]): AuthChallenge | undefined {
    for (const scheme of PREFERENCE) {
        const found = challenges.find((c) => c.scheme === scheme);
        if (found) return found;
    }
    return challenges[0];
}

/** The challenge to answer in a header (see preferredChallenge). Throws for a header with no scheme. */
export function parseWwwAuthenticate(header: string): AuthChallenge {
    // parseChallenges returns at least one challenge or throws.
    return preferredChallenge(parseChallenges(header)) as AuthChallenge;
}
