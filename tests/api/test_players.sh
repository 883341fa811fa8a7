#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_players - a streaming package played in Debian's headless Chromium
# by the npm players, the way a site's page plays it: hls.js on the
# signed master playlist and dash.js on the signed MPD the REST API hands
# out, from a page of another origin (CORS allowed for the account), no
# API key in the browser.  Each: playback starts, currentTime passes
# 5 s, a forced switch to the other video rung is reported by the player
# and playback goes on across it (tests/api/players.js).  Screenshots
# before and after each switch in $T/shots (copied into $OMKT_SHOT, a
# directory, when set).  Skips (77) without chromium or npm.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/npm.sh"
. "$(dirname "$0")/api_lib.sh"
. "$(dirname "$0")/stream_lib.sh"
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
    echo "# chromium not found: skipped"
    exit 77
fi
npm_need playwright-core@1.65.1 playwright-core || exit $?
npm_need hls.js@1.7.4 hls.js || exit $?
# The DASH Industry Forum's player is "dashjs" on npm ("dash.js" there
# is an unrelated package).
npm_need dashjs@5.2.1 dashjs || exit $?
omkt_setup api_players
ctl db init >/dev/null || exit 1
K=$(new_account site@example.com)
start_apid
M=$(stream_media "$K" 1)
eval "$(stream_urls "$K" "$M")"
PAGE_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ctl account cors 1 "http://127.0.0.1:$PAGE_PORT"
mkdir -p "$T/shots"
out=$(cd "$T" && NODE_PATH=$OMKT_NPM_CACHE/node_modules timeout 120 node \
    "$TOP/tests/api/players.js" "$CHROME" "$PAGE_PORT" "$HLS_URL" "$DASH_URL" "$T/shots" 2>"$T/logs/players.txt")
echo "$out" | sed 's/^/# /'
for p in hls dash; do
    line=$(grep "\"player\":\"$p\"" <<<"$out")
    field() { python3 -c 'import json, sys
d = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    d = d.get(k, "") if isinstance(d, dict) else ""
print(d)' "$line" "$1"; }
    check "$p: played, switched rungs and played on" test "$(field ok)" = True
    check "$p: currentTime passed 5 s ($(field before.t))" python3 -c "import sys; sys.exit(not float('$(field before.t)' or 0) > 5)"
    check "$p: the rung changed ($(field before.level) -> $(field after.level))" test -n "$(field after.level)" -a "$(field before.level)" != "$(field after.level)"
    check "$p: the picture's height changed ($(field before.height) -> $(field after.height))" test -n "$(field after.height)" -a "$(field before.height)" != "$(field after.height)"
    check "$p: playback went on past the switch ($(field after.switched_at) -> $(field after.t))" python3 -c "import sys; sys.exit(not float('$(field after.t)' or 0) > float('$(field after.switched_at)' or 0) + 1.5)"
    check "$p: no failed request" test "$(field failed_requests)" = "[]"
    check "$p: screenshots" test -s "$T/shots/$p-before-switch.png" -a -s "$T/shots/$p-after-switch.png"
done
check "the browser fetched with the signature, never the key" bash -c "! grep -q '$K' '$T/logs/players.txt'"
[ -n "${OMKT_SHOT:-}" ] && mkdir -p "$OMKT_SHOT" && cp "$T"/shots/*.png "$OMKT_SHOT"/
echo "# screenshots: $T/shots"
exit 0
