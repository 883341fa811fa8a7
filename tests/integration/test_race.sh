#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_race - 8 worker processes racing over 2,000 queued jobs: exactly
# 2,000 completions, no job claimed twice, none lost.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup race
ctl db init >/dev/null
export QWORKER_LOG=$T/completions
: > "$QWORKER_LOG"
check "enqueue 2000" ctl jobs enqueue test --count 2000
for _ in 1 2 3 4 5 6 7 8; do
    start qworker "$OMKT_BIN/tests/qworker" -c "$CONF"
done
all_done() { [ "$(sql "SELECT COUNT(*) FROM jobs WHERE state = 'done'")" = 2000 ]; }
check "all 2000 done within 120 s" wait_for 120 all_done
check_eq "exactly 2000 completions logged" "$(wc -l < "$QWORKER_LOG")" 2000
check_eq "2000 distinct jobs completed" "$(cut -d' ' -f1 "$QWORKER_LOG" | sort -u | wc -l)" 2000
check_eq "no job claimed twice (attempts = 1 everywhere)" \
    "$(sql "SELECT COUNT(*) FROM jobs WHERE attempts <> 1")" 0
check_eq "none lost or failed" \
    "$(sql "SELECT COUNT(*) FROM jobs WHERE state <> 'done'")" 0
workers=$(cut -d' ' -f2 "$QWORKER_LOG" | sort -u | wc -l)
check "work spread over several workers ($workers)" test "$workers" -ge 4
for pid in "${PIDS[@]}"; do kill -TERM "$pid"; done
for pid in "${PIDS[@]}"; do
    wait_exit "$pid" 15
    check_eq "worker $pid exits 0 on SIGTERM" "$EXIT_STATUS" 0
done
check_eq "every process row marked stopped" \
    "$(sql "SELECT COUNT(*) FROM processes WHERE state <> 'stopped'")" 0
