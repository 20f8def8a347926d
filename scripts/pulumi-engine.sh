#!/usr/bin/env bash
# The real Pulumi engine for uw3-binder's tests and demo, built from Go sources (no prebuilt binary can be
# downloaded on the project's machines, and GitHub is out of reach).
#
#   scripts/pulumi-engine.sh install    build what is missing, install the providers into the plugin cache
#   scripts/pulumi-engine.sh path       print the directory holding `pulumi` (put it first on PATH)
#   scripts/pulumi-engine.sh env        print `export` lines: PATH, PULUMI_HOME and the no-network settings
#   scripts/pulumi-engine.sh versions   print what is built and installed
#   scripts/pulumi-engine.sh buildkitd  print the path of the built buildkitd (scripts/services.sh runs it)
#
# What is built, and from what (docs/engine.md says why each choice was made):
#   pulumi                        github.com/pulumi/pulumi/pkg/v3 (cmd/pulumi), the CLI and deployment engine
#   pulumi-language-nodejs        Pulumi's own Node.js language host, same version, from the upstream folder
#   pulumi-resource-pulumi-nodejs the launcher of @pulumi/pulumi's dynamic provider (the gates), as Pulumi ships it
#   pulumi-resource-docker-build  github.com/pulumi/pulumi-docker-build, with engine/stubs for two schema-only imports
#   pulumi-resource-github        pulumi-github from the upstream folder, on terraform-provider-github from the proxy
#   pulumi-resource-command       pulumi-command from the upstream folder
#   buildkitd                     github.com/moby/buildkit at the version docker-build is built with: the
#                                 builder docker-build drives (its default would pull moby/buildkit)
# The three providers are at the versions package-lock.json asks for (the SDKs ask the engine for exactly
# those) and are installed into the plugin cache, never put on PATH (the engine would warn).
#
# The upstream folder ($UW3_BINDER_UPSTREAM, default ../shared/upstream beside this repository) holds, as
# published, the sources the Go module proxy refuses; its README says what each needs. They are copied into
# the cache to be built, never into this repository.
#
# Idempotent: each part is cached under $UW3_BINDER_ENGINE_CACHE (default ~/.cache/uw3-binder-engine) in
# parts/NAME-VERSION-KEY, KEY hashing the part's version, the shell function that builds it with its
# arguments, and every file it is built from; so a change to one part rebuilds that part only, and a warm
# run costs about a second. Exit codes: 0 ok, 1 a build failed or an input is missing, 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

log() { echo "pulumi-engine: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}
usage() {
    echo "usage: $0 install|path|env|versions|buildkitd" >&2
    exit 2
}

# The newest pkg/v3 the module proxy serves whole at or below @pulumi/pulumi in package-lock.json (3.270.0):
# 3.260.0 has an .info but its .zip is refused. The language host is built at the same version.
PULUMI_VERSION=3.259.0
# The BuildKit that pulumi-resource-docker-build is built against.
BUILDKIT_VERSION=0.31.0
CLIPBOARD_REPLACE="github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e"
# The terraform-provider-github each pulumi-github release wraps: its git submodule's commit, a tag the
# proxy serves (the upstream README); a new @pulumi/github needs its line here.
declare -A TF_GITHUB_FOR=([6.15.0]=6.13.0)

# What package-lock.json pins the provider SDKs to; each asks the engine for exactly that plugin version.
locked=$(node -e '
    const lock = require("./package-lock.json").packages;
    const missing = ["docker-build", "github", "command"].filter((p) => !lock[`node_modules/@pulumi/${p}`]?.version);
    if (missing.length) throw new Error(`package-lock.json has no version for ${missing.map((p) => "@pulumi/" + p).join(", ")}`);
    console.log(["docker-build", "github", "command"].map((p) => lock[`node_modules/@pulumi/${p}`].version).join(" "));') ||
    die "reading the provider versions from package-lock.json failed"
read -r DOCKER_BUILD_VERSION GITHUB_VERSION COMMAND_VERSION <<<"$locked"

upstream="${UW3_BINDER_UPSTREAM:-$repo/../shared/upstream}"
cache_root="${UW3_BINDER_ENGINE_CACHE:-$HOME/.cache/uw3-binder-engine}"
export PULUMI_HOME="${PULUMI_HOME:-$cache_root/pulumi-home}"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

# upstream_source FOLDER WHAT: the upstream folder FOLDER, or a clear error naming what asked for it.
upstream_source() {
    local at="$upstream/$1"
    [[ -d "$at" ]] && { echo "$at"; return 0; }
    [[ -d "$upstream" ]] || die "the upstream sources are not at $upstream (set UW3_BINDER_UPSTREAM to the folder shared/upstream)"
    die "$2, but $upstream holds no $1 (it has: $(cd "$upstream" && ls -d -- */ 2>/dev/null | tr -d / | paste -sd ' '))"
}

# ---- How each part is built. Each builder runs in an empty work directory and writes OUT; its text is
# part of the part's key, so editing a builder rebuilds the parts it builds and nothing else.

# go_build OUT PACKAGE LDFLAGS: the one `go build` every part uses, in the current module.
go_build() {
    go build -mod=mod -trimpath -tags osusergo,grpcnotrace -ldflags "-s -w $3" -o "$1" "$2"
}

# build_from_module OUT INPUTS "MODULE@VERSION ..." PACKAGE LDFLAGS [REPLACE...]: PACKAGE from a throwaway
# module that requires each MODULE@VERSION (the modules built so are not `go install`-able as they stand:
# local replaces in their go.mod, or a proxy that refuses @v/list). A REPLACE's target `stubs/X` is INPUTS/X.
build_from_module() {
    local out="$1" inputs="$2" requires="$3" package="$4" ldflags="$5"
    shift 5
    printf 'module uw3binder.local/build\n\ngo 1.26\n' >go.mod
    local r
    for r in "$@"; do go mod edit -replace "${r/=stubs\//=$inputs/}"; done
    # shellcheck disable=SC2086 # one word per module@version
    for r in $requires; do go mod edit -require "$r"; done
    # `go get MODULE@VERSION`, never a bare package path: that would mean @upgrade, the newest version.
    # shellcheck disable=SC2086
    go get $requires
    go_build "$out" "$package" "$ldflags"
}

# build_language_nodejs OUT SOURCE VERSION: Pulumi's Node.js host from the monorepo's folder; its go.mod points
# pkg/v3 and sdk/v3 at the monorepo, which requiring both at the host's own version restores.
build_language_nodejs() {
    local out="$1" source="$2" version="$3"
    cp -R "$source/sdk/nodejs/cmd/pulumi-language-nodejs/." .
    chmod -R u+w .
    go mod edit -dropreplace github.com/pulumi/pulumi/pkg/v3 -dropreplace github.com/pulumi/pulumi/sdk/v3 \
        -require "github.com/pulumi/pulumi/pkg/v3@v$version" -require "github.com/pulumi/pulumi/sdk/v3@v$version"
    go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version"
    go_build "$out" . "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
}

# build_github OUT SOURCE VERSION TF_VERSION: pulumi-resource-github. Its go.mod replaces the Terraform provider
# with a git submodule (not published) whose commit is TF_VERSION, a tag the proxy serves; its main embeds
# schema-embed.json, which generate.go writes from schema.json with the version in it.
build_github() {
    local out="$1" source="$2" version="$3" tf="$4"
    cp -R "$source/provider/." .
    chmod -R u+w .
    go mod edit -dropreplace github.com/integrations/terraform-provider-github/v6 \
        -require "github.com/integrations/terraform-provider-github/v6@v$tf"
    go get "github.com/integrations/terraform-provider-github/v6@v$tf"
    (cd cmd/pulumi-resource-github && VERSION="$version" go run -mod=mod generate.go)
    go_build "$out" ./cmd/pulumi-resource-github "-X github.com/pulumi/pulumi-github/provider/v6/pkg/version.Version=$version"
}

# build_command OUT SOURCE VERSION: pulumi-resource-command, with its go.mod as published.
build_command() {
    local out="$1" source="$2" version="$3"
    cp -R "$source/provider/." .
    chmod -R u+w .
    go_build "$out" ./cmd/pulumi-resource-command "-X github.com/pulumi/pulumi-command/provider/pkg/version.Version=v$version"
}

# ---- The parts: NAME VERSION INPUTS BUILDER ARGS... (INPUTS: the folder the part is built from, or "").
# Defined in a function because the upstream ones need their folder to exist.
define_parts() {
    local language_source github_source command_source
    language_source=$(upstream_source "pulumi-language-nodejs-v$PULUMI_VERSION" "the language host is built at the CLI's version $PULUMI_VERSION")
    github_source=$(upstream_source "pulumi-github-v$GITHUB_VERSION" "package-lock.json asks for @pulumi/github $GITHUB_VERSION")
    command_source=$(upstream_source "pulumi-command-v$COMMAND_VERSION" "package-lock.json asks for @pulumi/command $COMMAND_VERSION")
    local tf="${TF_GITHUB_FOR[$GITHUB_VERSION]:-}"
    [[ -n "$tf" ]] || die "package-lock.json asks for @pulumi/github $GITHUB_VERSION, and TF_GITHUB_FOR in $0 does not say which terraform-provider-github it wraps (its provider/upstream submodule's tag)"
    part_pulumi=(pulumi "$PULUMI_VERSION" "" build_from_module
        "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
        "$CLIPBOARD_REPLACE")
    part_language=(pulumi-language-nodejs "$PULUMI_VERSION" "$language_source" build_language_nodejs "$PULUMI_VERSION")
    part_docker_build=(pulumi-resource-docker-build "$DOCKER_BUILD_VERSION" "$repo/engine/stubs" build_from_module
        "github.com/pulumi/pulumi-docker-build@v$DOCKER_BUILD_VERSION"
        github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build
        "-X github.com/pulumi/pulumi-docker-build/provider.Version=$DOCKER_BUILD_VERSION"
        "github.com/pulumi/pulumi-java=stubs/pulumi-java" "github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3=stubs/pulumi-language-dotnet")
    part_buildkitd=(buildkitd "$BUILDKIT_VERSION" "" build_from_module "github.com/moby/buildkit@v$BUILDKIT_VERSION" github.com/moby/buildkit/cmd/buildkitd "")
    part_github=(pulumi-resource-github "$GITHUB_VERSION" "$github_source" build_github "$GITHUB_VERSION" "$tf")
    part_command=(pulumi-resource-command "$COMMAND_VERSION" "$command_source" build_command "$COMMAND_VERSION")
}

# part_dir NAME VERSION INPUTS BUILDER ARGS...: the part's cache directory (the binary is DIR/NAME).
# INPUTS counts by content, not by path, so every checkout of this repository shares the cache.
part_dir() {
    local name="$1" version="$2" inputs="$3" builder="$4"
    shift 4
    local key
    key=$( {
        printf '%s\n' "$name" "$version" "$@"
        declare -f "$builder" go_build
        [[ -z "$inputs" ]] || (cd "$inputs" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    } | sha256sum | cut -c1-16)
    echo "$cache_root/parts/$name-$version-$key"
}

# build_part NAME VERSION INPUTS BUILDER ARGS...: builds the part unless its cache directory has it.
build_part() {
    local name="$1" version="$2" inputs="$3" builder="$4" dir
    dir=$(part_dir "$@")
    [[ -x "$dir/$name" ]] && return 0
    shift 4
    log "building $name $version with $builder (cold: minutes; log: $dir/build.log)"
    local started=$SECONDS rc=0
    rm -rf "$dir" && mkdir -p "$dir/work"
    # Not `( ... ) || ...`: bash ignores `set -e` inside a subshell tested so, and a builder's failed step
    # must stop it.
    set +e
    (
        set -ex
        cd "$dir/work"
        "$builder" "$dir/$name.tmp" "$inputs" "$@"
    ) >"$dir/build.log" 2>&1
    rc=$?
    set -e
    if [[ $rc -ne 0 ]]; then
        tail -25 "$dir/build.log" >&2
        die "building $name $version failed (log: $dir/build.log)"
    fi
    mv "$dir/$name.tmp" "$dir/$name"
    rm -rf "$dir/work"
    log "built $name $version in $((SECONDS - started)) s"
}

# The dynamic-provider launcher, as Pulumi's distribution ships it beside the CLI: the engine starts it in
# the program's directory, and Node.js resolves @pulumi/pulumi from there, wherever node_modules lies.
LAUNCHER='#!/bin/sh
script=$(node -e "console.log(require.resolve(\"@pulumi/pulumi/cmd/dynamic-provider\"))") || exit 1
exec node "$script" "$@"'

# The directory `env` puts on PATH: the CLI, the language host and the launcher, keyed by all three (hard
# links into the parts, so each checkout's combination has its own and none changes under another's feet).
bin_dir() {
    local key
    key=$( { part_dir "${part_pulumi[@]}"; part_dir "${part_language[@]}"; echo "$LAUNCHER"; } | sha256sum | cut -c1-16)
    echo "$cache_root/engine-$key/bin"
}

install_plugin() {
    local name="$1" version="$2" binary="$3"
    local installed="$PULUMI_HOME/plugins/resource-$name-v$version/pulumi-resource-$name"
    cmp -s "$binary" "$installed" && return 0
    log "installing $name $version into $PULUMI_HOME/plugins"
    "$bin/pulumi" plugin install resource "$name" "$version" -f "$binary" --reinstall >/dev/null ||
        die "pulumi plugin install resource $name $version failed"
}

install() {
    command -v go >/dev/null || die "go is not on PATH (Go 1.26 is needed to build the engine)"
    local started=$SECONDS
    # One install at a time per cache: two checkouts building the same part would share its directory.
    mkdir -p "$cache_root"
    exec 9>"$cache_root/install.lock"
    flock -n 9 || {
        log "waiting for another install into $cache_root"
        flock 9
    }
    build_part "${part_pulumi[@]}"
    build_part "${part_language[@]}"
    build_part "${part_docker_build[@]}"
    build_part "${part_buildkitd[@]}"
    build_part "${part_github[@]}"
    build_part "${part_command[@]}"

    bin=$(bin_dir)
    if [[ ! -x "$bin/pulumi-resource-pulumi-nodejs" ]]; then
        rm -rf "$bin" && mkdir -p "$bin.tmp"
        ln -f "$(part_dir "${part_pulumi[@]}")/pulumi" "$(part_dir "${part_language[@]}")/pulumi-language-nodejs" "$bin.tmp/"
        printf '%s\n' "$LAUNCHER" >"$bin.tmp/pulumi-resource-pulumi-nodejs"
        chmod 755 "$bin.tmp/pulumi-resource-pulumi-nodejs"
        mv "$bin.tmp" "$bin"
    fi

    mkdir -p "$PULUMI_HOME"
    install_plugin docker-build "$DOCKER_BUILD_VERSION" "$(part_dir "${part_docker_build[@]}")/pulumi-resource-docker-build"
    install_plugin github "$GITHUB_VERSION" "$(part_dir "${part_github[@]}")/pulumi-resource-github"
    install_plugin command "$COMMAND_VERSION" "$(part_dir "${part_command[@]}")/pulumi-resource-command"
    log "ready in $((SECONDS - started)) s: $bin"
}

built_bin() {
    bin=$(bin_dir)
    [[ -x "$bin/pulumi-resource-pulumi-nodejs" ]] || die "not built yet: run $0 install"
}

define_parts
case "${1:-}" in
    install) install ;;
    path)
        built_bin
        echo "$bin"
        ;;
    env)
        built_bin
        printf 'export PATH=%q:"$PATH"\n' "$bin"
        printf 'export PULUMI_HOME=%q\n' "$PULUMI_HOME"
        echo 'export PULUMI_SKIP_UPDATE_CHECK=true'
        echo 'export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true'
        ;;
    buildkitd)
        buildkitd="$(part_dir "${part_buildkitd[@]}")/buildkitd"
        [[ -x "$buildkitd" ]] || die "not built yet: run $0 install"
        echo "$buildkitd"
        ;;
    versions)
        built_bin
        echo "pulumi $("$bin/pulumi" version)"
        echo "pulumi-language-nodejs $("$bin/pulumi-language-nodejs" -version)"
        "$bin/pulumi" plugin ls
        ;;
    *) usage ;;
esac
