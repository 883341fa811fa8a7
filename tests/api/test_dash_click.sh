#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_dash_click - the dashboard's retry and cancel buttons pressed in a
# real browser (issue 15): Debian's headless Chromium driven by
# playwright-core (npm, into the test's package cache) opens /status as
# the operator, clicks "retry" on a media whose download failed and
# "cancel" on a media whose download is queued; the jobs change state in
# the database, and a screenshot after each step stays in
# $T/shots (0-dashboard, 1-after-retry, 2-after-cancel, and the frame
# of `omktctl top --once` in top.txt).  Skips (77)
# without chromium or npm.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
. "$(dirname "$0")/../lib/npm.sh"
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
    echo "# chromium not found: skipped"
    exit 77
fi
npm_need playwright-core@1.65.1 playwright-core || exit $?
omkt_setup api_dash_click
mkdir -p "$T/shots"
ctl db init >/dev/null 2>&1 || exit 1
K=$(new_account cms@example.com)
start_apid "admin_key = s3cret-operator"
AUTH=(-d application=cms -d version=1 -d transcoder_key="$K")
omkt -d action=app_new_media "${AUTH[@]}" -d id=90 -d url=http://cms.example.com/v/failed.mp4 >/dev/null
omkt -d action=app_new_media "${AUTH[@]}" -d id=91 -d url=http://cms.example.com/v/waiting.mp4 >/dev/null
MF=$(sql "SELECT id FROM media WHERE remote_id = 90")
MQ=$(sql "SELECT id FROM media WHERE remote_id = 91")
sql "UPDATE jobs SET state = 'failed', error = 'origin answered 404', finished = NOW(3) WHERE media_id = $MF"
state() { sql "SELECT GROUP_CONCAT(state) FROM jobs WHERE media_id = $1 AND task = 'download'"; }
check_eq "before: media 90's download failed" "$(state "$MF")" failed
check_eq "before: media 91's download queued" "$(state "$MQ")" queued

out=$(cd "$T" && NODE_PATH=$OMKT_NPM_CACHE/node_modules timeout 120 node \
    "$TOP/tests/api/dash_click.js" "$CHROME" "$API" op s3cret-operator \
    "$MF" "$MQ" "$T/shots" 2>"$T/logs/playwright.txt")
echo "# $out"
j() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$out" "$1" 2>/dev/null; }
check_eq "the dashboard opened (200)" "$(j 'd["status"]')" 200
check_eq "retry pressed: back on the dashboard" "$(j 'd["steps"][0]["status"]') $(j 'd["steps"][0]["url"].split("/",3)[3]')" "200 status#m-$MF"
check_eq "cancel pressed: back on the dashboard" "$(j 'd["steps"][1]["status"]') $(j 'd["steps"][1]["url"].split("/",3)[3]')" "200 status#m-$MQ"
check_eq "after: media 90's download queued again" "$(state "$MF")" queued
check_eq "  ... its attempts reset" "$(sql "SELECT attempts FROM jobs WHERE media_id = $MF AND task = 'download'")" 0
check_eq "after: media 91's download cancelled" "$(state "$MQ")" cancelled
check "the page after both lists the two media" bash -c 'grep -q "^m-$1 " <<<"$3" && grep -q "^m-$2 " <<<"$3"' \
    _ "$MF" "$MQ" "$(j '"\n".join(d["rows"])')"
for s in 0-dashboard 1-after-retry 2-after-cancel; do
    check "screenshot $s.png" bash -c "head -c 8 '$T/shots/$s.png' | od -An -c | grep -q 'P   N   G'"
done
grep -h "dashboard: media=" "$APID_LOG" | sed 's/^/# /'
echo "# screenshots: $T/shots"
ctl top --once > "$T/shots/top.txt" 2>&1
check "omktctl top --once shows the queue" grep -q download "$T/shots/top.txt"
# OMKT_SHOT_DIR: keep the screenshots and the top frame (closing notes).
[ -z "${OMKT_SHOT_DIR:-}" ] || cp "$T"/shots/* "$OMKT_SHOT_DIR"/
exit 0
