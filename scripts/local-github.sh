#!/usr/bin/env bash
# Starts / stops local-github (services/local-github): GitHub's REST API as the Pulumi GitHub provider calls it,
# under http://127.0.0.1:5080/api/v3/, git smart HTTP (git clone http://127.0.0.1:5080/OWNER/REPO.git) and a control
# API under /_local/ (faults, request log, opened secrets).
#
# Usage: scripts/local-github.sh start|stop|status [--dir DIR]    (DIR defaults to $UW3_BINDER_SERVICES_DIR, then
#        /tmp/uw3-binder-services, as scripts/services.sh)
#
# `start` writes, once, $DIR/local-github/accounts.json (mode 600): a user `uw3-binder-bot` with a random token,
# member of the organization `underworldcode` (the launcher's `github:owner`); then $DIR/local-github.env:
#   LOCAL_GITHUB_URL, LOCAL_GITHUB_BASE_URL (the stack's `github:baseUrl`), LOCAL_GITHUB_TOKEN, LOCAL_GITHUB_USER,
#   LOCAL_GITHUB_ORG. Repositories live in $DIR/local-github/data. LOCAL_GITHUB_PORT overrides the port.
# Idempotent: `start` leaves a server that already answers alone; `stop` stops only the process it recorded.
set -euo pipefail

# shellcheck source=lib/service-args.sh
source "$(dirname "$0")/lib/service-args.sh"
parse_service_args "start stop status" "$@"

port="${LOCAL_GITHUB_PORT:-5080}"
[[ "$port" =~ ^[0-9]{1,5}$ ]] && ((port > 0 && port < 65536)) || {
    echo "local-github: LOCAL_GITHUB_PORT must be 1 to 65535, got '$port'" >&2
    exit 2
}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="$dir/local-github"
pidfile="$dir/local-github.pid"
logfile="$dir/local-github.log"
envfile="$dir/local-github.env"
url="http://127.0.0.1:$port"

log() { echo "local-github: $*" >&2; }

pid_alive() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

token() { sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$home/accounts.json" | head -n 1; }

answers() {
    [[ -f "$home/accounts.json" ]] || return 1
    [[ "$(curl --silent --output /dev/null --max-time 2 --write-out '%{http_code}' \
        --header "Authorization: token $(token)" "$url/_local/health" 2>/dev/null || true)" == 200 ]]
}

start() {
    mkdir -p "$home"
    if [[ ! -f "$home/accounts.json" ]]; then
        (
            umask 077
            printf '{\n  "users": [{ "login": "uw3-binder-bot", "token": "lgh_%s", "name": "uw3-binder bot", "email": "uw3-binder-bot@example.org" }],\n  "orgs": [{ "login": "underworldcode", "members": ["uw3-binder-bot"] }]\n}\n' \
                "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$home/accounts.json"
        )
    fi
    (
        umask 077
        printf 'LOCAL_GITHUB_URL=%s\nLOCAL_GITHUB_BASE_URL=%s/\nLOCAL_GITHUB_TOKEN=%s\nLOCAL_GITHUB_USER=uw3-binder-bot\nLOCAL_GITHUB_ORG=underworldcode\n' \
            "$url" "$url" "$(token)" >"$envfile"
    )
    if answers; then
        log "already answering on $url"
        return
    fi
    local cmd=(node "$root/dist/services/local-github/main.js")
    [[ -f "$root/dist/services/local-github/main.js" ]] || cmd=("$root/node_modules/.bin/ts-node" --transpile-only "$root/services/local-github/main.ts")
    nohup "${cmd[@]}" --dir "$home/data" --accounts "$home/accounts.json" --host 127.0.0.1 --port "$port" >"$logfile" 2>&1 &
    echo $! >"$pidfile"
    local deadline=$((SECONDS + 30))
    until answers; do
        if ! pid_alive; then
            rm -f "$pidfile"
            log "error: exited while starting; end of $logfile:"
            tail -n 5 "$logfile" >&2
            exit 1
        fi
        ((SECONDS < deadline)) || {
            log "error: not answering on $url within 30 s; see $logfile"
            exit 1
        }
        sleep 0.1
    done
    log "answering on $url (env in $envfile)"
}

stop() {
    if pid_alive; then
        kill "$(cat "$pidfile")"
        log "stopped"
    fi
    rm -f "$pidfile"
}

status() {
    if answers; then
        echo "local-github: answering on $url"
    else
        echo "local-github: not answering on $url"
        return 1
    fi
}

"$action"
