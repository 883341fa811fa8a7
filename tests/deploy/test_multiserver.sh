#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_multiserver - MULTISERVER's procedure, as far as one machine can
# run it, with the documented files and commands taken from MULTISERVER
# itself (tests/deploy/lib.sh): in a network namespace where the front
# host's address 10.0.0.1 exists,
#  1. the omkt user with uid and gid 900 (groupadd/useradd --root in a
#     scratch directory), created before anything else in both documents;
#  4. MariaDB on 10.0.0.1:3306 with the documented SQL: the DDL account
#     (admin.conf) creates the schema, the DML account (omkt.conf) cannot;
#  5. omkt.conf's -t, db status and sha256sum checks;
#  6. every daemon with the DML account, front/worker1/worker2 as
#     [common] host, and a media through the whole pipeline;
#  9. the rolling upgrade: a program refuses an older schema (run `omktctl
#     db upgrade`, then the DDL account's upgrade lets it start) and a
#     newer one (upgrade the programs) while running daemons keep working;
#     drain worker1, its daemons exit 0, worker2 works on, undo, restart;
#  and the unit and script names of both documents exist in initscripts/.
# Needs root (a network namespace): exits 77 otherwise.
. "$(dirname "$0")/lib.sh"
in_netns "$@"
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../e2e/lib.sh"
T=$OMKT_TMP/deploy_multiserver
rm -rf "$T"
mkdir -p "$T"
trap omkt_teardown EXIT
MS=$TOP/MULTISERVER
INST=$TOP/INSTALL

# line FILE TEXT - number of the first line of FILE starting with TEXT
# (after indentation).
line() { sed 's/^ *//' "$1" | grep -nF -m1 -- "$2" | cut -d: -f1; }
before() { # before FILE FIRST SECOND: FIRST's line comes before SECOND's
    local a b
    a=$(line "$1" "$2") b=$(line "$1" "$3")
    [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}

# 1. The user first, with a fixed uid and gid.
GA=$(sed -n 's/^    \(groupadd .*\)/\1/p' "$MS")
UA=$(sed -n 's/^    \(useradd .*\)/\1/p' "$MS")
check "MULTISERVER: groupadd with gid 900" grep -q -- '--gid 900 omkt$' <<<"$GA"
check "MULTISERVER: useradd with uid 900" grep -q -- '--uid 900 --gid omkt ' <<<"$UA"
check_eq "INSTALL creates the user with the same commands" \
    "$(sed -n 's/^    \(groupadd .*\)/\1/p;s/^    \(useradd .*\)/\1/p' "$INST")" "$GA
$UA"
check "MULTISERVER: the user comes before make install" before "$MS" "$UA" "2. Build and install"
check "INSTALL: the user comes before make install" before "$INST" "$UA" "3. Build and install"
check "MULTISERVER: the user comes before the NFS mount" before "$MS" "$UA" "mount /var/lib/omkt"
SYS=$T/sysroot
mkdir -p "$SYS/etc"
for f in passwd group shadow gshadow login.defs; do
    [ -f "/etc/$f" ] && grep -v '^omkt:' "/etc/$f" > "$SYS/etc/$f"
done
if command -v useradd >/dev/null; then
    # The documented commands, with --root SCRATCH after the program name.
    # shellcheck disable=SC2086 # the documented words
    check "groupadd as documented" ${GA%% *} --root "$SYS" ${GA#* }
    # shellcheck disable=SC2086
    useradd --root "$SYS" ${UA#* } 2>"$T/useradd.err"
    check_eq "useradd as documented" "$?" 0
    check_eq "omkt has uid 900 and gid 900" \
        "$(grep '^omkt:' "$SYS/etc/passwd" | cut -d: -f3,4,6,7)" \
        "900:900:/var/lib/omkt:/usr/sbin/nologin"
    check_eq "group omkt is 900" "$(grep '^omkt:' "$SYS/etc/group" | cut -d: -f3)" 900
else
    echo "# SKIP useradd: not installed (package passwd)"
fi

# 4. The database and its two accounts, from MULTISERVER.
front_db
LATEST=$(find "$TOP/sql/migrations" -name '[0-9]*.sql' | sed 's|.*/0*\([0-9]*\)_.*|\1|' | sort -n | tail -1)
out=$(ctl db init 2>&1)
check_eq "db init with the DML account fails" "$?" 1
check "and says the DDL account is needed ($out)" \
    grep -q "may not change the schema.*DDL account" <<<"$out"
check_eq "it created nothing" "$(mariadb_sql "$DBDIR" "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'omkt'")" 0
actl db init >/dev/null 2>&1 || { fail "db init with the DDL account (admin.conf)"; exit 1; }
pass "db init with the DDL account (admin.conf)"
check_eq "db status (DDL account)" "$(actl db status | head -2)" "schema version: $LATEST
programs need: $LATEST"
check "omktctl -c admin.conf db init is in MULTISERVER" \
    in_doc "$MS" "omktctl -c /etc/omkt/admin.conf db init"

# INSTALL's single-host accounts, on the same server under other names
# (omkt1, omkt1_admin): the DDL account creates the schema, the DML
# account (its socket as 'omkt'@'localhost') reads it and cannot.
rn() {
    sed -e "s/'omkt_admin'@/'omkt1_admin'@/g" -e "s/'omkt'@/'omkt1'@/g" \
        -e 's/ omkt\.\* / omkt1.* /g' -e 's/DATABASE omkt /DATABASE omkt1 /' \
        -e 's/^user = omkt\(_admin\)*$/user = omkt1\1/' -e 's/^name = omkt$/name = omkt1/'
}
ISQL=$(doc_block "$INST" "As root (\`mariadb\`):" | rn)
check "INSTALL's SQL runs" mariadb_sql "$DBDIR" "$ISQL"
doc_block "$INST" "The daemons' account, in /etc/omkt/omkt.conf:" | relocate | rn > "$T/i-omkt.conf"
doc_block "$INST" "The DDL account, in /etc/omkt/admin.conf:" | relocate | rn > "$T/i-admin.conf"
check "INSTALL: db init with the DML account fails" \
    bash -c "! '$OMKT_BIN/omktctl' -c '$T/i-omkt.conf' db init 2>/dev/null"
check "INSTALL: db init with the DDL account" bash -c "'$OMKT_BIN/omktctl' -c '$T/i-admin.conf' db init >/dev/null 2>&1"
check_eq "INSTALL: db status with the DML account (socket)" \
    "$("$OMKT_BIN/omktctl" -c "$T/i-omkt.conf" db status | head -2)" "schema version: $LATEST
programs need: $LATEST"
for c in "omktctl -c /etc/omkt/admin.conf db init" "omktctl -c /etc/omkt/omkt.conf db status"; do
    check "INSTALL: $c" in_doc "$INST" "$c"
done

# 5. The checks every host runs on its copy of omkt.conf.
cat >> "$CONF" <<CONF

[downloaderd]
allow_private = yes

[notifierd]
allow_private = yes
retry_base = 200ms
CONF
# Faster leases and heartbeats for the test, a small disk reserve.
sed -i -e 's/^\[common\]$/[common]\nlease = 3s\nheartbeat = 500ms\nshutdown_grace = 3s\nreap_interval = 500ms\nretry_base = 100ms\nretry_max = 1s/' \
    -e 's/^\[transcoderd\]$/[transcoderd]\nmin_free = 1M\nthreads = 2/' "$CONF"
for c in "transcoderd -c /etc/omkt/omkt.conf -t" \
         "omktctl -c /etc/omkt/omkt.conf db status" \
         "sha256sum /etc/omkt/omkt.conf"; do
    check "MULTISERVER: $c" in_doc "$MS" "$c"
done
check "transcoderd -c omkt.conf -t" "$OMKT_BIN/transcoderd" -c "$CONF" -t
check_eq "omktctl -c omkt.conf db status (DML account, over 10.0.0.1:3306)" \
    "$(ctl db status | head -2)" "schema version: $LATEST
programs need: $LATEST"
FRONT=$(host_conf front) W1=$(host_conf worker1) W2=$(host_conf worker2)
check_eq "the hosts' copies differ only by [common] host" \
    "$(diff "$CONF" "$W1" | grep '^[<>]')" "> host = worker1"

# 6. The daemons, every one with the DML account.
# shellcheck disable=SC2119 # no arguments for the fake CMS
cms_start
KEY=$(ctl account add --email cms@example.com --url "http://127.0.0.1:$CMS_PORT/cb" \
    --client-key ck | grep -oE '[0-9a-f]{32}' | head -1)
check "account add with the DML account" test -n "$KEY"
start apid "$OMKT_BIN/apid" -c "$FRONT"
RUNNING=("$LAST_PID")
check "apid listens on 127.0.0.1:8080 as configured" \
    wait_for 30 curl -sf http://127.0.0.1:8080/health
API=http://127.0.0.1:8080
for d in downloaderd notifierd; do
    start "$d" "$OMKT_BIN/$d" -c "$FRONT"
    RUNNING+=("$LAST_PID")
done
declare -A WPIDS
start_worker() { # start_worker HOST: its transcoderd and metadatad
    local c=$T/etc/omkt/$1.conf
    start "$1-transcoderd" "$OMKT_BIN/transcoderd" -c "$c"
    WPIDS[$1]=$LAST_PID
    start "$1-metadatad" "$OMKT_BIN/metadatad" -c "$c"
    WPIDS[$1]="${WPIDS[$1]} $LAST_PID"
}
start_worker worker1
start_worker worker2
# shellcheck disable=SC2206 # two pids each
RUNNING+=(${WPIDS[worker1]} ${WPIDS[worker2]})
running_on() { # running_on HOST: its processes registered and running
    [ "$(ctl hosts --json | python3 -c 'import json,sys
for h in json.load(sys.stdin):
    if h["host"] == sys.argv[1]: print(h["running"])' "$1")" = "$2" ]
}
check "front: 3 processes running" wait_for 30 running_on front 3
check "worker1: 2 processes running" wait_for 30 running_on worker1 2
check "worker2: 2 processes running" wait_for 30 running_on worker2 2
ctl hosts | sed 's/^/# /'

clip "$CMS_ROOT/a.mp4" 2 320x240
url() { echo "http://127.0.0.1:$CMS_PORT/f/$1"; }
transcode() { # transcode ID: new media, setting 11, its format callback
    check_eq "media $1: app_new_media" "$(new_media "$1" "$(url a.mp4)")" 200
    check "media $1: metadata callback" wait_for 60 has_acked transcoder_send_metadata "$1"
    api app_request_format --data-urlencode "id=$1" \
        --data-urlencode 'settings_id_list=[11]' >/dev/null
    check "media $1: format 11 callback" wait_for 90 has_acked transcoder_send_format "$1" 11
}
# where ID - the host whose transcoderd ran the transcode of media ID.
where() {
    mariadb_sql "$DBDIR" "SELECT p.host FROM omkt.jobs j JOIN omkt.media m
        ON m.id = j.media_id JOIN omkt.processes p ON p.id = j.worker_id
        WHERE j.task = 'transcode' AND m.remote_id = $1 ORDER BY j.id DESC LIMIT 1"
}
transcode 1
echo "# media 1 transcoded on $(where 1)"

# 9. Rolling upgrade.  A newer schema (as if the DDL account had run a
# newer omktctl's upgrade): running daemons keep working, a program
# started now refuses.
mariadb_sql "$DBDIR" "INSERT INTO omkt.schema_migrations (version, name)
    VALUES ($((LATEST + 1)), 'future')"
start new "$OMKT_BIN/transcoderd" -c "$W2"
wait_exit "$LAST_PID" 20
check_eq "a program older than the schema exits 1" "$EXIT_STATUS" 1
check "and says so" grep -q "database schema is version $((LATEST + 1)), newer than the $LATEST these programs know: upgrade the programs on this host" "$LAST_LOG"
transcode 2
check "the running daemons kept working on the newer schema" alive "${RUNNING[@]}"
mariadb_sql "$DBDIR" "DELETE FROM omkt.schema_migrations WHERE version = $((LATEST + 1))"

# An older schema: omkt_old holds every migration but the latest,
# applied by hand as an older omktctl would have, with MULTISERVER's
# grants for both accounts.
mariadb_sql "$DBDIR" "CREATE DATABASE omkt_old CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
    $(grep '^GRANT ' <<<"$DOCSQL" | sed 's/ ON omkt\.\* / ON omkt_old.* /')"
sed -n '/^CREATE TABLE schema_migrations/,/;/p' "$TOP/sql/schema.sql" > "$T/old.sql"
for m in "$TOP"/sql/migrations/[0-9]*.sql; do
    n=${m##*/}
    v=$((10#${n%%_*}))
    [ "$v" = "$LATEST" ] && continue
    { cat "$m"; echo ";INSERT INTO schema_migrations (version, name) VALUES ($v, '${n%.sql}');"; } >> "$T/old.sql"
done
mariadb --no-defaults -uroot -S "$DBDIR/mysqld.sock" omkt_old < "$T/old.sql" ||
    fail "an older schema by hand"
sed 's/^name = omkt$/name = omkt_old/' "$W2" > "$T/old.conf"
sed 's/^name = omkt$/name = omkt_old/' "$ADMIN" > "$T/old-admin.conf"
start old "$OMKT_BIN/transcoderd" -c "$T/old.conf"
wait_exit "$LAST_PID" 20
check_eq "a program newer than the schema exits 1" "$EXIT_STATUS" 1
check "and says to run db upgrade" grep -q "database schema is version $((LATEST - 1)), these programs need $LATEST: run \`omktctl db upgrade\`" "$LAST_LOG"
out=$("$OMKT_BIN/omktctl" -c "$T/old.conf" db upgrade 2>&1)
check_eq "db upgrade with the DML account fails" "$?" 1
echo "# DML db upgrade: $out"
check "db upgrade with the DDL account" "$OMKT_BIN/omktctl" -c "$T/old-admin.conf" db upgrade
check_eq "the schema is now the programs'" "$("$OMKT_BIN/omktctl" -c "$T/old.conf" db status | head -2)" \
    "schema version: $LATEST
programs need: $LATEST"
start old "$OMKT_BIN/transcoderd" -c "$T/old.conf"
OLD_PID=$LAST_PID
check "then the program starts" wait_for 30 grep -q "started: version" "$LAST_LOG"
kill -TERM "$OLD_PID"
wait_exit "$OLD_PID" 20
check_eq "and stops cleanly" "$EXIT_STATUS" 0
for c in "omktctl -c /etc/omkt/admin.conf db upgrade" \
         "omktctl -c /etc/omkt/omkt.conf drain worker1" \
         "omktctl -c /etc/omkt/omkt.conf hosts" \
         "omktctl -c /etc/omkt/omkt.conf drain worker1 --undo"; do
    check "MULTISERVER: $c" in_doc "$MS" "$c"
done

# Drain worker1: its daemons finish and exit 0, worker2 works on.
out=$(ctl drain worker1)
check "drain worker1 ($out)" grep -q "worker1: draining 2 process" <<<"$out"
for pid in ${WPIDS[worker1]}; do
    wait_exit "$pid" 30
    check_eq "worker1: process $pid exited 0 by itself" "$EXIT_STATUS" 0
done
check "hosts: worker1 has no running process" running_on worker1 0
transcode 3
check_eq "media 3 transcoded on worker2" "$(where 3)" worker2
check "drain worker1 --undo" ctl drain worker1 --undo
start_worker worker1
check "worker1: 2 processes running again" wait_for 30 running_on worker1 2

# The unit and script names both documents use exist.
for f in "$MS" "$INST"; do
    while read -r u; do
        check "${f##*/}: $u is in initscripts/" \
            test -f "$TOP/initscripts/systemd/$u.service" -a -f "$TOP/initscripts/sysv/$u"
    done < <(grep -oE 'omkt-[a-z]+' "$f" | grep -vE 'omkt-(conf|callback|import)' | sort -u)
done
check "MULTISERVER names etc/nginx/omkt.conf, which exists" \
    bash -c "grep -q 'etc/nginx/omkt.conf' '$MS' && test -f '$TOP/etc/nginx/omkt.conf'"
