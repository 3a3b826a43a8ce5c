#!/usr/bin/env bash
# Measures how long `aws proton wait service-instance-deployed` and
# `proton-cancel cancel --wait` take to report each staged cancel race,
# against the emulator on 127.0.0.1 (docs/client.md has the figures).
#
#   cargo build -p proton-cancel-server -p proton-cancel-client
#   bash client/bench/waits.sh            # needs the AWS CLI on PATH
#
# The AWS CLI's waiter is stopped after AWS_WAIT_LIMIT seconds (default
# 120): on CANCELLED it would otherwise poll 999 times, 5 s apart.
set -uo pipefail
cd "$(dirname "$0")/../.."
limit="${AWS_WAIT_LIMIT:-120}"
port=7399
seed="$(mktemp --suffix .json)"
log="$(mktemp)"
trap 'kill "$server" 2>/dev/null; rm -f "$seed" "$log"' EXIT

instance() { # name status engine
    printf '{"serviceName":"shop","name":"%s","environmentName":"prod","templateName":"t","templateMajorVersion":"1","templateMinorVersion":"0","deploymentStatus":"%s","engine":%s}' "$1" "$2" "$3"
}
held='{"updateAfterMs":null}'
failing='{"updateAfterMs":null,"cancelResult":"FAILED"}'
winning='{"updateAfterMs":10000,"cancelStartAfterMs":null}'
printf '{"engine":{"cancelStartAfterMs":1000,"cancelFinishAfterMs":2000},"serviceInstances":[%s,%s,%s,%s,%s,%s]}' \
    "$(instance cancelled-aws IN_PROGRESS "$held")" "$(instance cancelled-tool IN_PROGRESS "$held")" \
    "$(instance failed-aws IN_PROGRESS "$failing")" "$(instance failed-tool IN_PROGRESS "$failing")" \
    "$(instance won-aws SUCCEEDED "$winning")" "$(instance won-tool SUCCEEDED "$winning")" > "$seed"
target/debug/proton-cancel-server --port "$port" --database memory --seed "$seed" > /dev/null 2> "$log" &
server=$!
sleep 1

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
aws=(aws proton --endpoint-url "http://127.0.0.1:$port")
tool=(target/debug/proton-cancel --endpoint-url "http://127.0.0.1:$port")

measure() { # label command...
    local start end code
    start=$(date +%s.%N)
    "${@:2}" > /dev/null 2>&1
    code=$?
    end=$(date +%s.%N)
    printf '%-42s exit %3s after %6.1f s\n' "$1" "$code" "$(echo "$end - $start" | bc)"
}

race() { # race
    local r=$1
    if [ "$r" = won ]; then
        "${aws[@]}" update-service-instance --service-name shop --name "$r-aws" \
            --deployment-type CURRENT_VERSION --spec 'v: 2' > /dev/null
        "${aws[@]}" update-service-instance --service-name shop --name "$r-tool" \
            --deployment-type CURRENT_VERSION --spec 'v: 2' > /dev/null
    fi
    "${aws[@]}" cancel-service-instance-deployment --service-name shop \
        --service-instance-name "$r-aws" > /dev/null
    measure "$r: aws proton wait service-instance-deployed" \
        timeout "$limit" "${aws[@]}" wait service-instance-deployed --service-name shop --name "$r-aws" &
    waits+=($!)
    measure "$r: proton-cancel cancel --wait" \
        "${tool[@]}" cancel service-instance --service shop --name "$r-tool" --wait &
    waits+=($!)
}

waits=()

race cancelled
race failed
race won
wait "${waits[@]}"
