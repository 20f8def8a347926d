/**
 * The fixture images of test/fixtures/images as build specs: the good image, or the good image followed by
 * one variant's lines (so every variant shares the good image's layers in the build cache).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ImageSpec } from "./harness";

const FIXTURES = path.join(__dirname, "..", "fixtures", "images");

/** Every file under the fixture's rootfs/ and variants/, keyed by its context path. */
function fixtureFiles(): Record<string, Buffer> {
    const files: Record<string, Buffer> = {};
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(path.join(FIXTURES, dir), { withFileTypes: true })) {
            const rel = path.posix.join(dir, entry.name);
            if (entry.isDirectory()) walk(rel);
            else files[rel] = fs.readFileSync(path.join(FIXTURES, rel));
        }
    };
    walk("rootfs");
    walk("variants");
    return files;
}

export function fixtureSpec(variant?: string): ImageSpec {
    let dockerfile = fs.readFileSync(path.join(FIXTURES, "Dockerfile"), "utf8");
    if (variant) dockerfile += "\n" + fs.readFileSync(path.join(FIXTURES, "variants", `${variant}.Dockerfile`), "utf8");
    return { dockerfile, files: fixtureFiles() };
}
