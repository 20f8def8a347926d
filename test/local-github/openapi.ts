/**
 * Checks local-github's answers against GitHub's published OpenAPI description (GHES 3.19, from `@octokit/openapi`):
 * the status must be one the operation documents, and the body must match that status's schema. Loaded once (about
 * 11 MB of JSON); schemas are compiled on first use and cached.
 */
import Ajv, { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

interface Operation {
    responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}

interface Description {
    paths: Record<string, Record<string, Operation>>;
    components: { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
}

/**
 * Two readings of the description that JSON Schema does not share with OpenAPI 3.0, applied once in place:
 * - `nullable: true` beside no `type` (`"author": { "nullable": true, "oneOf": [...] }`) becomes `anyOf [it, null]`;
 * - `oneOf` becomes `anyOf`: GitHub lists overlapping alternatives (a 409 is a basic-error *or* a rule violation, both
 *   open objects; a commit author is a simple-user *or* an empty-object, which any object matches), which `oneOf`
 *   would reject for matching both.
 */
function relax(node: unknown): void {
    if (Array.isArray(node)) return node.forEach(relax);
    if (typeof node !== "object" || node === null) return;
    const o = node as Record<string, unknown>;
    for (const v of Object.values(o)) relax(v);
    if (Array.isArray(o.oneOf)) {
        o.anyOf = o.oneOf;
        delete o.oneOf;
    }
    if (o.nullable === true && o.type === undefined) {
        const rest = { ...o };
        delete rest.nullable;
        for (const k of Object.keys(o)) delete o[k];
        o.anyOf = [rest, { type: "null" }];
    }
}

let loaded: { doc: Description; ajv: Ajv; templates: { template: string; regex: RegExp; literals: number }[] } | undefined;
const compiled = new Map<string, ValidateFunction>();

function load() {
    if (loaded) return loaded;
    // GitHub Enterprise Server 3.19: the dialect the provider speaks under `github:baseUrl`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const doc = require("@octokit/openapi/generated/ghes-3.19.json") as Description;
    relax(doc);
    const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: false, discriminator: false });
    addFormats(ajv);
    ajv.addSchema(doc, "ghes");
    // `{path}`, `{ref}` and `{branch}` may hold slashes (a file path, `heads/a/b`); every other parameter is one segment.
    const templates = Object.keys(doc.paths).map((template) => ({
        template,
        regex: new RegExp(
            `^${template
                .split(/(\{[^}]+\})/)
                .map((part) => (/^\{(path|ref|branch)\}$/.test(part) ? ".+" : part.startsWith("{") ? "[^/]+" : part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
                .join("")}$`,
        ),
        literals: template.replace(/\{[^}]+\}/g, "").length,
    }));
    loaded = { doc, ajv, templates };
    return loaded;
}

/** The operation an actual request path answers to (`/repos/o/r/contents/a/b` -> `/repos/{owner}/{repo}/contents/{path}`). */
function operationFor(method: string, path: string): string {
    const { doc, templates } = load();
    const m = method.toLowerCase();
    const candidates = templates.filter((t) => t.regex.test(path) && doc.paths[t.template][m]);
    if (!candidates.length) throw new Error(`no operation ${method} ${path} in GitHub's OpenAPI description`);
    // The most specific template wins (`/repos/{owner}/{repo}/actions/secrets/public-key` over `.../{secret_name}`).
    candidates.sort((a, b) => b.literals - a.literals);
    return candidates[0].template;
}

function pointer(...parts: string[]): string {
    return parts.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

export interface Checked {
    operation: string;
    /** False when GitHub documents no such status for the operation: then the body was checked as a basic-error. */
    documented: boolean;
}

/**
 * Throws, naming the operation and the first schema error, when `body` is not what GitHub documents for `status`.
 * An error status the description leaves out (GitHub does not list every 401/404/422) must still carry a basic-error
 * body; the caller sees `documented: false` and decides whether that status is one GitHub really answers.
 */
export function checkResponse(method: string, path: string, status: number, body: unknown): Checked {
    const { doc, ajv } = load();
    const operation = operationFor(method, path);
    const m = method.toLowerCase();
    const responses = doc.paths[operation][m].responses;
    let response = responses[String(status)];
    let key = pointer("paths", operation, m, "responses", String(status));
    const documented = response !== undefined;
    if (!response && status === 304) {
        // Any GET answers 304 to a matching If-None-Match (GitHub's "conditional requests"), documented or not.
        if (body !== undefined) throw new Error(`${method} ${operation} 304: a 304 has no body`);
        return { operation, documented: false };
    }
    if (!response) {
        if (status < 400) throw new Error(`${method} ${operation}: GitHub documents no ${status} (documents ${Object.keys(responses).join(", ")})`);
        response = { content: { "application/json": { schema: { $ref: "#/components/schemas/basic-error" } } } };
        key = "basic-error";
    } else if (response.$ref) {
        const name = response.$ref.replace("#/components/responses/", "");
        response = doc.components.responses[name];
        key = pointer("components", "responses", name);
    }
    let content = response.content?.["application/json"];
    if (!content?.schema && status >= 400 && body !== undefined) {
        // An error documented without a body (DELETE .../git/refs/{ref} 422): GitHub still sends its error object.
        content = { schema: { $ref: "#/components/schemas/basic-error" } };
        key = "basic-error";
    }
    if (!content?.schema) {
        if (body !== undefined && body !== "")
            throw new Error(`${method} ${operation} ${status}: GitHub documents no body, got ${JSON.stringify(body).slice(0, 200)}`);
        return { operation, documented };
    }
    if (body === undefined) throw new Error(`${method} ${operation} ${status}: a body is documented, got none`);
    const ref = key === "basic-error" ? "ghes#/components/schemas/basic-error" : `ghes#/${key}/content/application~1json/schema`;
    let validate = compiled.get(ref);
    if (!validate) {
        validate = ajv.compile({ $ref: ref });
        compiled.set(ref, validate);
    }
    if (!validate(body)) {
        const e = validate.errors?.[0];
        throw new Error(
            `${method} ${operation} ${status}: body does not match GitHub's schema: ${e?.instancePath || "/"} ${e?.message} ${JSON.stringify(e?.params)}`,
        );
    }
    return { operation, documented };
}
