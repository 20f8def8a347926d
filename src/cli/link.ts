/**
 * `uw3-binder link <owner>/<repo>`: the mybinder.org link (and badge) that opens a content repository
 * in the Underworld3 launcher through nbgitpuller.
 */
import * as fs from "fs";
import * as path from "path";
import { badgeMarkdown, contentLaunchUrl, JUPYTER_APPS, JupyterApp, LauncherBranch, LinkInputError, parseRepositorySlug } from "../links/binder";
import { ConfigError, KEYS } from "../config/schema";
import { parseStackFileText, readStackFileText, stackNameProblem } from "../config/stackFile";
import type { Command } from "./main";
import { CommandIo, processIo } from "./commandIo";
import { shown } from "../config/shown";
import { parseArgs, UsageError } from "./usage";
import { LINK_FORMATS, LinkFormat, renderLink } from "../links/kit";

export const DEFAULT_LAUNCHER = "underworldcode/uw3-binder-launcher";
const DEFAULT_LAUNCHER_BRANCH = "main";

const USAGE = `usage: uw3-binder link <owner>/<repo> [options]

Prints the mybinder.org link that clones <owner>/<repo> into the Underworld3 launcher with
nbgitpuller and opens it, and the badge Markdown for a README.

options:
  --branch <name>            branch of <owner>/<repo> to clone (default: main)
  --path <path>              file or folder to open, relative to the repository root
                             (default: the repository folder)
  --app lab|notebook         JupyterLab or the classic notebook interface (default: lab)
  --launcher <owner>/<repo>  launcher repository (default: ${DEFAULT_LAUNCHER})
  --launcher-branch <name>   launcher branch, which picks the image (default: main, or the
                             stack's launcher.defaultBranch with --stack)
  --stack <name>             take the launcher from Pulumi.<name>.yaml in this directory:
                             <github:owner>/<launcher.repository>; not with --launcher
  --format <format>          print only the link for one place: url, markdown (badge), rst
                             (badge), html (badge), myst (badge and myst.yml block) or
                             jupyter-book (_config.yml block)
  --json                     print {"url": ..., "badge": ...}, and "format", "text" with --format`;

/** The launcher a stack file publishes: `<github:owner>/<launcher.repository>` and its default branch. */
export function launcherFromStackFile(text: string, fileName: string): { owner: string; repository: string; defaultBranch: string } {
    let values: Record<string, unknown>;
    try {
        values = parseStackFileText(text, fileName).values;
    } catch (err) {
        if (err instanceof ConfigError) throw new UsageError(err.problems.join("; "));
        throw err;
    }
    const owner = values[KEYS.owner];
    const launcher = values[KEYS.launcher] as { repository?: unknown; defaultBranch?: unknown } | undefined;
    const problems: string[] = [];
    if (typeof owner !== "string" || owner === "") problems.push(`\`${KEYS.owner}\`: expected the GitHub owner of the launcher, found ${shown(owner)}`);
    const repository = launcher?.repository;
    if (typeof repository !== "string" || repository === "") {
        problems.push(`\`${KEYS.launcher}.repository\`: expected the launcher repository name, found ${shown(repository)}`);
    }
    const defaultBranch = launcher?.defaultBranch ?? DEFAULT_LAUNCHER_BRANCH;
    if (typeof defaultBranch !== "string") problems.push(`\`${KEYS.launcher}.defaultBranch\`: expected a branch name, found ${shown(defaultBranch)}`);
    if (problems.length > 0) throw new UsageError(`${fileName}: ${problems.join("; ")}`);
    return { owner: owner as string, repository: repository as string, defaultBranch: defaultBranch as string };
}

/** `Pulumi.<stack>.yaml` in `cwd`, for a `--stack` flag, and its text: a UsageError for a bad name or an unreadable file. */
export function stackFileForFlag(stack: string, cwd: string): { fileName: string; file: string; text: string } {
    const problem = stackNameProblem(stack);
    if (problem) throw new UsageError(`--stack ${problem}`);
    const fileName = `Pulumi.${stack}.yaml`;
    const file = path.join(cwd, fileName);
    if (!fs.existsSync(file)) throw new UsageError(`--stack ${stack}: no ${fileName} in ${cwd}`);
    try {
        return { fileName, file, text: readStackFileText(file) };
    } catch (err) {
        if (err instanceof ConfigError) throw new UsageError(`--stack ${stack}: ${err.problems.join("; ")}`);
        throw err;
    }
}

function resolveLauncher(flags: Map<string, string | true>, cwd: string): LauncherBranch {
    const stack = flags.get("stack") as string | undefined;
    const launcherFlag = flags.get("launcher") as string | undefined;
    const branchFlag = flags.get("launcher-branch") as string | undefined;
    if (stack !== undefined && launcherFlag !== undefined) {
        throw new UsageError("--stack and --launcher are mutually exclusive: --stack takes the launcher from the stack file");
    }
    if (stack !== undefined) {
        const { fileName, text } = stackFileForFlag(stack, cwd);
        const fromStack = launcherFromStackFile(text, fileName);
        return { owner: fromStack.owner, repository: fromStack.repository, branch: branchFlag ?? fromStack.defaultBranch };
    }
    const { owner, repository } = parseRepositorySlug(launcherFlag ?? DEFAULT_LAUNCHER, "--launcher");
    return { owner, repository, branch: branchFlag ?? DEFAULT_LAUNCHER_BRANCH };
}

export async function runLink(argv: string[], io: CommandIo): Promise<number> {
    const args = parseArgs(argv, { booleans: ["json"], values: ["branch", "path", "launcher", "launcher-branch", "app", "stack", "format"] });
    if (args.positional.length !== 1) {
        throw new UsageError(`expected one <owner>/<repo>, found ${args.positional.length === 0 ? "none" : args.positional.map((p) => shown(p)).join(" ")}`);
    }
    const app = (args.flags.get("app") as string | undefined) ?? "lab";
    if (!(JUPYTER_APPS as readonly string[]).includes(app)) {
        throw new UsageError(`--app expects one of ${JUPYTER_APPS.join(", ")}, found ${shown(app)}`);
    }
    const format = args.flags.get("format") as string | undefined;
    if (format !== undefined && !(LINK_FORMATS as readonly string[]).includes(format)) {
        throw new UsageError(`--format expects one of ${LINK_FORMATS.join(", ")}, found "${format}"`);
    }
    let url: string;
    let launcher: LauncherBranch;
    let content: { owner: string; repository: string };
    try {
        content = parseRepositorySlug(args.positional[0], "content repository");
        launcher = resolveLauncher(args.flags, io.cwd);
        url = contentLaunchUrl({
            launcher,
            content: {
                ...content,
                branch: (args.flags.get("branch") as string | undefined) ?? "main",
                path: args.flags.get("path") as string | undefined,
            },
            app: app as JupyterApp,
        });
    } catch (err) {
        if (err instanceof LinkInputError) throw new UsageError(err.message);
        throw err;
    }
    const badge = badgeMarkdown(url);
    const branch = (args.flags.get("branch") as string | undefined) ?? "main";
    const text =
        format === undefined
            ? undefined
            : renderLink(format as LinkFormat, { url, content: { ...content, branch, path: args.flags.get("path") as string | undefined }, app: app as JupyterApp, launcher });
    if (args.flags.has("json")) {
        io.stdout(JSON.stringify(text === undefined ? { url, badge } : { url, badge, format, text }) + "\n");
        return 0;
    }
    if (text !== undefined) {
        io.stdout(text + "\n");
        return 0;
    }
    const opens = args.flags.get("path") ?? "the repository folder";
    io.stdout(
        [
            `Opens ${content.owner}/${content.repository}@${branch} (${opens}) in ${app === "lab" ? "JupyterLab" : "the classic notebook"}`,
            `on the Underworld3 launcher ${launcher.owner}/${launcher.repository}@${launcher.branch}.`,
            "",
            "Launch URL:",
            url,
            "",
            "Badge Markdown:",
            badge,
            "",
        ].join("\n"),
    );
    return 0;
}

export const command: Command = {
    summary: "print the mybinder.org link and badge that open a repository's notebooks in Underworld3",
    usage: USAGE,
    run: (argv) => runLink(argv, processIo),
};
