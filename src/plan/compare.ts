/**
 * `uw3-binder plan --stack S --against P`: what a release changes against another stack (the previous
 * release's), from the two offline plans. Pure: it reads only what `plan` renders, so it follows whatever the
 * program declares. Images are the built images (`docker-build:index:Image`), matched by resource name, with
 * their tags; launcher branches are the files the program writes (`github:index/repositoryFile:RepositoryFile`),
 * grouped by branch and matched by path, by content and commit message (a new commit message alone is a commit).
 * A path the program stages per stack (`.uw3-binder/contexts/<stack>/...`) counts as the same path on both sides.
 */
import type { Plan } from "./plan";
import { printableText } from "../text/printable";

const IMAGE_TYPE = "docker-build:index:Image";
const FILE_TYPE = "github:index/repositoryFile:RepositoryFile";

/** new: only in the plan; gone: only in the plan compared against; changed or unchanged: in both. */
export type Change = "new" | "gone" | "changed" | "unchanged";

export interface ImageChange {
    /** The image's resource name. */
    name: string;
    change: Change;
    /** Its tags in the stack compared against, and in the stack (absent on the side it is not on). */
    tagsBefore?: string[];
    tags?: string[];
    /** The inputs other than its tags that differ (build args, labels ...), for a changed image. */
    otherInputs: string[];
}

export interface FileChange {
    file: string;
    change: Change;
    /** For a changed file: "content", "commit message", or both. */
    what: string[];
}

export interface BranchChange {
    branch: string;
    change: Change;
    /** Every file the program writes to the branch, in either plan. */
    files: FileChange[];
}

export interface PlanComparison {
    stack: string;
    against: string;
    images: ImageChange[];
    branches: BranchChange[];
}

const text = (value: unknown): string => (typeof value === "string" ? value : (JSON.stringify(value) ?? ""));
const tagsOf = (inputs: Record<string, unknown>): string[] => (Array.isArray(inputs.tags) ? inputs.tags.map(text) : []);

/** Keys in first-seen order across both sides, the plan's own order first. */
function unionKeys<T>(after: Map<string, T>, before: Map<string, T>): string[] {
    return [...new Set([...after.keys(), ...before.keys()])];
}

function compareImages(plan: Plan, against: Plan): ImageChange[] {
    const of = (p: Plan) => new Map(p.resources.filter((r) => r.type === IMAGE_TYPE).map((r) => [r.name, r.inputs]));
    const [after, before] = [of(plan), of(against)];
    return unionKeys(after, before).map((name) => {
        const [a, b] = [after.get(name), before.get(name)];
        if (!b) return { name, change: "new", tags: tagsOf(a!), otherInputs: [] };
        if (!a) return { name, change: "gone", tagsBefore: tagsOf(b), otherInputs: [] };
        // The stack's own name in a path segment is the per-stack staging directory, not a change.
        const staged = (value: unknown, stack: string) => text(value).split(`/${stack}/`).join("/{stack}/");
        const otherInputs = [...new Set([...Object.keys(a), ...Object.keys(b)])]
            .filter((k) => k !== "tags" && staged(a[k], plan.stack) !== staged(b[k], against.stack))
            .sort();
        const sameTags = text(tagsOf(a)) === text(tagsOf(b));
        return { name, change: sameTags && otherInputs.length === 0 ? "unchanged" : "changed", tagsBefore: tagsOf(b), tags: tagsOf(a), otherInputs };
    });
}

/** Each branch's files: branch -> path -> inputs. */
function filesByBranch(plan: Plan): Map<string, Map<string, Record<string, unknown>>> {
    const branches = new Map<string, Map<string, Record<string, unknown>>>();
    for (const r of plan.resources.filter((x) => x.type === FILE_TYPE)) {
        const branch = text(r.inputs.branch);
        if (!branches.has(branch)) branches.set(branch, new Map());
        branches.get(branch)!.set(text(r.inputs.file), r.inputs);
    }
    return branches;
}

/** `<repository>:<tag>@<digest>` split at its last `:` before the `@`; undefined for anything else. */
function tagAndDigest(reference: string): { tag: string; digest: string } | undefined {
    const m = /:([^:@/]+)@(sha256:[0-9a-f]{64})$/.exec(reference);
    return m ? { tag: m[1], digest: m[2] } : undefined;
}

/**
 * A branch the plan adopts reads, offline, FROM a stand-in; at `up` it keeps the digest its launcher branch
 * names, which is what the stack compared against pinned it to. So its files are compared with the stand-in's
 * tag and digest read as that pin's; and since a file equal to GitHub's is kept (imported, no commit), not
 * written, its commit message is no change.
 */
function asAdopted(content: string, standIn: string, againstDockerfile: string): string {
    const pinned = /^FROM (\S+)/m.exec(againstDockerfile)?.[1];
    const [from, to] = [tagAndDigest(standIn), pinned && tagAndDigest(pinned)];
    if (!from || !to) return content;
    return content.split(from.digest).join(to.digest).split(`:${from.tag}@`).join(`:${to.tag}@`);
}

function compareBranches(plan: Plan, against: Plan): BranchChange[] {
    const [after, before] = [filesByBranch(plan), filesByBranch(against)];
    const adopted = new Map(plan.adopted.map((a) => [a.branch, a.standIn]));
    return unionKeys(after, before).map((branch) => {
        const [a, b] = [after.get(branch) ?? new Map<string, Record<string, unknown>>(), before.get(branch) ?? new Map<string, Record<string, unknown>>()];
        const standIn = adopted.get(branch);
        const againstDockerfile = text(b.get(".binder/Dockerfile")?.content);
        const files: FileChange[] = unionKeys(a, b).map((file) => {
            const [x, y] = [a.get(file), b.get(file)];
            if (!y) return { file, change: "new", what: [] };
            if (!x) return { file, change: "gone", what: [] };
            const content = standIn === undefined ? text(x.content) : asAdopted(text(x.content), standIn, againstDockerfile);
            const what = [
                ...(content !== text(y.content) ? ["content"] : []),
                ...(standIn === undefined && text(x.commitMessage) !== text(y.commitMessage) ? ["commit message"] : []),
            ];
            return { file, change: what.length === 0 ? "unchanged" : "changed", what };
        });
        const change: Change = !before.has(branch)
            ? "new"
            : !after.has(branch)
              ? "gone"
              : files.every((f) => f.change === "unchanged")
                ? "unchanged"
                : "changed";
        return { branch, change, files };
    });
}

/** What `plan` for `plan`'s stack changes against `against`'s. */
export function comparePlans(plan: Plan, against: Plan): PlanComparison {
    return { stack: plan.stack, against: against.stack, images: compareImages(plan, against), branches: compareBranches(plan, against) };
}

function counts(changes: { change: Change }[]): string {
    const order: Change[] = ["new", "changed", "gone", "unchanged"];
    return order
        .map((c) => [c, changes.filter((x) => x.change === c).length] as const)
        .filter(([, n]) => n > 0)
        .map(([c, n]) => `${n} ${c}`)
        .join(", ");
}

/** The readable form: per image and per launcher branch, what is new, changed, gone or unchanged. */
export function renderComparison(c: PlanComparison): string {
    const row = (change: Change, name: string, width: number, detail: string) => `  ${change.padEnd(9)}  ${name.padEnd(width)}  ${detail}`.trimEnd();
    const imageWidth = Math.max(0, ...c.images.map((i) => i.name.length));
    const branchWidth = Math.max(0, ...c.branches.map((b) => b.branch.length));
    const imageLine = (i: ImageChange): string => {
        const tags = (list: string[] | undefined) => (list ?? []).join(", ") || "(no tags)";
        const detail =
            i.change === "gone"
                ? tags(i.tagsBefore)
                : i.change !== "changed" || text(i.tags) === text(i.tagsBefore)
                  ? tags(i.tags)
                  : `${tags(i.tagsBefore)} -> ${tags(i.tags)}`;
        return row(i.change, i.name, imageWidth, `${detail}${i.otherInputs.length > 0 ? `  (also ${i.otherInputs.join(", ")})` : ""}`);
    };
    const branchLine = (b: BranchChange): string => {
        const detail =
            b.change === "changed"
                ? b.files
                      .filter((f) => f.change !== "unchanged")
                      .map((f) => (f.change === "changed" ? `${f.file} (${f.what.join(", ")})` : `${f.file} ${f.change}`))
                      .join("; ")
                : b.files.map((f) => f.file).join(", ");
        return row(b.change, b.branch, branchWidth, detail);
    };
    return printableText([
        `stack ${c.stack} against ${c.against}:`,
        "",
        `images (${counts(c.images) || "none"}):`,
        ...c.images.map(imageLine),
        "",
        `launcher branches (${counts(c.branches) || "none"}):`,
        ...c.branches.map(branchLine),
    ]);
}
