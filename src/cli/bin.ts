/**
 * The CLI local commands run: the package's own bin, so a gate and `npx uw3-binder check` are the same code.
 * Relative to the program's directory, where Pulumi runs local commands, so a clone elsewhere plans the same.
 */
export const CLI = "bin/uw3-binder.js";
