# shellcheck shell=bash
# The command line of scripts/services.sh and scripts/local-github.sh, parsed in one place (sourced by both):
#   SCRIPT ACTION [--dir DIR]
# `parse_service_args "start stop status" "$@"` sets `action` and `dir` (default $UW3_BINDER_SERVICES_DIR,
# else /tmp/uw3-binder-services); anything else prints the usage and exits 2.

service_usage() {
    echo "usage: $0 ${1// /|} [--dir DIR]" >&2
    exit 2
}

parse_service_args() {
    local actions="$1"
    shift
    action="${1:-}"
    [[ -n "$action" && " $actions " == *" $action "* ]] || service_usage "$actions"
    shift
    dir="${UW3_BINDER_SERVICES_DIR:-/tmp/uw3-binder-services}"
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --dir)
                [[ $# -ge 2 ]] || service_usage "$actions"
                dir="$2"
                shift 2
                ;;
            *) service_usage "$actions" ;;
        esac
    done
}
