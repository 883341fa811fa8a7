#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_rest_callbacks - the REST API's callbacks (docs/callbacks.md "REST
# callbacks") on the whole cluster, two notifierds delivering: a media of
# two settings gets exactly two format.done and then one media.done
# (state done), each body checked field by field with its types and its
# signature verified; a failed download gets media.failed only; a cancel
# gets media.cancelled only; a setting failing while the other succeeds
# ends in media.done with state partial; and two transcoderds ending the
# last two settings of a media at the same moment queue one media.done.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup e2erestcb
cms_start --sign-key ck # the account's client key: signatures checked
e2e_conf
ctl db init >/dev/null || { fail "db init"; exit 1; }
e2e_account
start_apid
start_workers
start notifierd2 "$OMKT_BIN/notifierd" -c "$CONF"
clip "$CMS_ROOT/a.mp4" 1 320x240
ffmpeg -v error -y -f lavfi -i testsrc=size=320x240:rate=25 -t 1 \
    -c:v libx264 -preset ultrafast -an "$CMS_ROOT/silent.mp4"
HOOK="http://127.0.0.1:$CMS_PORT/hook"

submit() { # submit JSON - POST /v1/media; prints the media id
    curl -s -X POST -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
        --data-binary "$1" "$API/v1/media" | jfield id
}
ended() { # ended NAME EVENT - EVENT was delivered to /hook?n=NAME
    grep "/hook?n=$1\"" "$CMS_LOG" | grep '"mode": "ok"' |
        grep -q "event[^a-z]*$2"
}
tpath() { sql "SELECT path FROM transcodes WHERE media_id = $1 AND setting_id = $2"; }
declare -A R
report() { # report NAME MEDIA_ID [EXTERNAL_ID] - what NAME got, into R
    local k v
    R=()
    while IFS='=' read -r k v; do R[$k]=$v; done < <(python3 \
        "$TOP/tests/e2e/restcb.py" "$CMS_LOG" "$@")
}
# 1. Two settings, both made: format.done twice, then media.done.
ID=$(submit "{\"url\":\"http://127.0.0.1:$CMS_PORT/f/a.mp4\",\"settings\":[11,52],
  \"callback_url\":\"$HOOK?n=ok\",\"external_id\":\"cms-7\"}")
check "submitted" test -n "$ID"
check "media.done delivered" wait_for 90 ended ok media.done
sleep 1 # anything sent late would show now
report ok "$ID" cms-7
check_eq "two format events, media.done last" "${R[names]}" \
    "format.done format.done media.done"
check_eq "bodies: fields, types and values" "${R[valid]}" ok
check_eq "media.done: done, with both settings" \
    "${R[media.done.state]} / ${R[media.done.settings]} / ${R[media.done.error]}" \
    "done / 11:done 52:done / null"
check_eq "format.done 11 and 52: outputs" \
    "${R[format.done.11.path]} ${R[format.done.11.mime]} ${R[format.done.52.path]} ${R[format.done.52.mime]}" \
    "$(tpath "$ID" 11) video/mp4 $(tpath "$ID" 52) audio/mpeg"
check "the file is where format.done says" test -s "$T/docroot/${R[format.done.52.path]}"
check_eq "all signed and verified" "${R[sig]}" true
check_eq "all JSON POSTs" "${R[http]}" "POST application/json"
check_eq "distinct event and callback ids" "${R[distinct]}" yes
check_eq "the API shows external_id" \
    "$(curl -s -H "X-API-Key: $KEY" "$API/v1/media/$ID" | jfield external_id)" cms-7

# 2. A failed download: media.failed and nothing else.
ID=$(submit "{\"url\":\"http://127.0.0.1:$CMS_PORT/status/404/x.mp4\",\"settings\":[11],
  \"notify_url\":\"$HOOK?n=dl\"}")
check "media.failed delivered (notify_url alias)" wait_for 60 ended dl media.failed
sleep 1
report dl "$ID"
check_eq "media.failed only" "${R[names]}" media.failed
check_eq "media.failed: fields and types" "${R[valid]}" ok
check_eq "media.failed: state, stage, settings" \
    "${R[media.failed.state]} ${R[media.failed.stage]} [${R[media.failed.settings]}]" \
    "failed download []"
check "media.failed: says why" grep -q 404 <<<"${R[media.failed.error]}"

# 3. Cancelled while downloading (one byte a second): media.cancelled.
head -c 100000 /dev/urandom > "$CMS_ROOT/slow.bin"
ID=$(submit "{\"url\":\"http://127.0.0.1:$CMS_PORT/trickle/slow.bin\",\"settings\":[11],
  \"callback_url\":\"$HOOK?n=cx\"}")
downloading() { [ "$(sql "SELECT state FROM jobs WHERE media_id = $ID AND task = 'download'")" = running ]; }
check "download under way" wait_for 20 downloading
check_eq "cancel: 200" "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-API-Key: $KEY" "$API/v1/media/$ID/cancel")" 200
check "media.cancelled delivered" wait_for 30 ended cx media.cancelled
sleep 3 # the downloader learns it at its next lease renewal
report cx "$ID"
check_eq "media.cancelled only" "${R[names]}" media.cancelled
check_eq "media.cancelled: fields and types" "${R[valid]}" ok
check_eq "media.cancelled: state" \
    "${R[media.cancelled.state]} [${R[media.cancelled.settings]}] ${R[media.cancelled.error]}" \
    "cancelled [] null"

# 4. One setting fails (audio from a silent video), the other is made.
ID=$(submit "{\"url\":\"http://127.0.0.1:$CMS_PORT/f/silent.mp4\",\"settings\":[11,52],
  \"callback_url\":\"$HOOK?n=part\"}")
check "media.done delivered" wait_for 90 ended part media.done
sleep 1
report part "$ID"
check "one done, one failed, then media.done" \
    grep -qxE "format.done format.failed media.done|format.failed format.done media.done" <<<"${R[names]}"
check_eq "bodies: fields and types" "${R[valid]}" ok
check_eq "format.failed: setting 52, no output" "${R[format.failed.52.path]}" null
check "format.failed: says why" grep -q "needs audio" <<<"${R[format.failed.52.error]}"
check_eq "media.done: partial" \
    "${R[media.done.state]} / ${R[media.done.settings]}" "partial / 11:done 52:failed"

# 5. Two transcoderds end the last two settings of a media at once (one
# job per setting, as a retry or a second request makes them): one
# media.done per media, after both format events.
start transcoderd2 "$OMKT_BIN/transcoderd" -c "$CONF"
kill -STOP "$TC_PID" "$LAST_PID" # claim nothing until all is queued
TC2_PID=$LAST_PID
race=()
for i in 1 2; do
    m=$(sql "INSERT INTO media (account_id, remote_id, url, state, path,
        metadata, want_settings, notify_url) SELECT account_id, 0, url,
        'metadata_ok', path, metadata, '11,12', '$HOOK?n=race$i' FROM media
        WHERE id = $ID; SELECT LAST_INSERT_ID()")
    sql "UPDATE media SET remote_id = -id WHERE id = $m"
    for s in 11 12; do
        t=$(sql "INSERT INTO transcodes (media_id, setting_id) VALUES ($m, $s);
            SELECT LAST_INSERT_ID()")
        sql "INSERT INTO jobs (task, account_id, media_id, priority, payload)
            SELECT 'transcode', account_id, $m, 0, '{\"transcodes\":[$t]}'
            FROM media WHERE id = $m"
    done
    race+=("$m")
done
kill -CONT "$TC_PID" "$TC2_PID"
for i in 1 2; do
    check "race $i: media.done delivered" wait_for 90 ended "race$i" media.done
done
sleep 1
for i in 1 2; do
    report "race$i" "${race[$((i - 1))]}"
    check_eq "race $i: two format.done, then one media.done" \
        "${R[names]} / ${R[media.done.settings]}" \
        "format.done format.done media.done / 11:done 12:done"
    check_eq "race $i: one media-level event queued" \
        "$(sql "SELECT COUNT(*) FROM jobs WHERE media_id = ${race[$((i - 1))]}
            AND task = 'notify' AND payload LIKE '%\"event\":\"media.%'")" 1
done
both=$(sql "SELECT COUNT(DISTINCT worker_id) FROM jobs WHERE task = 'transcode'
    AND media_id IN (${race[0]}, ${race[1]})")
check_eq "both transcoderds took part" "$both" 2
check "every daemon still running" alive "$APID_PID" "$DL_PID" "$MD_PID" "$TC_PID" "$TC2_PID" "$NT_PID"
