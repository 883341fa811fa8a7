#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_ops - the operator side of apid: /health, /metrics (Prometheus text)
# and the dashboard, behind the admin credential, with real jobs run by
# real worker processes (tests/tools/qworker); the numbers shown must be
# the database's.  (test_dashboard.sh takes the Chromium screenshot.)
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_ops
ctl db init >/dev/null || exit 1
KADM=$(new_account ops@example.com --admin)
K=$(new_account cms@example.com)
start_apid "admin_key = s3cret-operator"

# --- /health
out=$(curl -s -w ' %{http_code}' "$API/health")
check_eq "health: 200" "${out##* }" 200
check_eq "health: ok" "$(jget "${out% *}" status)" ok
check_eq "health: schema version" "$(jget "${out% *}" schema_version)" \
    "$(sql "SELECT MAX(version) FROM schema_migrations")"

sql "INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future')"
out=$(curl -s -w ' %{http_code}' "$API/health")
check_eq "health: schema mismatch is 503" "${out##* }" 503
check_eq "health: says so" "$(jget "${out% *}" status)" schema_mismatch
sql "DELETE FROM schema_migrations WHERE version = 9999"

# --- real jobs: 5 done, 2 failed, 2 running, 3 queued
job_mix 5 2 5
curl -s -o /dev/null "$API/api/?action=app_get_settings"
sleep 1.2 # a beat of progress

# --- /metrics
check_eq "metrics: no credential 401" "$(curl -s -o /dev/null -w '%{http_code}' "$API/metrics")" 401
check_eq "metrics: wrong key 401" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' "$API/metrics")" 401
check_eq "metrics: customer key 401" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $K" "$API/metrics")" 401
check_eq "metrics: admin account key" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KADM" "$API/metrics")" 200
curl -s -H 'Authorization: Bearer s3cret-operator' "$API/metrics" > "$T/metrics"
check "metrics: content type" bash -c "curl -s -o /dev/null -w '%{content_type}' -H 'Authorization: Bearer s3cret-operator' '$API/metrics' | grep -q '^text/plain; version=0.0.4'"
check_eq "metrics: done" "$(sed -n 's/^omkt_jobs{task="test",state="done"} //p' "$T/metrics")" "$(n "done")"
check_eq "metrics: failed" "$(sed -n 's/^omkt_jobs{task="test",state="failed"} //p' "$T/metrics")" "$(n failed)"
check_eq "metrics: running" "$(sed -n 's/^omkt_jobs{task="test",state="running"} //p' "$T/metrics")" 2
check_eq "metrics: zero rows too" "$(sed -n 's/^omkt_jobs{task="transcode",state="queued"} //p' "$T/metrics")" 0
check_eq "metrics: workers alive" "$(sed -n 's/^omkt_workers_alive{role="qworker"} //p' "$T/metrics")" 2
check_eq "metrics: duration count" "$(sed -n 's/^omkt_job_duration_seconds_count{task="test"} //p' "$T/metrics")" 5
check "metrics: duration buckets" grep -q '^omkt_job_duration_seconds_bucket{task="test",le="+Inf"} 5$' "$T/metrics"
check "metrics: requests by action and code" grep -q '^omkt_api_requests_total{action="app_get_settings",code="200"} 1$' "$T/metrics"
check "metrics: 401s counted" grep -q '^omkt_api_requests_total{action="metrics",code="401"} 3$' "$T/metrics"
check "metrics: db up" grep -q '^omkt_db_up 1$' "$T/metrics"
bad=$(grep -vE '^(# (HELP|TYPE) .*|[a-z_]+(\{[^}]*\})? [0-9.e+-]+)$' "$T/metrics")
check_eq "metrics: every line is a sample or a comment" "$bad" ""

# --- dashboard
sql "INSERT INTO jobs (task, state, error, finished) VALUES ('maintenance', 'failed', '<script>alert(1)</script>', NOW(3) - INTERVAL 1 HOUR)"
check_eq "dashboard: no credential 401" "$(curl -s -o /dev/null -w '%{http_code}' "$API/")" 401
check "dashboard: asks for Basic" bash -c "curl -s -D - -o /dev/null '$API/status' | grep -qi '^WWW-Authenticate: Basic'"
check_eq "dashboard: Basic ok" "$(curl -s -o "$T/dash.html" -w '%{http_code}' -u "op:s3cret-operator" "$API/")" 200
check_eq "/status too" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer s3cret-operator' "$API/status")" 200
cell() { sed -n "s/.*id=\"q-$1-$2\">\([0-9]*\).*/\1/p" "$T/dash.html"; }
check_eq "dashboard: done" "$(cell test "done")" 5
check_eq "dashboard: failed" "$(cell test failed)" 2
check_eq "dashboard: running" "$(cell test running)" 2
check_eq "dashboard: queued" "$(cell test queued)" "$(n queued)"
check_eq "dashboard: done in the last hour" "$(sed -n 's/.*id=done-hour>\([0-9]*\)<.*/\1/p' "$T/dash.html")" 5
check "dashboard: failure reason" grep -q "asked to fail" "$T/dash.html"
check "dashboard: reasons escaped" grep -q "&lt;script&gt;alert(1)&lt;/script&gt;" "$T/dash.html"
check "dashboard: no raw markup from reasons" bash -c "! grep -q '<script>' '$T/dash.html'"
check_eq "dashboard: two progress bars" "$(grep -o 'class=bar' "$T/dash.html" | wc -l)" 2
check "dashboard: workers with heartbeat age" grep -qE 'qworker<td>[0-9]+<td>running<td class="n">[0-9.]+ s ago' "$T/dash.html"
check "dashboard: refreshes itself" grep -q 'http-equiv=refresh' "$T/dash.html"
check "dashboard: nothing external" bash -c "! grep -qE '(src|href)=\"?https?:' '$T/dash.html'"
