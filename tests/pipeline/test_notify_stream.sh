#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_notify_stream - the OMKT transcoder_send_format callback of a
# streaming package (setting 1001) carries the signed master playlist
# URL (stream_url, stream_expires: [notifierd] stream_base_url and
# stream_url_ttl) and the CMS can fetch the playlist from apid with it;
# every other field is exactly as before, and a callback of another
# setting is byte for byte the old one (old OMKT clients keep working).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../api/api_lib.sh"
. "$(dirname "$0")/../api/stream_lib.sh"
omkt_setup notify_stream
ctl db init >/dev/null
cms_start
acc=$(account_add k3y)
start_apid
write_conf "$CONF" "
[notifierd]
allow_private = yes
timeout = 2s
retry_base = 200ms
retry_max = 400ms
stream_base_url = $API/
stream_url_ttl = 2h"
log() { python3 "$TOP/tests/pipeline/cmslog.py" "$CMS_LOG" "$@"; }
m=$(media_add "$acc" 42 http://127.0.0.1:9/x.mp4 http 1 "done")
stream_package "$acc" "$m"
notify() { # notify SETTING: a transcoder_send_format job for media $m
    sql "INSERT INTO jobs (task, account_id, media_id, max_attempts, priority, payload)
        VALUES ('notify', $acc, $m, 10, 10, '{\"kind\":\"omkt\",\"action\":\"transcoder_send_format\",\"params\":{\"id\":\"42\",\"settings_id\":\"$1\",\"cardinality\":\"1\",\"adapter\":\"http\",\"metadata\":\"{}\"}}'); SELECT LAST_INSERT_ID()"
}
jdone() { [ "$(sql "SELECT state FROM jobs WHERE id = $1")" = "done" ]; }
j11=$(notify 11)
j1001=$(notify 1001)
start notifierd "$OMKT_BIN/notifierd" -c "$CONF"
both_done() { jdone "$j11" && jdone "$j1001"; }
check "both callbacks delivered" wait_for 15 both_done
now=$(date +%s)
check_eq "setting 11: the old query, nothing added" "$(log h:x-omkt-callback-id="$j11" --get path)" \
    "/cb?site=k3y&app_key=k3y&action=transcoder_send_format&id=42&settings_id=11&cardinality=1&adapter=http&metadata=%7B%7D"
q=$(log h:x-omkt-callback-id="$j1001" --get path)
check "setting 1001: the old fields first, unchanged" grep -q "^/cb?site=k3y&app_key=k3y&action=transcoder_send_format&id=42&settings_id=1001&cardinality=1&adapter=http&metadata=%7B%7D&stream_url=" <<<"$q"
url=$(log h:x-omkt-callback-id="$j1001" --get q:stream_url)
exp=$(log h:x-omkt-callback-id="$j1001" --get q:stream_expires)
check "stream_url: signed, under stream_base_url" grep -qE "^$API/v1/signed/$exp\.[0-9a-f]{64}/media/$m/package/1001/master\.m3u8$" <<<"$url"
check "stream_expires: stream_url_ttl (2 h) from now" test $((exp - now)) -ge 7190 -a $((exp - now)) -le 7210
check_eq "the CMS fetches the playlist with it" "$(curl -s -o "$T/master" -w '%{http_code}' "$url")" 200
check "the package's master playlist" cmp -s "$T/master" "$T/docroot/media/$acc/$m/1001/master.m3u8"
exit 0
