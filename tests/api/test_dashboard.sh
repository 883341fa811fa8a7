#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_dashboard - the operator dashboard as a person sees it: real jobs
# run by real worker processes (tests/tools/qworker), the page rendered by
# Debian's headless Chromium into $T/dashboard.png (copied to $OMKT_SHOT
# when set), the numbers of the page checked against the database at the
# moment of the shot.  Skips (exit 77) only when chromium is not installed
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
start_apid "admin_key = s3cret-operator"
job_mix 6 3 4
sleep 2 # some progress on the bars

timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1280,1000 --screenshot="$T/dashboard.png" \
    "http://op:s3cret-operator@${API#http://}/status" >"$T/logs/chromium.txt" 2>&1
check "screenshot taken" test -s "$T/dashboard.png"
check "it is a PNG" bash -c "head -c 8 '$T/dashboard.png' | od -An -c | grep -q 'P   N   G'"
[ -n "${OMKT_SHOT:-}" ] && cp "$T/dashboard.png" "$OMKT_SHOT"
curl -s -u op:s3cret-operator "$API/status" > "$T/dash.html"
cell() { sed -n "s/.*id=\"q-$1-$2\">\([0-9]*\).*/\1/p" "$T/dash.html"; }
for s in queued running "done" failed; do
    check_eq "page shows the database's $s" "$(cell test "$s")" "$(n "$s")"
done
check_eq "page shows 6 done in the last hour" "$(sed -n 's/.*id=done-hour>\([0-9]*\)<.*/\1/p' "$T/dash.html")" 6
echo "# screenshot: $T/dashboard.png; db: done=$(n "done") failed=$(n failed) running=$(n running) queued=$(n queued)"
