#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_crash - a worker SIGKILLed while holding a job: another process
# finishes it after the lease, the attempt counted.  A job that kills its
# worker every time ends failed after max attempts.  SIGTERM releases the
# running job without spending an attempt and exits 0 within the grace.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup crash
ctl db init >/dev/null
export QWORKER_LOG=$T/completions
: > "$QWORKER_LOG"
state() { sql "SELECT CONCAT(state, ' ', attempts) FROM jobs WHERE id = $1"; }

# 1. SIGKILL while holding a job.
id=$(ctl jobs enqueue test --payload sleep_ms=2000)
start a "$OMKT_BIN/tests/qworker" -c "$CONF"
a=$LAST_PID
running() { [ "$(state "$id")" = "running 1" ]; }
check "worker A claims the job" wait_for 10 running
kill -KILL "$a"
wait_exit "$a" 5
check_eq "A is dead" "$EXIT_STATUS" 137
start b "$OMKT_BIN/tests/qworker" -c "$CONF"
done2() { [ "$(state "$id")" = "done 2" ]; }
check "B finishes it after the lease, attempt counted" wait_for 20 done2
check "completion logged by B's process id" grep -q "^$id " "$QWORKER_LOG"
kill -TERM "$LAST_PID"; wait_exit "$LAST_PID" 10

# 2. A poison job that kills its worker every time: failed, not a loop.
id=$(ctl jobs enqueue test --payload crash --max-attempts 3)
starts=0
deadline=$((SECONDS + 60))
while [ $SECONDS -lt $deadline ]; do
    st=$(state "$id")
    case $st in failed*) break ;; esac
    if [ -z "${sup:-}" ] || ! kill -0 "$sup" 2>/dev/null; then
        # like systemd's Restart=on-failure
        start sup "$OMKT_BIN/tests/qworker" -c "$CONF"
        sup=$LAST_PID
        starts=$((starts + 1))
    fi
    sleep 0.2
done
check_eq "poison job ends failed after 3 attempts" "$(state "$id")" "failed 3"
check "it says why" bash -c "ctl() { '$OMKT_BIN/omktctl' -c '$CONF' \"\$@\"; }; ctl jobs show $id | grep -q 'lease expired'"
check "the worker was restarted a bounded number of times ($starts)" test "$starts" -le 5
kill -TERM "$sup" 2>/dev/null; wait_exit "$sup" 10

# 3. SIGTERM mid-job: released without spending an attempt, exit 0.
id=$(ctl jobs enqueue test --payload sleep_ms=60000)
start c "$OMKT_BIN/tests/qworker" -c "$CONF"
c=$LAST_PID
running1() { [ "$(state "$id")" = "running 1" ]; }
check "C claims the long job" wait_for 10 running1
t0=$(date +%s%N)
kill -TERM "$c"
wait_exit "$c" 10
elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check_eq "C exits 0" "$EXIT_STATUS" 0
check "within the 3 s grace period (+1 s) ($elapsed_ms ms)" test "$elapsed_ms" -lt 4000
check_eq "job released, attempt not spent" "$(state "$id")" "queued 0"
check "the log says released" grep -q "job=$id .*released" "$LAST_LOG"

# 4. Draining a host: the worker finishes and exits by itself.
sql "UPDATE jobs SET payload = 'sleep_ms=500' WHERE id = $id"
start d "$OMKT_BIN/tests/qworker" -c "$CONF"
d=$LAST_PID
check "D finishes the job" wait_for 20 bash -c "[ \"\$(mariadb --no-defaults -uroot -S '$OMKT_DBDIR/mysqld.sock' -N -B -e \"SELECT state FROM \\\`$DBNAME\\\`.jobs WHERE id = $id\")\" = done ]"
check "drain its host" ctl drain "$(hostname)"
wait_exit "$d" 15
check_eq "drained worker exits 0 by itself" "$EXIT_STATUS" 0
start e "$OMKT_BIN/tests/qworker" -c "$CONF"
id2=$(ctl jobs enqueue test)
sleep 1.5
check_eq "a new worker on a drained host does not claim" "$(state "$id2")" "queued 0"
check "undrain" ctl drain "$(hostname)" --undo
kill -TERM "$LAST_PID"; wait_exit "$LAST_PID" 10
