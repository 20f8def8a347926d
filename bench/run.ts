/**
 * `npm run bench`: reports the speed and size goals. A benchmark reports; it asserts nothing.
 *   - layers/visibility: bytes fetched from the registry vs the image's size, and wall time
 *     (needs the loopback registry and Docker that `scripts/services.sh start` provides);
 *   - source: deps build context vs whole checkout, fingerprint time, images rebuilt per kind of change;
 *   - rehearse: time to HTTP 200 of a rehearsed launch of the fixture image (Docker and the registry too).
 */
import { benchLayers } from "./layers";
import { benchRehearsal } from "./rehearsal";
import { benchSource } from "./source";

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

async function main(): Promise<number> {
    const results = [
        await section("source: build contexts, fingerprints, rebuilds", benchSource),
        await section("check: layers and visibility from manifests only", benchLayers),
        await section("rehearse: a launcher's launch as mybinder.org does it", benchRehearsal),
    ];
    return results.every(Boolean) ? 0 : 1;
}

main().then((code) => process.exit(code));
