import * as assert from "assert/strict";
import fc from "fast-check";
import { HubAllowance, RateLimitHeaders } from "../../src/hub/rateLimit";

const NOW = Date.UTC(2026, 0, 1);
const DEADLINE = NOW + 600_000;

/** Header values a hub (or whatever stands in front of it) may send: numbers of any length, dates, garbage. */
const headerValue = fc.oneof(
    fc.constant(null),
    // Numbers of any size: a digit string of 1 to 400 digits (fast-check's own strings stay short).
    fc.tuple(fc.integer({ min: 1, max: 400 }), fc.stringMatching(/^[1-9][0-9]{0,8}$/)).map(([n, d]) => d.repeat(Math.ceil(n / d.length)).slice(0, n)),
    fc.stringMatching(/^-?[0-9]{1,30}(\.[0-9]{1,30})?$/),
    fc.constantFrom("0", "1e400", "Infinity", "NaN", "-1", " 12 ", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 275760 23:59:59 GMT", "tomorrow"),
    fc.string({ maxLength: 20 }),
);
const headers = fc.record({ retryAfter: headerValue, remaining: headerValue, reset: headerValue }) as fc.Arbitrary<RateLimitHeaders>;

describe("HubAllowance: whatever the hub's rate-limit headers say", () => {
    it("a Retry-After of 13 digits is a refusal with a readable time, not an exception", () => {
        const allowance = new HubAllowance();
        allowance.recordRefused({ retryAfter: "9999999999999" }, NOW);
        assert.deepEqual(allowance.decide(NOW, DEADLINE), {
            kind: "refused",
            reason: "the hub allows the next build at a time past the last date JavaScript can name (year 275760), after the timeout",
        });
    });

    it("an X-RateLimit-Reset past JavaScript's date range is a refusal too", () => {
        const refused = new HubAllowance();
        refused.recordRefused({ reset: "99999999999999999999" }, NOW);
        assert.equal(refused.decide(NOW, DEADLINE).kind, "refused");
        const exhausted = new HubAllowance();
        exhausted.recordAccepted({ remaining: "0", reset: "9".repeat(400) }, NOW);
        assert.deepEqual(exhausted.decide(NOW, DEADLINE), {
            kind: "refused",
            reason: "the hub allows the next build at a time past the last date JavaScript can name (year 275760), after the timeout",
        });
    });

    it("never throws, and decides ask, a wait within the deadline, or a refusal in words (property)", () => {
        fc.assert(
            fc.property(fc.array(fc.tuple(fc.boolean(), headers), { maxLength: 4 }), (answers) => {
                const allowance = new HubAllowance();
                for (const [accepted, h] of answers) {
                    if (accepted) allowance.recordAccepted(h, NOW);
                    else allowance.recordRefused(h, NOW);
                }
                const decision = allowance.decide(NOW, DEADLINE);
                if (decision.kind === "wait") assert.ok(decision.untilMs > NOW && decision.untilMs <= DEADLINE, String(decision.untilMs));
                if (decision.kind === "refused") assert.match(decision.reason, /^the hub [^\n]+$/);
                allowance.windowPassed(NOW + 1000);
                allowance.spend();
                allowance.decide(NOW + 1000, DEADLINE);
            }),
            { numRuns: 1000 },
        );
    });
});
