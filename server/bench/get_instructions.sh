#!/usr/bin/env bash
# Instructions per in-memory GetServiceInstance of each server binary
# given, counted by callgrind: the same from run to run whatever else the
# machine does, so two builds compare on one number where a wrk ratio
# moves by several points from round to round. Each binary serves 10,000
# IN_PROGRESS instances in memory; a client sends 5 requests to warm it,
# then 200 Gets of random instances (the same ones for every binary), and
# the counters of those 200 are divided by 200. A binary given as
# `path:--flag` runs with that flag (`target/release/proton-cancel-server:--no-control`).
#
#   bash server/bench/get_instructions.sh /tmp/before-server target/release/proton-cancel-server
#
# Needs valgrind and python3. Every server listens on 127.0.0.1 and is
# stopped by its pid.
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in valgrind callgrind_control python3; do
    command -v "$tool" >/dev/null || { echo "get_instructions.sh needs $tool" >&2; exit 2; }
done
[[ $# -ge 1 ]] || { echo "give one or more server binaries" >&2; exit 2; }

N=10000
work="$(mktemp -d)"
pid=""
cleanup() {
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
python3 server/bench/instances_seed.py "$N" > "$work/seed.json"

echo "| server | instructions per memory Get |"
echo "|---|---|"
for given in "$@"; do
    server="${given%%:*}"
    flags=()
    [[ "$given" == *:* ]] && flags=("${given#*:}")
    rm -f "$work"/callgrind.* "$work/serve.out"
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%n" \
        "$server" "${flags[@]}" --port 0 --database memory --seed "$work/seed.json" --never-finish-updates \
        > "$work/serve.out" 2>/dev/null &
    pid=$!
    port=""
    for _ in $(seq 1 6000); do
        port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/serve.out" | head -1)"
        [[ -n "$port" ]] && break
        sleep 0.1
    done
    [[ -n "$port" ]] || { echo "$server did not start" >&2; exit 1; }
    get() {
        python3 - "$port" "$N" "$1" <<'PY'
import http.client, json, random, sys
port, n, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
random.seed(1)
c = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(count):
    body = {"serviceName": "shop", "name": f"i-{random.randint(1, n)}"}
    c.request("POST", "/", json.dumps(body), {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AwsProton20200720.GetServiceInstance"})
    r = c.getresponse()
    r.read()
    assert r.status == 200, r.status
PY
    }
    get 5
    callgrind_control --zero "$pid" > /dev/null 2>&1
    get 200
    callgrind_control --dump "$pid" > /dev/null 2>&1
    dump="$(ls -t "$work"/callgrind.* | head -1)"
    echo "| \`$given\` | $(awk '/^totals:/ {printf "%.0f", $2 / 200}' "$dump") |"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    pid=""
done
