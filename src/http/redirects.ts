/**
 * The one rule for following an HTTP redirect by hand, for every client that talks to a registry or a hub
 * (src/registry/http.ts over fetch, src/hub/build.ts over node:http for its long event streams): http(s)
 * only, never from https down to http, no credentials in the URL, at most MAX_REDIRECTS hops. Each client
 * words a refusal in its own errors.
 */

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Redirects followed for one request: mybinder.org sends `/build/` to a member, a registry a blob to storage; more is a loop. */
export const MAX_REDIRECTS = 5;

/** Why a redirect is not followed; `next` is where it pointed, when that is a URL. */
export type RedirectRefusal =
    | { refused: "no location" }
    | { refused: "not a URL"; location: string }
    | { refused: "not http(s)"; next: URL }
    | { refused: "https to http"; next: URL }
    | { refused: "credentials"; next: URL }
    | { refused: "too many"; next: URL };

/** Where a redirect from `current` to `location` goes, after `followed` redirects already followed, or why it is refused. */
export function redirectTarget(current: URL, location: string | null, followed: number): { next: URL } | RedirectRefusal {
    if (location === null) return { refused: "no location" };
    let next: URL;
    try {
        next = new URL(location, current);
    } catch {
        return { refused: "not a URL", location };
    }
    if (next.protocol !== "https:" && next.protocol !== "http:") return { refused: "not http(s)", next };
    if (current.protocol === "https:" && next.protocol === "http:") return { refused: "https to http", next };
    if (next.username !== "" || next.password !== "") return { refused: "credentials", next };
    if (followed >= MAX_REDIRECTS) return { refused: "too many", next };
    return { next };
}
