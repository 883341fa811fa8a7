#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_omktctl_progress - omktctl's long operations (schema upgrade, bulk
# retry, purge) draw a progress bar (percent, count, ETA) on stderr when
# it is a terminal (issue 15), and nothing when stderr is a pipe or with
# --json; the work and the final line are the same either way.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup omktctl_progress
export OMKTCTL=$OMKT_BIN/omktctl CONF

# on_tty OUTFILE ARGS... - omktctl ARGS with stdin, stdout and stderr on a
# pseudo-terminal; everything it wrote goes to OUTFILE; its exit status.
on_tty() {
    python3 - "$@" <<'PY'
import os, pty, sys
out, args = sys.argv[1], [os.environ["OMKTCTL"], "-c", os.environ["CONF"]] + sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(args[0], args)
data = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
open(out, "wb").write(data)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
PY
}
# bar WHAT N FILE - FILE has the bar of WHAT at 100%, N/N, with an ETA.
bar() { grep -qaP "\r$1 \[#{30}\] 100%  $2/$2  ETA \d+:\d\d" "$3"; }
nobar() { ! grep -qaE 'ETA|\[[#-]{30}\]' "$1"; }
failed_jobs() { # failed_jobs N - N failed test jobs, ids 1..N
    sql "DELETE FROM jobs; INSERT INTO jobs (id, task, state, finished)
         SELECT seq, 'test', 'failed', NOW(3) FROM seq_1_to_$1"
}
old_jobs() { # old_jobs N - N done jobs that ended two days ago
    sql "DELETE FROM jobs; INSERT INTO jobs (task, state, finished)
         SELECT 'test', 'done', NOW(3) - INTERVAL 2 DAY FROM seq_1_to_$1"
}

# --- schema upgrade (db init applies every migration)
n=$(ls "$TOP"/sql/migrations/*.sql | wc -l)
check "db init on a terminal: exit 0" on_tty "$T/init.tty" db init
check "  ... a bar: schema upgrade 100% $n/$n ETA" bar "schema upgrade" "$n" "$T/init.tty"
check "  ... then the result line" grep -qa "migrations applied" "$T/init.tty"
sql "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)"
ctl db upgrade >/dev/null 2>"$T/upgrade.err" || true
check "db upgrade, stderr a file: no bar" nobar "$T/upgrade.err"

# --- bulk retry
failed_jobs 300
check "jobs retry --state failed on a terminal" on_tty "$T/retry.tty" jobs retry --state failed
check "  ... a bar: retry 100% 300/300 ETA" bar retry 300 "$T/retry.tty"
check "  ... '300 jobs queued again'" grep -qa "300 jobs queued again" "$T/retry.tty"
check_eq "  ... every job queued" "$(sql "SELECT COUNT(*) FROM jobs WHERE state = 'queued'")" 300
failed_jobs 300
out=$(ctl jobs retry --state failed --task test 2>"$T/retry.err")
check_eq "jobs retry on a pipe: the same line" "$out" "300 jobs queued again"
check "  ... no bar on stderr" nobar "$T/retry.err"
check_eq "  ... stderr empty" "$(wc -c <"$T/retry.err")" 0
failed_jobs 50
check "jobs retry --json on a terminal" on_tty "$T/retry-json.tty" --json jobs retry --state failed
check "  ... no bar" nobar "$T/retry-json.tty"
check_eq "  ... the jobs queued" "$(sql "SELECT COUNT(*) FROM jobs WHERE state = 'queued'")" 50
check "jobs retry --state queued: refused" bash -c '! "$OMKTCTL" -c "$CONF" jobs retry --state queued 2>/dev/null'

# --- purge
old_jobs 1200
sql "INSERT INTO jobs (task, state, finished) VALUES ('test', 'done', NOW(3))"
check "jobs purge --older-than 1d on a terminal" on_tty "$T/purge.tty" jobs purge --older-than 1d
check "  ... a bar: purge 100% 1200/1200 ETA" bar purge 1200 "$T/purge.tty"
check "  ... '1200 finished jobs purged'" grep -qa "1200 finished jobs purged" "$T/purge.tty"
check_eq "  ... the recent job kept" "$(sql "SELECT COUNT(*) FROM jobs")" 1
old_jobs 700
out=$(ctl jobs purge --older-than 1d 2>"$T/purge.err" | cat)
check_eq "jobs purge on a pipe: the same line" "$out" "700 finished jobs purged"
check "  ... no bar" nobar "$T/purge.err"
check "jobs purge without --older-than: usage, exit 2" \
    bash -c '"$OMKTCTL" -c "$CONF" jobs purge 2>/dev/null; [ $? -eq 2 ]'
