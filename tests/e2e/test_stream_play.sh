#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_stream_play - the whole cluster makes a streaming package (setting
# 1001) from an upload and a browser plays it: app_new_media, metadata,
# app_request_format [1001], the transcoder_send_format callback with
# its signed stream_url, then hls.js on it and dash.js on the MPD beside
# it in headless Chromium (tests/api/players.js: currentTime past 5 s, a
# forced rung switch played across), the REST stream object agreeing.
# Skips (77) without chromium/npm, or while the catalogue has no 1001.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/npm.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../api/stream_lib.sh"
players_need || exit $?
omkt_setup e2estream
e2e_up
if ! curl -s "$API/v1/settings" -H "X-API-Key: $KEY" | grep -q '"id":1001'; then
    echo "# setting 1001 is not in the catalogue: skipped"
    exit 77
fi
clip "$CMS_ROOT/s.mp4" 16 640x360 -g 25
check_eq "app_new_media" "$(new_media 7 "http://127.0.0.1:$CMS_PORT/f/s.mp4")" 200
check "metadata callback" wait_for 60 has_acked transcoder_send_metadata 7
r=$(api app_request_format --data-urlencode id=7 --data-urlencode 'settings_id_list=[1001]')
check_eq "1001 queued" "$(jfield 1001.code <<<"$r")" 200
check "format 1001 callback" wait_for 120 has_acked transcoder_send_format 7 1001
url=$(cmslog q:action=transcoder_send_format q:id=7 q:settings_id=1001 mode=ok --get q:stream_url | head -1)
check "the callback's stream_url is signed" grep -qE '^/v1/signed/[0-9]+\.[0-9a-f]{64}/media/[0-9]+/package/1001/master\.m3u8$' <<<"$url"
m=$(sql "SELECT id FROM media WHERE remote_id = 7")
eval "$(stream_urls "$KEY" "$m")"
check "callback and REST name the same package" grep -q "/media/$m/package/1001/master.m3u8 .*/media/$m/package/1001/master.m3u8$" <<<"$url $HLS_URL"
acc=$(sql "SELECT account_id FROM media WHERE id = $m")
play_check "$API$url" "$API${url%master.m3u8}manifest.mpd" "$acc" "$KEY"
exit 0
