/**
 * `npm run bench`: reports the speed and size goals. A benchmark reports; it asserts nothing.
 *   - layers/visibility: bytes fetched from the registry vs the image's size, and wall time; the bytes the
 *     registry part of check (layers, attribution, baseline, platform, env) fetches for a 3 GB-shaped image
 *     vs its 64 KiB budget (bench/budget.ts)
 *     (needs the loopback registry and Docker that `scripts/services.sh start` provides);
 *   - source: deps build context vs whole checkout, fingerprint time, images rebuilt per kind of change;
 *   - engine: the warm engine build, and preview / first up / no-change up of the demo stack on it.
 *   - warmup: peak RSS of `uw3-binder warmup` against hubs whose event stream never ends (budget 100 MB).
 *   - rehearse: time to HTTP 200 of a rehearsed launch of the fixture image (Docker and the registry too).
 *   - cli: wall time of the compiled CLI's `--help` and `plan` (needs `npm run build`).
 *   - cache: a code-only rebuild of a 320 MiB, 12-layer image on an empty builder, with and without the registry build cache.
 * `npm run bench -- <section>...` runs only the named sections (source, layers, warmup, engine, rehearse, cli, cache).
 */
import { benchCache } from "./cache";
import { benchCli } from "./cli";
import { benchEngine } from "./engine";
import { benchLayers } from "./layers";
import { benchRehearsal } from "./rehearsal";
import { benchSource } from "./source";
import { benchWarmup } from "./warmup";

async function section(title: string, run: () => Promise<string[]>): Promise<boolean> {
    process.stdout.write(`\n## ${title}\n`);
    try {
        for (const line of await run()) process.stdout.write(`${line}\n`);
        return true;
    } catch (err) {
        process.stdout.write(`could not run: ${(err as Error).message}\n`);
        return false;
    }
}

const SECTIONS: Record<string, { title: string; run: () => Promise<string[]> }> = {
    source: { title: "source: build contexts, fingerprints, rebuilds", run: benchSource },
    layers: { title: "check: layers and visibility from manifests only; the registry part's bytes for a 3 GB image", run: benchLayers },
    warmup: { title: "warmup: memory against endless event streams", run: benchWarmup },
    engine: { title: "engine: the real Pulumi engine on the demo stack", run: benchEngine },
    rehearse: { title: "rehearse: a launcher's launch as mybinder.org does it", run: benchRehearsal },
    cli: { title: "cli: wall time of the compiled CLI", run: benchCli },
    cache: { title: "cache: a code-only rebuild on an empty builder, with and without the registry build cache", run: benchCache },
};

async function main(names: string[]): Promise<number> {
    const unknown = names.filter((n) => !(n in SECTIONS));
    if (unknown.length > 0) {
        process.stderr.write(`bench: unknown section ${JSON.stringify(unknown[0])}; expected any of ${Object.keys(SECTIONS).join(", ")}\n`);
        return 2;
    }
    const results: boolean[] = [];
    for (const name of names.length > 0 ? names : Object.keys(SECTIONS)) results.push(await section(SECTIONS[name].title, SECTIONS[name].run));
    return results.every(Boolean) ? 0 : 1;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
        process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(2);
    },
);
