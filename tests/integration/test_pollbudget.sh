#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_pollbudget - the idle poll budget ([common] poll_budget, DESIGN.md
# invariant 9) with real worker processes (tests/tools/qworker, three
# poller threads each): the idle polls of the whole role stay at the
# budget as processes join (2, then 6: the old scheme would poll 6 x 3 x
# ~3.6 = 65 times a second), a SIGKILLed process stops counting once its
# heartbeat ages out (and the survivors take over its share), and no job
# queued meanwhile waits longer than the lease (but one that a killed
# process had claimed, which waits for that lease by design).  Polls are
# counted as the SELECTs of the pollers' own database user (user
# statistics).
. "$(dirname "$0")/../lib/common.sh"
omkt_setup pollbudget
BUDGET=20
WINDOW=5
ctl db init >/dev/null
mariadb_sql "$OMKT_DBDIR" "CREATE USER IF NOT EXISTS 'qpoll'@'localhost'
    IDENTIFIED BY 'pw'; GRANT ALL ON \`$DBNAME\`.* TO 'qpoll'@'localhost';
    SET GLOBAL userstat = 1"
QCONF=$T/qpoll.conf
sed -e 's/^user = omkt$/user = qpoll/' -e 's/^password = omktpw$/password = pw/' \
    -e 's/^reap_interval = .*/reap_interval = 5s/' "$CONF" > "$QCONF"
printf 'poll_budget = %s/s\n[qworker]\nworkers = 3\n' "$BUDGET" >> "$QCONF"

selects() {
    mariadb_sql "$OMKT_DBDIR" "SELECT IFNULL(SUM(SELECT_COMMANDS), 0) FROM
        information_schema.USER_STATISTICS WHERE USER = 'qpoll'"
}
# rate_in_budget WHAT - the pollers' SELECTs over WINDOW seconds: the
# budget +-20%, plus the shared chores' (the reaper's SELECT, 0.2/s: the
# processes learn N from their polls, so the chores count nothing) and
# some slack for a loaded host (an ASan daemon beating late is briefly
# not counted, so the others poll a little faster): 16..27/s.  Broken,
# it is 40..120/s (each process taking the whole budget) or ~65/s (the
# old scheme).
rate_in_budget() {
    local a b
    a=$(selects); sleep "$WINDOW"; b=$(selects)
    awk -v a="$a" -v b="$b" -v w="$WINDOW" -v bu="$BUDGET" -v what="$1" 'BEGIN {
        r = (b - a) / w; lo = bu * 0.8; hi = bu * 1.2 + 3
        printf "# %s: %.1f SELECTs/s (want %.1f..%.1f)\n", what, r, lo, hi
        exit !(r >= lo && r <= hi) }'
}
qstart() { start q "$OMKT_BIN/tests/qworker" -c "$QCONF"; QPIDS+=("$LAST_PID"); }
QPIDS=()
# counted N - the count of omkt_poll_idle is N (fresh heartbeats: the
# test config beats every 500 ms, so 3 beats = 2 s).
counted() {
    [ "$(sql "SELECT COUNT(*) FROM processes WHERE role = 'qworker' AND
              state = 'running' AND current_job IS NULL AND
              heartbeat > NOW(3) - INTERVAL 2 SECOND")" = "$1" ]
}

qstart; qstart
check "two pollers counted" wait_for 10 counted 2
sleep 3
check "2 processes x 3 threads: the budget" rate_in_budget "2 processes"
for _ in 1 2 3 4; do qstart; done
check "six counted" wait_for 10 counted 6
sleep 3
check "6 processes x 3 threads: still the budget" rate_in_budget "6 processes"

# Jobs at random times while four of the six are SIGKILLed.
first=$(ctl jobs enqueue test --payload x)
for _ in 1 2; do
    sleep "0.$((RANDOM % 9 + 1))"
    ctl jobs enqueue test --payload x >/dev/null
done
kill -KILL "${QPIDS[2]}" "${QPIDS[3]}" "${QPIDS[4]}" "${QPIDS[5]}"
t0=$(date +%s%N)
ctl jobs enqueue test --payload x >/dev/null
check "the killed ones stop counting once their heartbeat ages out" \
    wait_for 10 counted 2
ms=$((($(date +%s%N) - t0) / 1000000))
check "within 3 heartbeats, +1 s ($ms ms)" test "$ms" -le 2500
for _ in 1 2 3 4 5 6; do
    sleep "0.$((RANDOM % 9 + 1))"
    ctl jobs enqueue test --payload x >/dev/null
done
alldone() { [ "$(sql "SELECT COUNT(*) FROM jobs WHERE id >= $first AND state <> 'done'")" = 0 ]; }
check "every job done" wait_for 20 alldone
# A job claimed by a process at the instant it was killed waits for its
# lease by design (then the reaper requeues it): its second claim is not
# a poll that came late.
maxwait=$(sql "SELECT MAX(TIMESTAMPDIFF(MICROSECOND, created, started)) DIV 1000
               FROM jobs WHERE id >= $first AND attempts = 1")
redone=$(sql "SELECT COUNT(*) FROM jobs WHERE id >= $first AND attempts > 1")
echo "# $redone job(s) held by a killed process, redone after the lease"
check "no job waited longer than the 3 s lease (longest ${maxwait} ms)" test "$maxwait" -lt 3000
sleep 2
check "2 survivors: the budget again" rate_in_budget "2 survivors"
omkt_teardown
