#!/usr/bin/env bash
# Instructions per request, counted by callgrind (valgrind): unlike a
# latency, the count is the same from run to run whatever else the machine
# does, so two versions of the code compare on one number. The release
# server (built with line tables into its own target directory) runs under
# callgrind on a SQLite database of N service instances (100,000 unless N
# is set), every one IN_PROGRESS; a client sends 100 GetServiceInstance of
# random instances, 100 ListServiceInstances pages of 100 from random
# places, and 100 ListDeployments pages of 100 from the newest, and the
# counters are dumped around each batch. Prints a Markdown table for
# docs/performance.md.
#
# Needs valgrind (callgrind_control) and python3. The server listens on
# 127.0.0.1 and is stopped by its pid.
#
#   bash server/bench/instructions.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

N="${N:-100000}"
for tool in valgrind callgrind_control python3; do
    command -v "$tool" >/dev/null || { echo "instructions.sh needs $tool" >&2; exit 2; }
done

target="${CARGO_TARGET_DIR:-target}/callgrind"
CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --quiet --release \
    -p proton-cancel-server --bin proton-cancel-server --target-dir "$target"
server="$target/release/proton-cancel-server"

work="$(mktemp -d)"
pid=""
cleanup() {
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

python3 server/bench/instances_seed.py "$N" > "$work/seed.json"

# Waits for the server writing to $1 to listen; prints its port.
port_of() {
    for _ in $(seq 1 12000); do
        if grep -q "listening on http://127.0.0.1:" "$1" 2>/dev/null; then
            sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$1" | head -1
            return
        fi
        kill -0 "$pid" 2>/dev/null || { echo "the server did not start" >&2; exit 1; }
        sleep 0.1
    done
    echo "the server did not start in 20 minutes" >&2
    exit 1
}

# Seeds the database at full speed, then serves it under callgrind.
"$server" --port 0 --database "$work/state.db" --seed "$work/seed.json" \
    --never-finish-updates > "$work/seed.out" 2>/dev/null &
pid=$!
port_of "$work/seed.out" > /dev/null
kill "$pid"; wait "$pid" 2>/dev/null || true

valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%n" \
    "$server" --port 0 --database "$work/state.db" --never-finish-updates \
    > "$work/serve.out" 2> "$work/serve.err" &
pid=$!
port="$(port_of "$work/serve.out")"

# Sends `count` requests of `kind` on one connection; every answer must be
# a 200.
send() {
    python3 - "$port" "$N" "$1" "$2" <<'PY'
import http.client, json, random, sys
port, n, kind, count = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
random.seed(1)
c = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(count):
    i = random.randint(1, n)
    if kind == "get":
        op, body = "GetServiceInstance", {"serviceName": "shop", "name": f"i-{i}"}
    elif kind == "instances":
        token = f"service-instance/shop/i-{i}".encode().hex()
        op, body = "ListServiceInstances", {"maxResults": 100, "nextToken": token}
    else:
        op, body = "ListDeployments", {"maxResults": 100}
    c.request("POST", "/", json.dumps(body), {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AwsProton20200720." + op})
    r = c.getresponse()
    r.read()
    assert r.status == 200, (op, r.status)
PY
}

send get 5
callgrind_control --zero "$pid" > /dev/null 2>&1
counts=()
for kind in get instances deployments; do
    send "$kind" 100
    callgrind_control --dump "$pid" > /dev/null 2>&1
    dump="$(ls -t "$work"/callgrind.* | head -1)"
    counts+=("$(awk '/^totals:/ {printf "%.0f", $2 / 100}' "$dump")")
done

echo "| request | instructions per request | / Get's |"
echo "|---|---|---|"
names=("GetServiceInstance" "ListServiceInstances, page of 100" "ListDeployments, page of 100")
for i in 0 1 2; do
    echo "| ${names[$i]} | ${counts[$i]} | $(awk -v a="${counts[$i]}" -v b="${counts[0]}" 'BEGIN {printf "%.1f×", a / b}') |"
done
