/**
 * Runs the planned checks on one image (checks/index.ts decides which, in which order) and renders their
 * results. No Pulumi import: the `check` CLI (and through it the Pulumi gate) calls this.
 */
import { DockerError } from "../docker/cli";
import { ContainerSet, whileRemovingOnSignal } from "../docker/containers";
import { ImageNotLocalError, LocalImage, inspectLocalImage, pullImage } from "../docker/image";
import { ImageReference, formatImageReference, parseImageReference } from "../names/oci";
import { RegistryClient } from "../registry/client";
import { CheckContext, CheckNotRunError } from "./checkContext";
import { plannedChecks } from "./checks";
import { CHECK_RESULT_VERSION } from "./result";
import { CheckName, CheckOptions, CheckReport, CheckResult, RegistryCredentials, RegistryLogin } from "./types";
import { printableLines } from "../text/printable";
import { redactSecrets } from "../text/redaction";
import { boundTo } from "../registry/session";

export interface CheckRun {
    /** The versioned result (result.ts): what `--json` prints and `--result-file` writes. */
    report: CheckReport;
    /** The same results with their timings, for the table. */
    results: CheckResult[];
    /**
     * The digest-pinned reference that was checked: the reference itself when it has a digest, else the
     * local image's repo digest for the same repository (the image the runtime checks ran). Undefined
     * when neither is known.
     */
    pin?: string;
    /** The digest reference pulled into the local engine because the image was not there. */
    pulled?: string;
}

/** The longest line, and the most lines, a detail may print (a log tail is 8 lines of at most 200). */
const DETAIL_LINE_MAX = 2000;
const DETAIL_LINES_MAX = 40;

/**
 * A detail as it may be printed: credentials blanked (a registry can echo what it was sent), control
 * characters escaped and lengths capped. The one place every detail passes through, whatever quoted it.
 */
function printableDetail(detail: string, creds?: RegistryCredentials): string {
    return printableLines(redactSecrets(detail, creds), DETAIL_LINE_MAX, DETAIL_LINES_MAX);
}

/**
 * A thrown error as a failed result, saying whether the check could not run (Docker or the host: a
 * CheckNotRunError or DockerError) or broke.
 */
export function failedResult(name: CheckName, err: unknown, seconds: number): CheckResult {
    const message = err instanceof Error ? err.message : String(err);
    const detail =
        err instanceof CheckNotRunError || err instanceof DockerError
            ? `not run: ${message}`
            : `the check itself failed (${err instanceof Error ? err.name : "error"}): ${message}`;
    return { name, ok: false, detail, seconds };
}

/** The local repo digest of `ref`'s repository, as `host/repo[:tag]@sha256:...`. */
export function pinFromRepoDigests(ref: ImageReference, repoDigests: string[]): string | undefined {
    for (const repoDigest of repoDigests) {
        let parsed: ImageReference;
        try {
            parsed = parseImageReference(repoDigest);
        } catch {
            continue;
        }
        if (parsed.registry === ref.registry && parsed.repository === ref.repository && parsed.digest) {
            return formatImageReference({ ...ref, digest: parsed.digest });
        }
    }
    return undefined;
}

/**
 * Runs every planned check (plannedChecks: registry checks first, then the runtime ones). A check that
 * throws becomes a failed result naming the error and the rest still run. The runtime checks share one
 * `docker image inspect`: when the image is not in the local engine (or Docker is unreachable) each of
 * them fails with that reason, while the registry checks still report. Every container a check started
 * is removed when the run ends or is interrupted (SIGINT/SIGTERM exit 130/143). Throws only for an
 * invalid `imageRef` (the CLI validates it first). `login` is the image's registry login: it is bound to
 * that registry, and a baseline on another one is read without it.
 */
export async function runChecks(imageRef: string, options: CheckOptions, login?: RegistryLogin): Promise<CheckRun> {
    const ref = parseImageReference(imageRef);
    const creds = boundTo(login, ref.registry);
    return whileRemovingOnSignal(CHECK_CONTAINER_PREFIX, (containers) => runPlanned(imageRef, ref, options, creds, containers));
}

/** The prefix of check container names (`uw3-binder-check-<check>-<pid>-<random>`). */
const CHECK_CONTAINER_PREFIX = "uw3-binder-check-";

async function runPlanned(
    imageRef: string,
    ref: ImageReference,
    options: CheckOptions,
    creds: RegistryCredentials | undefined,
    containers: ContainerSet,
): Promise<CheckRun> {
    const dockerRef = formatImageReference(ref);
    let pulled: string | undefined;
    // A gate re-runs on a fresh CI runner, or after `checks` changed, without the build that left the
    // image in the engine: pull it then, by digest, so the runtime checks run what the registry serves.
    const findOrPull = async (): Promise<LocalImage> => {
        try {
            return await inspectLocalImage(dockerRef);
        } catch (err) {
            if (!(err instanceof ImageNotLocalError) || !ref.digest) throw err;
        }
        const digestRef = formatImageReference({ registry: ref.registry, repository: ref.repository, digest: ref.digest });
        await pullImage(digestRef, ref.registry, creds);
        pulled = digestRef;
        return inspectLocalImage(dockerRef);
    };
    // One client for the registry checks that use the credentials: one handshake, manifests read once.
    let registry: RegistryClient | undefined;
    let local: Promise<LocalImage> | undefined;
    const context: CheckContext = {
        ref,
        options,
        credentials: creds,
        containers,
        registry: () => (registry ??= new RegistryClient(ref, creds)),
        localImage: () => (local ??= findOrPull()),
    };

    const results: CheckResult[] = [];
    for (const check of plannedChecks(options.enabled)) {
        const started = performance.now();
        const elapsed = () => Math.round((performance.now() - started) / 100) / 10;
        try {
            const verdict = await check.run(context);
            results.push({
                name: check.name,
                ok: verdict.ok,
                detail: printableDetail(verdict.detail, creds),
                seconds: elapsed(),
                ...(verdict.figures ? { figures: verdict.figures } : {}),
            });
        } catch (err) {
            const failed = failedResult(check.name, err, elapsed());
            results.push({ ...failed, detail: printableDetail(failed.detail, creds) });
        }
    }

    let pin: string | undefined;
    if (ref.digest) pin = dockerRef;
    else {
        try {
            pin = pinFromRepoDigests(ref, (await context.localImage()).repoDigests);
        } catch {
            pin = undefined;
        }
    }
    const report: CheckReport = {
        version: CHECK_RESULT_VERSION,
        image: imageRef.trim(),
        ok: results.length > 0 && results.every((r) => r.ok),
        ...(pin ? { reference: pin } : {}),
        ...(pulled ? { pulled } : {}),
        checks: results,
    };
    return { report, results, pin, pulled };
}

/**
 * The table people read: one row per check (name, PASS/FAIL, seconds, detail), continuation lines of a
 * detail (log lines) indented under the detail column, then a one-line verdict. Pure.
 */
export function renderCheckTable(results: (Omit<CheckResult, "name"> & { name: string })[]): string {
    const rows = results.map((r) => ({
        name: r.name,
        verdict: r.ok ? "PASS" : "FAIL",
        time: `${r.seconds.toFixed(1)} s`,
        detail: r.detail.split("\n"),
    }));
    const nameWidth = Math.max("CHECK".length, ...rows.map((r) => r.name.length));
    const verdictWidth = "RESULT".length;
    const timeWidth = Math.max("TIME".length, ...rows.map((r) => r.time.length));
    const indent = " ".repeat(nameWidth + verdictWidth + timeWidth + 6);
    const lines = [`${"CHECK".padEnd(nameWidth)}  ${"RESULT".padEnd(verdictWidth)}  ${"TIME".padStart(timeWidth)}  DETAIL`];
    for (const row of rows) {
        const [first, ...rest] = row.detail;
        lines.push(`${row.name.padEnd(nameWidth)}  ${row.verdict.padEnd(verdictWidth)}  ${row.time.padStart(timeWidth)}  ${first}`);
        for (const line of rest) lines.push(`${indent}${line}`);
    }
    const failed = results.filter((r) => !r.ok).map((r) => r.name);
    if (results.length === 0) lines.push("no checks ran");
    else if (failed.length === 0) lines.push(results.length === 1 ? "1 check passed" : `all ${results.length} checks passed`);
    else lines.push(`${failed.length} of ${results.length} checks failed: ${failed.join(", ")}`);
    return lines.join("\n");
}
