/**
 * What each image is built from: a staged build context holding only the files the image needs, a
 * Dockerfile with OCI labels appended, and a fingerprint of the files that force a rebuild.
 * No Pulumi import.
 *
 * Why staging: `docker.Image` hashes its whole context directory to decide whether to rebuild, so a
 * context of the whole checkout (with `.git`) would rebuild and push gigabytes on every docs commit.
 */
import * as fs from "fs";
import * as path from "path";
import { BinderConfig, ImageConfig, KEYS } from "../config/schema";
import { STAGED_MTIME, stageBuildContext } from "../source/context";
import { fingerprintSources } from "../source/fingerprint";
import { findWorktree, runGit } from "../source/git";
import { toGitPathspecs } from "../source/globs";

/** The build arg that carries the source fingerprint, so a changed trigger file busts Docker's layer cache. */
export const FINGERPRINT_ARG = "UW3_SOURCE_FINGERPRINT";

export interface PreparedBuild {
    /** The build context directory, relative to the program's directory. */
    contextDir: string;
    /** The staged Dockerfile: `docker.Image` resolves it against the program's directory, not the context. */
    dockerfile: string;
    /** `sha256:<hex>` over the image's `rebuildOn` files. */
    fingerprint: string;
    /** The OCI labels appended to the staged Dockerfile. */
    labels: Record<string, string>;
}

/**
 * OCI labels. `revision` and `created` come from the last commit that touched the image's own
 * inputs, not HEAD: a label that changed on every commit would change the context and rebuild the image.
 */
export function ociLabels(args: { sourceUrl: string; release: string; revision: string; created: string }): Record<string, string> {
    return {
        // Also what links a GHCR package to its repository.
        "org.opencontainers.image.source": args.sourceUrl,
        "org.opencontainers.image.revision": args.revision,
        "org.opencontainers.image.version": args.release,
        "org.opencontainers.image.created": args.created,
    };
}

/** The Dockerfile with a LABEL instruction appended, which applies to its final stage. */
export function labelledDockerfile(original: string, labels: Record<string, string>): string {
    const body = original.endsWith("\n") ? original : `${original}\n`;
    const pairs = Object.entries(labels).map(([k, v]) => `    ${k}=${JSON.stringify(v)}`);
    return `${body}\n# Added by uw3-binder\nLABEL \\\n${pairs.join(" \\\n")}\n`;
}

/** The newest commit touching any of the patterns: `{revision, created}`, or "unknown" outside git. */
export function lastCommitTouching(checkout: string, patterns: readonly string[]): { revision: string; created: string } {
    if (!findWorktree(checkout)) return { revision: "unknown", created: "1970-01-01T00:00:00Z" };
    const out = runGit(checkout, ["log", "-1", "--format=%H%x00%cI", "--", ...toGitPathspecs(patterns)]).toString("utf8").trim();
    if (!out) return { revision: "unknown", created: "1970-01-01T00:00:00Z" };
    const [revision, created] = out.split("\0");
    return { revision, created };
}

export interface PrepareOptions {
    /** The program's directory: `source.path` is relative to it. */
    programDir: string;
    /** Where staged contexts go (one subdirectory per image), relative to the program's directory. */
    stagingRoot: string;
    /** In an offline plan a missing checkout is shown, not an error, and nothing is staged. */
    plan: boolean;
}

export function prepareBuilds(config: BinderConfig, options: PrepareOptions): Record<string, PreparedBuild> {
    const checkout = path.resolve(options.programDir, config.source.path);
    const sourceUrl = `https://github.com/${config.source.repository}`;
    const present = fs.existsSync(checkout) && fs.statSync(checkout).isDirectory();
    if (!present && !options.plan) {
        throw new Error(`\`${KEYS.source}.path\`: expected a checkout of ${config.source.repository} at ${checkout} (resolved from "${config.source.path}"), found none`);
    }
    const builds: Record<string, PreparedBuild> = {};
    for (const image of config.images) {
        builds[image.name] = present
            ? prepareOne(image, checkout, sourceUrl, config.release, options)
            : missingCheckout(image, config.source.path, sourceUrl, config.release, options);
    }
    return builds;
}

function prepareOne(image: ImageConfig, checkout: string, sourceUrl: string, release: string, options: PrepareOptions): PreparedBuild {
    const contextDir = path.join(options.stagingRoot, image.name);
    const { fingerprint } = fingerprintSources(checkout, image.rebuildOn);
    const labels = ociLabels({ sourceUrl, release, ...lastCommitTouching(checkout, [...image.context, ...image.rebuildOn]) });
    const dockerfile = path.join(contextDir, image.dockerfile);
    if (!options.plan) {
        const staged = stageBuildContext(checkout, image.context, path.resolve(options.programDir, contextDir));
        if (!staged.files.includes(image.dockerfile)) {
            throw new Error(`\`${KEYS.images}.${image.name}.dockerfile\`: expected ${image.dockerfile} in ${checkout}, found none`);
        }
        const absolute = path.resolve(options.programDir, dockerfile);
        fs.writeFileSync(absolute, labelledDockerfile(fs.readFileSync(absolute, "utf8"), labels));
        fs.utimesSync(absolute, STAGED_MTIME, STAGED_MTIME);
    }
    return { contextDir, dockerfile, fingerprint, labels };
}

function missingCheckout(image: ImageConfig, checkout: string, sourceUrl: string, release: string, options: PrepareOptions): PreparedBuild {
    const contextDir = path.join(options.stagingRoot, image.name);
    return {
        contextDir,
        dockerfile: path.join(contextDir, image.dockerfile),
        fingerprint: `(no checkout at ${checkout})`,
        labels: ociLabels({ sourceUrl, release, revision: "unknown", created: "unknown" }),
    };
}
