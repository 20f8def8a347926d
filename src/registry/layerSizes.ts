/**
 * Layer sizes as the registry checks read and print them: 1024-based sizes like `docker history`,
 * shortened digests, the layers a pull transfers and the largest of them. Pure.
 */
import { LayerDescriptor } from "./client";

/** Sizes in 1024-based units, as `docker history` prints them: `812.3 MB`, `1.4 GB`, `512 B`. */
export function formatSize(bytes: number): string {
    if (bytes < 1024) return `${bytes} B`;
    const units = ["KB", "MB", "GB", "TB"];
    let value = bytes / 1024;
    let unit = 0;
    // Compare the rounded value, so 1048575 bytes reads "1.0 MB" rather than "1024.0 KB".
    while (Number(value.toFixed(1)) >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return `${value.toFixed(1)} ${units[unit]}`;
}

/** `sha256:0123456789ab…` — 12 hex digits, as Docker shortens IDs. */
export function shortDigest(digest: string): string {
    const colon = digest.indexOf(":");
    const hex = digest.slice(colon + 1);
    return hex.length > 12 ? `${digest.slice(0, colon + 1)}${hex.slice(0, 12)}…` : digest;
}

/** A layer with its 1-based position in the manifest (= the Dockerfile step order that made it). */
export interface PositionedLayer extends LayerDescriptor {
    position: number;
}

/**
 * Layers a pull transfers: a digest listed twice (identical COPY content) is fetched once.
 * Keeps the first position of each digest.
 */
export function distinctLayers(layers: LayerDescriptor[]): PositionedLayer[] {
    const seen = new Set<string>();
    const distinct: PositionedLayer[] = [];
    layers.forEach((layer, i) => {
        if (seen.has(layer.digest)) return;
        seen.add(layer.digest);
        distinct.push({ ...layer, position: i + 1 });
    });
    return distinct;
}

/** The `count` largest layers, largest first (ties keep manifest order). */
export function largestLayers(layers: PositionedLayer[], count: number): PositionedLayer[] {
    return [...layers].sort((a, b) => b.size - a.size || a.position - b.position).slice(0, count);
}

/** Bytes a pull of `layers` transfers (each distinct digest once). */
export function totalSize(layers: LayerDescriptor[]): number {
    return distinctLayers(layers).reduce((sum, layer) => sum + layer.size, 0);
}

/** `800 MB`, `0.5 MB`: a limit in MB as a detail names it. */
export function formatMb(mb: number): string {
    return `${Number(mb.toFixed(3))} MB`;
}
