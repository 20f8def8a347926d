/**
 * Where the Pulumi program is, for the CLI and the tests, whether they run compiled (dist/) or from source
 * through ts-node. No Pulumi import, so `plan --since` does not load the SDK.
 */
import * as path from "path";

/** Whether this module runs compiled (dist/src/plan/programDir.js) or from its source through ts-node. */
const COMPILED = path.extname(__filename) === ".js";
/** The root of the tree this module is in: dist/ when compiled, else the repository. */
const MODULE_ROOT = path.resolve(__dirname, "..", "..");
/** The program's directory, the repository root: stack files, Pulumi.yaml and build contexts are there. */
export const PROGRAM_DIR = COMPILED ? path.dirname(MODULE_ROOT) : MODULE_ROOT;
/** The program's index module, of the same tree as this module (compiled dist/index.js, or index.ts). */
export const INDEX = path.join(MODULE_ROOT, COMPILED ? "index.js" : "index.ts");
