/**
 * The CLI's errors: a usage error (a bad command line, exit 2) and the one place that decides which errors
 * of the domain are refusals of the user's input (a stack file, a release, a link, an outputs file), which
 * also exit 2 with one line, rather than bugs.
 */
import { CommanderError } from "commander";

/** A bad command line: exit 2 with one line naming what was wrong and what was expected. */
export class UsageError extends CommanderError {
    constructor(message: string) {
        super(2, "uw3-binder.usage", message);
        this.name = "UsageError";
    }
}

/**
 * The one line an error says when it refuses the user's input, or undefined for any other error (a bug,
 * which keeps its stack trace). The domain modules are imported here only once an error has happened, so
 * a command that succeeds never loads the ones it does not use.
 */
export async function refusalMessage(err: unknown): Promise<string | undefined> {
    if (err instanceof UsageError) return err.message;
    if (!(err instanceof Error)) return undefined;
    const [{ ConfigError }, { LinkInputError }, { NewReleaseError }, { RollbackError }, { WithdrawError }] = await Promise.all([
        import("../config/schema"),
        import("../names/github"),
        import("../release/newRelease"),
        import("../release/rollback"),
        import("../release/withdraw"),
    ]);
    if (err instanceof ConfigError) return err.problems.join("; ");
    if (err instanceof LinkInputError || err instanceof NewReleaseError || err instanceof RollbackError || err instanceof WithdrawError) return err.message;
    return undefined;
}
