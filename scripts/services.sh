#!/usr/bin/env bash
# Starts / stops the loopback services the integration tests and the bench talk to:
#   - dockerd (--bridge=none --iptables=false: the test machines have no network to bridge to),
#   - an open docker-registry on 127.0.0.1:5000 (stands in for a public GHCR package),
#   - an htpasswd docker-registry on 127.0.0.1:5001 (stands in for a private one); its generated
#     user and password are written to $DIR/auth-registry.env for test/integration/harness.ts,
#   - the demo stack's base image, 127.0.0.1:5000/uw3-binder-demo/busybox:1 (busybox FROM scratch),
#   - buildkitd, once scripts/pulumi-engine.sh has built it, as the buildx builder `uw3-binder`.
#
# Usage: scripts/services.sh start|stop|status [--dir DIR]     (DIR defaults to /tmp/uw3-binder-services,
#        which is also the harness's default for UW3_BINDER_SERVICES_DIR)
#
# Idempotent: `start` leaves anything already answering alone; `stop` stops only the processes this
# script started (recorded in $DIR/*.pid), so a dockerd somebody else runs is never touched.
set -euo pipefail

usage() {
    echo "usage: $0 start|stop|status [--dir DIR]" >&2
    exit 2
}

action="${1:-}"
[[ "$action" == start || "$action" == stop || "$action" == status ]] || usage
shift
dir="${UW3_BINDER_SERVICES_DIR:-/tmp/uw3-binder-services}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dir)
            [[ $# -ge 2 ]] || usage
            dir="$2"
            shift 2
            ;;
        *) usage ;;
    esac
done

OPEN_ADDR=127.0.0.1:5000
AUTH_ADDR=127.0.0.1:5001
AUTH_USER=testuser

log() { echo "services: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# HTTP status of GET http://$1/v2/ ("000" when nothing answers).
http_status() {
    curl --silent --output /dev/null --max-time 2 --write-out '%{http_code}' "http://$1/v2/" 2>/dev/null || true
}

status_is() { [[ "$(http_status "$1")" == "$2" ]]; }

pid_alive() {
    local file="$1"
    [[ -f "$file" ]] && kill -0 "$(cat "$file")" 2>/dev/null
}

# wait_for NAME SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds. Dies, with the end of
# $dir/NAME.log, when the process in $dir/NAME.pid exits first (no point waiting out the timeout) or
# SECONDS pass.
wait_for() {
    local name="$1" seconds="$2"
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        if ! pid_alive "$dir/$name.pid"; then
            rm -f "$dir/$name.pid"
            die "$name exited while starting; end of $dir/$name.log:
$(tail -n 5 "$dir/$name.log")"
        fi
        ((SECONDS < deadline)) || die "$name was not ready within $seconds s; see $dir/$name.log"
        sleep 0.1
    done
}

docker_answers() { docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

start_dockerd() {
    if docker_answers; then
        log "dockerd already answering"
        return
    fi
    command -v dockerd >/dev/null || die "dockerd not installed (apt-get install docker.io)"
    log "starting dockerd (log: $dir/dockerd.log)"
    # setsid: the daemon must outlive the shell (and process group) that ran this script.
    setsid dockerd --bridge=none --iptables=false </dev/null >"$dir/dockerd.log" 2>&1 &
    echo $! >"$dir/dockerd.pid"
    wait_for dockerd 60 docker_answers
}

# write_registry_config NAME ADDR [AUTH]: the Debian default config (/etc/docker/registry/config.yml)
# with loopback address, private storage, and htpasswd auth only when asked for.
write_registry_config() {
    local name="$1" addr="$2" auth="${3:-}"
    mkdir -p "$dir/$name-storage"
    {
        cat <<EOF
version: 0.1
log:
  level: warn
  fields:
    service: $name
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $dir/$name-storage
  delete:
    enabled: true
http:
  addr: $addr
  headers:
    X-Content-Type-Options: [nosniff]
EOF
        if [[ -n "$auth" ]]; then
            cat <<EOF
auth:
  htpasswd:
    realm: uw3-binder-test
    path: $dir/htpasswd
EOF
        fi
    } >"$dir/$name.yml"
}

# start_registry NAME ADDR EXPECTED_STATUS [auth]: EXPECTED_STATUS is what GET /v2/ answers once up
# (200 open, 401 with auth), which also tells a foreign server on the port apart from ours.
start_registry() {
    local name="$1" addr="$2" expected="$3" auth="${4:-}"
    local status
    status="$(http_status "$addr")"
    if [[ "$status" == "$expected" ]]; then
        log "registry $addr already answering"
        return
    fi
    [[ "$status" == 000 ]] || die "$addr answers GET /v2/ with HTTP $status, expected $expected: another server holds the port"
    command -v docker-registry >/dev/null || die "docker-registry not installed (apt-get install docker-registry)"
    write_registry_config "$name" "$addr" "$auth"
    log "starting registry $addr (log: $dir/$name.log)"
    setsid docker-registry serve "$dir/$name.yml" </dev/null >"$dir/$name.log" 2>&1 &
    echo $! >"$dir/$name.pid"
    wait_for "$name" 20 status_is "$addr" "$expected"
}

write_credentials() {
    command -v htpasswd >/dev/null || die "htpasswd not installed (apt-get install apache2-utils)"
    local password
    password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
    # docker-registry only accepts bcrypt entries (-B).
    htpasswd -Bbn "$AUTH_USER" "$password" >"$dir/htpasswd"
    (
        umask 077
        cat >"$dir/auth-registry.env" <<EOF
AUTH_REGISTRY=$AUTH_ADDR
AUTH_REGISTRY_USERNAME=$AUTH_USER
AUTH_REGISTRY_PASSWORD=$password
EOF
    )
}

# stop_pid NAME: stops the process recorded in $dir/NAME.pid; fails (status 1) when there was none.
stop_pid() {
    local name="$1" file="$dir/$1.pid"
    [[ -f "$file" ]] || return 1
    local pid
    pid="$(cat "$file")"
    if kill -0 "$pid" 2>/dev/null; then
        log "stopping $name (pid $pid)"
        kill "$pid"
        local deadline=$((SECONDS + 20))
        while kill -0 "$pid" 2>/dev/null; do
            if ((SECONDS >= deadline)); then
                log "$name (pid $pid) ignored SIGTERM for 20 s; sending SIGKILL"
                kill -9 "$pid" 2>/dev/null || true
                break
            fi
            sleep 0.1
        done
    fi
    rm -f "$file"
}

# The demo stack's base image (examples/underworld3-mini): busybox FROM scratch, built with the legacy
# builder so nothing is pulled, pushed to the open registry. Skipped when it is already there.
DEMO_BASE="$OPEN_ADDR/uw3-binder-demo/busybox:1"
push_demo_base() {
    if [[ "$(curl --silent --output /dev/null --max-time 5 --write-out '%{http_code}' \
        -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$OPEN_ADDR/v2/uw3-binder-demo/busybox/manifests/1")" == 200 ]]; then
        return
    fi
    local busybox
    busybox="$(command -v busybox || true)"
    [[ -n "$busybox" ]] && file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
        busybox=/bin/busybox
    [[ -x "$busybox" ]] || die "busybox not installed (apt-get install busybox-static): it is the demo stack's base image"
    local ctx="$dir/demo-base"
    rm -rf "$ctx" && mkdir -p "$ctx"
    cp "$busybox" "$ctx/busybox"
    printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n' >"$ctx/Dockerfile"
    log "pushing the demo base image $DEMO_BASE"
    DOCKER_BUILDKIT=0 docker build -q -t "$DEMO_BASE" "$ctx" >"$dir/demo-base.log" 2>&1 &&
        docker push "$DEMO_BASE" >>"$dir/demo-base.log" 2>&1 ||
        die "building or pushing $DEMO_BASE failed: $(tail -3 "$dir/demo-base.log")"
}

# BuildKit for docker-build (the program's builder): docker-build does not build with dockerd's own
# builder, and its default (a docker-container builder) would pull moby/buildkit. So buildkitd, built from
# its Go module by scripts/pulumi-engine.sh, runs here on a unix socket, and is registered as the buildx
# builder `uw3-binder` (remote driver), which docker-build finds in the buildx store and uses.
BUILDER_NAME=uw3-binder
start_buildkitd() {
    local buildkitd
    buildkitd="$(bash "$(dirname "$0")/pulumi-engine.sh" buildkitd 2>/dev/null || true)"
    if [[ -z "$buildkitd" ]]; then
        log "buildkitd not built yet (scripts/pulumi-engine.sh install): no BuildKit builder for docker-build"
        return
    fi
    local sock="$dir/buildkitd.sock"
    if [[ -S "$sock" ]] && pid_alive "$dir/buildkitd.pid"; then
        log "buildkitd already running"
    else
        command -v runc >/dev/null || die "runc not installed (apt-get install runc): buildkitd runs build steps with it"
        printf '[worker.oci]\n  enabled = true\n[worker.containerd]\n  enabled = false\n[registry."%s"]\n  http = true\n[registry."%s"]\n  http = true\n' \
            "$OPEN_ADDR" "$AUTH_ADDR" >"$dir/buildkitd.toml"
        log "starting buildkitd (log: $dir/buildkitd.log)"
        rm -f "$sock"
        setsid "$buildkitd" --config "$dir/buildkitd.toml" --addr "unix://$sock" --root "$dir/buildkit" \
            --oci-worker-net host </dev/null >"$dir/buildkitd.log" 2>&1 &
        echo $! >"$dir/buildkitd.pid"
        wait_for buildkitd 30 test -S "$sock"
    fi
    local store="${DOCKER_CONFIG:-$HOME/.docker}/buildx/instances"
    mkdir -p "$store"
    printf '{"Name":"%s","Driver":"remote","Nodes":[{"Name":"%s0","Endpoint":"unix://%s","Platforms":null,"DriverOpts":null,"Flags":null,"Files":null}],"Dynamic":false}\n' \
        "$BUILDER_NAME" "$BUILDER_NAME" "$sock" >"$store/$BUILDER_NAME"
}

case "$action" in
    start)
        command -v curl >/dev/null || die "curl not installed (used to probe the registries)"
        mkdir -p "$dir"
        start_dockerd
        start_registry registry-open "$OPEN_ADDR" 200
        # Credentials must not change under a registry that is already running with them.
        auth_status="$(http_status "$AUTH_ADDR")"
        if [[ "$auth_status" == 000 ]]; then
            write_credentials
        elif [[ "$auth_status" == 401 && ! -f "$dir/auth-registry.env" ]]; then
            die "$AUTH_ADDR is already running but $dir/auth-registry.env is missing: stop it, or pass the --dir it was started with"
        fi
        start_registry registry-auth "$AUTH_ADDR" 401 auth
        push_demo_base
        start_buildkitd
        log "ready: open registry $OPEN_ADDR, auth registry $AUTH_ADDR (credentials in $dir/auth-registry.env)"
        ;;
    stop)
        [[ -d "$dir" ]] || exit 0
        # Storage is dropped only for a registry this script ran, so the next run starts clean.
        for name in registry-auth registry-open; do
            if stop_pid "$name"; then rm -rf "${dir:?}/$name-storage"; fi
        done
        stop_pid buildkitd || true
        rm -f "${DOCKER_CONFIG:-$HOME/.docker}/buildx/instances/$BUILDER_NAME"
        stop_pid dockerd || true
        ;;
    status)
        docker_answers && echo "dockerd: answering" || echo "dockerd: not answering"
        echo "registry $OPEN_ADDR: GET /v2/ -> HTTP $(http_status "$OPEN_ADDR")"
        echo "registry $AUTH_ADDR: GET /v2/ -> HTTP $(http_status "$AUTH_ADDR")"
        for f in "$dir"/*.pid; do
            [[ -f "$f" ]] && echo "started here: $(basename "$f" .pid) pid $(cat "$f")$(pid_alive "$f" || echo ' (dead)')"
        done
        ;;
esac
