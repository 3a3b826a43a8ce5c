#!/usr/bin/env bash
# The in-memory GetServiceInstance of two server builds next to the same
# limit, in one run: each round drives the build before a change, the build
# after it and the trivial axum JSON handler in turn (wrk, 16 connections,
# DURATION s each), and prints each build's ratio to the handler. This is
# how a change shows it adds no cost to the AWS request path.
#
#   bash server/bench/get_before_after.sh BEFORE_COMMIT   # builds both
#   bash server/bench/get_before_after.sh path/to/server  # a build at hand
#   ROUNDS=5 DURATION=10 bash server/bench/get_before_after.sh 1cef412
#
# Needs wrk. Every process it starts listens on 127.0.0.1 and is stopped by
# its pid.
set -euo pipefail
cd "$(dirname "$0")/../.."

BEFORE="${1:?give the commit (or the server binary) to compare with}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
ROUNDS="${ROUNDS:-3}"
PG="${PROTON_CANCEL_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
command -v wrk >/dev/null || { echo "get_before_after.sh needs wrk" >&2; exit 2; }

source server/bench/common.sh

if [[ -x "$BEFORE" && -f "$BEFORE" ]]; then
    cp "$BEFORE" "$work/before-server"
else
    # The build before, from a worktree and a target directory of its own
    # (removed at exit, with the rest of $work): sharing the workspace's
    # target directory let cargo take one build's workspace crates for the
    # other's (same names, same relative paths).
    git worktree add --quiet --detach "$work/before" "$BEFORE"
    trap 'git worktree remove --force "$work/before" 2>/dev/null || true; cleanup' EXIT
    (cd "$work/before" && CARGO_TARGET_DIR="$work/before-target" \
        cargo build --quiet --release -p proton-cancel-server)
    cp "$work/before-target/release/proton-cancel-server" "$work/before-server"
fi
cargo build --quiet --release -p proton-cancel-server \
    --bin proton-cancel-server --example trivial_handler

n=400000
seed "$n"
held=(--never-finish-updates --never-start-cancellations)
start "$work/before-server" --port 0 --database memory \
    --seed "$work/seed-i-$n.json" "${held[@]}"
before=$port
start target/release/proton-cancel-server --port 0 --database memory \
    --seed "$work/seed-i-$n.json" "${held[@]}"
after=$port
start target/release/examples/trivial_handler 0
trivial=$port

echo "| round | before: Get req/s | after: Get req/s | trivial handler req/s | before / handler | after / handler |"
echo "|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
    port=$before; b="$(rps "$(load get "$n")")"
    port=$after; a="$(rps "$(load get "$n")")"
    port=$trivial; t="$(rps "$(load get "$n")")"
    echo "| $round | $b | $a | $t | $(ratio "$b" "$t") | $(ratio "$a" "$t") |"
done
if [[ -s "$invalid_file" ]]; then
    sed 's/^/INVALID: /' "$invalid_file"
    exit 1
fi
