# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stream_lib.sh - what the streaming serving tests share (sourced after
# api_lib.sh and start_apid).

# stream_media KEY ACCOUNT_ID - a REST media of account ACCOUNT_ID (key
# KEY) with a finished setting-1001 package (tests/tools/mkpackage.sh,
# the layout docs/streaming.md describes) at media/ACCOUNT/MEDIA/1001;
# prints the media id.
stream_media() {
    local key=$1 acc=$2 id
    id=$(curl -s -H "X-API-Key: $key" -d '{"url":"http://127.0.0.1:9/src.mp4"}' \
        "$API/v1/media" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    stream_package "$acc" "$id"
    echo "$id"
}

# stream_package ACCOUNT_ID MEDIA - the package of stream_media for an
# existing media.
stream_package() {
    sh "$TOP/tests/tools/mkpackage.sh" "$T/docroot/media/$1/$2/1001" 14 >&2
    sql "INSERT INTO transcodes (media_id, setting_id, state, cardinality, path, metadata) VALUES ($2, 1001, 'processed', 1, 'media/$1/$2/1001', '{\"mime\":\"application/vnd.apple.mpegurl\"}')"
}

# stream_urls KEY MEDIA - the "stream" object of setting 1001 in GET
# /v1/media/MEDIA as shell assignments: HLS_URL DASH_URL VTT_URL EXPIRES.
stream_urls() {
    curl -s -H "X-API-Key: $1" "$API/v1/media/$2" | python3 -c '
import json, sys
m = json.load(sys.stdin)
s = [t for t in m["transcodes"] if t["setting_id"] == 1001][0]["stream"]
print("HLS_URL=%s DASH_URL=%s VTT_URL=%s EXPIRES=%d" % (s["hls_url"], s["dash_url"], s["preview_url"], s["expires"]))'
}
