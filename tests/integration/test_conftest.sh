#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_conftest - `PROGRAM -t` checks the whole file and the database
# (issue 15): a typo in another program's section ([transcoderd] read by
# `apid -t`) or an unknown section fails every program's -t; -t connects
# with the configured credentials and says whether the schema is the one
# these programs speak; -n leaves the database out; -T checks only the
# program's own sections.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup conftest
B=$OMKT_BIN

# tcheck DESCRIPTION WANT-EXIT GREP-PATTERN PROGRAM ARGS...
tcheck() {
    local what=$1 want=$2 pat=$3 out rc; shift 3
    out=$("$B/$1" "${@:2}" 2>&1); rc=$?
    check_eq "$what: exit $want" "$rc" "$want"
    check "$what: says '$pat'" grep -q -- "$pat" <<<"$out" ||
        printf '# %s\n' "$out" | head -10
}

# No schema yet: the configuration is fine, the database is not ready.
tcheck "apid -t, empty database" 1 "no omkt schema" apid -c "$CONF" -t
ctl db init >/dev/null 2>&1 || exit 1
latest=$(sql "SELECT MAX(version) FROM schema_migrations")
for p in apid downloaderd metadatad transcoderd notifierd; do
    tcheck "$p -t, good file" 0 "schema version $latest" "$p" -c "$CONF" -t
done

# A typo in [transcoderd] fails apid -t (and every other program's).
write_conf "$T/typo.conf" "[transcoderd]
workers = 2
wrokers = 3"
for p in apid downloaderd metadatad notifierd transcoderd; do
    tcheck "$p -t, typo in [transcoderd]" 2 \
        "typo.conf:.*: unknown key 'wrokers' in \[transcoderd\]" \
        "$p" -c "$T/typo.conf" -t
done
tcheck "apid -t -n, typo in [transcoderd]" 2 "wrokers" apid -c "$T/typo.conf" -t -n
write_conf "$T/range.conf" "[notifierd]
workers = 100000"
tcheck "transcoderd -t, bad value in [notifierd]" 2 "notifierd.workers = 100000" \
    transcoderd -c "$T/range.conf" -t
tcheck "apid -T: own sections only" 0 "" apid -c "$T/typo.conf" -T
check_eq "apid -T: silent when fine" "$("$B/apid" -c "$T/typo.conf" -T 2>&1)" ""
write_conf "$T/section.conf" "[transcodred]
workers = 2"
tcheck "apid -t, unknown section" 2 "unknown section \[transcodred\]" \
    apid -c "$T/section.conf" -t

# The database, with the configured credentials.
sed 's/^password = .*/password = wrong/' "$CONF" > "$T/pw.conf"
tcheck "apid -t, wrong password" 1 "database: .*Access denied" apid -c "$T/pw.conf" -t
tcheck "apid -t -n, wrong password: file only" 0 "configuration ok" \
    apid -c "$T/pw.conf" -t -n
sql "DELETE FROM schema_migrations WHERE version = $latest"
tcheck "notifierd -t, schema behind" 1 "run \`omktctl db upgrade\`" \
    notifierd -c "$CONF" -t
sql "INSERT INTO schema_migrations (version, name) VALUES ($latest, 'x'),
     (9999, 'future')"
tcheck "metadatad -t, schema ahead" 1 "upgrade the programs" metadatad -c "$CONF" -t
sql "DELETE FROM schema_migrations WHERE version = 9999"
tcheck "apid -t, back in order" 0 "configuration ok" apid -c "$CONF" -t
