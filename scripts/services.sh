#!/usr/bin/env bash
# Starts / stops the loopback services the integration tests and the bench talk to:
#   - dockerd (--bridge=none --iptables=false: the test machines have no network to bridge to),
#   - an open docker-registry on 127.0.0.1:5000 (stands in for a public GHCR package),
#   - an htpasswd docker-registry on 127.0.0.1:5001 (stands in for a private one); its generated
#     user and password are written to $DIR/auth-registry.env for test/integration/harness.ts,
#   - both registries serve TLS, as GHCR does, with a certificate from a certificate authority made here
#     ($DIR/tls/ca.crt; see "TLS" below for who is told to trust it),
#   - the demo stack's base image, 127.0.0.1:5000/uw3-binder-demo/busybox:1 (busybox FROM scratch),
#   - buildkitd, once scripts/pulumi-engine.sh has built it, as the buildx builder `uw3-binder`,
#   - local-github on http://127.0.0.1:5080 (services/local-github, compiled by `npm ci`; started and
#     stopped by scripts/local-github.sh, which makes its account and token, $DIR/local-github.env): GitHub's
#     REST API under /api/v3/ and the repositories over git smart HTTP, for the demo stack's launcher and the
#     e2e tests; with the demo's source repository `underworldcode/underworld3` (LAUNCHER_PAT is stored on
#     it) and the demo's LAUNCHER_PAT, a random value in $DIR/demo-launcher-pat (mode 600). `env` exports
#     the token as GITHUB_TOKEN and that value as UW3_BINDER_LAUNCHER_PAT.
#
# Usage: scripts/services.sh start|stop|status|env [--dir DIR]  (DIR defaults to /tmp/uw3-binder-services,
#        which is also the harness's default for UW3_BINDER_SERVICES_DIR)
#        `eval "$(scripts/services.sh env)"` exports what a Node.js process (the tests, `pulumi up`) needs
#        to trust the registries: NODE_EXTRA_CA_CERTS (Node reads it only when it starts); and, while
#        local-github runs, the demo's GitHub token and launcher PAT (GITHUB_TOKEN, UW3_BINDER_LAUNCHER_PAT).
#
# Idempotent: `start` leaves anything already answering alone; `stop` stops only the processes this
# script started (recorded in $DIR/*.pid), so a dockerd somebody else runs is never touched.
set -euo pipefail

# shellcheck source=lib/service-args.sh
source "$(dirname "$0")/lib/service-args.sh"
parse_service_args "start stop status env" "$@"

OPEN_ADDR=127.0.0.1:5000
AUTH_ADDR=127.0.0.1:5001
GITHUB_ADDR=127.0.0.1:5080
GITHUB_ORG=underworldcode
GITHUB_SOURCE_REPO=underworld3
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
AUTH_USER=testuser
TLS_DIR="$dir/tls"
# The name under which the CA goes into the system store (/usr/local/share/ca-certificates).
SYSTEM_CA=/usr/local/share/ca-certificates/uw3-binder-services.crt

log() { echo "services: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# HTTP status of GET https://$1/v2/, trusting only this run's CA ("000" when nothing answers, or
# nothing that speaks TLS with a certificate from it).
http_status() {
    [[ -f "$TLS_DIR/ca.crt" ]] || {
        echo 000
        return
    }
    curl --silent --output /dev/null --max-time 2 --cacert "$TLS_DIR/ca.crt" --write-out '%{http_code}' "https://$1/v2/" 2>/dev/null || true
}

# The same over plain http: tells a registry without TLS (an older services.sh's) holding the port apart.
plain_http_status() {
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
  tls:
    certificate: $TLS_DIR/server.crt
    key: $TLS_DIR/server.key
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
    status="$(plain_http_status "$addr")"
    [[ "$status" == 000 ]] ||
        die "$addr answers plain http (GET /v2/ -> HTTP $status), not TLS: a registry from an older scripts/services.sh holds the port; run scripts/services.sh stop (with its --dir)"
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

# TLS. The registries serve a certificate (IP SAN 127.0.0.1, DNS localhost) signed by a certificate
# authority made here once, in $TLS_DIR, and kept while the registries run (a registry that is already
# answering keeps the certificate it started with). Who trusts it, and how:
#   - dockerd: /etc/docker/certs.d/HOST:PORT/ca.crt (read at each push and pull);
#   - buildkitd: `ca = [...]` for each registry in its toml;
#   - Go programs (the pulumi CLI, the docker-build provider, which checks tags on refresh): the system
#     store, /usr/local/share/ca-certificates + update-ca-certificates, when this runs as root (CI does);
#     otherwise `env` exports SSL_CERT_FILE, the system bundle plus this CA, which Go reads instead;
#   - Node.js (the tests, and the program's own registry client under `pulumi up`): NODE_EXTRA_CA_CERTS,
#     exported by `env`. Node reads neither the system store nor that variable after it has started,
#     so a process that talks to the registries must start with it set;
#   - curl here: --cacert.
make_tls() {
    if [[ -f "$TLS_DIR/ca.crt" && -f "$TLS_DIR/server.crt" && -f "$TLS_DIR/server.key" ]]; then
        return
    fi
    command -v openssl >/dev/null || die "openssl not installed (apt-get install openssl): it makes the registries' certificates"
    log "making a certificate authority and the registries' certificate in $TLS_DIR"
    rm -rf "$TLS_DIR"
    mkdir -p "$TLS_DIR"
    (
        umask 077
        cd "$TLS_DIR"
        openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
            -subj "/CN=uw3-binder services CA $(date -u +%Y%m%dT%H%M%SZ)" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
            -keyout ca.key -out ca.crt 2>tls.log &&
            openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
                -keyout server.key -out server.csr 2>>tls.log &&
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >server.ext &&
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile server.ext \
                -out server.crt 2>>tls.log
    ) || die "openssl failed to make the certificates: $(tail -3 "$TLS_DIR/tls.log")"
    # Readable by whoever reads the CA (a non-root dockerd client, Node); the keys stay private.
    chmod 644 "$TLS_DIR/ca.crt" "$TLS_DIR/server.crt"
    chmod 755 "$TLS_DIR"
}

# The system bundle, which trust_tls adds this CA to (root), or a copy of it with the CA appended (not root).
SYSTEM_BUNDLE=/etc/ssl/certs/ca-certificates.crt
trust_tls() {
    if [[ "$(id -u)" != 0 ]]; then
        cat "$SYSTEM_BUNDLE" "$TLS_DIR/ca.crt" >"$TLS_DIR/bundle.crt" 2>/dev/null || cp "$TLS_DIR/ca.crt" "$TLS_DIR/bundle.crt"
        log "not root: dockerd's certs.d and the system store are left alone; eval \"\$($0 env)\" trusts the CA through SSL_CERT_FILE"
        return
    fi
    local addr
    for addr in "$OPEN_ADDR" "$AUTH_ADDR"; do
        mkdir -p "/etc/docker/certs.d/$addr"
        cp "$TLS_DIR/ca.crt" "/etc/docker/certs.d/$addr/ca.crt"
    done
    if ! cmp -s "$TLS_DIR/ca.crt" "$SYSTEM_CA"; then
        command -v update-ca-certificates >/dev/null || die "update-ca-certificates not installed (apt-get install ca-certificates)"
        mkdir -p "$(dirname "$SYSTEM_CA")"
        cp "$TLS_DIR/ca.crt" "$SYSTEM_CA"
        update-ca-certificates >"$TLS_DIR/update-ca-certificates.log" 2>&1 ||
            die "update-ca-certificates failed: $(tail -3 "$TLS_DIR/update-ca-certificates.log")"
    fi
}

# Undoes trust_tls, for a CA whose registries this script has stopped.
untrust_tls() {
    [[ "$(id -u)" == 0 ]] || return 0
    local addr
    for addr in "$OPEN_ADDR" "$AUTH_ADDR"; do
        if cmp -s "$TLS_DIR/ca.crt" "/etc/docker/certs.d/$addr/ca.crt"; then rm -rf "/etc/docker/certs.d/$addr"; fi
    done
    if [[ -f "$SYSTEM_CA" ]] && cmp -s "$TLS_DIR/ca.crt" "$SYSTEM_CA"; then
        rm -f "$SYSTEM_CA"
        update-ca-certificates --fresh >/dev/null 2>&1 || log "update-ca-certificates --fresh failed after removing $SYSTEM_CA"
    fi
}

# What a process needs in its environment to trust the registries (see "TLS" above), as shell exports:
# a whole bundle, not the CA alone, so that the certificates the system trusts stay trusted (Node takes one
# NODE_EXTRA_CA_CERTS file; SSL_CERT_FILE replaces Go's system store).
print_env() {
    [[ -f "$TLS_DIR/ca.crt" ]] || die "$TLS_DIR/ca.crt missing: run $0 start --dir $dir first"
    if [[ "$(id -u)" == 0 ]]; then
        printf "export NODE_EXTRA_CA_CERTS='%s'\n" "$SYSTEM_BUNDLE"
    else
        printf "export NODE_EXTRA_CA_CERTS='%s'\nexport SSL_CERT_FILE='%s'\n" "$TLS_DIR/bundle.crt" "$TLS_DIR/bundle.crt"
    fi
    # The demo's GitHub token (local-github's own, valid nowhere else) and LAUNCHER_PAT (letters, digits and
    # _, so the quoting holds). The GitHub provider reads GITHUB_TOKEN; the program reads UW3_BINDER_LAUNCHER_PAT
    # when the stack sets no `uw3-binder:launcherPat`, and keeps it a secret.
    if github_health; then
        local token pat
        token="$(github_env LOCAL_GITHUB_TOKEN)"
        pat="$(cat "$dir/demo-launcher-pat" 2>/dev/null || true)"
        [[ "$token" =~ ^[A-Za-z0-9_]+$ && "$pat" =~ ^[A-Za-z0-9_]+$ ]] || die "$dir/local-github.env or $dir/demo-launcher-pat holds no usable token: run $0 stop, then start"
        printf "export GITHUB_TOKEN='%s'\nexport UW3_BINDER_LAUNCHER_PAT='%s'\n" "$token" "$pat"
    fi
}

# ---- local-github (services/local-github): the GitHub the demo's launcher and the e2e tests write to.

LOCAL_GITHUB=(bash "$REPO_ROOT/scripts/local-github.sh")

# github_env NAME: a value from $dir/local-github.env (scripts/local-github.sh writes it).
github_env() { sed -n "s/^$1=//p" "$dir/local-github.env" 2>/dev/null; }

# HTTP status of local-github's health check with this run's token ("000" when nothing answers).
github_status() {
    curl --silent --output /dev/null --max-time 2 --write-out '%{http_code}' \
        -H "Authorization: token $(github_env LOCAL_GITHUB_TOKEN)" "http://$GITHUB_ADDR/_local/health" 2>/dev/null || true
}
github_health() { [[ -f "$dir/local-github.env" && "$(github_status)" == 200 ]]; }

# github_api METHOD PATH [JSON]: local-github's REST API with its token; prints the HTTP status.
github_api() {
    local args=(--silent --output /dev/null --max-time 10 --write-out '%{http_code}' -X "$1"
        -H "Authorization: token $(github_env LOCAL_GITHUB_TOKEN)" -H 'Accept: application/vnd.github+json')
    [[ $# -lt 3 ]] || args+=(-H 'Content-Type: application/json' --data "$3")
    curl "${args[@]}" "http://$GITHUB_ADDR/api/v3$2" 2>/dev/null || true
}

start_local_github() {
    if [[ ! -f "$REPO_ROOT/dist/services/local-github/main.js" ]]; then
        log "local-github not built yet (npm ci compiles it): no local GitHub for the demo's launcher"
        return
    fi
    [[ -x "$(git --exec-path 2>/dev/null)/git-http-backend" ]] || die "git http-backend not found (apt-get install git): local-github serves its repositories with it"
    "${LOCAL_GITHUB[@]}" start --dir "$dir"
    github_health || die "local-github does not answer on $GITHUB_ADDR with the token in $dir/local-github.env"
    # The demo's source repository, which its LAUNCHER_PAT Actions secret is stored on.
    if [[ "$(github_api GET "/repos/$GITHUB_ORG/$GITHUB_SOURCE_REPO")" != 200 ]]; then
        local made
        made="$(github_api POST "/orgs/$GITHUB_ORG/repos" "{\"name\":\"$GITHUB_SOURCE_REPO\",\"auto_init\":true}")"
        [[ "$made" == 201 ]] || die "local-github did not create $GITHUB_ORG/$GITHUB_SOURCE_REPO (HTTP $made); see $dir/local-github.log"
    fi
    # The demo's LAUNCHER_PAT: any secret value will do (nothing on this machine uses it); made once.
    if [[ ! -s "$dir/demo-launcher-pat" ]]; then
        (
            umask 077
            printf 'demo_pat_%s\n' "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$dir/demo-launcher-pat"
        )
    fi
}

# The demo stack's base image (examples/underworld3-mini): busybox FROM scratch, built with the legacy
# builder so nothing is pulled, pushed to the open registry. Skipped when it is already there.
DEMO_BASE="$OPEN_ADDR/uw3-binder-demo/busybox:1"
push_demo_base() {
    if [[ "$(curl --silent --output /dev/null --max-time 5 --cacert "$TLS_DIR/ca.crt" --write-out '%{http_code}' \
        -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "https://$OPEN_ADDR/v2/uw3-binder-demo/busybox/manifests/1")" == 200 ]]; then
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
    local config
    # `http = false` spelled out: BuildKit speaks plain http to a loopback registry unless told otherwise.
    config="$(printf '[worker.oci]\n  enabled = true\n[worker.containerd]\n  enabled = false\n[registry."%s"]\n  http = false\n  ca = ["%s"]\n[registry."%s"]\n  http = false\n  ca = ["%s"]\n' \
        "$OPEN_ADDR" "$TLS_DIR/ca.crt" "$AUTH_ADDR" "$TLS_DIR/ca.crt")"
    # A buildkitd started with another config (plain http to the registries) is restarted.
    if [[ -S "$sock" ]] && pid_alive "$dir/buildkitd.pid" && [[ "$(cat "$dir/buildkitd.toml" 2>/dev/null)" != "$config" ]]; then
        stop_pid buildkitd
    fi
    if [[ -S "$sock" ]] && pid_alive "$dir/buildkitd.pid"; then
        log "buildkitd already running"
    else
        command -v runc >/dev/null || die "runc not installed (apt-get install runc): buildkitd runs build steps with it"
        printf '%s\n' "$config" >"$dir/buildkitd.toml"
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
        # Certificates must not change under a registry that is already running with them.
        if [[ ! -f "$TLS_DIR/ca.crt" ]]; then
            for addr in "$OPEN_ADDR" "$AUTH_ADDR"; do
                [[ "$(plain_http_status "$addr")" == 000 ]] ||
                    die "$addr answers plain http: a registry from an older scripts/services.sh holds the port; run scripts/services.sh stop (with its --dir)"
                if curl --silent --insecure --output /dev/null --max-time 2 "https://$addr/v2/" 2>/dev/null; then
                    die "$addr is already running but $TLS_DIR/ca.crt is missing: stop it, or pass the --dir it was started with"
                fi
            done
        fi
        make_tls
        trust_tls
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
        start_local_github
        log "ready: open registry $OPEN_ADDR, auth registry $AUTH_ADDR, TLS with the CA $TLS_DIR/ca.crt (credentials in $dir/auth-registry.env)$(github_health && echo ", local-github http://$GITHUB_ADDR (tokens in $dir/local-github.env)")"
        log "Node.js processes (tests, pulumi up) need: eval \"\$($0 env${dir:+ --dir $dir})\""
        ;;
    stop)
        [[ -d "$dir" ]] || exit 0
        # Storage is dropped only for a registry this script ran, so the next run starts clean; so is the CA
        # once no registry of ours serves its certificate.
        stopped=0
        for name in registry-auth registry-open; do
            if stop_pid "$name"; then
                rm -rf "${dir:?}/$name-storage"
                stopped=$((stopped + 1))
            fi
        done
        if ((stopped == 2)) && [[ -d "$TLS_DIR" ]]; then
            untrust_tls
            rm -rf "$TLS_DIR"
        fi
        # local-github's repositories go with the registries' storage, so the demo's next `up` starts clean.
        if [[ -f "$dir/local-github.pid" ]]; then
            "${LOCAL_GITHUB[@]}" stop --dir "$dir" || true
            rm -rf "${dir:?}/local-github" "$dir/local-github.env" "$dir/demo-launcher-pat"
        fi
        stop_pid buildkitd || true
        rm -f "${DOCKER_CONFIG:-$HOME/.docker}/buildx/instances/$BUILDER_NAME"
        stop_pid dockerd || true
        ;;
    status)
        docker_answers && echo "dockerd: answering" || echo "dockerd: not answering"
        echo "registry $OPEN_ADDR: GET https://$OPEN_ADDR/v2/ -> HTTP $(http_status "$OPEN_ADDR")"
        echo "registry $AUTH_ADDR: GET https://$AUTH_ADDR/v2/ -> HTTP $(http_status "$AUTH_ADDR")"
        echo "local-github $GITHUB_ADDR: GET http://$GITHUB_ADDR/_local/health -> HTTP $(github_status)"
        for f in "$dir"/*.pid; do
            [[ -f "$f" ]] && echo "started here: $(basename "$f" .pid) pid $(cat "$f")$(pid_alive "$f" || echo ' (dead)')"
        done
        ;;
    env) print_env ;;
esac
