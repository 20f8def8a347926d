// Preloaded into the `warmup` process the bench runs (`node --require bench/peakRss.cjs ...`): prints the
// process's peak resident set size on exit, which the parent cannot read once the child is gone.
"use strict";
process.on("exit", () => {
    process.stderr.write(`uw3-binder-bench maxrss-kib ${process.resourceUsage().maxRSS}\n`);
});
