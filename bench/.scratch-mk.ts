// scratch (not committed): creates a demo project and prints its dirs + env
import { EngineProject, engineEnv, demoImagesOnly, RUN_ID } from "../test/e2e/engine";
async function main() {
    const env = await engineEnv();
    if (!env.ready) throw new Error(env.problems.join("; "));
    const imagesOnly = process.argv[2] === "images";
    const project = await EngineProject.create(env, {
        stack: "demo",
        edit: (config: Record<string, any>) => {
            if (imagesOnly) demoImagesOnly(config);
            config["uw3-binder:registry"] = { ...config["uw3-binder:registry"], namespace: `h5-${RUN_ID}` };
            if (!imagesOnly) config["uw3-binder:launcher"] = { ...config["uw3-binder:launcher"], repository: `uw3-binder-launcher-h5-${RUN_ID}` };
        },
    });
    await project.useExampleSource();
    console.log(project.root);
}
main().catch((e) => { console.error(e); process.exit(1); });
