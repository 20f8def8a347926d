/** Secret config keys (src/config/secrets.ts): the command that sets one, and the servers of the password map. */
import * as assert from "node:assert/strict";
import { registryPasswordServers, secretCommand, secretMapEntry } from "../../src/config/secrets";

describe("config/secrets", () => {
    it("writes the command that sets a secret, every word quoted, the value left to the person or the prompt", () => {
        assert.equal(secretCommand("github:token"), "pulumi config set --secret github:token <value>");
        assert.equal(
            secretCommand(secretMapEntry("uw3-binder:registryPasswords", "docker.io"), { path: true }),
            `pulumi config set --secret --path 'uw3-binder:registryPasswords["docker.io"]' <value>`,
        );
        assert.equal(
            secretCommand("uw3-binder:launcherPat", { stack: "2025-02", prompt: true }),
            "pulumi config set --secret --stack 2025-02 uw3-binder:launcherPat",
        );
        assert.equal(secretCommand("it's", { prompt: true }), `pulumi config set --secret 'it'\\''s'`);
    });

    it("reads the servers of uw3-binder:registryPasswords from the map or its JSON text, never needing a value", () => {
        assert.deepEqual(registryPasswordServers({ "docker.io": "[secret]", "ghcr.io": "[secret]" }), ["docker.io", "ghcr.io"]);
        assert.deepEqual(registryPasswordServers('{"docker.io":"pw"}'), ["docker.io"]);
        for (const bad of ["[secret]", "pw", "{}", "[]", {}, ["docker.io"], null, 3])
            assert.equal(registryPasswordServers(bad), undefined, JSON.stringify(bad));
    });
});
