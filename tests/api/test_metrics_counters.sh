#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_metrics_counters - /metrics job counters are monotonic (issue 15):
# the duration histogram was rebuilt from job rows that get purged, so
# counts went down.  All-time counters (omkt_jobs_finished_total, the
# omkt_job_run_seconds histogram) live in job_counters, bumped in the
# transaction that ends the job (real completions by qworker processes),
# seeded by migration 0007 from the jobs already there; a purge leaves
# them unchanged.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_counters
ctl db init >/dev/null 2>&1 || exit 1
start_apid "admin_key = s3cret-operator"
C='scope="cluster",'
scrape() { curl -s -H 'Authorization: Bearer s3cret-operator' "$API/metrics" > "$T/$1"; }
val() { awk -v k="$2" '$1 == k { print $2 }' "$T/$1"; }
counters() { sql "SELECT CONCAT_WS(' ', task, outcome, jobs, le_1, le_5, le_30, le_60, le_300, le_1800)
                  FROM job_counters ORDER BY task, outcome"; }

# --- seeded by 0007 from the jobs present when it runs: 3 downloads done
# (0.5 s, 3 s, 100 s) and 1 failed, 1 transcode done (2000 s).  The
# migration's own INSERT is run again (later migrations keep it from
# being re-applied by db upgrade).
sql "INSERT INTO jobs (task, state, started, finished) VALUES
       ('download', 'done', NOW(3) - INTERVAL 500000 MICROSECOND, NOW(3)),
       ('download', 'done', NOW(3) - INTERVAL 3 SECOND, NOW(3)),
       ('download', 'done', NOW(3) - INTERVAL 100 SECOND, NOW(3)),
       ('download', 'failed', NOW(3) - INTERVAL 1 SECOND, NOW(3)),
       ('transcode', 'done', NOW(3) - INTERVAL 2000 SECOND, NOW(3)),
       ('download', 'queued', NULL, NULL)"
sql "DELETE FROM job_counters;
     $(sed -n '/^INSERT INTO job_counters/,$p' "$TOP/sql/migrations/0007_counters.sql")"
check_eq "0007 seeds the counters from the jobs there" "$(counters)" \
"download done 3 1 2 2 2 3 3
download failed 1 0 0 0 0 0 0
transcode done 1 0 0 0 0 0 0"

scrape before
check_eq "finished_total download done" "$(val before "omkt_jobs_finished_total{${C}task=\"download\",outcome=\"done\"}")" 3
check_eq "finished_total download failed" "$(val before "omkt_jobs_finished_total{${C}task=\"download\",outcome=\"failed\"}")" 1
check_eq "finished_total notify done: 0, not absent" "$(val before "omkt_jobs_finished_total{${C}task=\"notify\",outcome=\"done\"}")" 0
check_eq "histogram download le=1" "$(val before "omkt_job_run_seconds_bucket{${C}task=\"download\",le=\"1\"}")" 1
check_eq "histogram download le=5" "$(val before "omkt_job_run_seconds_bucket{${C}task=\"download\",le=\"5\"}")" 2
check_eq "histogram download le=300" "$(val before "omkt_job_run_seconds_bucket{${C}task=\"download\",le=\"300\"}")" 3
check_eq "histogram download +Inf" "$(val before "omkt_job_run_seconds_bucket{${C}task=\"download\",le=\"+Inf\"}")" 3
check_eq "histogram download count" "$(val before "omkt_job_run_seconds_count{${C}task=\"download\"}")" 3
check "histogram download sum ~103.5" python3 -c "import sys; sys.exit(abs(float('$(val before "omkt_job_run_seconds_sum{${C}task=\"download\"}")') - 103.5) > 0.1)"
check_eq "histogram transcode le=1800: 0 (ran 2000 s)" "$(val before "omkt_job_run_seconds_bucket{${C}task=\"transcode\",le=\"1800\"}")" 0
check "TYPE counter and histogram" bash -c "grep -q '^# TYPE omkt_jobs_finished_total counter' '$T/before' &&
    grep -q '^# TYPE omkt_job_run_seconds histogram' '$T/before'"
check "the test task is not exported" bash -c "! grep -q 'task=\"test\"' '$T/before'"

# --- real completions (qworker: the jobworker transition) are counted
ctl jobs enqueue test --count 4 >/dev/null
ctl jobs enqueue test --payload fail --max-attempts 1 --count 2 >/dev/null
start qworker "$OMKT_BIN/tests/qworker" -c "$CONF"
settled() { [ "$(n "done")" = "$1" ] && [ "$(n failed)" = "$2" ]; }
check "qworker ends 4 done, 2 failed" wait_for 30 settled 4 2
check_eq "completions counted in job_counters" \
    "$(sql "SELECT CONCAT_WS(' ', outcome, jobs, le_1) FROM job_counters WHERE task = 'test' ORDER BY outcome")" \
    "done 4 4
failed 2 0"
# a retryable failure with attempts left ends 'delayed': not counted
ctl jobs enqueue test --payload fail --max-attempts 3 >/dev/null
check "a retried job ends failed after 3 attempts" wait_for 20 settled 4 3
check_eq "  ... counted once, when it failed for good" \
    "$(sql "SELECT jobs FROM job_counters WHERE task = 'test' AND outcome = 'failed'")" 3

# --- purge every finished job: the counters do not go down
ctl jobs purge --older-than 0s >/dev/null
check_eq "purged: no finished job left" \
    "$(sql "SELECT COUNT(*) FROM jobs WHERE state IN ('done', 'failed')")" 0
scrape after
for k in "omkt_jobs_finished_total{${C}task=\"download\",outcome=\"done\"}" \
         "omkt_jobs_finished_total{${C}task=\"download\",outcome=\"failed\"}" \
         "omkt_job_run_seconds_bucket{${C}task=\"download\",le=\"5\"}" \
         "omkt_job_run_seconds_count{${C}task=\"transcode\"}" \
         "omkt_job_run_seconds_sum{${C}task=\"download\"}"; do
    check_eq "after the purge, unchanged: $k" "$(val after "$k")" "$(val before "$k")"
done
check_eq "the gauge over rows did drop (what the counters fix)" \
    "$(val after "omkt_jobs{${C}task=\"download\",state=\"done\"}")" 0
