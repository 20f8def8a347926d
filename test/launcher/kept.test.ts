import * as assert from "assert/strict";
import { keptFileOptions, repositoryFileId } from "../../src/launcher/kept";

describe("kept launcher files", () => {
    it("names a file as the GitHub provider's RepositoryFile id does: <repository>:<file>:<branch>, a ':' in the path as '??'", () => {
        assert.equal(repositoryFileId("uw3-binder-launcher", ".binder/Dockerfile", "v3.0.1"), "uw3-binder-launcher:.binder/Dockerfile:v3.0.1");
        assert.equal(repositoryFileId("launcher", "docs/a:b.md", "main"), "launcher:docs/a??b.md:main");
    });

    it("keeps a file GitHub holds byte for byte as rendered, ignoring only the inputs that say how a write commits", () => {
        const target = { repository: "uw3-binder-launcher", branch: "v3.0.0", file: "README.md" };
        assert.deepEqual(keptFileOptions(target, "# v3.0.0\n", "# v3.0.0\n"), {
            import: "uw3-binder-launcher:README.md:v3.0.0",
            ignoreChanges: ["commitMessage", "commitAuthor", "commitEmail", "overwriteOnCreate"],
        });
        // Anything else is written: another byte, a missing line end, a missing file or branch.
        assert.equal(keptFileOptions(target, "# v3.0.0\n", "# v3.0.0\r\n"), undefined);
        assert.equal(keptFileOptions(target, "# v3.0.0\n", "# v3.0.0"), undefined);
        assert.equal(keptFileOptions(target, "# v3.0.0\n", undefined), undefined);
    });
});
