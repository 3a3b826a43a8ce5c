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

# The helpers every load script shares: a work directory, seeds, starting
# and stopping processes by pid, wrk lines and ratios.
source server/bench/common.sh


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
