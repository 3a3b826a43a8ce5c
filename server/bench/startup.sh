#!/usr/bin/env bash
# Start-up time: from process start to the first answered request, for the
# emulator in memory, on a new SQLite file with the example seed, and on
# PostgreSQL with the example seed, next to moto's server answering its
# first request (docs/performance.md, "Start-up"). Each process is started
# on 127.0.0.1 by startup.py and stopped by its pid.
#
#   cargo build --release -p proton-cancel-server
#   python3 -m venv /tmp/moto && /tmp/moto/bin/pip install 'moto[server]'
#   MOTO=/tmp/moto/bin/moto_server bash server/bench/startup.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS="${RUNS:-20}"
BIN="${BIN:-target/release/proton-cancel-server}"
MOTO="${MOTO:-moto_server}"
PG="${PROTON_CANCEL_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
SEED=server/seed.example.json

work="$(mktemp -d)"
schema="startup_$$"
cleanup() {
    psql -q "$PG" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
psql -q "$PG" -c "CREATE SCHEMA $schema" >/dev/null
sep='?'
[[ "$PG" == *\?* ]] && sep='&'
database="$PG${sep}options=-c%20search_path%3D$schema"

run() { python3 server/bench/startup.py "$@"; }

echo "| what | runs | median (ms) | max (ms) | min (ms) |"
echo "|---|---|---|---|---|"
run "emulator, memory" "$RUNS" aws -- "$BIN" --port '{port}' --database memory
run "emulator, SQLite, example seed, a new file each run" "$RUNS" aws -- \
    "$BIN" --port '{port}' --database "$work/{port}.db" --seed "$SEED"
run "emulator, PostgreSQL, example seed (the first run migrates the schema)" "$RUNS" aws -- \
    "$BIN" --port '{port}' --database "$database" --seed "$SEED"
run "moto_server, first answer to GET /" "$RUNS" get -- "$MOTO" -p '{port}'
run "moto_server, first AWS call (STS GetCallerIdentity)" "$RUNS" sts -- "$MOTO" -p '{port}'
