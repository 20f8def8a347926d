#!/usr/bin/env node
// The compiled CLI (dist/, built by `npm run build`, which `npm ci` runs as the package's `prepare`).
"use strict";
const fs = require("fs");
const path = require("path");

const MAIN = path.join(__dirname, "..", "dist", "src", "cli", "main.js");
if (!fs.existsSync(MAIN)) {
    process.stderr.write(`uw3-binder: the compiled CLI is missing (${MAIN}); run \`npm run build\` in ${path.dirname(__dirname)}\n`);
    process.exitCode = 2;
    return;
}
// A reader that stops early (`uw3-binder link ... | head -1`, `| true`) closes the pipe: that is not an
// error of ours, so further output is dropped quietly and the exit code stays the command's.
for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err) => {
        if (err && err.code === "EPIPE") return;
        throw err;
    });
}
// The exit code is set, never forced with process.exit(): that would drop whatever of a large output
// (`plan --json | jq`) still sits in the pipe's queue past its 64 KiB buffer.
require(MAIN)
    .main(process.argv.slice(2))
    .then((code) => {
        process.exitCode = code;
    })
    .catch((err) => {
        process.stderr.write(`uw3-binder: ${err && err.message ? err.message : err}\n`);
        process.exitCode = 2;
    });
