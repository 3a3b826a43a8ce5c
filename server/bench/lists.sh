#!/usr/bin/env bash
# A page of a list next to a Get, on a database of 100,000 resources: on
# SQLite and on PostgreSQL, wrk drives GetServiceInstance (a random
# instance), ListServiceInstances and ListDeployments (a page of 100 from a
# random place in the list, through its page token). The seed holds N
# service instances (100,000 unless N is set), every one IN_PROGRESS, so
# there are as many deployment records. Prints a Markdown table for
# docs/performance.md: requests/s, p50 and p99 of each, and each page's
# p50 and p99 as a multiple of the Get's.
#
# Needs wrk (apt-get install wrk) and psql, and PostgreSQL at
# $PROTON_CANCEL_BENCH_POSTGRES (default: the machine's,
# postgres://postgres@127.0.0.1:5432/test). Every process it starts listens
# on 127.0.0.1 and is stopped by its pid.
#
#   bash server/bench/lists.sh            # 10 s per line, 4 connections
set -euo pipefail
cd "$(dirname "$0")/../.."

N="${N:-100000}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-4}"
PG="${PROTON_CANCEL_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
for tool in wrk psql; do
    command -v "$tool" >/dev/null || { echo "lists.sh needs $tool" >&2; exit 2; }
done

cargo build --quiet --release -p proton-cancel-server --bin proton-cancel-server

work="$(mktemp -d)"
schema="bench_lists_$$"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    psql -q "$PG" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

python3 server/bench/instances_seed.py "$N" > "$work/seed.json"

# Starts the server on `database`; sets $port and remembers its pid.
start() {
    local out="$work/out-$RANDOM"
    target/release/proton-cancel-server --port 0 --database "$1" --seed "$work/seed.json" \
        --never-finish-updates > "$out" 2> "$work/err-$RANDOM" &
    pids+=("$!")
    for _ in $(seq 1 12000); do
        if grep -q "listening on http://127.0.0.1:" "$out" 2>/dev/null; then
            port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$out" | head -1)"
            return
        fi
        kill -0 "${pids[-1]}" 2>/dev/null || { echo "the server did not start on $1" >&2; exit 1; }
        sleep 0.1
    done
    echo "the server did not start on $1 in 20 minutes" >&2
    exit 1
}

stop() {
    kill "${pids[-1]}" 2>/dev/null || true
    wait "${pids[-1]}" 2>/dev/null || true
    unset 'pids[-1]'
}

# wrk with `script` against $port; prints "req/s p50 p99" (latencies in
# ms). Every answer must be a 2xx, or the run fails.
load() {
    local out rps p50 p99 bad
    out="$(N="$N" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "server/bench/$1.lua" "http://127.0.0.1:$port/")"
    bad="$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")"
    if [[ -n "$bad" && "$bad" != 0 ]]; then
        echo "$1: $bad answers were not 2xx" >&2
        exit 1
    fi
    rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")"
    p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
    p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
    echo "$rps $(ms "$p50") $(ms "$p99")"
}

# wrk's latency (750.00us, 1.20ms, 2.00s) in milliseconds.
ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else { sub(/s$/, "", v); printf "%.3f", v * 1000 } }'
}

echo "| backend | what | requests/s | p50 | p99 | p50 / Get's | p99 / Get's |"
echo "|---|---|---|---|---|---|---|"
measure() {
    local name="$1" get page
    read -r g_rps g_p50 g_p99 <<<"$(load get)"
    echo "| $name | GetServiceInstance | $g_rps | $g_p50 ms | $g_p99 ms | 1 | 1 |"
    for script in list_instances list_deployments; do
        read -r rps p50 p99 <<<"$(load "$script")"
        local what="ListServiceInstances, page of 100"
        [[ "$script" == list_deployments ]] && what="ListDeployments, page of 100"
        echo "| $name | $what | $rps | $p50 ms | $p99 ms | $(awk -v a="$p50" -v b="$g_p50" 'BEGIN {printf "%.1f×", a / b}') | $(awk -v a="$p99" -v b="$g_p99" 'BEGIN {printf "%.1f×", a / b}') |"
    done
}

start "$work/state.db"
measure "SQLite"
stop

psql -q "$PG" -c "CREATE SCHEMA $schema" >/dev/null
sep='?'; [[ "$PG" == *\?* ]] && sep='&'
start "$PG${sep}options=-c%20search_path%3D$schema"
# As after any bulk load (and as autovacuum does in time, on its own
# schedule): the planner learns the tables' sizes, and the visibility map
# lets a page of a list be read from the index alone.
for table in resources deployments; do
    psql -q "$PG" -c "VACUUM ANALYZE $schema.$table" >/dev/null
done
measure "PostgreSQL"
stop
