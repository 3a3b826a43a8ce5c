#!/usr/bin/env bash
# The emulator under load, on each backend, next to the limits measured in
# the same run:
#   - Get and Cancel (GetServiceInstance, CancelServiceInstanceDeployment)
#     on memory, SQLite and PostgreSQL, driven by wrk over loopback;
#   - the same wrk load on a trivial axum JSON handler (the limit for the
#     in-memory backend);
#   - single-row write transactions on SQLite with the store's settings
#     (the limit for SQLite);
#   - pgbench's single-row update TPS on the same PostgreSQL (the limit for
#     PostgreSQL).
# Prints a Markdown table for docs/performance.md.
#
# Needs wrk (apt-get install wrk), pgbench and psql (PostgreSQL's client),
# and PostgreSQL at $PROTON_CANCEL_BENCH_POSTGRES (default: the machine's,
# postgres://postgres@127.0.0.1:5432/test). Every process it starts listens
# on 127.0.0.1 and is stopped by its pid.
#
#   bash server/bench/load.sh            # 10 s per measurement
#   DURATION=30 CONNECTIONS=32 bash server/bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
PG="${PROTON_CANCEL_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
for tool in wrk pgbench psql; do
    command -v "$tool" >/dev/null || { echo "load.sh needs $tool" >&2; exit 2; }
done

cargo build --quiet --release -p proton-cancel-server \
    --bin proton-cancel-server --example trivial_handler --example sqlite_writes

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

server=target/release/proton-cancel-server
held=(--never-finish-updates --never-start-cancellations)
ROUNDS="${ROUNDS:-3}"

# In memory, and its limit, in interleaved rounds (the machine is noisy:
# the same line can move by a quarter from one run to the next).
n=400000
seed "$n"
start "$server" --port 0 --database memory --seed "$work/seed-i-$n.json" "${held[@]}"
memory=$port
start target/release/examples/trivial_handler 0
trivial=$port
for round in $(seq 1 "$ROUNDS"); do
    port=$memory; get="$(load get "$n")"
    port=$trivial; limit="$(load get "$n")"
    row "round $round: memory: GetServiceInstance" "$get"
    row "round $round: limit: trivial axum JSON handler" "$limit"
    ratios+=("memory Get / trivial handler, round $round: $(ratio "$(rps "$get")" "$(rps "$limit")")")
done
stop
port=$memory
# Each instance is cancelled once: at over 40,000 cancels a second, 5 s stay
# inside the seed.
row "memory: CancelServiceInstanceDeployment (5 s)" "$(load cancel "$n" i 5)"
stop

# SQLite, and its limit.
n=50000
seed "$n"
start "$server" --port 0 --database "$work/state.db" --seed "$work/seed-i-$n.json" "${held[@]}"
row "SQLite: GetServiceInstance" "$(load get "$n")"
row "SQLite: CancelServiceInstanceDeployment" "$(load cancel "$n")"
stop
raw="$(target/release/examples/sqlite_writes "$work/raw.db" "$DURATION")"
row "limit: SQLite single-row write transactions (one connection)" \
    "$(awk '{printf "%s | %s ms | %s ms | -", $1, $4, $7}' <<<"$raw")"

# PostgreSQL, and its limit, in interleaved rounds. Each round starts a
# server that seeds its own PER_ROUND fresh instances (r1-…, r2-…, …),
# reads them, then cancels them, each once: the rows it cancels are rows
# this server wrote, as in a running service, so a cancel is one
# compare-and-set statement (the server's write cache). One more line
# cancels rows a server did not write (a restart between seeding and
# cancelling): a read, then the statement. PER_ROUND stays under the write
# cache's 100,000 rows; the cancel lines run 7 s, so that a server that
# cancels more than 12,800 a second still finds an IN_PROGRESS instance
# for every request.
PER_ROUND="${PER_ROUND:-90000}"
psql -q "$PG" -c "CREATE SCHEMA $schema" >/dev/null
sep='?'; [[ "$PG" == *\?* ]] && sep='&'
database="$PG${sep}options=-c%20search_path%3D$schema"
n=$PER_ROUND
psql -q "$PG" -c "CREATE TABLE $schema.rows (k INTEGER PRIMARY KEY, v BIGINT NOT NULL)" >/dev/null
psql -q "$PG" -c "INSERT INTO $schema.rows SELECT k, 0 FROM generate_series(1, $n) AS k" >/dev/null
printf '\\set k random(1, %s)\nUPDATE %s.rows SET v = v + 1 WHERE k = :k;\n' "$n" "$schema" > "$work/update.sql"
for round in $(seq 1 "$ROUNDS"); do
    seed "$n" "r$round"
    start "$server" --port 0 --database "$database" --seed "$work/seed-r$round-$n.json" "${held[@]}"
    row "round $round: PostgreSQL: GetServiceInstance" "$(load get "$n" "r$round")"
    cancel="$(load cancel "$n" "r$round" 7)"
    row "round $round: PostgreSQL: CancelServiceInstanceDeployment (7 s)" "$cancel"
    stop
    pg="$(pgbench -n -c "$CONNECTIONS" -j 1 -T "$DURATION" -f "$work/update.sql" "$PG" 2>&1)"
    tps="$(awk '/^tps = / {printf "%.0f", $3}' <<<"$pg")"
    avg="$(awk '/^latency average = / {print $4}' <<<"$pg")"
    row "round $round: limit: pgbench single-row UPDATE ($CONNECTIONS clients)" "$tps | $avg ms (average) | - | -"
    ratios+=("PostgreSQL Cancel / pgbench, round $round: $(ratio "$(rps "$cancel")" "$tps")")
done
seed "$n" u
start "$server" --port 0 --database "$database" --seed "$work/seed-u-$n.json" "${held[@]}"
stop
start "$server" --port 0 --database "$database" "${held[@]}"
row "PostgreSQL: CancelServiceInstanceDeployment of rows written before a restart" "$(load cancel "$n" u)"
stop

echo
echo "wrk -t1 -c$CONNECTIONS, ${DURATION} s per line, on $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| what | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
printf '%s\n' "${ratios[@]}"
if [[ -s "$invalid_file" ]]; then
    echo
    sed 's/^/INVALID: /' "$invalid_file"
    echo "(raise PER_ROUND, or shorten DURATION)"
    exit 1
fi
