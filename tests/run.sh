#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - the whole test suite: unit test binaries, then every
# tests/*/test_*.sh, against one private MariaDB started here.
# Env: OMKT_BIN (sanitizer build), OMKT_ONLY (substring filter).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib/mariadb.sh"
export OMKT_BIN=${OMKT_BIN:-build/sanitize/bin}
case $OMKT_BIN in /*) ;; *) OMKT_BIN=$TOP/$OMKT_BIN ;; esac
export OMKT_NPM_CACHE=${OMKT_NPM_CACHE:-$TOP/build/npm}
export OMKT_TMP=${OMKT_TMP:-$(mktemp -d /tmp/omkt-check.XXXXXX)}
export OMKT_DBDIR=$OMKT_TMP/mariadb
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$TOP/tests/lsan.supp:print_suppressions=0
export OMKT_TEST_THREADS=${OMKT_TEST_THREADS:-1} # codec threads (lsan.supp)
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
only=${OMKT_ONLY:-}

mariadb_start "$OMKT_DBDIR" || exit 1
trap 'mariadb_stop "$OMKT_DBDIR"' EXIT

# A database for the unit tests that need one (test_queue).
mariadb_new_db "$OMKT_DBDIR" t_unit omkt omktpw
mariadb_sql "$OMKT_DBDIR" "DROP DATABASE t_unit; CREATE DATABASE t_unit"
export OMKT_TEST_CONF=$OMKT_TMP/unit.conf
printf '[db]\nsocket = %s/mysqld.sock\nuser = omkt\npassword = omktpw\nname = t_unit\n' \
    "$OMKT_DBDIR" > "$OMKT_TEST_CONF"
"$OMKT_BIN/omktctl" -c "$OMKT_TEST_CONF" db init >/dev/null || exit 1

pass=0 failed=() skipped=()
run_one() { # run_one NAME COMMAND...
    local name=$1 t0 rc; shift
    case $name in *"$only"*) ;; *) return ;; esac
    t0=$(date +%s)
    "$@" > "$OMKT_TMP/$(basename "$name").out" 2>&1
    rc=$?
    case $rc in
        0) pass=$((pass + 1)); echo "PASS $name ($(( $(date +%s) - t0 ))s)" ;;
        77) skipped+=("$name"); echo "SKIP $name" ;;
        *) failed+=("$name"); echo "FAIL $name (exit $rc)"
           grep -E "^not ok|^#" "$OMKT_TMP/$(basename "$name").out" | head -40
           tail -30 "$OMKT_TMP/$(basename "$name").out" ;;
    esac
}

for t in "$OMKT_BIN"/tests/test_*; do
    [ -x "$t" ] && run_one "unit/$(basename "$t")" "$t"
done
for t in "$TOP"/tests/*/test_*.sh; do
    [ -f "$t" ] && run_one "${t#"$TOP"/tests/}" bash "$t"
done

echo "passed: $pass, skipped: ${#skipped[@]}, failed: ${#failed[@]}"
[ ${#failed[@]} -eq 0 ] || { printf 'failed: %s\n' "${failed[@]}"; exit 1; }
mariadb_stop "$OMKT_DBDIR"   # before its directory goes (it holds the pid)
rm -rf "$OMKT_TMP"
