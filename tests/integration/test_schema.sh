#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_schema - omktctl db init/upgrade/status, schema.sql == migrations,
# daemons refusing an unknown schema version, config errors.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup schema

out=$(ctl db status 2>&1); rc=$?
check_eq "status before init fails" "$rc" 1
check "status says not initialised" grep -q "not initialised" <<<"$out"

start qworker env "$OMKT_BIN/tests/qworker" -c "$CONF"
wait_exit "$LAST_PID" 10
check_eq "daemon refuses an uninitialised db" "$EXIT_STATUS" 1
check "it says why" grep -q "omktctl db init" "$LAST_LOG"

check "db init" ctl db init
out=$(ctl db init 2>&1); rc=$?
check_eq "second init refused" "$rc" 1
check "refusal names upgrade" grep -q "db upgrade" <<<"$out"
check "upgrade is a no-op" grep -q "0 migrations applied" <<<"$(ctl db upgrade)"
check "status ok" ctl db status

# schema.sql and the migrations must describe the same tables.
ref="t_schema_ref"
mariadb_sql "$OMKT_DBDIR" "DROP DATABASE IF EXISTS $ref; CREATE DATABASE $ref"
mariadb --no-defaults -uroot -S "$OMKT_DBDIR/mysqld.sock" "$ref" < "$TOP/sql/schema.sql"
dump() {
    local db=$1 t
    for t in $(mariadb_sql "$OMKT_DBDIR" "SELECT table_name FROM information_schema.tables WHERE table_schema='$db' ORDER BY 1"); do
        mariadb_sql "$OMKT_DBDIR" "SHOW CREATE TABLE \`$db\`.\`$t\`" | sed 's/ AUTO_INCREMENT=[0-9]*//'
    done
}
check_eq "schema.sql matches the migrations" "$(dump "$ref" | md5sum)" "$(dump "$DBNAME" | md5sum)"
diff <(dump "$ref") <(dump "$DBNAME") | head -20

# A database newer than the programs.
sql "INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future')"
start qworker "$OMKT_BIN/tests/qworker" -c "$CONF"
wait_exit "$LAST_PID" 10
check_eq "daemon refuses a newer schema" "$EXIT_STATUS" 1
check "it says upgrade the programs" grep -q "upgrade the programs" "$LAST_LOG"
sql "DELETE FROM schema_migrations WHERE version = 9999"

# Config errors: file:line for unknown keys and bad values.
printf '[common]\nlease = 3s\nbogus = 1\n' > "$T/bad1.conf"
out=$("$OMKT_BIN/tests/qworker" -c "$T/bad1.conf" -t 2>&1); rc=$?
check_eq "unknown key: exit 2" "$rc" 2
check "unknown key: file:line" grep -q "bad1.conf:3: unknown key 'bogus' in \[common\]" <<<"$out"
printf '[common]\nlease = soon\n' > "$T/bad2.conf"
out=$("$OMKT_BIN/tests/qworker" -c "$T/bad2.conf" -t 2>&1)
check "bad duration: file:line and hint" grep -q "bad2.conf:2: common.lease = soon: expected a duration" <<<"$out"
printf '[common]\nlease = 1ms\n' > "$T/bad3.conf"
out=$("$OMKT_BIN/tests/qworker" -c "$T/bad3.conf" -t 2>&1)
check "out of range" grep -q "bad3.conf:2: common.lease = 1ms: out of range" <<<"$out"
printf '[nonsense]\n' > "$T/bad4.conf"
out=$("$OMKT_BIN/tests/qworker" -c "$T/bad4.conf" -t 2>&1)
check "unknown section" grep -q "bad4.conf:1: unknown section \[nonsense\]" <<<"$out"
check "-t accepts the test config" "$OMKT_BIN/tests/qworker" -c "$CONF" -t
check "-p masks the password" bash -c "'$OMKT_BIN/tests/qworker' -c '$CONF' -p | grep -q 'password = \*\*\*\*\*\*\*\*'"
check "omktctl -t accepts the test config" ctl -t
out=$("$OMKT_BIN/omktctl" -c "$T/bad1.conf" -t 2>&1); rc=$?
check_eq "omktctl -t rejects a bad one" "$rc" 2
check "omktctl -t names file:line" grep -q "bad1.conf:3" <<<"$out"
lacks() { ! grep -q "$1" <<<"$2"; }
check "no leak reported on the error path" lacks Sanitizer "$out"
printf '[db]\nsocket = /nonexistent.sock\n' > "$T/nodb.conf"
out=$("$OMKT_BIN/omktctl" -c "$T/nodb.conf" jobs list 2>&1)
check "unreachable database: clear error" grep -q "database: connect" <<<"$out"
check "unreachable database: no leak" lacks Sanitizer "$out"
check "example config passes -t for every daemon" bash -c "for d in apid downloaderd metadatad transcoderd notifierd; do '$OMKT_BIN/'\$d -c '$TOP/etc/omkt.conf.example' -t -n || exit 1; done"
