#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_db_restart - the database restarted under running workers: they
# reconnect and carry on; every job is done exactly once, none lost.  The
# heartbeat thread says what it could not do (lease renewal, connection),
# at most once a minute per kind.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup dbrestart
ctl db init >/dev/null
export QWORKER_LOG=$T/completions
: > "$QWORKER_LOG"
check "enqueue 300" ctl jobs enqueue test --payload sleep_ms=20 --count 300
start w1 "$OMKT_BIN/tests/qworker" -c "$CONF"
start w2 "$OMKT_BIN/tests/qworker" -c "$CONF"
some_done() { [ "$(sql "SELECT COUNT(*) FROM jobs WHERE state = 'done'")" -ge 30 ]; }
check "work under way" wait_for 30 some_done
port=$(cat "$OMKT_DBDIR/port")
mariadb_stop "$OMKT_DBDIR"
sleep 2
mariadb_start "$OMKT_DBDIR" "$port" >/dev/null
check "server back" mariadb_sql "$OMKT_DBDIR" "SELECT 1"
all_done() { [ "$(sql "SELECT COUNT(*) FROM jobs WHERE state = 'done'")" = 300 ]; }
check "all 300 done after the restart" wait_for 90 all_done
check_eq "none failed" "$(sql "SELECT COUNT(*) FROM jobs WHERE state <> 'done'")" 0
check_eq "every job completed (logged) at least once" \
    "$(cut -d' ' -f1 "$QWORKER_LOG" | sort -u | wc -l)" 300
for pid in "${PIDS[@]}"; do
    check "worker $pid survived the outage" kill -0 "$pid"
done
check "workers logged the reconnect" grep -q "reconnect\|retrying" "$T"/logs/*.log
check "the heartbeat thread logged the outage" \
    grep -qE "warn: heartbeat: (database connection|lease renewal|process heartbeat): " "$T"/logs/w*.log
most=$(for f in "$T"/logs/w*.log; do
    grep -oE "heartbeat: [a-z ]+:" "$f" | sort | uniq -c
done | awk '{ if ($1 > m) m = $1 } END { print m + 0 }')
check "heartbeat failures are rate-limited (at most $most of a kind)" \
    test "$most" -le 2
