#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_callback_policy - what notifierd may call and when it stops trying.
# 1. The address policy of downloads covers callbacks: with allow_private
#    off (the default), a notify_url POST and an account-URL GET to
#    127.0.0.1 fail at once with a reason naming the address, and no
#    request reaches the CMS; transcoder_cron pings are not sent either.
#    With allow_private = yes the same callbacks are delivered.
# 2. A CMS answering {"result":{"code":226}} (the original client's
#    "Unknown action requested") is final: failed after one request.
# 3. transcoder_cron pings accounts in parallel: a CMS taking 8 s to
#    answer does not delay another account's ping, and is not cut before
#    the reference's 240 s.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup cbpolicy
conf() { # conf ALLOW_PRIVATE
    write_conf "$CONF" "
[notifierd]
allow_private = $1
workers = 2
timeout = 6s
max_attempts = 10
retry_base = 200ms
retry_max = 400ms
cron_interval = 2s"
}
conf no
ctl db init >/dev/null
cms_start
acc=$(account_add pol)
log() { python3 "$TOP/tests/pipeline/cmslog.py" "$CMS_LOG" "$@"; }
notify() { # notify PAYLOAD: a notify job for $acc; prints its id
    sql "INSERT INTO jobs (task, account_id, max_attempts, priority, payload)
        VALUES ('notify', $acc, 10, 10, '$1'); SELECT LAST_INSERT_ID()"
}
jstate() { sql "SELECT CONCAT(state, ' ', attempts) FROM jobs WHERE id = $1"; }
jerror() { sql "SELECT error FROM jobs WHERE id = $1"; }
jdone() { case $(jstate "$1") in done*|failed*) return 0 ;; esac; return 1; }
url_job() {
    notify "{\"kind\":\"url\",\"url\":\"http://127.0.0.1:$CMS_PORT/hook?n=$1\",\"body\":{\"media_id\":$1,\"status\":\"ok\"}}"
}
omkt_job() {
    notify "{\"kind\":\"omkt\",\"action\":\"transcoder_send_metadata\",\"params\":{\"id\":\"$1\",\"metadata\":\"{}\"}}"
}

# 1. Refused while allow_private is off.
start notifierd "$OMKT_BIN/notifierd" -c "$CONF"
NT=$LAST_PID
u=$(url_job 1)
o=$(omkt_job 2)
check "notify_url to loopback: finished" wait_for 10 jdone "$u"
check_eq "notify_url to loopback: failed at once" "$(jstate "$u")" "failed 1"
check "notify_url to loopback: reason names the address" \
    grep -q "refused loopback address 127.0.0.1" <<<"$(jerror "$u")"
check "account URL on loopback: finished" wait_for 10 jdone "$o"
check_eq "account URL on loopback: failed at once" "$(jstate "$o")" "failed 1"
check "account URL on loopback: reason names the address" \
    grep -q "refused loopback address 127.0.0.1" <<<"$(jerror "$o")"
sleep 3 # two cron intervals
check_eq "no request reached the CMS (callbacks nor cron pings)" \
    "$(wc -l < "$CMS_LOG")" 0
kill -TERM "$NT"
wait_exit "$NT" 10

# 2. Allowed when configured.
conf yes
start notifierd "$OMKT_BIN/notifierd" -c "$CONF"
NT=$LAST_PID
u=$(url_job 3)
o=$(omkt_job 4)
check "allow_private = yes: notify_url delivered" wait_for 10 jdone "$u"
check_eq "allow_private = yes: notify_url done" "$(jstate "$u")" "done 1"
check "allow_private = yes: account URL delivered" wait_for 10 jdone "$o"
check_eq "allow_private = yes: account URL done" "$(jstate "$o")" "done 1"
check_eq "the POST reached the CMS" "$(log path^/hook?n=3)" 1
cron_sent() { [ "$(log q:action=transcoder_cron q:site=pol)" -ge 1 ]; }
check "allow_private = yes: cron ping sent" wait_for 10 cron_sent

# 3. Code 226 is a final answer.
echo code226 > "$CMS_CTL/cb_mode.pol"
a=$(notify '{"kind":"omkt","action":"transcoder_send_alert","params":{"id":"5","status":"1","message":"x"}}')
check "code 226: finished" wait_for 10 jdone "$a"
sleep 1
check_eq "code 226: failed after one attempt" "$(jstate "$a")" "failed 1"
check_eq "code 226: one request" "$(log h:x-omkt-callback-id="$a")" 1
check "code 226: the CMS's answer is the reason" \
    grep -q "code 226: Unknown action requested" <<<"$(jerror "$a")"
rm -f "$CMS_CTL/cb_mode.pol"

# 4. Parallel cron pings.
echo slow > "$CMS_CTL/cb_mode.slowcms" # before its first ping
slow=$(account_add slowcms)
account_add fastcms >/dev/null
pings() { log q:action=transcoder_cron q:site="$1"; }
first_slow() { [ "$(pings slowcms)" -ge 1 ]; }
check "slow CMS pinged" wait_for 10 first_slow
t0=$(log q:action=transcoder_cron q:site=slowcms --get time | awk 'NR == 1')
sleep 10
gaps=$(log q:action=transcoder_cron q:site=fastcms --get time | awk -v t0="$t0" '
    $1 >= t0 && $1 <= t0 + 10 { if (n++) { g = $1 - p; if (g > max) max = g } p = $1 }
    END { printf "%d %s", n, (n >= 3 && max < 3.5) ? "steady" : "delayed" }')
check "a slow CMS does not delay another account's pings ($gaps)" \
    grep -q steady <<<"$gaps"
slow_ok() { [ -n "$(sql "SELECT cron_last_ok FROM accounts WHERE id = $slow AND cron_last_ok IS NOT NULL")" ]; }
check "the slow CMS's 8 s answer is waited for (240 s limit)" wait_for 15 slow_ok
check_eq "the reference's ping timeouts by default" \
    "$("$OMKT_BIN/notifierd" -c "$CONF" -p | grep -E '^cron_(connect_)?timeout|^cron_parallel' | tr '\n' ' ')" \
    "cron_timeout = 240000ms cron_connect_timeout = 5000ms cron_parallel = 100 "
