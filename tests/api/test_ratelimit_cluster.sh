#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_ratelimit_cluster - the per-account rate limit holds across apids:
# two apids on one database, calls sent to both in turn, accept about the
# account's limit in total (not twice it), and every accepted call ends
# up counted once in api_rate.  Counts another apid wrote are honoured.
# While api_rate cannot be written, apid keeps answering, counting its
# own calls only, says so once, and catches up when it is back.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_ratelimit_cluster
ctl db init >/dev/null || exit 1
K=$(new_account a@example.com --rate 20)
KO=$(new_account o@example.com --rate 20)
KS=$(new_account s@example.com --rate 5)
id_of() { sql "SELECT id FROM accounts WHERE email = '$1'"; }
cp "$CONF" "$T/base.conf"
start_apid
API1=$API LOG1=$APID_LOG
CONF=$T/omkt2.conf
cp "$T/base.conf" "$CONF"
start_apid
API2=$API

get() { # get API KEY - the status of a rate-limited REST call
    curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $2" "$1/v1/media"
}

# 1. 40 calls, alternately to each apid, pausing for a flush every four.
ok1=0 ok2=0 refused1=0 refused2=0
for i in $(seq 1 20); do
    if [ "$(get "$API1" "$K")" = 200 ]; then ok1=$((ok1 + 1)); else refused1=$((refused1 + 1)); fi
    if [ "$(get "$API2" "$K")" = 200 ]; then ok2=$((ok2 + 1)); else refused2=$((refused2 + 1)); fi
    [ $((i % 2)) = 0 ] && sleep 0.6
done
total=$((ok1 + ok2))
echo "# accepted: $ok1 + $ok2 = $total of 40 (limit 20)"
check "about the limit in total, not twice it (20..24)" test "$total" -ge 20 -a "$total" -le 24
check "both apids refused some" test "$refused1" -gt 0 -a "$refused2" -gt 0
counted() { [ "$(sql "SELECT IFNULL(SUM(calls), 0) FROM api_rate WHERE account_id = $(id_of a@example.com)")" = "$total" ]; }
check "api_rate counts each accepted call once" wait_for 5 counted

# 2. Calls another apid counted (this minute and the last) are honoured.
o=$(id_of o@example.com)
sql "INSERT INTO api_rate VALUES ($o, UNIX_TIMESTAMP() DIV 60, 20), ($o, UNIX_TIMESTAMP() DIV 60 - 1, 20)"
check_eq "first call: judged locally" "$(get "$API1" "$KO")" 200
sleep 1.2
check_eq "after a flush: the cluster's calls count" "$(get "$API1" "$KO")" 429

# 3. api_rate unwritable: local counting, one warning, then catch-up.
sql "RENAME TABLE api_rate TO api_rate_away"
sleep 1.2
codes=""
for i in $(seq 1 7); do codes="$codes $(get "$API1" "$KS")"; sleep 0.2; done
check_eq "table away: local limit of 5 still applies" "$codes" " 200 200 200 200 200 429 429"
check_eq "warned once" "$(grep -c 'rate limit: database unavailable' "$LOG1")" 1
sql "RENAME TABLE api_rate_away TO api_rate"
back() { grep -q 'rate limit: database back' "$LOG1"; }
check "recovery logged" wait_for 5 back
caught_up() { [ "$(sql "SELECT IFNULL(SUM(calls), 0) FROM api_rate WHERE account_id = $(id_of s@example.com)")" = 5 ]; }
check "calls made meanwhile are written" wait_for 5 caught_up
check "apids still running" kill -0 "$APID_PID"
