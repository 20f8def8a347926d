/**
 * POSIX shell quoting, for every value that reaches a command line run under `sh -c`.
 */

/** POSIX single-quoting, so a config value never becomes shell syntax in the gate's command. */
export function shellQuote(word: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
