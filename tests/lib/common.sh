# SPDX-License-Identifier: GPL-2.0-or-later
# common.sh - helpers for the integration tests.  Each test sources this,
# calls `omkt_setup NAME` to get its own database, document root and
# config (against the suite's MariaDB, started by tests/run.sh or on
# demand), and exits 0 (pass), 1 (fail) or 77 (skip).
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$TOP/tests/lib/mariadb.sh"
OMKT_BIN=${OMKT_BIN:-$TOP/build/sanitize/bin}
case $OMKT_BIN in /*) ;; *) OMKT_BIN=$TOP/$OMKT_BIN ;; esac
OMKT_TMP=${OMKT_TMP:-$(mktemp -d /tmp/omkt-test.XXXXXX)}
# Under tests/run.sh the suite's server is given; a test run alone starts
# its own and stops it at teardown.
if [ -n "${OMKT_DBDIR:-}" ]; then OWN_DB=; else OWN_DB=1; fi
OMKT_DBDIR=${OMKT_DBDIR:-$OMKT_TMP/mariadb}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$TOP/tests/lsan.supp:print_suppressions=0}
export OMKT_TEST_THREADS=${OMKT_TEST_THREADS:-1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
FAILS=0
PIDS=()

pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
check_eq() { # check_eq DESCRIPTION GOT WANT
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (got '$2', want '$3')"; fi
}

omkt_setup() {
    local name=$1
    T=$OMKT_TMP/$name
    rm -rf "$T"
    mkdir -p "$T/docroot" "$T/logs"
    mariadb_start "$OMKT_DBDIR" >/dev/null || exit 1
    DBNAME="t_$name"
    mariadb_sql "$OMKT_DBDIR" "DROP DATABASE IF EXISTS \`$DBNAME\`"
    mariadb_new_db "$OMKT_DBDIR" "$DBNAME" omkt omktpw
    CONF=$T/omkt.conf
    write_conf "$CONF"
    trap omkt_teardown EXIT
}

# write_conf FILE [EXTRA_LINES] - config for this test's database.
write_conf() {
    cat > "$1" <<CONF
# Codecs single-threaded (tests/lsan.supp says why); a later
# [transcoderd] section may set threads again.
[transcoderd]
threads = $OMKT_TEST_THREADS

[db]
socket = $(cd "$OMKT_DBDIR" && pwd)/mysqld.sock
user = omkt
password = omktpw
name = $DBNAME

[common]
docroot = $T/docroot
lease = 3s
heartbeat = 500ms
shutdown_grace = 3s
reap_interval = 500ms
retry_base = 100ms
retry_max = 1s
${2:-}
CONF
}

sql() { mariadb_sql "$OMKT_DBDIR" "USE \`$DBNAME\`; $*"; }

ctl() { "$OMKT_BIN/omktctl" -c "$CONF" "$@"; }

# start PROG [ARGS...] - a daemon in the background, logging to $T/logs.
start() {
    local prog=$1 log; shift
    log=$T/logs/$prog.$(date +%s%N).log
    "$@" >"$log" 2>&1 &
    PIDS+=($!)
    LAST_PID=$!
    LAST_LOG=$log
}

# wait_for SECONDS COMMAND... - poll until COMMAND succeeds.
wait_for() {
    local limit=$1 i; shift
    for i in $(seq 1 $((limit * 10))); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

# wait_exit PID SECONDS - wait for a child to exit; prints its exit status
# (or "timeout").  Call it directly, not in $(...): only this shell can
# reap its children.  The status is also left in $EXIT_STATUS.
wait_exit() {
    local pid=$1 limit=$2 i
    EXIT_STATUS=timeout
    for i in $(seq 1 $((limit * 10))); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            EXIT_STATUS=$?
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# sanitizer_clean - no ASan/UBSan/LSan report in any daemon log.
sanitizer_clean() {
    ! grep -l -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" \
        "$T"/logs/*.log 2>/dev/null
}

omkt_teardown() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${PIDS[@]}"; do
        wait_exit "$pid" 10 || kill -9 "$pid" 2>/dev/null
    done
    if [ -d "$T/logs" ] && ! sanitizer_clean >/dev/null; then
        echo "not ok - sanitizer reports in daemon logs:"
        grep -h -A20 -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$T"/logs/*.log | head -60
        FAILS=$((FAILS + 1))
    fi
    [ -n "$OWN_DB" ] && mariadb_stop "$OMKT_DBDIR"
    if [ "$FAILS" -gt 0 ]; then
        echo "# $FAILS failure(s); logs in $T/logs"
        exit 1
    fi
}
