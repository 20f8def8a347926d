/**
 * The one HTTP probe run inside a container (`docker exec`), so inside its own network namespace, which has
 * nothing but loopback: the container has no network, and nothing on the host is probed or exposed. The
 * `jupyter` check polls with it until the server answers; a rehearsal asks once per round (`once`), watching
 * the container between rounds. Pure text and parsing.
 */

export const PROBE_MARK = "@@uw3-binder-probe:";

/**
 * Polls http://127.0.0.1:$1$4 from inside the container (so inside its own network namespace, which has
 * nothing but loopback) until an answer ends in HTTP 200 after redirects (Jupyter sends `/` to `/lab`,
 * then to `/login`). It uses whatever HTTP client the image has: curl (the Underworld3 base image
 * installs it), wget (busybox), or Python's urllib (every Jupyter image has Python; `$2` is the `import`
 * check's interpreter). Prints `@@uw3-binder-probe: client <name>@@` first, `... status <code>@@` when a
 * non-200 answer changes, `... 200@@` and exits 0 on success, `... no-client@@` and exits 3 without a client.
 * With `$3` = `once` it asks one time and exits 0 whatever the answer (none: no status line). `$4` is the
 * path (default `/`); with `$5` = `first` redirects are not followed and the first answer's status counts
 * (as JupyterHub's readiness request does).
 * wget gets no `-T`: busybox 1.35's static wget (Debian 12's busybox-static) crashes with it; a hanging
 * request is ended with the whole exec at the start budget.
 */
export const HTTP_PROBE_SCRIPT = [
    'port=$1; py=$2; once=$3; url="http://127.0.0.1:$port${4:-/}"; redirects=${5:-last}',
    "if command -v curl >/dev/null 2>&1; then client=curl",
    "elif command -v wget >/dev/null 2>&1; then client=wget",
    "elif command -v python3 >/dev/null 2>&1; then client=python3",
    'elif command -v "$py" >/dev/null 2>&1; then client=$py',
    `else echo '${PROBE_MARK} no-client@@'; exit 3; fi`,
    `echo "${PROBE_MARK} client $client@@"`,
    "last=",
    "while :; do",
    "  case $client in",
    '  curl) if [ "$redirects" = first ]; then follow=; else follow=-L; fi',
    "        status=$(curl -s $follow -o /dev/null -w '%{http_code}' --max-time 2 \"$url\" 2>/dev/null) ;;",
    '  wget) if [ "$redirects" = first ]; then pick="head -n 1"; else pick="tail -n 1"; fi',
    "        status=$(wget -S -O /dev/null \"$url\" 2>&1 | sed -n 's/^ *HTTP\\/[0-9.]* \\([0-9][0-9][0-9]\\).*/\\1/p' | $pick) ;;",
    '  *) status=$("$client" -c \'import sys, urllib.request, urllib.error',
    "class First(urllib.request.HTTPRedirectHandler):",
    "    def redirect_request(self, *args):",
    "        return None",
    'opener = urllib.request.build_opener(*([First] if sys.argv[2] == "first" else []))',
    "try:",
    "    print(opener.open(sys.argv[1], timeout=2).status)",
    "except urllib.error.HTTPError as e:",
    "    print(e.code)",
    "except Exception:",
    '    pass\' "$url" "$redirects" 2>/dev/null) ;;',
    "  esac",
    `  if [ "$status" = 200 ]; then echo '${PROBE_MARK} 200@@'; exit 0; fi`,
    `  if [ -n "$status" ] && [ "$status" != 000 ] && [ "$status" != "$last" ]; then echo "${PROBE_MARK} status $status@@"; last=$status; fi`,
    '  if [ "$once" = once ]; then exit 0; fi',
    "  sleep 0.2 2>/dev/null || sleep 1",
    "done",
].join("\n");

/** What HTTP_PROBE_SCRIPT reported so far (pure). */
export interface ProbeReport {
    client?: string;
    noClient: boolean;
    answered: boolean;
    /** The last non-200 status seen, e.g. "403". */
    lastStatus?: string;
}

export function parseProbeOutput(stdout: string): ProbeReport {
    const report: ProbeReport = { noClient: false, answered: false };
    for (const line of stdout.split("\n")) {
        const m = /^@@uw3-binder-probe: (.*)@@$/.exec(line.trim());
        if (!m) continue;
        if (m[1] === "no-client") report.noClient = true;
        else if (m[1] === "200") report.answered = true;
        else if (m[1].startsWith("client ")) report.client = m[1].slice("client ".length);
        else if (/^status \d{3}$/.test(m[1])) report.lastStatus = m[1].slice("status ".length);
    }
    return report;
}
