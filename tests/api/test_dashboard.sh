#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_dashboard - the operator dashboard as a person sees it: real jobs
# run by real worker processes (tests/tools/qworker), the page rendered by
# Debian's headless Chromium into $T/dashboard.png (copied to $OMKT_SHOT
# when set; the frame of `omktctl top --once` to $OMKT_TOP), the numbers
# of the page checked against the database at the
# moment of the shot, and the media section (rows, ETA, buttons, filter)
# checked in the DOM Chromium built.  Skips (exit 77) only when chromium is not installed
# (tools/ensure-deps.sh installs it).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
    echo "# chromium not found: skipped"
    exit 77
fi
omkt_setup api_dashboard
ctl db init >/dev/null || exit 1
K=$(new_account cms@example.com)
start_apid "admin_key = s3cret-operator"
job_mix 6 3 4
# Two media for the media section: one being transcoded on a host.
omkt -d action=app_new_media -d transcoder_key="$K" -d application=cms -d version=1 -d id=77 -d url=http://cms.example.com/videos/interview.mp4 >/dev/null
omkt -d action=app_new_media -d transcoder_key="$K" -d application=cms -d version=1 -d id=78 -d url=http://cms.example.com/videos/keynote.mov >/dev/null
M=$(sql "SELECT id FROM media WHERE remote_id = 77")
sql "INSERT INTO processes (host, pid, role) VALUES ('render7', 4242, 'transcoderd')"
sql "INSERT INTO transcodes (media_id, setting_id, state) VALUES ($M, 11, 'running'), ($M, 15, 'asked')"
sql "INSERT INTO jobs (task, state, media_id, progress, started, worker_id, lease_until) SELECT 'transcode', 'running', $M, 40, NOW(3) - INTERVAL 20 SECOND, id, NOW(3) + INTERVAL 1 HOUR FROM processes WHERE host = 'render7'"
sleep 2 # some progress on the bars

timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1280,1000 --screenshot="$T/dashboard.png" \
    "http://op:s3cret-operator@${API#http://}/status" >"$T/logs/chromium.txt" 2>&1
check "screenshot taken" test -s "$T/dashboard.png"
check "it is a PNG" bash -c "head -c 8 '$T/dashboard.png' | od -An -c | grep -q 'P   N   G'"
[ -n "${OMKT_SHOT:-}" ] && cp "$T/dashboard.png" "$OMKT_SHOT"
# The same moment in the terminal: one frame of omktctl top (OMKT_TOP
# keeps it, for notes).
ctl top --once > "$T/top.txt" 2>&1
check "top --once: the render7 worker and its job" grep -q "render7" "$T/top.txt"
[ -z "${OMKT_TOP:-}" ] || cp "$T/top.txt" "$OMKT_TOP"
# The DOM as Chromium built it: the media section with its buttons.
timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --dump-dom \
    "http://op:s3cret-operator@${API#http://}/status" >"$T/dom.html" 2>>"$T/logs/chromium.txt"
check "chromium: the media section" grep -q '<section id="media">' "$T/dom.html"
check "chromium: the media's row, account and source" grep -qE "<tr id=\"m-$M\"><td>$M</td><td>cms@example.com</td><td class=\"n\">77</td><td class=\"url\">http://cms.example.com/videos/interview.mp4</td>" "$T/dom.html"
check "chromium: where it runs, with an ETA" grep -qE 'transcode on render7, 40% <span class="eta">\(ETA [0-9]+ s\)' "$T/dom.html"
check "chromium: retry and cancel are POST forms with a token" grep -qE "<form method=\"post\" action=\"/status/media/$M/cancel\"><input type=\"hidden\" name=\"csrf\" value=\"[0-9a-f]{64}\">" "$T/dom.html"
check "chromium: the filter form" grep -q '<form method="get" id="filter">' "$T/dom.html"
curl -s -u op:s3cret-operator "$API/status" > "$T/dash.html"
cell() { sed -n "s/.*id=\"q-$1-$2\">\([0-9]*\).*/\1/p" "$T/dash.html"; }
for s in queued running "done" failed; do
    check_eq "page shows the database's $s" "$(cell test "$s")" "$(n "$s")"
done
check_eq "page shows 6 done in the last hour" "$(sed -n 's/.*id=done-hour>\([0-9]*\)<.*/\1/p' "$T/dash.html")" 6
echo "# screenshot: $T/dashboard.png; db: done=$(n "done") failed=$(n failed) running=$(n running) queued=$(n queued)"
