/**
 * A BinderHub's base URL, as the config, the warm-up command line and every request to the hub take it.
 */
import { isPlainHttpOffLoopback } from "./host";

/**
 * Why a BinderHub base URL (`launcher.binderUrl`, each of `launcher.binderHubs`, `warmup --hubs`) is
 * refused, or undefined: an https URL (plain http only to a loopback host, as the registry client allows)
 * with an optional path prefix (`https://notebooks.example.org/binder`).
 * It reaches the warm-up command line (quoted, but a URL has no business holding shell syntax) and every
 * request to the hub, so credentials, a query or fragment, whitespace and anything outside the URL
 * characters it needs are refused. `example` is the URL the message suggests.
 */
export function binderUrlProblem(url: string, example: string): string | undefined {
    let parsed: URL | undefined;
    try {
        parsed = new URL(url);
    } catch {
        parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || !/^https?:\/\/[^/]/.test(url)) return `expected an http(s) URL such as ${example}`;
    if (parsed.username !== "" || parsed.password !== "" || url.includes("@")) return "expected a URL without credentials (user:password@)";
    if (parsed.search !== "" || parsed.hash !== "" || /[?#]/.test(url)) return "expected a URL without query or fragment";
    if (!/^[A-Za-z0-9._~:/%-]+$/.test(url)) return "expected only letters, digits and . _ ~ : / % - (no spaces, quotes or shell characters)";
    if (isPlainHttpOffLoopback(parsed)) return `expected https; plain http only to a loopback host such as http://127.0.0.1:8585`;
    return undefined;
}

/** A hub URL as it is compared and asked: without trailing slashes. */
export function normaliseHubUrl(value: string): string {
    return value.replace(/\/+$/, "");
}
