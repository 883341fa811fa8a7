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

# players_need - chromium and the npm players (CHROME set); 77 without.
players_need() {
    CHROME=$(command -v chromium || command -v chromium-browser || true)
    if [ -z "$CHROME" ]; then
        echo "# chromium not found: skipped"
        return 77
    fi
    npm_need playwright-core@1.65.1 playwright-core || return $?
    npm_need hls.js@1.7.4 hls.js || return $?
    # The DASH Industry Forum's player is "dashjs" on npm ("dash.js"
    # there is an unrelated package).
    npm_need dashjs@5.2.1 dashjs || return $?
}

# play_check HLS_URL MPD_URL ACCOUNT_ID KEY - tests/api/players.js plays
# both from a page of another origin (allowed by the account's CORS),
# with the checks of test_players; screenshots in $T/shots (and
# $OMKT_SHOT, a directory, when set).
play_check() {
    local hls=$1 mpd=$2 acc=$3 key=$4 port out p line
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    ctl account cors "$acc" "http://127.0.0.1:$port"
    mkdir -p "$T/shots"
    out=$(cd "$T" && NODE_PATH=$OMKT_NPM_CACHE/node_modules timeout 120 node \
        "$TOP/tests/api/players.js" "$CHROME" "$port" "$hls" "$mpd" "$T/shots" 2>"$T/logs/players.txt")
    echo "$out" | sed 's/^/# /'
    for p in hls dash; do
        line=$(grep "\"player\":\"$p\"" <<<"$out")
        play_field() { python3 -c 'import json, sys
d = json.loads(sys.argv[1] or "{}")
for k in sys.argv[2].split("."):
    d = d.get(k, "") if isinstance(d, dict) else ""
print(d)' "$line" "$1"; }
        check "$p: played, switched rungs and played on" test "$(play_field ok)" = True
        check "$p: currentTime passed 5 s ($(play_field before.t))" python3 -c "import sys; sys.exit(not float('$(play_field before.t)' or 0) > 5)"
        check "$p: the rung changed ($(play_field before.level) -> $(play_field after.level))" test -n "$(play_field after.level)" -a "$(play_field before.level)" != "$(play_field after.level)"
        check "$p: the picture's height changed ($(play_field before.height) -> $(play_field after.height))" test -n "$(play_field after.height)" -a "$(play_field before.height)" != "$(play_field after.height)"
        check "$p: playback went on past the switch ($(play_field after.switched_at) -> $(play_field after.t))" python3 -c "import sys; sys.exit(not float('$(play_field after.t)' or 0) > float('$(play_field after.switched_at)' or 0) + 1.5)"
        check "$p: no failed request" test "$(play_field failed_requests)" = "[]"
        check "$p: screenshots" test -s "$T/shots/$p-before-switch.png" -a -s "$T/shots/$p-after-switch.png"
        check "$p: every one of its $(play_field requests) fetches went to the signed base" test "$(play_field unsigned)" = 0 -a "$(play_field requests)" -gt 10
    done
    check "the key is not in the URLs the page had" bash -c "! grep -q '$key' <<<'$hls $mpd'"
    if [ -n "${OMKT_SHOT:-}" ]; then
        mkdir -p "$OMKT_SHOT" && cp "$T"/shots/*.png "$OMKT_SHOT"/
    fi
    echo "# screenshots: $T/shots"
}
