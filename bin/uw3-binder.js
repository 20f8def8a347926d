#!/usr/bin/env node
// Runs the TypeScript CLI through ts-node (a runtime dependency), so `npx uw3-binder` works right after `npm ci`.
"use strict";
const path = require("path");
require("ts-node").register({
  transpileOnly: true,
  project: path.join(__dirname, "..", "tsconfig.json"),
});
require("../src/cli/main.ts")
  .main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((err) => {
    process.stderr.write(`uw3-binder: ${err && err.message ? err.message : err}\n`);
    process.exit(2);
  });
