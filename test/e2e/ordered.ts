/**
 * Steps in order on one stack: each step starts from the state the previous one left, so once a step has
 * failed, the steps after it would fail too, for its reason and not theirs (a stack still locked by its
 * update, a program folder already removed). `stepsInOrder` (called in a `describe` body) skips them once
 * one has failed, saying which step failed first. The first failure itself still fails the run, under
 * CI=true as anywhere: a skip never stands in for a failure.
 */

export function stepsInOrder(): void {
    let first: string | undefined;
    beforeEach(function () {
        if (first === undefined) return;
        console.log(`      skipping "${this.currentTest?.title}": an earlier step, "${first}", failed first, and this one starts from its state`);
        this.skip();
    });
    afterEach(function () {
        if (first === undefined && this.currentTest?.state === "failed") first = this.currentTest.title;
    });
    after(function () {
        if (first !== undefined) console.log(`    the first step to fail in "${this.test?.parent?.fullTitle()}": "${first}"`);
    });
}
