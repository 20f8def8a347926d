/** A January stack file with everything new-release must carry over untouched. */
export const JANUARY = `# The production release of January 2025.
#   new-release must copy this header, and every comment below, byte for byte.
encryptionsalt: v1:c2FsdHNhbHQ=:v1:AAAAAAAAAAAAAAAA:QkJCQkJCQkJCQkJCQkJCQg==
config:
  github:owner: underworldcode     # the org that owns the launcher
  github:token:
    secure: v1:AAAAAAAAAAAAAAAA:dG9rZW4tY2lwaGVydGV4dA==
  uw3-binder:release: "2025.01"    # bumped by new-release

  uw3-binder:registry:
    server: ghcr.io
    namespace: underworldcode
    username: underworld-bot
  uw3-binder:registryPassword:
    secure: v1:BBBBBBBBBBBBBBBB:cmVnaXN0cnk=
  uw3-binder:registryPasswords:
    docker.io:
      secure: v1:CCCCCCCCCCCCCCCC:ZG9ja2VyaHVi
  uw3-binder:launcherPat: {secure: 'v1:DDDDDDDDDDDDDDDD:cGF0'}
  uw3-binder:source:
    repository: underworldcode/underworld3
    path:   ../underworld3      # odd spacing survives too
  uw3-binder:images:
    deps:
      repository: uw3-deps
      tag: "{release}"
      dockerfile: container/Dockerfile.deps
      # The deps image changes only with the environment.
      context: [pixi.toml, pixi.lock, container/Dockerfile.deps]
      rebuildOn: [pixi.toml, pixi.lock, container/Dockerfile.deps]
      checks: { jupyter: false, kernel: false, import: false, user: false, jit: false }
    slim:
      repository: uw3-base
      tag: '{release}-slim'
      dockerfile: container/Dockerfile.branch
      from: { image: deps, arg: DEPS_IMAGE }
      args: { UW3_BRANCH: uw3-release-candidate }
    mirror:
      repository: uw3-base
      tags: ["2025.01-mirror", "{release}-latest"]   # the first tag was hard-coded by hand
      dockerfile: container/Dockerfile.branch
      from: { image: deps, arg: DEPS_IMAGE }
      registry: { server: docker.io, namespace: underworldcode, username: uw3bot }
  uw3-binder:launcher:
    repository: uw3-binder-launcher
    defaultBranch: main
    branches:
      - { name: main, uw3Branch: main, image: slim }    # stable
      - { name: development, uw3Branch: development, image: slim,
          pin: "2025.01-slim@sha256:6d3894260f28dc837a21ce77a94bb1781f4ca12422934be7a4bd34b4a7b1223f" }
# trailing comment, no newline at the end`;

/** The only bytes new-release may change in JANUARY. */
export const RELEASE_LINE = 'uw3-binder:release: "2025.01"';
