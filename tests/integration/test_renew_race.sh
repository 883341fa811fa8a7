#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_renew_race - the heartbeat's lease renewal meeting a worker that
# is recording its job's outcome (qworker "slow_done_ms=N": the
# completion transaction holds the job's row for longer than a heartbeat):
# - no deadlock: with few jobs the renewal took the k_jobs_due index and
#   held its entry while waiting for the row, the completion needed that
#   entry: "Deadlock found" on every retry, the job never done (before
#   the fix: 0 of 6 completions in 60 s);
# - no "lease lost ... abandoning" warning: the renewal that then finds
#   the job done has met the worker's own commit (before: 4 of 6 jobs).
# Every job done once, on its first attempt.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup renewrace
ctl db init >/dev/null
export QWORKER_LOG=$T/completions
: > "$QWORKER_LOG"
N=6
check "enqueue $N slow completions" \
    ctl jobs enqueue test --count $N --payload slow_done_ms=1200
start qworker "$OMKT_BIN/tests/qworker" -c "$CONF"
all_done() { [ "$(sql "SELECT COUNT(*) FROM jobs WHERE state = 'done'")" = $N ]; }
check "all $N done within 60 s" wait_for 60 all_done
check_eq "$N completions logged" "$(wc -l < "$QWORKER_LOG")" $N
check_eq "each on its first attempt" \
    "$(sql "SELECT COUNT(*) FROM jobs WHERE attempts <> 1")" 0
check_eq "no 'lease lost' warning" "$(grep -c 'lease lost' "$LAST_LOG")" 0
check_eq "no job abandoned" "$(grep -c 'abandoned' "$LAST_LOG")" 0
omkt_teardown
