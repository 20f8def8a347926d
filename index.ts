/**
 * uw3-binder: images -> gates -> launchers, with the LAUNCHER_PAT secret beside them.
 * Reads the validated config and wires components; everything else lives in components/ and src/.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { BinderGate } from "./components/gate";
import { BinderImage } from "./components/image";
import { Launcher } from "./components/launcher";
import { LauncherPatSecret } from "./components/secrets";
import { prepareBuilds } from "./src/images/builds";
import { launcherPins, registryOnlyChecks } from "./src/images/launcherPins";

const { config, secrets } = loadConfig();
const builds = prepareBuilds(config, {
    programDir: process.cwd(),
    stagingRoot: `.uw3-binder/contexts/${pulumi.getStack()}`,
    plan: process.env.UW3_BINDER_PLAN === "1",
});

const images: Record<string, BinderImage> = {};
const gates: Record<string, BinderGate> = {};
for (const image of config.images) {
    images[image.name] = new BinderImage(image.name, {
        image,
        build: builds[image.name],
        parents: Object.fromEntries(image.parents.map((p) => [p.image, images[p.image]])),
        login: secrets.login(image.registry.server),
    });
    gates[image.name] = new BinderGate(`${image.name}-gate`, {
        reference: images[image.name].reference,
        checks: image.checks,
        parents: image.parents.map((p) => images[p.image].digestReference),
        login: secrets.login(image.registry.server),
    });
}

// A branch with `pin:` holds a published digest; its gate re-reads that manifest instead of building anything.
const launcher = config.launcher
    ? new Launcher("launcher", {
          launcher: config.launcher,
          release: config.release,
          pins: launcherPins(config.launcher, config.images, {
              built: (image) => gates[image].verifiedReference,
              pinned: (name, reference, image) =>
                  new BinderGate(`launcher-pin-${name}-gate`, { reference, checks: registryOnlyChecks(image.checks), login: secrets.login(image.registry.server) })
                      .verifiedReference,
          }),
      })
    : undefined;

if (secrets.launcherPat) {
    new LauncherPatSecret("launcher-pat", { repository: config.source.name, launcherPat: secrets.launcherPat });
}

export const imageReferences = Object.fromEntries(Object.entries(images).map(([name, image]) => [name, image.references]));
export const verifiedReferences = Object.fromEntries(Object.entries(gates).map(([name, gate]) => [name, gate.verifiedReference]));
export const launchers = launcher?.branches ?? {};
