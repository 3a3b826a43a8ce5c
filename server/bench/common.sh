# What the load scripts share (sourced, from the workspace root, after
# DURATION, CONNECTIONS and PG are set): a work directory and a PostgreSQL
# schema removed at exit, seeds of IN_PROGRESS instances, processes started
# on 127.0.0.1 and stopped by their pid, wrk lines that must all answer
# 2xx, and ratios.

work="$(mktemp -d)"
schema="bench_$$"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    psql -q "$PG" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# A seed of N service instances named PREFIX-1 … PREFIX-N (PREFIX: i
# unless given), every one IN_PROGRESS, in $work/seed-PREFIX-N.json.
seed() {
    python3 - "$1" "${2:-i}" > "$work/seed-${2:-i}-$1.json" <<'EOF'
import json, sys
n, prefix = int(sys.argv[1]), sys.argv[2]
print(json.dumps({"serviceInstances": [
    {"serviceName": "shop", "name": f"{prefix}-{i}", "environmentName": "prod",
     "templateName": "t", "templateMajorVersion": "1", "templateMinorVersion": "0",
     "spec": "s", "deploymentStatus": "IN_PROGRESS"} for i in range(1, n + 1)]}))
EOF
}

# Starts a command that prints "listening on http://127.0.0.1:PORT"; sets
# $port and remembers its pid.
start() {
    local out="$work/out-$RANDOM"
    "$@" > "$out" 2> "$work/err-$RANDOM" &
    pids+=("$!")
    for _ in $(seq 1 6000); do
        if grep -q "listening on http://127.0.0.1:" "$out" 2>/dev/null; then
            port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$out" | head -1)"
            return
        fi
        kill -0 "${pids[-1]}" 2>/dev/null || { echo "failed to start: $*" >&2; exit 1; }
        sleep 0.1
    done
    echo "did not start: $*" >&2
    exit 1
}

stop() {
    kill "${pids[-1]}" 2>/dev/null || true
    wait "${pids[-1]}" 2>/dev/null || true
    unset 'pids[-1]'
}

# wrk with `script` against $port over instances PREFIX-1 … PREFIX-N
# (arguments: script N [PREFIX]); prints "req/s | p50 | p99 | non-2xx".
# Every answer must be a 2xx: a cancel line that runs out of IN_PROGRESS
# instances (409) or names (404) measures something else, and fails the
# run at the end.
# load runs inside $(…), a subshell: it records invalid lines in a file,
# which the end of the script reads.
invalid_file="$work/invalid"
load() {
    local out
    out="$(PREFIX="${3:-i}" N="$2" wrk -t1 -c"$CONNECTIONS" -d"${4:-$DURATION}s" --latency -s "server/bench/$1.lua" "http://127.0.0.1:$port/")"
    local rps p50 p99 bad
    rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")"
    p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
    p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
    bad="$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")"
    if [[ -n "$bad" && "$bad" != 0 ]]; then
        echo "$1 on ${3:-i}-1 … ${3:-i}-$2: $bad answers were not 2xx" >>"$invalid_file"
    fi
    echo "$rps | $p50 | $p99 | ${bad:-0}"
}

rows=()
row() { rows+=("| $1 | $2 |"); }
ratios=()
# The first field (requests/s) of a row's figures.
rps() { cut -d'|' -f1 <<<"$1" | tr -d ' '; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f %%", 100 * a / b}'; }
