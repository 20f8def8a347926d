import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { declareFingerprintArg, dockerfileInstructions } from "../../src/source/dockerfile";

/** The real Dockerfile, trimmed (test data; see its header). */
const REAL = fs.readFileSync(path.join(__dirname, "..", "fixtures", "underworld3", "Dockerfile.base.optimized"), "utf8");

describe("declareFingerprintArg: the Dockerfile BuildKit gets for a build that clones its ref", () => {
    it("declares the fingerprint just before the real Dockerfile's git clone, and before its final stage's first use of UW3_BRANCH", () => {
        const { text, inserted } = declareFingerprintArg(REAL, "UW3_SOURCE_FINGERPRINT", ["UW3_BRANCH"]);
        // Line 36 is `RUN git clone --single-branch --branch ${UW3_BRANCH}`, line 57 `ENV UW3_BRANCH=${UW3_BRANCH}`.
        assert.deepStrictEqual(inserted, [36, 57]);
        const lines = text.split("\n");
        assert.strictEqual(lines.length, REAL.split("\n").length + 2);
        assert.deepStrictEqual(lines.slice(34, 37), [
            "# Clone underworld3 with shallow clone (depth 1 keeps .git small ~5MB vs 356MB)",
            "ARG UW3_SOURCE_FINGERPRINT",
            "RUN git clone --single-branch --branch ${UW3_BRANCH} --depth 1 \\",
        ]);
        assert.deepStrictEqual(lines.slice(56, 59), ["ARG UW3_BRANCH=release/0.99", "ARG UW3_SOURCE_FINGERPRINT", "ENV UW3_BRANCH=${UW3_BRANCH}"]);
        // Everything above the clone (apt, the user, the pixi installer) is untouched, so it stays cached.
        assert.strictEqual(lines.slice(0, 35).join("\n"), REAL.split("\n").slice(0, 35).join("\n"));
        // The rest reads as the same instructions, the two ARGs aside.
        const keywords = (t: string) => dockerfileInstructions(t).map((i) => `${i.keyword} ${i.rest}`);
        assert.deepStrictEqual(
            keywords(text).filter((i) => i !== "ARG UW3_SOURCE_FINGERPRINT"),
            keywords(REAL),
        );
    });

    it("leaves a Dockerfile whose stages never use a ref arg as it is (an image whose args carry no {ref})", () => {
        assert.deepStrictEqual(declareFingerprintArg(REAL, "UW3_SOURCE_FINGERPRINT", []), { text: REAL, inserted: [] });
        const noUse = "FROM scratch\nARG UW3_BRANCH\nCOPY a /a\n";
        assert.deepStrictEqual(declareFingerprintArg(noUse, "FP", ["UW3_BRANCH"]), { text: noUse, inserted: [] });
    });

    it("never inserts inside a heredoc or a continuation, counts a use inside a heredoc, and keeps a stage's own declaration", () => {
        const dockerfile = [
            "FROM scratch AS fetch",
            "ARG REF",
            "RUN <<EOF",
            "echo $REF",
            "EOF",
            "RUN echo \\",
            "  ${REF}",
            "FROM scratch",
            "ARG REF",
            "ARG FP",
            "RUN echo ${REF}",
            "FROM scratch",
            "ARG REF_X",
            "RUN echo $REF_X \\",
            "  && echo ${REF}",
        ].join("\n");
        const { text, inserted } = declareFingerprintArg(dockerfile, "FP", ["REF"]);
        // Stage 1: before the heredoc RUN. Stage 2 declares FP itself. Stage 3: $REF_X is another arg; the
        // continuation's ${REF} is the use, so the ARG goes before the instruction's first line.
        assert.deepStrictEqual(inserted, [3, 14]);
        assert.deepStrictEqual(text.split("\n").slice(2, 7), ["ARG FP", "RUN <<EOF", "echo $REF", "EOF", "RUN echo \\"]);
        assert.deepStrictEqual(text.split("\n").slice(14, 17), ["ARG FP", "RUN echo $REF_X \\", "  && echo ${REF}"]);
    });

    it("reads a use before the first FROM (a global ARG) as no fetch: a FROM's image is named, not fetched by a step", () => {
        assert.deepStrictEqual(declareFingerprintArg("ARG REF=main\nFROM base:${REF}\nRUN true\n", "FP", ["REF"]).inserted, []);
    });
});
