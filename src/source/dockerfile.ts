/**
 * What a Dockerfile declares and reaches, read before any build: its `ARG`s, the images its `FROM` and
 * `COPY --from` name (stage names told apart), and the context paths its `COPY`/`ADD` take. Pure: text in,
 * facts out, each with its line number, so a mistake is named at its line before a build spends minutes on it.
 *
 * Read as BuildKit's Dockerfile frontend reads it, to the extent these facts need: the default `\` line
 * continuation (a `# escape=` directive changes it), comment lines dropped (also inside a continuation),
 * `--flag` options before the arguments, and the JSON-array form of COPY/ADD. Variables in a `FROM` or
 * `--from` are expanded from the global `ARG` defaults (those before the first FROM, the only ones a FROM
 * sees); a COPY source with a variable or a heredoc is not checked (its value is only known inside the build).
 */

/** One instruction: its keyword (upper case), the text after it, and the line it starts on (1-based). */
export interface Instruction {
    line: number;
    keyword: string;
    rest: string;
}

/** An image a `FROM` or `COPY --from` reaches: as written, expanded, and the ARGs it went through. */
export interface ImageReach {
    line: number;
    instruction: "FROM" | "COPY --from";
    written: string;
    /** With the global ARG defaults substituted; what a build without build args would use. */
    resolved: string;
    /** The global ARGs the reference is made of (`FROM ${PETSC_IMAGE}` -> ["PETSC_IMAGE"]). */
    args: string[];
}

/** A context path a COPY/ADD (without `--from`) takes. */
export interface ContextCopy {
    line: number;
    instruction: string;
    /** As written, e.g. `./docs/examples`. */
    source: string;
}

export interface DockerfileFacts {
    /** Every ARG name the Dockerfile declares, before or after a FROM. */
    args: Set<string>;
    /** The global ARGs' defaults (declared before the first FROM), undefined for none. */
    globalArgs: Map<string, string | undefined>;
    reaches: ImageReach[];
    copies: ContextCopy[];
}

/** The line-continuation character: `\`, or what an `# escape=` parser directive (the top lines only) sets. */
function escapeCharacter(lines: readonly string[]): string {
    let escape = "\\";
    for (const line of lines) {
        const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(line);
        if (!directive) break;
        if (directive[1].toLowerCase() === "escape" && (directive[2] === "`" || directive[2] === "\\")) escape = directive[2];
    }
    return escape;
}

/** Logical instructions, continuation lines joined and comments dropped. */
export function dockerfileInstructions(text: string): Instruction[] {
    const lines = text.split(/\r?\n/);
    const escape = escapeCharacter(lines);
    const out: Instruction[] = [];
    let current: { line: number; text: string } | undefined;
    const flush = (): void => {
        const match = current && /^(\S+)\s*([\s\S]*)$/.exec(current.text.trim());
        if (current && match) out.push({ line: current.line, keyword: match[1].toUpperCase(), rest: match[2].trim() });
        current = undefined;
    };
    for (let index = 0; index < lines.length; index++) {
        const trimmed = lines[index].trim();
        if (trimmed.startsWith("#")) continue; // a comment, also between continuation lines
        if (current === undefined && trimmed === "") continue;
        const continues = trimmed.endsWith(escape);
        const body = continues ? trimmed.slice(0, -1) : trimmed;
        current = current ? { line: current.line, text: `${current.text} ${body}` } : { line: index + 1, text: body };
        if (!continues) flush();
    }
    flush();
    return out;
}

/** `--name=value` / `--name` options, then the arguments (a JSON array or whitespace-separated words). */
function flagsAndArguments(rest: string): { flags: Map<string, string>; args: string[] } {
    const flags = new Map<string, string>();
    let remaining = rest;
    for (;;) {
        const flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(remaining);
        if (!flag) break;
        flags.set(flag[1], flag[2] ?? "");
        remaining = remaining.slice(flag[0].length);
    }
    if (remaining.startsWith("[")) {
        try {
            const parsed: unknown = JSON.parse(remaining);
            if (Array.isArray(parsed) && parsed.every((p) => typeof p === "string")) return { flags, args: parsed };
        } catch {
            // not JSON: BuildKit reads it as words too
        }
    }
    return { flags, args: remaining.split(/\s+/).filter((w) => w !== "") };
}

/** `${NAME}`, `$NAME`, `${NAME:-default}`: the names used in `text`. */
function variablesIn(text: string): string[] {
    return [...text.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))/g)].map((m) => m[1] ?? m[2]);
}

/** `text` with variables replaced from `values` (unset ones empty, `${X:-d}` taking d), as BuildKit expands a FROM. */
function expand(text: string, values: ReadonlyMap<string, string | undefined>): string {
    return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_, braced: string, fallback: string, bare: string) => {
        const value = values.get(braced ?? bare);
        return value !== undefined && value !== "" ? value : (fallback ?? "");
    });
}

/** `ARG A=1 B` -> [["A","1"],["B",undefined]]; quotes around a default removed. */
function argDeclarations(rest: string): [string, string | undefined][] {
    return rest
        .split(/\s+/)
        .filter((w) => w !== "")
        .map((word) => {
            const eq = word.indexOf("=");
            if (eq < 0) return [word, undefined];
            return [
                word.slice(0, eq),
                word
                    .slice(eq + 1)
                    .replace(/^"(.*)"$/, "$1")
                    .replace(/^'(.*)'$/, "$1"),
            ];
        });
}

/** The facts of a Dockerfile's text. */
export function readDockerfile(text: string): DockerfileFacts {
    const args = new Set<string>();
    const globalArgs = new Map<string, string | undefined>();
    const reaches: ImageReach[] = [];
    const copies: ContextCopy[] = [];
    const stages = new Set<string>();
    let stageCount = 0;
    for (const instruction of dockerfileInstructions(text)) {
        const { keyword, rest, line } = instruction;
        if (keyword === "ARG") {
            for (const [name, value] of argDeclarations(rest)) {
                args.add(name);
                if (stageCount === 0) globalArgs.set(name, value === undefined ? undefined : expand(value, globalArgs));
            }
        } else if (keyword === "FROM") {
            const { args: words } = flagsAndArguments(rest);
            const written = words[0] ?? "";
            if (!stages.has(written.toLowerCase()) && written.toLowerCase() !== "scratch") {
                reaches.push({ line, instruction: "FROM", written, resolved: expand(written, globalArgs), args: variablesIn(written) });
            }
            if (words.length >= 3 && words[1].toLowerCase() === "as") stages.add(words[2].toLowerCase());
            stageCount++;
        } else if (keyword === "COPY" || keyword === "ADD") {
            const { flags, args: words } = flagsAndArguments(rest);
            if (rest.includes("<<")) continue; // a heredoc: the content is inline
            const from = flags.get("from");
            if (from !== undefined) {
                const isStage = stages.has(from.toLowerCase()) || /^\d+$/.test(from);
                if (!isStage) reaches.push({ line, instruction: "COPY --from", written: from, resolved: expand(from, globalArgs), args: variablesIn(from) });
                continue;
            }
            for (const source of words.slice(0, -1)) {
                if (keyword === "ADD" && /^(https?|git):\/\/|^git@/.test(source)) continue;
                copies.push({ line, instruction: keyword, source });
            }
        }
    }
    return { args, globalArgs, reaches, copies };
}

/** A COPY source as a path relative to the context: `./a/b/` -> `a/b`, `.` and `/` -> "" (the whole context). */
function contextPath(source: string): string {
    return source
        .split("/")
        .filter((segment) => segment !== "" && segment !== ".")
        .join("/");
}

/** One path segment with Go's `filepath.Match` wildcards (`*`, `?`, `[...]`) as a regular expression. */
function segmentPattern(segment: string): RegExp {
    let pattern = "";
    for (let i = 0; i < segment.length; i++) {
        const c = segment[i];
        if (c === "*") pattern += "[^/]*";
        else if (c === "?") pattern += "[^/]";
        else if (c === "[") {
            const close = segment.indexOf("]", i + 1);
            if (close < 0) pattern += "\\[";
            else {
                pattern += `[${segment
                    .slice(i + 1, close)
                    .replace(/^\^|^!/, "^")
                    .replace(/\\/g, "\\\\")}]`;
                i = close;
            }
        } else if (c === "\\" && i + 1 < segment.length) {
            pattern += segment[++i].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        } else pattern += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
    return new RegExp(`^${pattern}$`);
}

/**
 * True when a COPY/ADD source finds something in a context holding `files` (POSIX paths relative to
 * it): the file itself, or a directory holding one, with wildcards matched per segment as docker does.
 */
export function contextHas(files: readonly string[], source: string): boolean {
    const wanted = contextPath(source);
    if (wanted === "") return files.length > 0;
    const segments = wanted.split("/").map(segmentPattern);
    return files.some((file) => {
        const parts = file.split("/");
        return parts.length >= segments.length && segments.every((re, i) => re.test(parts[i]));
    });
}

/** The context paths a Dockerfile copies that `files` lacks; sources made of variables are not judged. */
export function missingCopies(facts: DockerfileFacts, files: readonly string[]): ContextCopy[] {
    return facts.copies.filter((copy) => !copy.source.includes("$") && !contextHas(files, copy.source));
}

/** `underworldcode/petsc:3.22` -> `docker.io/underworldcode/petsc`: the repository, tag and digest dropped. */
export function repositoryOf(reference: string): string {
    const withoutDigest = reference.split("@")[0];
    const slash = withoutDigest.lastIndexOf("/");
    const colon = withoutDigest.lastIndexOf(":");
    const name = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
    const first = name.split("/")[0];
    const hasHost = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
    if (hasHost) return name.replace(/^(index\.)?docker\.io\//, "docker.io/");
    return name.includes("/") ? `docker.io/${name}` : `docker.io/library/${name}`;
}

/** True when the reference names an image by digest (`…@sha256:…`), which no later push can change. */
export function isDigestReference(reference: string): boolean {
    return /@sha256:[0-9a-f]{64}$/.test(reference);
}

/** A heredoc opener in an instruction (`<<EOF`, `<<-'EOF'`, `<<"EOF"`): its terminator word. */
const HEREDOC = /<<-?(["']?)([A-Za-z_][A-Za-z0-9_]*)\1/g;

/**
 * The Dockerfile to hand BuildKit for a build that fetches its source inside the build (`git clone --branch
 * ${UW3_BRANCH}`): in each stage, `ARG <fingerprintArg>` is declared just before the first instruction that
 * uses one of `refArgs` (the build args whose configured value carries `{ref}`), unless the stage already
 * declares it before there. BuildKit keys every RUN after an ARG on its value, so the fetching step, and only
 * it and what follows, runs again exactly when the fingerprint changes; the layers above stay cached.
 * Continuation lines and heredoc bodies belong to their instruction (a use inside a heredoc counts, and no
 * line is ever inserted inside one). `inserted`: the 1-based lines of the text given that now follow an ARG.
 */
export function declareFingerprintArg(text: string, fingerprintArg: string, refArgs: readonly string[]): { text: string; inserted: number[] } {
    const lines = text.split("\n");
    const escape = escapeCharacter(lines);
    const uses = (body: string, names: readonly string[]) => names.some((n) => new RegExp(`\\$\\{?${n}(?![A-Za-z0-9_])`).test(body));
    const inserted: number[] = [];
    let declared = false; // in this stage, before here
    let inStage = false;
    for (let i = 0; i < lines.length;) {
        const first = lines[i].trim();
        if (first === "" || first.startsWith("#")) {
            i++;
            continue;
        }
        // One instruction: its continuation lines, then the bodies of its heredocs.
        const start = i;
        let instruction = "";
        for (;;) {
            const line = lines[i++] ?? "";
            const trimmed = line.trim();
            if (trimmed.startsWith("#") && instruction !== "") continue;
            const continues = trimmed.endsWith(escape) && i < lines.length;
            instruction += ` ${continues ? trimmed.slice(0, -1) : trimmed}`;
            if (!continues) break;
        }
        let body = instruction;
        for (const [, , word] of instruction.matchAll(HEREDOC)) {
            while (i < lines.length) {
                const line = lines[i++];
                if (line.replace(/^\t+/, "") === word) break;
                body += `\n${line}`;
            }
        }
        const keyword = /^\s*(\S+)/.exec(instruction)?.[1].toUpperCase() ?? "";
        if (keyword === "FROM") {
            inStage = true;
            declared = false;
        } else if (keyword === "ARG") {
            if (argDeclarations(instruction.trim().slice(3)).some(([name]) => name === fingerprintArg)) declared = true;
        } else if (inStage && !declared && uses(body, refArgs)) {
            inserted.push(start + 1);
            declared = true;
        }
    }
    if (inserted.length === 0) return { text, inserted };
    const out: string[] = [];
    lines.forEach((line, index) => {
        if (inserted.includes(index + 1)) out.push(`ARG ${fingerprintArg}`);
        out.push(line);
    });
    return { text: out.join("\n"), inserted };
}
