#!/usr/bin/env node
// Runs the TypeScript CLI through ts-node (a runtime dependency), so `npx uw3-binder` works right after `npm ci`.
"use strict";
const path = require("path");
require("ts-node").register({
  transpileOnly: true,
  project: path.join(__dirname, "..", "tsconfig.json"),
});
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
require("../src/cli/main.ts")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    process.stderr.write(`uw3-binder: ${err && err.message ? err.message : err}\n`);
    process.exitCode = 2;
  });
