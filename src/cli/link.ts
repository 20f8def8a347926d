/**
 * `uw3-binder link <owner>/<repo>`: the mybinder.org link (and badge) that opens a content repository
 * in the Underworld3 launcher through nbgitpuller.
 */
import { badgeMarkdown, contentLaunchUrl, JUPYTER_APPS, JupyterApp, LauncherBranch } from "../links/binder";
import { parseRepositorySlug } from "../names/github";
import { LINK_FORMATS, LinkFormat, renderLink } from "../links/kit";
import { escapeUnprintable, printableJson } from "../text/printable";
import { shown } from "../text/quotedValue";
import { choiceOption, CliCommand, execute, parsedOption } from "./command";
import { CommandIo } from "./commandIo";
import { UsageError } from "./errors";

const DEFAULT_LAUNCHER = "underworldcode/uw3-binder-launcher";
const DEFAULT_LAUNCHER_BRANCH = "main";

interface LinkOptions {
    branch: string;
    path?: string;
    app: JupyterApp;
    launcher?: { owner: string; repository: string };
    launcherBranch?: string;
    stack?: string;
    format?: LinkFormat;
    json?: true;
}

/** The launcher a stack file's values publish: `<github:owner>/<launcher.repository>` and its default branch. */
function launcherOfStackValues(values: Record<string, unknown>, keys: { owner: string; launcher: string }, fileName: string) {
    const owner = values[keys.owner];
    const launcher = values[keys.launcher] as { repository?: unknown; defaultBranch?: unknown } | undefined;
    const problems: string[] = [];
    if (typeof owner !== "string" || owner === "") problems.push(`\`${keys.owner}\`: expected the GitHub owner of the launcher, found ${shown(owner)}`);
    const repository = launcher?.repository;
    if (typeof repository !== "string" || repository === "") {
        problems.push(`\`${keys.launcher}.repository\`: expected the launcher repository name, found ${shown(repository)}`);
    }
    const defaultBranch = launcher?.defaultBranch ?? DEFAULT_LAUNCHER_BRANCH;
    if (typeof defaultBranch !== "string") problems.push(`\`${keys.launcher}.defaultBranch\`: expected a branch name, found ${shown(defaultBranch)}`);
    if (problems.length > 0) throw new UsageError(`${fileName}: ${problems.join("; ")}`);
    return { owner: owner as string, repository: repository as string, defaultBranch: defaultBranch as string };
}

/** The launcher `--stack` names: read from Pulumi.<stack>.yaml in `cwd` (only its owner and launcher keys). */
async function launcherOfStack(stack: string, cwd: string) {
    const [{ parseStackFileText, readStackOfFlag }, { KEYS }] = await Promise.all([import("../config/stackFile"), import("../config/schema")]);
    const { fileName, text } = readStackOfFlag(stack, cwd);
    return launcherOfStackValues(parseStackFileText(text, fileName).values, KEYS, fileName);
}

async function resolveLauncher(options: LinkOptions, cwd: string): Promise<LauncherBranch> {
    if (options.stack !== undefined) {
        const fromStack = await launcherOfStack(options.stack, cwd);
        return { owner: fromStack.owner, repository: fromStack.repository, branch: options.launcherBranch ?? fromStack.defaultBranch };
    }
    const { owner, repository } = options.launcher ?? parseRepositorySlug(DEFAULT_LAUNCHER, "--launcher");
    return { owner, repository, branch: options.launcherBranch ?? DEFAULT_LAUNCHER_BRANCH };
}

async function link(command: CliCommand): Promise<number> {
    const io = command.io;
    const [content] = command.processedArgs as [{ owner: string; repository: string }];
    const options = command.opts<LinkOptions>();
    const launcher = await resolveLauncher(options, io.cwd);
    const url = contentLaunchUrl({ launcher, content: { ...content, branch: options.branch, path: options.path }, app: options.app });
    const badge = badgeMarkdown(url);
    const text =
        options.format === undefined
            ? undefined
            : renderLink(options.format, { url, content: { ...content, branch: options.branch, path: options.path }, app: options.app, launcher });
    if (options.json) {
        io.stdout(printableJson(text === undefined ? { url, badge } : { url, badge, format: options.format, text }) + "\n");
        return 0;
    }
    if (text !== undefined) {
        io.stdout(text + "\n");
        return 0;
    }
    const opens = options.path ?? "the repository folder";
    // The branch and path as given (git allows U+2028 or a bidi override in a branch name): escaped for the terminal.
    io.stdout(
        [
            escapeUnprintable(
                `Opens ${content.owner}/${content.repository}@${options.branch} (${opens}) in ${options.app === "lab" ? "JupyterLab" : "the classic notebook"}`,
            ),
            escapeUnprintable(`on the Underworld3 launcher ${launcher.owner}/${launcher.repository}@${launcher.branch}.`),
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

/** Declares `link` on `command`: its arguments, options, help and action. */
export function declareLink(command: CliCommand): CliCommand {
    return command
        .description(
            "Prints the mybinder.org link that clones <owner>/<repo> into the Underworld3 launcher with " +
                "nbgitpuller and opens it, and the badge Markdown for a README.",
        )
        .usage("<owner>/<repo> [options]")
        .argument("<owner/repo>", "the content repository", (slug: string) => parseRepositorySlug(slug, "content repository"))
        .argumentsWorded({
            missing: () => "expected one <owner>/<repo>, found none",
            excess: (args) => `expected one <owner>/<repo>, found ${args.map((a) => shown(a)).join(" ")}`,
        })
        .option("--branch <name>", "branch of <owner>/<repo> to clone", "main")
        .option("--path <path>", "file or folder to open, relative to the repository root (default: the repository folder)")
        .addOption(choiceOption("--app <app>", "JupyterLab or the classic notebook interface", JUPYTER_APPS).default("lab"))
        .addOption(
            parsedOption("--launcher <owner/repo>", `launcher repository (default: ${DEFAULT_LAUNCHER})`, (slug) => parseRepositorySlug(slug, "--launcher")),
        )
        .option("--launcher-branch <name>", "launcher branch, which picks the image (default: main, or the stack's launcher.defaultBranch with --stack)")
        .option(
            "--stack <name>",
            "take the launcher from Pulumi.<name>.yaml in this directory (a release's stack, 2025-01 or v3.0.2): <github:owner>/<launcher.repository>",
        )
        .addOption(
            choiceOption(
                "--format <format>",
                "print only the link for one place: url, markdown (badge), rst (badge), html (badge), myst (badge and myst.yml block) or jupyter-book (_config.yml block)",
                LINK_FORMATS,
            ),
        )
        .option("--json", 'print {"url": ..., "badge": ...}, and "format", "text" with --format')
        .exclusive("--stack", "--launcher", "--stack and --launcher are mutually exclusive: --stack takes the launcher from the stack file")
        .runs(link);
}

/** `uw3-binder link ...` with `argv` after the command name; a usage error rejects. */
export function runLink(argv: string[], io: CommandIo): Promise<number> {
    return execute(declareLink(new CliCommand("link", io)), argv);
}
