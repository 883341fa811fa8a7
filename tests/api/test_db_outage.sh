#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_db_outage - apid across a database restart: while the server is
# down, /health is 503 and calls answer "database unavailable" (never a
# crash, never a hang); once it is back, the very first call succeeds
# (pooled connections that died are pinged and replaced) and the call log
# catches up: calls made while it was away are kept and written later.
# The operator pages stay open during the outage to an operator key
# verified before it (/metrics says omkt_db_up 0, not 401); a key the
# database never confirmed gets 503 db_unavailable, not "wrong password".
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_db_outage
ctl db init >/dev/null || exit 1
K=$(new_account a@example.com)
KADM=$(new_account ops@example.com --admin)
start_apid "connection_timeout = 5s"
AUTH=(-d transcoder_key="$K" -d application=cms -d version=1)
check_eq "before: new media" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=1 -d url=http://x/1 | cut -c1-3)" 200
port=$(cat "$OMKT_DBDIR/port")
# 1. A quiet restart: the pooled connections died unused.
mariadb_stop "$OMKT_DBDIR"
sleep 1
mariadb_start "$OMKT_DBDIR" "$port" >/dev/null
sleep 1.2 # idle past the ping threshold
check_eq "first call after a quiet restart" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=4 -d url=http://x/4 | cut -c1-3)" 200
# 2. Calls during the outage.
metrics() { curl -s -m 20 -o "$T/metrics" -w '%{http_code}' -H "Authorization: Bearer $1" "$API/metrics"; }
check_eq "before: metrics with the operator key" "$(metrics "$KADM")" 200
check "before: db up" grep -q '^omkt_db_up 1$' "$T/metrics"
mariadb_stop "$OMKT_DBDIR"
sleep 1.2 # past the account cache's lifetime
check_eq "down: metrics with the operator key verified before" "$(metrics "$KADM")" 200
check "down: metrics say db down" grep -q '^omkt_db_up 0$' "$T/metrics"
check_eq "down: dashboard too (Basic)" "$(curl -s -m 20 -o "$T/dash.html" -w '%{http_code}' -u "op:$KADM" "$API/")" 200
check "down: dashboard says so" grep -q 'database unreachable' "$T/dash.html"
check_eq "down: unknown key: 503" "$(metrics nope-never-seen)" 503
check "down: unknown key: told why" grep -q '"code":"db_unavailable".*cannot be checked' "$T/metrics"
check_eq "down: a customer's key verified before: 401" "$(metrics "$K")" 401
check_eq "down: no credential: 401" "$(curl -s -m 20 -o /dev/null -w '%{http_code}' "$API/metrics")" 401
check_eq "down: health 503" "$(curl -s -m 20 -o /dev/null -w '%{http_code}' "$API/health")" 503
check_eq "down: catalogue still served" "$(curl -s -m 20 -o /dev/null -w '%{http_code}' "$API/api/?action=app_get_settings")" 200
out=$(curl -s -m 30 -w ' %{http_code}' "$API/api/" -d action=app_new_media "${AUTH[@]}" -d id=3 -d url=http://x/3)
check "down: a call fails cleanly (cached key: 500, else 500/502)" grep -qE '"code":50[02].* 50[02]$' <<<"$out"
mariadb_start "$OMKT_DBDIR" "$port" >/dev/null
check "database back" mariadb_sql "$OMKT_DBDIR" "SELECT 1"
sleep 1.2 # every pooled connection is now idle past the ping threshold
check_eq "first call after the restart" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=2 -d url=http://x/2 | cut -c1-3)" 200
check_eq "health again" "$(curl -s -o /dev/null -w '%{http_code}' "$API/health")" 200
logged() { [ "$(sql "SELECT COUNT(*) FROM api_calls WHERE action = 'app_new_media'")" = 4 ]; }
check "call log: all four calls, even those made while the database was away" wait_for 10 logged
check "apid still running" kill -0 "$APID_PID"
