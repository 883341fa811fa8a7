# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# api_lib.sh - helpers shared by the apid tests (sourced after
# tests/lib/common.sh and omkt_setup).

# start_apid [EXTRA_APID_LINES] - apid on an ephemeral port; sets $API
# (http://127.0.0.1:PORT) and $APID_LOG.
start_apid() {
    printf '\n[apid]\nport = 0\nthreads = 2\n%s\n' "${1:-}" >> "$CONF"
    start apid "$OMKT_BIN/apid" -c "$CONF"
    export APID_PID=$LAST_PID
    APID_LOG=$LAST_LOG
    if ! wait_for 20 grep -q "listening on" "$APID_LOG"; then
        echo "not ok - apid did not start"; cat "$APID_LOG"; exit 1
    fi
    API=http://127.0.0.1:$(sed -n 's/.*listening on [^ ]*:\([0-9]*\).*/\1/p' "$APID_LOG" | head -1)
}

# new_account EMAIL [ARGS...] - prints the API key of a new account.
new_account() {
    local email=$1; shift
    ctl account add --email "$email" --url "http://127.0.0.1:9/cb" \
        --client-key "ck-$email" "$@" | grep -oE '[0-9a-f]{32}' | head -1
}

# omkt ARGS... - GET /api/ with curl args; prints "STATUS BODY".
omkt() {
    local out
    out=$(curl -s -o "$T/body" -w '%{http_code}' -G "$API/api/" "$@")
    printf '%s %s' "$out" "$(cat "$T/body")"
}

# omkt_post ARGS... - POST form to /api/.
omkt_post() {
    local out
    out=$(curl -s -o "$T/body" -w '%{http_code}' "$API/api/" "$@")
    printf '%s %s' "$out" "$(cat "$T/body")"
}

# jq_get JSON FILTER - one value with python (no jq dependency).
jget() {
    python3 -c 'import json,sys
d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    if k == "": continue
    d = d[int(k)] if isinstance(d, list) else d[k]
print(json.dumps(d) if isinstance(d,(dict,list)) else d)' "$1" "$2" 2>/dev/null
}

# n STATE - test jobs in STATE.
n() { sql "SELECT COUNT(*) FROM jobs WHERE task = 'test' AND state = '$1'"; }

# job_mix DONE FAILED SLEEPING - real test jobs for the operator pages:
# DONE that succeed, FAILED that fail for good, SLEEPING that run for
# minutes, worked by two qworkers; checks they settle (2 running, the
# other sleepers queued).
job_mix() {
    local i
    for ((i = 0; i < $1; i++)); do ctl jobs enqueue test >/dev/null; done
    ctl jobs enqueue test --payload fail --max-attempts 1 --count "$2" >/dev/null
    ctl jobs enqueue test --payload sleep_ms=120000 --count "$3" >/dev/null
    start qworker "$OMKT_BIN/tests/qworker" -c "$CONF"
    start qworker "$OMKT_BIN/tests/qworker" -c "$CONF"
    check "workers settle: $1 done, $2 failed, 2 running, $(($3 - 2)) queued" \
        wait_for 30 mix_settled "$1" "$2"
}

# mix_settled DONE FAILED - the job mix has settled.
mix_settled() { [ "$(n "done")" = "$1" ] && [ "$(n failed)" = "$2" ] && [ "$(n running)" = 2 ]; }
