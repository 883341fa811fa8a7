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
# Download jobs written straight into the table: 3 done in the last hour
# (0.5 s, 2 s and 40 s), 2 done two days ago, 1 queued for 100 s.
sql "INSERT INTO jobs (task, state, started, finished) VALUES
 ('download', 'done', NOW(3) - INTERVAL 10.5 SECOND, NOW(3) - INTERVAL 10 SECOND),
 ('download', 'done', NOW(3) - INTERVAL 12 SECOND, NOW(3) - INTERVAL 10 SECOND),
 ('download', 'done', NOW(3) - INTERVAL 50 SECOND, NOW(3) - INTERVAL 10 SECOND),
 ('download', 'done', NOW(3) - INTERVAL 2 DAY, NOW(3) - INTERVAL 2 DAY + INTERVAL 1 SECOND),
 ('download', 'done', NOW(3) - INTERVAL 2 DAY, NOW(3) - INTERVAL 2 DAY + INTERVAL 1 SECOND)"
sql "INSERT INTO jobs (task, state, created) VALUES ('download', 'queued', NOW(3) - INTERVAL 100 SECOND)"
check_eq "metrics: no credential 401" "$(curl -s -o /dev/null -w '%{http_code}' "$API/metrics")" 401
check_eq "metrics: wrong key 401" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' "$API/metrics")" 401
check_eq "metrics: customer key 401" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $K" "$API/metrics")" 401
check_eq "metrics: admin account key" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KADM" "$API/metrics")" 200
scrape() { curl -s -H 'Authorization: Bearer s3cret-operator' "$API/metrics${2:-}" > "$T/$1"; }
val() { sed -n "s/^$2 //p" "$T/$1"; } # val FILE SERIES
scrape metrics
check "metrics: content type" bash -c "curl -s -o /dev/null -w '%{content_type}' -H 'Authorization: Bearer s3cret-operator' '$API/metrics' | grep -q '^text/plain; version=0.0.4'"
C='scope="cluster",'
check_eq "metrics: done" "$(val metrics "omkt_jobs{${C}task=\"download\",state=\"done\"}")" 5
check_eq "metrics: queued" "$(val metrics "omkt_jobs{${C}task=\"download\",state=\"queued\"}")" 1
check_eq "metrics: zero rows too" "$(val metrics "omkt_jobs{${C}task=\"transcode\",state=\"queued\"}")" 0
check "metrics: the internal test task is not exported" bash -c "! grep -q 'task=\"test\"' '$T/metrics'"
age=$(val metrics "omkt_job_oldest_queued_seconds{${C}task=\"download\"}")
check "metrics: oldest queued download is 100 s old (got $age)" test "${age:-0}" -ge 98 -a "${age:-0}" -le 110
check_eq "metrics: no queued transcode: age 0" "$(val metrics "omkt_job_oldest_queued_seconds{${C}task=\"transcode\"}")" 0
check_eq "metrics: workers alive" "$(val metrics "omkt_workers_alive{${C}role=\"qworker\"}")" 2
check_eq "metrics: done in the last hour, at most 1 s" "$(val metrics "omkt_jobs_done_last_hour{${C}task=\"download\",le=\"1\"}")" 1
check_eq "metrics: done in the last hour, at most 30 s" "$(val metrics "omkt_jobs_done_last_hour{${C}task=\"download\",le=\"30\"}")" 2
check_eq "metrics: done in the last hour, all" "$(val metrics "omkt_jobs_done_last_hour{${C}task=\"download\",le=\"+Inf\"}")" 3
check_eq "metrics: run time in the last hour" "$(val metrics "omkt_job_seconds_last_hour{${C}task=\"download\"}")" 42.500000
check "metrics: the windows are gauges" grep -q '^# TYPE omkt_jobs_done_last_hour gauge$' "$T/metrics"
check "metrics: no histogram rebuilt from purgeable rows" bash -c "! grep -q omkt_job_duration_seconds '$T/metrics'"
# A purge (maintenance's job trim: finished rows older than keep_jobs)
# lowers no series but the job counts by state.
sql "DELETE FROM jobs WHERE finished < NOW(3) - INTERVAL 1 DAY AND state IN ('done', 'failed', 'cancelled')"
scrape purged
check_eq "metrics after a purge: done rows" "$(val purged "omkt_jobs{${C}task=\"download\",state=\"done\"}")" 3
for s in "omkt_jobs_done_last_hour{${C}task=\"download\",le=\"+Inf\"}" "omkt_jobs_done_last_hour{${C}task=\"download\",le=\"1\"}" "omkt_job_seconds_last_hour{${C}task=\"download\"}"; do
    check_eq "metrics after a purge: $s unchanged" "$(val purged "$s")" "$(val metrics "$s")"
done
# The fronts are told apart: a body too large on REST and on media-nommer.
head -c 2000000 /dev/zero | tr '\0' x > "$T/big"
curl -s -o /dev/null -H "X-API-Key: $K" --data-binary @"$T/big" "$API/v1/media"
curl -s -o /dev/null --data-binary @"$T/big" "$API/nommer/$K/job/submit/"
scrape metrics
check "metrics: requests by api, action and code" grep -q '^omkt_api_requests_total{api="omkt",action="app_get_settings",code="200"} 1$' "$T/metrics"
check "metrics: REST errors on their own" grep -q '^omkt_api_requests_total{api="rest",action="too_big",code="413"} 1$' "$T/metrics"
check "metrics: media-nommer errors on their own" grep -q '^omkt_api_requests_total{api="nommer",action="too_big",code="413"} 1$' "$T/metrics"
check "metrics: 401s counted" grep -q '^omkt_api_requests_total{api="operator",action="metrics",code="401"} 3$' "$T/metrics"
check "metrics: db up" grep -q '^omkt_db_up 1$' "$T/metrics"
bad=$(grep -vE '^(# (HELP|TYPE) .*|[a-z_]+(\{[^}]*\})? [0-9.e+-]+)$' "$T/metrics")
check_eq "metrics: every line is a sample or a comment" "$bad" ""
# Every apid exports the cluster series; ?scope=process leaves them out.
scrape process "?scope=process"
check "metrics scope=process: no cluster series" bash -c "! grep -q 'scope=\"cluster\"' '$T/process'"
check "metrics scope=process: this apid's series" grep -q '^omkt_api_requests_total{api="operator",action="metrics",code="200"}' "$T/process"
check "metrics scope=process: db up" grep -q '^omkt_db_up 1$' "$T/process"
check_eq "metrics: every cluster series is labelled" "$(grep -E '^omkt_(jobs|job_|workers)' "$T/metrics" | grep -vc 'scope="cluster"')" 0

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
check_eq "dashboard: done in the last hour (5 test, 3 download)" "$(sed -n 's/.*id=done-hour>\([0-9]*\)<.*/\1/p' "$T/dash.html")" 8
check "dashboard: failure reason" grep -q "asked to fail" "$T/dash.html"
check "dashboard: reasons escaped" grep -q "&lt;script&gt;alert(1)&lt;/script&gt;" "$T/dash.html"
check "dashboard: no raw markup from reasons" bash -c "! grep -q '<script>' '$T/dash.html'"
check_eq "dashboard: two progress bars" "$(grep -o 'class=bar' "$T/dash.html" | wc -l)" 2
check "dashboard: workers with heartbeat age" grep -qE 'qworker<td>[0-9]+<td>running<td class="n">[0-9.]+ s ago' "$T/dash.html"
check "dashboard: refreshes itself" grep -q 'http-equiv=refresh' "$T/dash.html"
check "dashboard: nothing external" bash -c "! grep -qE '(src|href)=\"?https?:' '$T/dash.html'"
