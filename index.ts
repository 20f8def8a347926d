/**
 * uw3-binder: images -> gates -> launchers, with the LAUNCHER_PAT secret beside them.
 * Reads the validated config, creates the components and exports their outputs; nothing else.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { BinderGate } from "./components/gate";
import { BinderImage } from "./components/image";
import { Launcher } from "./components/launcher";
import { LauncherPatSecret } from "./components/secrets";

const { config, secrets } = loadConfig();
const source = {
    programDir: process.cwd(),
    path: config.source.path,
    repository: config.source.repository,
    release: config.release,
    stagingRoot: `.uw3-binder/contexts/${pulumi.getStack()}`,
};

const images: Record<string, BinderImage> = {};
const gates: Record<string, BinderGate> = {};
for (const image of config.images) {
    const parents = Object.fromEntries(image.parents.map((p) => [p.image, images[p.image].digestReference]));
    images[image.name] = new BinderImage(image.name, { image, source, parents, login: secrets.login(image.registry.server) });
    gates[image.name] = new BinderGate(`${image.name}-gate`, {
        reference: images[image.name].reference,
        checks: image.checks,
        parents: Object.values(parents),
        login: secrets.login(image.registry.server),
        replaceWithdrawn: { image, withdrawn: config.withdrawn },
    });
}

const launcher = config.launcher
    ? new Launcher("launcher", { launcher: config.launcher, release: config.release, images: config.images, gates, login: (server) => secrets.login(server) })
    : undefined;

if (secrets.launcherPat) {
    new LauncherPatSecret("launcher-pat", { repository: config.source.name, launcherPat: secrets.launcherPat });
}

export const imageReferences = Object.fromEntries(Object.entries(images).map(([name, image]) => [name, image.references]));
export const verifiedReferences = Object.fromEntries(Object.entries(gates).map(([name, gate]) => [name, gate.verifiedReference]));
export const launchers = launcher?.branches ?? {};
