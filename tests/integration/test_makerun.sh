#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_makerun - `make run` (tools/run.sh) tells the truth and keeps the
# demo up: when apid cannot bind its port (another server answers HTTP
# there) it says so and exits non-zero instead of "omkt is running";
# when a daemon dies it is restarted (and logged in var/log/run.log);
# SIGTERM stops everything.  Runs in its own var directory.
. "$(dirname "$0")/../lib/common.sh"
T=$OMKT_TMP/makerun
rm -rf "$T"
mkdir -p "$T/logs"
export OMKT_RUN_VAR=$T/var OMKT_RUN_BIN=$OMKT_BIN
RUN_PID=

cleanup() {
    local f
    [ -n "$RUN_PID" ] && kill -TERM "$RUN_PID" 2>/dev/null && wait_exit "$RUN_PID" 30
    for f in "$OMKT_RUN_VAR"/run/*.pid; do
        [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
    done
    [ -n "${BUSY_PID:-}" ] && kill "$BUSY_PID" 2>/dev/null
    mariadb_stop "$OMKT_RUN_VAR/mariadb" 2>/dev/null
    cp "$OMKT_RUN_VAR"/log/*.log "$T/logs/" 2>/dev/null
    if [ "$FAILS" -gt 0 ]; then echo "# $FAILS failure(s); logs in $T"; exit 1; fi
}
trap cleanup EXIT
free_port() { mariadb_free_port; }
stamp() { echo "# $(date +%T) $*"; }

# --- the port is taken by another HTTP server
stamp busy
BUSY=$(free_port)
python3 -m http.server "$BUSY" --bind 127.0.0.1 >/dev/null 2>&1 &
BUSY_PID=$!
wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$BUSY/"
PORT=$BUSY timeout 120 bash "$TOP/tools/run.sh" > "$T/busy.out" 2>&1
rc=$?
check "port taken: run.sh fails (exit $rc)" test "$rc" != 0 -a "$rc" != 124
check "port taken: does not claim omkt is running" bash -c "! grep -q 'omkt is running' '$T/busy.out'"
check "port taken: says apid did not start" grep -q "apid did not start" "$T/busy.out"
check "port taken: no daemon left behind" bash -c \
    "! pgrep -f -- '[-]c $OMKT_RUN_VAR/omkt.conf' >/dev/null"
kill "$BUSY_PID"
BUSY_PID=

# --- a free port: up, a daemon killed is restarted
stamp free
PORT=$(free_port)
PORT=$PORT bash "$TOP/tools/run.sh" > "$T/run.out" 2>&1 &
RUN_PID=$!
check "free port: omkt is running" wait_for 120 grep -q "omkt is running" "$T/run.out"
check_eq "free port: /health" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health")" 200
old=$(cat "$OMKT_RUN_VAR/run/apid.pid")
kill -KILL "$old"
check "apid killed: the restart is logged" wait_for 15 grep -q "apid (pid $old) exited" "$OMKT_RUN_VAR/log/run.log"
check "apid killed: a new apid answers /health" wait_for 15 \
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/health"
check "apid killed: it is another process" \
    [ "$(cat "$OMKT_RUN_VAR/run/apid.pid")" != "$old" ]
old=$(cat "$OMKT_RUN_VAR/run/transcoderd.pid")
kill -KILL "$old"
check "transcoderd killed: restarted" wait_for 15 bash -c \
    "[ -s '$OMKT_RUN_VAR/run/transcoderd.pid' ] && [ \"\$(cat '$OMKT_RUN_VAR/run/transcoderd.pid')\" != $old ] && kill -0 \$(cat '$OMKT_RUN_VAR/run/transcoderd.pid')"

# --- a daemon that exits cleanly (status 0: signalled, drained) is not
# restarted: kill -INT to the group of a background make run reaches the
# daemons, not run.sh (a non-interactive shell ignores INT in background
# jobs), and the demo used to restart them for ever
old=$(cat "$OMKT_RUN_VAR/run/notifierd.pid")
kill -INT "$old"
check "notifierd INT: exit 0 logged, not restarted" wait_for 15 \
    grep -q "notifierd (pid $old) exited cleanly; not restarted" "$OMKT_RUN_VAR/log/run.log"
sleep 3
check "notifierd INT: no new notifierd" bash -c \
    "! pgrep -f -- '[/]notifierd -c $OMKT_RUN_VAR/omkt.conf' >/dev/null"
check "notifierd INT: the others still run" \
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/health"

# --- SIGTERM stops everything
stamp term
kill -TERM "$RUN_PID"
wait_exit "$RUN_PID" 60
check_eq "TERM: run.sh exits 0" "$EXIT_STATUS" 0
RUN_PID=
check "TERM: no daemon left behind" bash -c \
    "! pgrep -f -- '[-]c $OMKT_RUN_VAR/omkt.conf' >/dev/null"
check "TERM: MariaDB stopped" bash -c "! [ -S '$OMKT_RUN_VAR/mariadb/mysqld.sock' ] || ! mariadb_sql '$OMKT_RUN_VAR/mariadb' 'SELECT 1' 2>/dev/null"
