#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_notify - notifierd against the fake CMS: a metadata callback with
# the exact PROTOCOL.md params, a callback id and a signature the CMS can
# recompute; a CMS answering 500 (or no JSON, or another code) gets the
# callback later, exactly once; a notify_url JSON POST; transcoder_cron
# pings recorded per account, inactive accounts left alone, and two
# notifierds never pinging one account twice.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup notify
write_conf "$CONF" "
[notifierd]
allow_private = yes
workers = 2
timeout = 2s
max_attempts = 10
retry_base = 200ms
retry_max = 400ms
cron_interval = 2s"
ctl db init >/dev/null
cms_start --sign-key k3y
acc=$(account_add k3y)
log() { python3 "$TOP/tests/pipeline/cmslog.py" "$CMS_LOG" "$@"; }
notify() { # notify PAYLOAD: a notify job for $acc; prints its id
    sql "INSERT INTO jobs (task, account_id, max_attempts, priority, payload)
        VALUES ('notify', $acc, 10, 10, '$1'); SELECT LAST_INSERT_ID()"
}
jstate() { sql "SELECT CONCAT(state, ' ', attempts) FROM jobs WHERE id = $1"; }
jdone() { case $(jstate "$1") in done*|failed*) return 0 ;; esac; return 1; }
start notifierd "$OMKT_BIN/notifierd" -c "$CONF"

# 1. A metadata callback.
meta='{\\"mime\\":\\"video/mp4\\",\\"tracks\\":[{\\"type\\":\\"video\\"}]}'
j=$(notify "{\"kind\":\"omkt\",\"action\":\"transcoder_send_metadata\",\"params\":{\"id\":\"12\",\"metadata\":\"$meta\"}}")
check "metadata callback delivered" wait_for 10 jdone "$j"
check_eq "done on the first attempt" "$(jstate "$j")" "done 1"
check_eq "one request" "$(log h:x-omkt-callback-id="$j")" 1
check_eq "exact query" "$(log h:x-omkt-callback-id="$j" --get path)" \
    "/cb?site=k3y&app_key=k3y&action=transcoder_send_metadata&id=12&metadata=%7B%22mime%22%3A%22video%2Fmp4%22%2C%22tracks%22%3A%5B%7B%22type%22%3A%22video%22%7D%5D%7D"
check_eq "GET" "$(log h:x-omkt-callback-id="$j" --get method)" GET
check_eq "metadata decodes to the JSON" \
    "$(log h:x-omkt-callback-id="$j" --get q:metadata)" \
    '{"mime":"video/mp4","tracks":[{"type":"video"}]}'
check_eq "signature verified by the CMS" "$(log h:x-omkt-callback-id="$j" --get sig_ok)" true
check_eq "attempt header" "$(log h:x-omkt-callback-id="$j" --get h:x-omkt-attempt)" 1

# 2. The CMS is down (500), then returns: delivered later, exactly once.
cms_mode 500
j=$(notify '{"kind":"omkt","action":"transcoder_send_alert","params":{"id":"13","status":"1","message":"download failed: HTTP 404"}}')
tries() { [ "$(log h:x-omkt-callback-id="$j")" -ge 3 ]; }
check "retried while the CMS answers 500" wait_for 10 tries
check "job waits for a retry" grep -qE "^(delayed|queued|running) " <<<"$(jstate "$j")"
cms_mode ok
check "delivered once the CMS is back" wait_for 10 jdone "$j"
sleep 1
check_eq "acknowledged exactly once" "$(log h:x-omkt-callback-id="$j" mode=ok)" 1
check_eq "alert params" "$(log h:x-omkt-callback-id="$j" mode=ok --get path)" \
    "/cb?site=k3y&app_key=k3y&action=transcoder_send_alert&id=13&status=1&message=download%20failed%3A%20HTTP%20404"
check "job done after several attempts" grep -qE "^done ([3-9]|10)$" <<<"$(jstate "$j")"

# 3. Answers that are not an acknowledgement are failures too.
for mode in badjson code404; do
    cms_mode "$mode"
    j=$(notify '{"kind":"omkt","action":"transcoder_send_alert","params":{"id":"14","status":"1","message":"x"}}')
    tries2() { [ "$(log h:x-omkt-callback-id="$j")" -ge 2 ]; }
    check "$mode: retried" wait_for 10 tries2
    cms_mode ok
    check "$mode: then delivered" wait_for 10 jdone "$j"
    check_eq "$mode: done" "$(jstate "$j" | cut -d' ' -f1)" "done"
done

# 4. A notify_url JSON POST (REST / media-nommer).
j=$(notify "{\"kind\":\"url\",\"url\":\"http://127.0.0.1:$CMS_PORT/hook?x=1\",\"body\":{\"media_id\":7,\"status\":\"ok\"}}")
check "url callback delivered" wait_for 10 jdone "$j"
check_eq "POST" "$(log h:x-omkt-callback-id="$j" --get method)" POST
check_eq "to the url" "$(log h:x-omkt-callback-id="$j" --get path)" "/hook?x=1"
check_eq "JSON body" "$(log h:x-omkt-callback-id="$j" --get body)" '{"media_id":7,"status":"ok"}'
check_eq "JSON type" "$(log h:x-omkt-callback-id="$j" --get h:content-type)" application/json
check_eq "POST signature verified" "$(log h:x-omkt-callback-id="$j" --get sig_ok)" true

# 5. transcoder_cron.
pinged() { [ "$(log q:action=transcoder_cron q:site="$1" mode=ok)" -ge "${2:-1}" ]; }
check "cron ping sent" wait_for 10 pinged k3y
check_eq "cron ping signed" "$(log q:action=transcoder_cron q:site=k3y --get sig_ok | sort -u)" true
cron_ok() { [ -n "$(sql "SELECT cron_last_ok FROM accounts WHERE id = $acc AND cron_last_ok IS NOT NULL")" ]; }
check "cron success recorded" wait_for 5 cron_ok
raw_account() { # raw_account KEY ENABLED CREATED_DAYS_AGO CRON_LAST_MIN_AGO
    sql "INSERT INTO accounts (email, api_key, client_key, url, enabled,
        created, cron_last) VALUES ('$1@example.com', MD5('$1'), '$1',
        'http://127.0.0.1:$CMS_PORT/cb?site=$1', $2,
        NOW() - INTERVAL $3 DAY, NOW() - INTERVAL $4 MINUTE)"
}
raw_account old 1 40 5
raw_account off 0 0 60
raw_account stale 1 40 31
start notifierd2 "$OMKT_BIN/notifierd" -c "$CONF"
sleep 7
check_eq "inactive account not pinged within 30 min" "$(log q:action=transcoder_cron q:site=old)" 0
check_eq "inactive account pinged once its 30 min are up" "$(log q:action=transcoder_cron q:site=stale)" 1
check_eq "disabled account not pinged" "$(log q:action=transcoder_cron q:site=off)" 0
gaps=$(log q:action=transcoder_cron q:site=k3y --get time | python3 -c '
import sys
t = [float(x) for x in sys.stdin]
print(len(t), min(b - a for a, b in zip(t, t[1:])) >= 0.9)')
check "two notifierds: pings at least a second apart" grep -q " True$" <<<"$gaps"
check "several pings over time" grep -qE "^([3-9]|[1-9][0-9]) " <<<"$gaps"
cms_mode 500
sql "UPDATE accounts SET cron_last_ok = NULL WHERE id = $acc"
sleep 3
check_eq "a failed ping is not recorded as ok" \
    "$(sql "SELECT IFNULL(cron_last_ok, 'null') FROM accounts WHERE id = $acc")" null
cms_mode ok
