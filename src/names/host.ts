/**
 * Which hosts a client may speak plain http to: loopback only (127.0.0.0/8, `localhost`, `::1`), as Docker
 * treats registries. Anywhere else a request, the credentials it carries and the answer it gets would cross
 * the network in clear, and anyone on the path could rewrite what a registry or a hub says.
 */

/** Loopback hosts may be spoken to over plain http (the test registries and hubs, a local mirror). */
export function isLoopbackHost(hostname: string): boolean {
    return hostname === "localhost" || /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === "[::1]" || hostname === "::1";
}

/** Whether `url` is plain http to a host that is not loopback: refused by every client. */
export function isPlainHttpOffLoopback(url: URL): boolean {
    return url.protocol === "http:" && !isLoopbackHost(url.hostname);
}
