#!/usr/bin/env bash
# The build context of an image shaped like ghcr.io/underworldcode/uw3-base:<ref>-slim's Jupyter side, for
# the rehearsal's integration test (test/integration/mybinderLaunch.test.ts): nothing can be pulled, so
# the image is FROM scratch with busybox-static, this machine's Debian python3 (its binary, standard library
# and the shared libraries `ldd` names) and a virtual environment holding JupyterLab and Jupyter Server at
# the versions Underworld3's pixi.lock pins (jupyterlab 4.5.5, jupyter_server 2.17.0; no `notebook`),
# installed from PyPI.
#
#   scripts/jupyter-fixture.sh context   make the context (cached), print its directory
#
# Cached under $UW3_BINDER_JUPYTER_CACHE (default ~/.cache/uw3-binder-jupyter), one directory per version
# pair and Python: a warm run asks PyPI nothing and copies nothing. Needs /usr/bin/python3 with its venv
# module (Debian: python3 python3-venv) and /bin/busybox (busybox-static). Exit codes: 0 ok, 1 failed, 2 usage.
set -euo pipefail

JUPYTERLAB_VERSION=4.5.5
JUPYTER_SERVER_VERSION=2.17.0
# Bumped when what the context holds changes, so a cache made by an older script is not reused.
CONTEXT_FORMAT=2
PYTHON=/usr/bin/python3
BUSYBOX=/bin/busybox

log() { echo "jupyter-fixture.sh: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

context() {
    [[ -x "$PYTHON" ]] || die "$PYTHON is missing (Debian: apt-get install python3 python3-venv)"
    [[ -x "$BUSYBOX" ]] || die "$BUSYBOX is missing (Debian: apt-get install busybox-static)"
    local python_real py_version
    python_real=$(readlink -f "$PYTHON")
    py_version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    local cache_root="${UW3_BINDER_JUPYTER_CACHE:-$HOME/.cache/uw3-binder-jupyter}"
    local dir="$cache_root/lab-$JUPYTERLAB_VERSION-server-$JUPYTER_SERVER_VERSION-py$py_version-v$CONTEXT_FORMAT"
    if [[ -f "$dir/.complete" ]]; then
        echo "$dir"
        return 0
    fi
    mkdir -p "$cache_root"
    rm -rf "$dir"
    local tmp
    tmp=$(mktemp -d "$cache_root/.make.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    local root="$tmp/rootfs"

    # The environment, where the image has it (the start script puts its bin/ first on PATH). The venv is
    # made here and moved into the image whole: its scripts' first lines name this directory's python,
    # which the Dockerfile rewrites to the image's path.
    log "installing jupyterlab==$JUPYTERLAB_VERSION jupyter_server==$JUPYTER_SERVER_VERSION from PyPI into a virtual environment"
    "$PYTHON" -m venv "$tmp/env" || die "$PYTHON -m venv failed (Debian: apt-get install python3-venv)"
    "$tmp/env/bin/pip" install -q --disable-pip-version-check \
        "jupyterlab==$JUPYTERLAB_VERSION" "jupyter_server==$JUPYTER_SERVER_VERSION" >&2 || die "pip install failed"
    if "$tmp/env/bin/python" -c 'import notebook' 2>/dev/null; then die "the environment has a notebook package; the real one has none"; fi
    "$tmp/env/bin/pip" uninstall -q -y pip setuptools >/dev/null 2>&1 || true

    # The interpreter at its own path (the venv's pyvenv.cfg says home = /usr/bin), its standard library
    # (without its tests), and every shared library the interpreter and any extension module loads.
    mkdir -p "$root/usr/bin" "$root/usr/lib"
    cp -a "$python_real" "$root/usr/bin/"
    ln -s "$(basename "$python_real")" "$root/usr/bin/python3"
    cp -a "/usr/lib/python$py_version" "$root/usr/lib/"
    rm -rf "$root/usr/lib/python$py_version/test" "$root/usr/lib/python$py_version/idlelib" "$root/usr/lib/python$py_version/tkinter"
    local libs
    libs=$(find "$python_real" "$root/usr/lib/python$py_version/lib-dynload" "$tmp/env/lib" -type f \( -name '*.so*' -o -path "$python_real" \) \
        -exec ldd {} + 2>/dev/null | sed -n 's#.*=> \(/[^ ]*\) .*#\1#p; s#^\s*\(/[^ ]*\) (.*#\1#p' | sort -u)
    local lib
    for lib in $libs; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
    mkdir -p "$root/home/jovyan/underworld3/.pixi/envs"
    mv "$tmp/env" "$root/home/jovyan/underworld3/.pixi/envs/runtime"
    cp "$BUSYBOX" "$tmp/busybox"
    touch "$tmp/.complete"
    mv "$tmp" "$dir"
    trap - EXIT
    log "context ready in $dir ($(du -sh "$dir" | cut -f1))"
    echo "$dir"
}

case "${1:-}" in
context) context ;;
*)
    echo "usage: scripts/jupyter-fixture.sh context" >&2
    exit 2
    ;;
esac
