/**
 * `uw3Branch` values git accepts but the launcher Dockerfile would mangle (`ENV UW3_BRANCH=` expands `$`,
 * strips quotes): refused by the config, naming the branch and key, and by the renderer.
 */
import * as assert from "assert/strict";
import { ConfigError, parseBinderConfig } from "../../src/config/schema";
import { branchNameProblem } from "../../src/names/git";
import { launcherDockerfile } from "../../src/render/launcher";
import { ALL_SECRETS, stackConfig } from "../program/fixtures";

const REF = `ghcr.io/underworldcode/uw3-base:2025.01-slim@sha256:${"a".repeat(64)}`;
const HOSTILE: [string, string][] = [
    ['a"b', '"\\""'],
    ["feat-${HOME}", '"$"'],
    ["it's", `"'"`],
    ["feat-`id`", '"`"'],
    ["a;b", '";"'],
    ["$(id)", '"$"'],
];

describe("uw3Branch values the launcher Dockerfile cannot hold", () => {
    it("are names git itself accepts", () => {
        for (const [name] of HOSTILE) assert.equal(branchNameProblem(name), undefined, name);
    });

    for (const [name, char] of HOSTILE) {
        it(`config: refuses ${JSON.stringify(name)}, naming the launcher branch and the key`, () => {
            const config = stackConfig();
            config["uw3-binder:launcher"].branches[1].uw3Branch = name;
            assert.throws(
                () => parseBinderConfig(config, ALL_SECRETS),
                (err: unknown) => {
                    assert.ok(err instanceof ConfigError);
                    assert.deepEqual(err.problems, [
                        `\`uw3-binder:launcher.branches[1].uw3Branch\`: launcher branch "uw3-release-candidate": it contains ${char}, which the launcher Dockerfile's \`ENV UW3_BRANCH=\` would expand or strip; use letters, digits and . _ - / @ +, found ${JSON.stringify(name)}`,
                    ]);
                    return true;
                },
            );
        });

        it(`renderer: refuses ${JSON.stringify(name)} rather than write it after ENV UW3_BRANCH=`, () => {
            assert.throws(() => launcherDockerfile({ branch: "dev", uw3Branch: name, release: "2025.01", reference: REF }), {
                message: `launcher branch "dev": uw3Branch ${JSON.stringify(name)}: it contains ${char}, which the launcher Dockerfile's \`ENV UW3_BRANCH=\` would expand or strip; use letters, digits and . _ - / @ +`,
            });
        });
    }

    it("keeps the branch names Underworld3 uses", () => {
        for (const name of ["main", "development", "uw3-release-candidate", "feature/mesh_v2.1", "user@fix+1"]) {
            assert.ok(launcherDockerfile({ branch: "dev", uw3Branch: name, release: "2025.01", reference: REF }).includes(`\nENV UW3_BRANCH=${name}\n`));
        }
    });
});
