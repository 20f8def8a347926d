/**
 * Bounds on numbers a config key or a command-line flag hands to a timer. No imports.
 */

/** The longest delay Node's setTimeout keeps; a longer one fires after 1 ms (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The longest timeout in seconds a key or flag may ask for: 2147483 s, about 24 days. */
export const MAX_TIMEOUT_S = Math.floor(MAX_TIMER_MS / 1000);
/** Why the bound exists, for the messages that refuse a larger value. */
export const MAX_TIMEOUT_REASON = `${MAX_TIMEOUT_S} seconds (about 24 days, the longest timer Node.js keeps)`;
