/**
 * The pre-build check of a written-once image (`writeOnce: true`): a dynamic resource its builds depend on,
 * which asks the registry, before anything is pushed, whether one of the image's tags already exists
 * (src/source/writeOnce.ts decides). It runs again whenever the build's inputs change, since docker-build
 * would then push the tags again; unchanged inputs mean no build and no check.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

type WriteOnceModule = typeof import("../src/source/writeOnce");

/**
 * The check's module, loaded when the provider runs, from the compiled program (`npm ci` builds dist/, as the
 * gate runs bin/uw3-binder.js): Pulumi serializes a dynamic provider with what it captures, and the registry
 * client's zod schemas cannot be serialized. The provider process starts in the program's directory.
 */
function writeOnceModule(): WriteOnceModule {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.resolve("dist", "src", "source", "writeOnce.js")) as WriteOnceModule;
}

export interface TagVacancyInputs {
    /** `<repository>:<tag>` of every tag the build pushes. */
    references: string[];
    /** What the build is made from (context fingerprint, build args, platforms): a change re-checks. */
    build: string;
    /** The registry the login was configured for: the only one it is sent to. */
    registry?: string;
    username?: string;
    password?: string;
}

class TagVacancyProvider implements pulumi.dynamic.ResourceProvider<TagVacancyInputs, TagVacancyInputs> {
    diff(_id: pulumi.ID, olds: TagVacancyInputs, news: TagVacancyInputs): Promise<pulumi.dynamic.DiffResult> {
        const changed = (["references", "build"] as const).filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
        return Promise.resolve({ changes: changed.length > 0, replaces: changed, deleteBeforeReplace: true });
    }

    async create(inputs: TagVacancyInputs): Promise<pulumi.dynamic.CreateResult<TagVacancyInputs>> {
        const credentials =
            inputs.registry !== undefined && inputs.username !== undefined && inputs.password !== undefined
                ? { username: inputs.username, password: inputs.password, registry: inputs.registry }
                : undefined;
        await writeOnceModule().checkTagsVacant(inputs.references, credentials);
        return { id: inputs.references.join(","), outs: inputs };
    }
}

/** One provider for every check: Pulumi serializes a dynamic provider once per provider object. */
const TAG_VACANCY_PROVIDER = new TagVacancyProvider();

/** The check in the stack; a build `dependsOn` it. */
export class TagVacancy extends pulumi.dynamic.Resource {
    constructor(name: string, inputs: pulumi.Input<{ [K in keyof TagVacancyInputs]: pulumi.Input<TagVacancyInputs[K]> }>, opts?: pulumi.CustomResourceOptions) {
        super(TAG_VACANCY_PROVIDER, name, inputs, opts, "uw3-binder", "TagVacancy");
    }
}
