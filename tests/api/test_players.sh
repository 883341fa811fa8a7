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
players_need || exit $?
omkt_setup api_players
ctl db init >/dev/null || exit 1
K=$(new_account site@example.com)
start_apid
M=$(stream_media "$K" 1)
eval "$(stream_urls "$K" "$M")"
play_check "$HLS_URL" "$DASH_URL" 1 "$K"
exit 0
