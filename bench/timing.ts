/**
 * The benches' one way to time a step and print it: a timed call (sync or async), the median of repeated
 * timed calls, durations as the reports print them, and the entry that runs one bench file alone
 * (`npx ts-node --transpile-only bench/<name>.ts`). A benchmark reports; it asserts nothing.
 */
import { performance } from "node:perf_hooks";

/** `fn`'s result and how long it took, in milliseconds. */
export function timed<T>(fn: () => T): { value: T; ms: number } {
    const start = performance.now();
    const value = fn();
    return { value, ms: performance.now() - start };
}

/** `fn`'s awaited result and how long it took, in milliseconds. */
export async function timedAsync<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const start = performance.now();
    const value = await fn();
    return { value, ms: performance.now() - start };
}

export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/** The median time of `runs` calls of `fn`, in milliseconds (the warm figure after a first, cold call). */
export function medianMs(runs: number, fn: () => unknown): number {
    return median(Array.from({ length: runs }, () => timed(fn).ms));
}

/** "123 ms". */
export const formatMs = (ms: number): string => `${ms.toFixed(0)} ms`;

/** "1.2 s", from milliseconds. */
export const formatSeconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Runs one bench when its file is the entry point: prints its report lines, or its error and exits 1. */
export function runAlone(main: NodeModule, bench: () => Promise<string[]>): void {
    if (require.main !== main) return;
    bench().then(
        (lines) => console.log(lines.join("\n")),
        (err: unknown) => {
            console.error(err instanceof Error ? err.message : err);
            process.exit(1);
        },
    );
}
