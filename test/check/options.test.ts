/**
 * The one declaration of the check options (src/check/options.ts) and what is derived from it: the
 * config's `checks`, the `check` CLI's flags and a gate's arguments must accept exactly the same values.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { gateArgs } from "../../src/check/gateArgs";
import { shellQuote } from "../../src/text/shellQuote";
import { CHECK_NAMES, CheckOptions, DEFAULT_CHECK_OPTIONS, OPTIONS, OptionDeclaration, encodeOption, optionSchema } from "../../src/check/options";
import { parseCheckArgs } from "../../src/cli/check";
import { UsageError } from "../../src/cli/errors";

const REF = "ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:6d3894260f28dc837a21ce77a94bb1781f4ca12422934be7a4bd34b4a7b1223f";
const DECLARED = OPTIONS as readonly OptionDeclaration[];

/** Characters a hostile or careless config might use, shell metacharacters and non-ASCII included. */
const CHARS = [..."abcxyzABC0189._-/=:@+,~ \t\"'$;`\\()*?!#&|<>{}[]é€"];
/** Known-valid pieces, so the rarer shapes (platforms, NAME=value, dotted modules) come up often. */
const SEEDS = [
    "linux/amd64",
    "linux/arm64",
    "linux/arm/v7",
    "PYVISTA_OFF_SCREEN=true",
    "MESA_GL_VERSION_OVERRIDE=3.3",
    "A_B",
    "underworld3.function",
    "petsc4py",
    "--ip=0.0.0.0",
    "--ServerApp.token=",
    "/opt/env/bin/gcc",
    "python3.12",
];
const piece = fc.oneof(fc.string({ unit: fc.constantFrom(...CHARS), minLength: 1, maxLength: 12 }), fc.constantFrom(...SEEDS));

/** Any candidate value of an option's kind; the declaration's own rule then keeps the valid ones. */
function candidate(option: OptionDeclaration): fc.Arbitrary<unknown> {
    switch (option.kind) {
        case "number":
            return fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.double({ min: Number.MIN_VALUE, max: 1e6, noNaN: true }));
        case "integer":
            return fc.integer({ min: 0, max: 2 ** 31 - 1 });
        case "word":
            return piece;
        case "withdrawals":
            return fc.array(
                fc
                    .record({ digest: fc.oneof(fc.constant(`sha256:${"a".repeat(64)}`), fc.constant(`sha256:${"0f".repeat(32)}`), piece), reason: piece })
                    .map((w) => ({ ...w })),
                { minLength: 0, maxLength: 3 },
            );
        default:
            return fc.array(piece, { minLength: 0, maxLength: 4 });
    }
}

const validOptionSets: fc.Arbitrary<CheckOptions> = fc
    .record({
        enabled: fc.subarray([...CHECK_NAMES], { minLength: 1 }),
        ...Object.fromEntries(
            DECLARED.map((o) => [
                o.key,
                fc.oneof(
                    fc.constant(o.default),
                    candidate(o).filter((v) => o.valid(v)),
                ),
            ]),
        ),
    })
    .map((o) => o as unknown as CheckOptions);

/** What the gate's `create` string hands the CLI: the quoted words, split again by a real POSIX shell. */
function throughShell(words: string[]): string[] {
    const script = `printf '%s\\0' ${words.map(shellQuote).join(" ")}`;
    const out = spawnSync("/bin/sh", ["-c", script], { encoding: "utf8" });
    assert.equal(out.status, 0, out.stderr);
    return out.stdout.split("\0").slice(0, -1);
}

describe("check options: one declaration", () => {
    it("every option has a distinct flag and a distinct config key within its check, and a valid default", () => {
        assert.equal(new Set(DECLARED.map((o) => o.flag)).size, DECLARED.length);
        for (const check of CHECK_NAMES) {
            const keys = DECLARED.filter((o) => o.check === check).map((o) => o.configKey);
            assert.equal(new Set(keys).size, keys.length, check);
        }
        for (const o of DECLARED) assert.ok(o.valid(o.default), `${o.key}: default ${JSON.stringify(o.default)}`);
    });

    it("round-trips random valid option sets through gateArgs, the shell and the CLI parser unchanged", () => {
        fc.assert(
            fc.property(validOptionSets, (options) => {
                const argv = [REF, ...throughShell(gateArgs(options))];
                const parsed = parseCheckArgs(argv).options;
                // A gate spells out the options of the checks that run; the others keep their defaults.
                const expected = { ...options, enabled: CHECK_NAMES.filter((n) => options.enabled.includes(n)) };
                for (const o of DECLARED) {
                    if (!options.enabled.includes(o.check)) (expected as unknown as Record<string, unknown>)[o.key] = DEFAULT_CHECK_OPTIONS[o.key];
                }
                assert.deepStrictEqual(parsed, expected);
            }),
            { numRuns: 150 },
        );
    });

    it("the config and the CLI accept exactly the same values of every option", () => {
        for (const o of DECLARED) {
            fc.assert(
                fc.property(candidate(o), (value) => {
                    // An empty list has no spelling on a command line (and equals the default where allowed).
                    if (Array.isArray(value) && value.length === 0) return;
                    const config = optionSchema(o).safeParse(value).success;
                    let parsed: unknown;
                    try {
                        parsed = (parseCheckArgs([REF, `--${o.flag}=${encodeOption(o, value)}`]).options as unknown as Record<string, unknown>)[o.key];
                    } catch (err) {
                        if (!(err instanceof UsageError)) throw err;
                        assert.equal(config, false, `${o.key} = ${JSON.stringify(value)}: the config accepts it, the CLI refuses it`);
                        return;
                    }
                    // The CLI reads text: " a" is the word "a", which the config accepts too. What it accepts, the
                    // config accepts; what the config accepts, it reads back unchanged.
                    assert.equal(
                        optionSchema(o).safeParse(parsed).success,
                        true,
                        `${o.key}: the CLI accepted ${JSON.stringify(parsed)}, the config refuses it`,
                    );
                    if (config) assert.deepStrictEqual(parsed, value);
                }),
                { numRuns: 200 },
            );
        }
    });

    it("refuses the values issue 11 found drifting, on both sides", () => {
        const cases: [string, unknown][] = [
            ["modules", ["foo bar"]],
            ["kernel", "my kernel"],
            ["compiler", "gcc -v"],
            ["jupyterCommand", ["jupyter", "lab", "--port=9999"]],
            ["jupyterCommand", ["jupyter", "lab", "--NotebookApp.port=9999"]],
        ];
        for (const [key, value] of cases) {
            const o = DECLARED.find((d) => d.key === key)!;
            assert.equal(optionSchema(o).safeParse(value).success, false, `config accepted ${key} = ${JSON.stringify(value)}`);
            assert.throws(() => parseCheckArgs([REF, `--${o.flag}=${encodeOption(o, value)}`]), UsageError);
        }
        // A word with a space is refused by the config; on a command line the same text is two words.
        assert.equal(optionSchema(DECLARED.find((d) => d.key === "jupyterCommand")!).safeParse(["jupyter lab"]).success, false);
    });

    it("writes each non-default option as one --flag=value argument, so no value reads as a flag", () => {
        const options: CheckOptions = { ...DEFAULT_CHECK_OPTIONS, python: "-c", envRequire: ["A=--skip"], jupyterPort: 9000 };
        // "-c" is not a command word; the config refuses it before it gets here.
        assert.equal(DECLARED.find((o) => o.key === "python")!.valid("-c"), false);
        assert.deepEqual(gateArgs({ ...options, python: "python" }), ["--env-require=A=--skip", "--jupyter-port=9000"]);
        assert.deepEqual(gateArgs({ ...options, python: "python", enabled: ["layers"] }), [
            "--skip",
            "withdrawn,visibility,platform,env,user,jupyter,kernel,jit,import",
        ]);
    });
});
