#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_dash_media - the dashboard's media section as an operator uses it
# at 3 a.m.: per media the account, CMS id, source URL, the state of each
# setting, the running job with its host, progress and ETA; a filter by
# account and job state; retry and cancel buttons that only a same-site
# form with the operator's token can press (CSRF), changing exactly the
# jobs REST's cancel and retry would.  (test_dashboard.sh renders the
# page in Chromium.)
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_dash_media
ctl db init >/dev/null || exit 1
KADM=$(new_account ops@example.com --admin)
K=$(new_account cms@example.com)
K2=$(new_account other@example.com)
start_apid "admin_key = s3cret-operator"
AUTH=(-d application=cms -d version=1)

# Two media of cms@ (CMS ids 77 and 78), one of other@ (CMS id 5).
omkt -d action=app_new_media -d transcoder_key="$K" "${AUTH[@]}" -d id=77 -d 'url=http://example.com/src/a.mp4?x=<b>' >/dev/null
omkt -d action=app_new_media -d transcoder_key="$K" "${AUTH[@]}" -d id=78 -d url=http://example.com/src/b.mp4 >/dev/null
omkt -d action=app_new_media -d transcoder_key="$K2" "${AUTH[@]}" -d id=5 -d url=http://example.com/src/c.mp4 >/dev/null
M1=$(sql "SELECT id FROM media WHERE remote_id = 77")
M2=$(sql "SELECT id FROM media WHERE remote_id = 78")
M3=$(sql "SELECT id FROM media WHERE remote_id = 5")
# Media 77: settings 11 running and 15 asked, a transcode job 25 % done
# after 30 s on host render7 (ETA 30 * 75 / 25 = 90 s).
sql "INSERT INTO processes (host, pid, role) VALUES ('render7', 4242, 'transcoderd')"
P=$(sql "SELECT id FROM processes WHERE host = 'render7'")
sql "INSERT INTO transcodes (media_id, setting_id, state) VALUES ($M1, 11, 'running'), ($M1, 15, 'asked')"
sql "INSERT INTO jobs (task, state, media_id, account_id, progress, started, worker_id, lease_until) VALUES ('transcode', 'running', $M1, 2, 25, NOW(3) - INTERVAL 30 SECOND, $P, NOW(3) + INTERVAL 1 HOUR)"
# Media 78: its download failed.
sql "UPDATE jobs SET state = 'failed', error = 'origin 404', finished = NOW(3) WHERE media_id = $M2"

page() { curl -s -u "op:$KADM" "$API/status$1" > "$T/dash.html"; }
page ""
row() { grep -o "<tr id=\"m-$1\">.*" "$T/dash.html" | sed 's|</tr>.*||'; }
r1=$(row "$M1")
echo "# $r1"
check "media row: account" grep -q '<td>cms@example.com<td' <<<"$r1"
check "media row: CMS id" grep -q '<td class=n>77<td' <<<"$r1"
check "media row: source URL, escaped" grep -q '<td class=url>http://example.com/src/a.mp4?x=&lt;b&gt;<td' <<<"$r1"
check "media row: settings with their state" grep -q '<td>11 running, 15 asked<td' <<<"$r1"
check "media row: where it runs, progress" grep -q '<td>transcode on render7, 25%' <<<"$r1"
eta=$(sed -n 's/.*(ETA \([0-9]*\) s).*/\1/p' <<<"$r1")
check "media row: ETA from progress: 90 s (got $eta)" test "${eta:-0}" -ge 90 -a "${eta:-0}" -le 96
check "media row: buttons" grep -q "id=\"retry-$M1\".*id=\"cancel-$M1\"" <<<"$r1"
check "media rows: the other account's too" test -n "$(row "$M3")"

# --- filter
page "?account=cms%40example.com"
check "filter by email: own media" test -n "$(row "$M1")"
check "filter by email: not the others'" test -z "$(row "$M3")"
check "filter: the field keeps its value" grep -q 'name=account size=24 value="cms@example.com"' "$T/dash.html"
page "?account=$(sql "SELECT id FROM accounts WHERE email = 'other@example.com'")"
check "filter by account id" test -n "$(row "$M3")" -a -z "$(row "$M1")"
page "?state=failed"
check "filter by job state: the failed one" test -n "$(row "$M2")"
check "filter by job state: not the others" test -z "$(row "$M1")$(row "$M3")"
check "filter: the state stays selected" grep -q '<option selected>failed</option>' "$T/dash.html"
page "?state=nonsense&account=%3Cscript%3E"
check "filter: an unknown state means any, text escaped" grep -q 'value="&lt;script&gt;"' "$T/dash.html"

# --- buttons
page ""
TOKEN=$(sed -n "s/.*action=\"\/status\/media\/$M1\/cancel\"><input type=hidden name=csrf value=\"\([0-9a-f]*\)\".*/\1/p" "$T/dash.html")
check_eq "token: 64 hex digits" "${#TOKEN}" 64
post() { curl -s -o "$T/post" -w '%{http_code}' -X POST "$@"; }
check_eq "cancel: no credential 401" "$(post -d csrf="$TOKEN" "$API/status/media/$M1/cancel")" 401
check_eq "cancel: a customer's key 401" "$(post -u "x:$K" -d csrf="$TOKEN" "$API/status/media/$M1/cancel")" 401
check_eq "cancel: no token 403 (CSRF)" "$(post -u "op:$KADM" "$API/status/media/$M1/cancel")" 403
check_eq "cancel: a wrong token 403" "$(post -u "op:$KADM" -d csrf="${TOKEN//a/b}x" "$API/status/media/$M1/cancel")" 403
check_eq "cancel: another operator's token 403" "$(post -u "op:s3cret-operator" -d csrf="$TOKEN" "$API/status/media/$M1/cancel")" 403
check_eq "cancel: from another site 403" "$(post -u "op:$KADM" -H 'Origin: http://evil.example' -d csrf="$TOKEN" "$API/status/media/$M1/cancel")" 403
check_eq "cancel: cross-site fetch 403" "$(post -u "op:$KADM" -H 'Sec-Fetch-Site: cross-site' -d csrf="$TOKEN" "$API/status/media/$M1/cancel")" 403
check_eq "cancel: nothing changed so far" "$(sql "SELECT COUNT(*) FROM jobs WHERE state = 'cancelled'")" 0
check_eq "GET is not an action" "$(curl -s -o /dev/null -w '%{http_code}' -u "op:$KADM" "$API/status/media/$M1/cancel")" 405
out=$(curl -s -D - -o /dev/null -X POST -u "op:$KADM" -H "Origin: ${API}" -H 'Sec-Fetch-Site: same-origin' -d csrf="$TOKEN" "$API/status/media/$M1/cancel")
check "cancel: same-site form with the token: 303" grep -q '^HTTP/1.1 303' <<<"$out"
check "cancel: back to the media's row" grep -qi "^Location: /status#m-$M1" <<<"$out"
check_eq "cancel: its queued download and running transcode cancelled" "$(sql "SELECT GROUP_CONCAT(task, ':', state ORDER BY id) FROM jobs WHERE media_id = $M1")" "download:cancelled,transcode:cancelled"
check_eq "cancel: the other media untouched" "$(sql "SELECT GROUP_CONCAT(state) FROM jobs WHERE media_id IN ($M2, $M3) ORDER BY media_id")" "failed,queued"
check_eq "cancel again: nothing left 409" "$(post -u "op:$KADM" -d csrf="$TOKEN" "$API/status/media/$M1/cancel")" 409
check_eq "retry: the failed download (any account's)" "$(post -u "op:$KADM" -d csrf="$TOKEN" "$API/status/media/$M2/retry")" 303
check_eq "retry: queued again" "$(sql "SELECT state FROM jobs WHERE media_id = $M2")" queued
check_eq "retry: no such media 404" "$(post -u "op:$KADM" -d csrf="$TOKEN" "$API/status/media/999999/retry")" 404
check_eq "an unknown verb 404" "$(post -u "op:$KADM" -d csrf="$TOKEN" "$API/status/media/$M2/delete")" 404
TOK2=$(curl -s -H 'Authorization: Bearer s3cret-operator' "$API/status" | sed -n "s/.*name=csrf value=\"\([0-9a-f]*\)\".*/\1/p" | head -1)
check_eq "the admin_key operator has a token of its own" "$(post -H 'Authorization: Bearer s3cret-operator' -d csrf="$TOK2" "$API/status/media/$M3/cancel")" 303
check "logged" grep -q "dashboard: media=$M2 retried: 1 job(s)" "$APID_LOG"
