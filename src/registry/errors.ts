/** The one error every registry request throws, with what kind of failure it was. No imports. */

export type RegistryErrorKind =
    /** The registry wants credentials that were not given (or the anonymous token does not grant pull). */
    | "unauthorized"
    /** Credentials were given and refused. */
    | "denied"
    | "not-found"
    | "unreachable"
    /** The registry answered something this client does not understand. */
    | "protocol";

/** Every failure of the registry client; `message` names the registry, repository, reference and what was expected. */
export class RegistryError extends Error {
    constructor(
        readonly kind: RegistryErrorKind,
        message: string,
        readonly status?: number,
    ) {
        super(message);
        this.name = "RegistryError";
    }
}
