#!/usr/bin/env bash
# The real Pulumi engine for uw3-binder's tests, built from Go modules (no prebuilt binary can be
# downloaded on the project's machines, and GitHub is out of reach).
#
#   scripts/pulumi-engine.sh install    build what is missing, install the providers into the plugin cache
#   scripts/pulumi-engine.sh path       print the directory holding `pulumi` (put it first on PATH)
#   scripts/pulumi-engine.sh env        print `export` lines: PATH, PULUMI_HOME and the no-network settings
#   scripts/pulumi-engine.sh versions   print what is built and installed
#   scripts/pulumi-engine.sh buildkitd  print the path of the built buildkitd (scripts/services.sh runs it)
#
# What is built, and from what (docs/engine.md says why each choice was made):
#   pulumi                       github.com/pulumi/pulumi/pkg/v3 (cmd/pulumi), the CLI and deployment engine
#   pulumi-language-nodejs       engine/language-nodejs in this repository: the proxy does not serve Pulumi's
#                                own language-host module, and the host only launches @pulumi/pulumi's cmd/run
#   pulumi-resource-pulumi-nodejs  a two-line launcher for @pulumi/pulumi's dynamic-provider (the gates)
#   pulumi-resource-docker-build github.com/pulumi/pulumi-docker-build at the version @pulumi/docker-build
#                                asks for (package-lock.json), with engine/stubs for two schema-only imports;
#                                installed into the plugin cache, never put on PATH (the engine would warn)
#   buildkitd                    github.com/moby/buildkit at the version docker-build is built with: the
#                                builder docker-build drives (its default would pull moby/buildkit)
#
# Idempotent: binaries are cached under $UW3_BINDER_ENGINE_CACHE (default ~/.cache/uw3-binder-engine),
# in a directory keyed by every version and by the hash of this script and engine/, so a warm run
# costs seconds. Exit codes: 0 ok, 1 a build failed, 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# The newest pkg/v3 the module proxy serves whole at or below @pulumi/pulumi in package-lock.json (3.270.0):
# 3.260.0 has an .info but its .zip is refused.
PULUMI_VERSION=3.259.0
# What package-lock.json pins @pulumi/docker-build to; the SDK asks the engine for exactly this plugin.
DOCKER_BUILD_VERSION=$(node -p 'require("./package-lock.json").packages["node_modules/@pulumi/docker-build"].version')
# The BuildKit that pulumi-resource-docker-build $DOCKER_BUILD_VERSION is built against.
BUILDKIT_VERSION=0.31.0
CLIPBOARD_REPLACE="github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e"

cache_root="${UW3_BINDER_ENGINE_CACHE:-$HOME/.cache/uw3-binder-engine}"
key=$( { echo "$PULUMI_VERSION $DOCKER_BUILD_VERSION"; cat "$0"; find engine -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | sort | xargs cat; } | sha256sum | cut -c1-16)
dir="$cache_root/pulumi-v$PULUMI_VERSION-$key"
bin="$dir/bin"
providers="$dir/providers"
export PULUMI_HOME="${PULUMI_HOME:-$cache_root/pulumi-home}"

log() { echo "pulumi-engine: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}
usage() {
    echo "usage: $0 install|path|env|versions" >&2
    exit 2
}

# build_from_module NAME "MODULE@VERSION ..." PACKAGE LDFLAGS [REPLACE...]: builds PACKAGE into $bin/NAME
# from a throwaway module that requires each MODULE@VERSION (the modules we build are not
# `go install`-able as they stand: local replaces in their go.mod, or a proxy that refuses @v/list).
build_from_module() {
    local name="$1" requires="$2" package="$3" ldflags="$4"
    shift 4
    local work="$dir/src/$name"
    local out="$providers/$name"
    [[ "$name" == pulumi ]] && out="$bin/$name"
    [[ -x "$out" ]] && return 0
    log "building $name from $requires (cold: minutes)"
    rm -rf "$work" && mkdir -p "$work"
    (
        cd "$work"
        printf 'module uw3binder.local/%s\n\ngo 1.26\n' "$name" >go.mod
        local r
        for r in "$@"; do go mod edit -replace "$r"; done
        local m
        for m in $requires; do go mod edit -require "$m"; done
        # `go get MODULE@VERSION`, never a bare package path: that would mean @upgrade, the newest version.
        # shellcheck disable=SC2086 # one word per module@version
        go get $requires >"$work/get.log" 2>&1 || { tail -20 "$work/get.log" >&2; exit 1; }
        go build -mod=mod -trimpath -tags osusergo,grpcnotrace -ldflags "-s -w $ldflags" -o "$out.tmp" "$package" >>"$work/get.log" 2>&1 ||
            { tail -20 "$work/get.log" >&2; exit 1; }
        mv "$out.tmp" "$out"
    ) || die "building $name from $requires failed"
}

install() {
    command -v go >/dev/null || die "go is not on PATH (Go 1.26 is needed to build the engine)"
    command -v node >/dev/null || die "node is not on PATH"
    mkdir -p "$bin" "$providers" "$PULUMI_HOME"
    local started=$SECONDS

    # The CLI's go.mod points sdk/v3 at ../sdk: requiring sdk/v3 at the same version restores what that meant.
    build_from_module pulumi "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" \
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
        "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
        "$CLIPBOARD_REPLACE"
    build_from_module pulumi-resource-docker-build "github.com/pulumi/pulumi-docker-build@v$DOCKER_BUILD_VERSION" \
        github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build \
        "-X github.com/pulumi/pulumi-docker-build/provider.Version=$DOCKER_BUILD_VERSION" \
        "github.com/pulumi/pulumi-java=$repo/engine/stubs/pulumi-java" \
        "github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3=$repo/engine/stubs/pulumi-language-dotnet"
    build_from_module buildkitd "github.com/moby/buildkit@v$BUILDKIT_VERSION" github.com/moby/buildkit/cmd/buildkitd ""

    if [[ ! -x "$bin/pulumi-language-nodejs" ]]; then
        log "building pulumi-language-nodejs from engine/language-nodejs"
        (cd engine/language-nodejs && go build -trimpath -ldflags "-s -w -X main.version=$PULUMI_VERSION" -o "$bin/pulumi-language-nodejs.tmp" .) ||
            die "building pulumi-language-nodejs failed"
        mv "$bin/pulumi-language-nodejs.tmp" "$bin/pulumi-language-nodejs"
    fi

    # The engine runs dynamic providers (the gates) through this plugin, from the program's directory.
    cat >"$bin/pulumi-resource-pulumi-nodejs" <<'EOF'
#!/bin/sh
exec node ./node_modules/@pulumi/pulumi/cmd/dynamic-provider "$@"
EOF
    chmod 755 "$bin/pulumi-resource-pulumi-nodejs"

    if ! "$bin/pulumi" plugin ls --json 2>/dev/null | node -e '
        const want = process.argv[1];
        const list = JSON.parse(require("fs").readFileSync(0, "utf8") || "[]");
        process.exit(list.some((p) => p.name === "docker-build" && p.version === want) ? 0 : 1);' "$DOCKER_BUILD_VERSION"; then
        log "installing docker-build $DOCKER_BUILD_VERSION into $PULUMI_HOME/plugins"
        "$bin/pulumi" plugin install resource docker-build "$DOCKER_BUILD_VERSION" -f "$providers/pulumi-resource-docker-build" >/dev/null ||
            die "pulumi plugin install resource docker-build $DOCKER_BUILD_VERSION failed"
    fi
    log "ready in $((SECONDS - started)) s: $bin"
}

print_env() {
    printf 'export PATH=%q:"$PATH"\n' "$bin"
    printf 'export PULUMI_HOME=%q\n' "$PULUMI_HOME"
    echo 'export PULUMI_SKIP_UPDATE_CHECK=true'
    echo 'export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true'
}

export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

case "${1:-}" in
    install) install ;;
    path)
        [[ -x "$bin/pulumi" ]] || die "not built yet: run $0 install"
        echo "$bin"
        ;;
    env)
        [[ -x "$bin/pulumi" ]] || die "not built yet: run $0 install"
        print_env
        ;;
    buildkitd)
        [[ -x "$providers/buildkitd" ]] || die "not built yet: run $0 install"
        echo "$providers/buildkitd"
        ;;
    versions)
        [[ -x "$bin/pulumi" ]] || die "not built yet: run $0 install"
        echo "pulumi $("$bin/pulumi" version)"
        echo "pulumi-language-nodejs $("$bin/pulumi-language-nodejs" -version)"
        "$bin/pulumi" plugin ls
        ;;
    *) usage ;;
esac
