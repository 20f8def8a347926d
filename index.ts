/**
 * uw3-binder: images -> gates -> launchers, with the LAUNCHER_PAT secret beside them.
 * Reads the validated config, maps it to the components' Args (plain values and Inputs: the components
 * know nothing of the config), creates the components and exports their outputs; nothing else.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { adoptedPin } from "./components/adoption";
import { BinderGate } from "./components/gate";
import { BinderImage } from "./components/image";
import { Launcher } from "./components/launcher";
import { LauncherBranchImage } from "./components/launcherBranch";
import { LauncherPatSecret } from "./components/secrets";
import { FINGERPRINT_ARG, prepareBuild } from "./src/source/builds";
import { launcherPins, registryOnlyChecks, withdrawnReplacements } from "./src/launcher/branchPins";

const { config, secrets } = loadConfig();
const source = {
    programDir: process.cwd(),
    path: config.source.path,
    repository: config.source.repository,
    release: config.release,
    stagingRoot: `.uw3-binder/contexts/${pulumi.getStack()}`,
    branch: config.source.branch,
};

const images: Record<string, BinderImage> = {};
const gates: Record<string, BinderGate> = {};
// An image built only on request is declared in the runs that request it (`build: requested`), not in others.
for (const image of config.images.filter((i) => i.build !== "on-request")) {
    // A run that builds needs the checkout; a dry run (preview, `uw3-binder plan`) builds nothing
    // (`buildOnPreview: false`), so it stages what it can and only shows a missing checkout.
    const build = prepareBuild(image, source, !pulumi.runtime.isDryRun(), config.images);
    for (const warning of build.warnings) void pulumi.log.warn(warning);
    const login = secrets.login(image.registry.server);
    // Each parent by digest, as its `from.arg` build arg: config order puts every parent first.
    const parents = image.parents.map((p) => [p.arg, images[p.image].digestReference] as const);
    images[image.name] = new BinderImage(image.name, {
        repositoryUrl: image.repositoryUrl,
        tags: image.tags,
        platforms: image.platforms,
        context: build.contextDir,
        dockerfile: build.dockerfile,
        inlineDockerfile: build.inlineDockerfile,
        target: image.target,
        buildArgs: { ...image.args, [FINGERPRINT_ARG]: build.fingerprint, ...Object.fromEntries(parents) },
        labels: build.labels,
        registry: login && { address: image.registry.server, ...login },
        writeOnce: image.writeOnce ? { contextFingerprint: build.contextFingerprint, tags: image.writeOnceTags } : undefined,
        buildCache: image.buildCache,
        builder: image.builder,
    });
    gates[image.name] = new BinderGate(`${image.name}-gate`, {
        reference: images[image.name].reference,
        checks: image.checks,
        parents: parents.map(([, reference]) => reference),
        ...login,
        replacements: withdrawnReplacements(image, config.withdrawn),
    });
}

// A branch pins its image's verified build, or with `pin:` a published digest its own gate re-checks; a
// frozen branch this stack builds nothing for adopts the digest its launcher branch names, gated as a `pin:`.
const launcherConfig = config.launcher;
const pins = launcherConfig
    ? launcherPins<LauncherBranchImage>(launcherConfig, config.images, config.release, {
          built: (image) => ({ gate: gates[image] }),
          pinned: (_slug, reference, image) => ({ pin: { reference, checks: registryOnlyChecks(image.checks), ...secrets.login(image.registry.server) } }),
          adopted: (branch, image) => {
              const login = secrets.login(image.registry.server);
              const reference = adoptedPin({
                  owner: launcherConfig.owner,
                  repository: launcherConfig.repository,
                  branch: branch.name,
                  repositoryUrl: image.repositoryUrl,
                  server: image.registry.server,
                  login,
              });
              return { pin: { reference, checks: registryOnlyChecks(image.checks), ...login } };
          },
      })
    : {};
const launcher = config.launcher
    ? new Launcher("launcher", {
          owner: config.launcher.owner,
          repository: config.launcher.repository,
          create: config.launcher.create,
          defaultBranch: config.launcher.defaultBranch,
          release: config.release,
          commitAuthor: config.launcher.commitAuthor,
          branches: config.launcher.branches.map((b) => ({
              name: b.name,
              uw3Branch: b.uw3Branch,
              image: pins[b.name],
              frozen: b.frozen,
              imageRef: config.images.find((i) => i.name === b.image)?.ref,
              withdrawn: b.withdrawn && { digest: b.withdrawn.digest, reason: b.withdrawn.reason, date: b.withdrawn.date },
          })),
          rehearsal: config.launcher.rehearsal.enabled ? config.launcher.rehearsal : undefined,
          warmup: config.launcher.warmup ? { hubs: config.launcher.binderHubs, timeoutS: config.launcher.warmupTimeoutS } : undefined,
      })
    : undefined;

if (secrets.launcherPat) {
    new LauncherPatSecret("launcher-pat", { repository: config.source.name, launcherPat: secrets.launcherPat });
}

export const imageReferences = Object.fromEntries(Object.entries(images).map(([name, image]) => [name, image.references]));
export const verifiedReferences = Object.fromEntries(Object.entries(gates).map(([name, gate]) => [name, gate.verifiedReference]));
export const launchers = launcher?.branches ?? {};
