#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_db_dml - `omktctl db upgrade` with the daemons' DML account (no DDL
# rights), as MULTISERVER sets it up (issue 15): with the schema current
# it says "nothing to do" (it used to fail on CREATE TABLE IF NOT EXISTS
# schema_migrations with a raw SQL error); with a migration pending it
# says the DDL account is needed, never a raw SQL error, and changes
# nothing.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup db_dml
U=omkt_dml_t
for h in localhost %; do
    mariadb_sql "$OMKT_DBDIR" "CREATE USER IF NOT EXISTS '$U'@'$h' IDENTIFIED BY 'dmlpw';
        GRANT SELECT, INSERT, UPDATE, DELETE ON \`$DBNAME\`.* TO '$U'@'$h'"
done
sed -e "s/^user = .*/user = $U/" -e 's/^password = .*/password = dmlpw/' \
    "$CONF" > "$T/dml.conf"
export OMKT_BIN T
dml() { "$OMKT_BIN/omktctl" -c "$T/dml.conf" "$@"; }
raw_sql_error() { grep -qE '\(1[0-9]{3}\)|database: script|command denied' <<<"$1"; }

# An empty database: init needs the DDL account too.
out=$(dml db init 2>&1); rc=$?
check_eq "DML account, db init: exit 1" "$rc" 1
check "  ... says the DDL account is needed" grep -q "DDL account" <<<"$out"
check "  ... no raw SQL error" bash -c '! grep -qE "\(1[0-9]{3}\)" <<<"$1"' _ "$out"
check_eq "  ... nothing created" "$(sql "SHOW TABLES" | wc -l)" 0

ctl db init >/dev/null 2>&1 || exit 1
latest=$(sql "SELECT MAX(version) FROM schema_migrations")

out=$(dml db upgrade 2>&1); rc=$?
check_eq "DML account, schema current: exit 0" "$rc" 0
check "  ... says nothing to do" grep -q "nothing to do" <<<"$out"
check "  ... no SQL error" bash -c '! grep -q "database" <<<"$1"' _ "$out"
check "DML account, db status: exit 0" bash -c "$(declare -f dml); dml db status >/dev/null"

# A migration pending (its record removed: the DDL would run again).
sql "DELETE FROM schema_migrations WHERE version = $latest"
before=$(sql "SELECT MAX(version) FROM schema_migrations")
out=$(dml db upgrade 2>&1); rc=$?
check_eq "DML account, migration pending: exit 1" "$rc" 1
check "  ... names the migration and the DDL account" \
    grep -q "not applied: this database account may not change the schema.*DDL account" <<<"$out"
if raw_sql_error "$out"; then fail "  ... no raw SQL error (got: $out)"; else pass "  ... no raw SQL error"; fi
check_eq "  ... the version is unchanged" \
    "$(sql "SELECT MAX(version) FROM schema_migrations")" "$before"
sql "INSERT INTO schema_migrations (version, name) VALUES ($latest, 'x')"
out=$(ctl db upgrade 2>&1)
check "DDL account, schema current: nothing to do" grep -q "nothing to do" <<<"$out"
for h in localhost %; do
    mariadb_sql "$OMKT_DBDIR" "DROP USER IF EXISTS '$U'@'$h'"
done
