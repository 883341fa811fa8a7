# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - helpers for the deployment tests that follow MULTISERVER: each
# test runs in a network namespace of its own (unshare -n) where the
# front host's address, 10.0.0.1, exists, so the documented addresses
# and ports (MariaDB 10.0.0.1:3306, apid 127.0.0.1:8080, nginx 443) are
# used as written.  The documented files are taken from the documents
# themselves (doc_block), with only /etc/omkt and /var/lib/omkt moved
# under the test's directory.  Source after tests/lib/common.sh.

skip() { echo "# SKIP: $*"; exit 77; }

# in_netns "$@" - re-run this test in a new network namespace (once);
# returns in the child with the loopback up, holding 10.0.0.1/24 too
# (the front host's private address).
in_netns() {
    if [ -z "${OMKT_DEPLOY_NETNS:-}" ]; then
        command -v unshare >/dev/null || skip "unshare is not installed"
        unshare -n true 2>/dev/null || skip "cannot create a network namespace (needs root)"
        OMKT_DEPLOY_NETNS=1 exec unshare -n bash "$0" "$@"
    fi
    if ! ip link set lo up || ! ip addr add 10.0.0.1/24 dev lo; then
        skip "cannot configure the namespace's network"
    fi
}

# doc_block FILE INTRO - the indented block that follows the line INTRO
# (exactly) in FILE, de-indented by 4; fails if INTRO is not there.
doc_block() {
    python3 - "$1" "$2" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
intro = sys.argv[2]
if intro not in lines:
    sys.exit("%s: no line %r" % (sys.argv[1], intro))
i = lines.index(intro) + 1
while i < len(lines) and lines[i] == "":
    i += 1
out = []
while i < len(lines) and (lines[i].startswith("    ") or lines[i] == ""):
    out.append(lines[i][4:])
    i += 1
while out and out[-1] == "":
    out.pop()
if not out:
    sys.exit("%s: nothing indented after %r" % (sys.argv[1], intro))
print("\n".join(out))
PY
}

# relocate - stdin to stdout with the documented paths moved under $T.
relocate() {
    sed -e "s|/etc/omkt/|$T/etc/omkt/|g" -e "s|/var/lib/omkt|$T/docroot|g" \
        -e "s|/run/mysqld/mysqld.sock|$DBDIR/mysqld.sock|g"
}

# in_doc FILE TEXT - TEXT (one line) appears in FILE, leading blanks aside.
in_doc() { sed 's/^ *//' "$1" | grep -qxF -- "$2"; }

# front_db - MariaDB on 10.0.0.1:3306 (DBDIR), then MULTISERVER's SQL
# (database, DDL and DML accounts) run as root, and its files: omkt.conf
# (the DML account, every host), admin.conf and the password files (the
# DDL account, front host only).  Sets CONF and ADMIN.
front_db() {
    DBDIR=$T/mariadb
    # omkt_teardown (tests/lib/common.sh) stops this server, after the
    # daemons.
    # shellcheck disable=SC2034 # read by common.sh
    OMKT_DBDIR=$DBDIR OWN_DB=1
    mkdir -p "$T/etc/omkt" "$T/docroot" "$T/logs"
    mariadb_start "$DBDIR" 3306 10.0.0.1 >/dev/null || { fail "MariaDB on 10.0.0.1"; exit 1; }
    DOCSQL=$(doc_block "$TOP/MULTISERVER" "As root on the front host (\`mariadb\`):") ||
        { fail "MULTISERVER: the accounts' SQL"; exit 1; }
    check "MULTISERVER's SQL runs (database, DDL and DML accounts)" \
        mariadb_sql "$DBDIR" "$DOCSQL"
    CONF=$T/etc/omkt/omkt.conf
    ADMIN=$T/etc/omkt/admin.conf
    doc_block "$TOP/MULTISERVER" "/etc/omkt/omkt.conf, identical on every host:" |
        relocate > "$CONF"
    doc_block "$TOP/MULTISERVER" "/etc/omkt/admin.conf, on the front host only:" |
        relocate > "$ADMIN"
    check "omkt.conf taken from MULTISERVER" grep -q '^user = omkt$' "$CONF"
    check "admin.conf taken from MULTISERVER" grep -q '^user = omkt_admin$' "$ADMIN"
    # The passwords of MULTISERVER's SQL, in the files its configs name.
    printf 'CHANGE-ME-DML\n' > "$T/etc/omkt/db.password"
    printf 'CHANGE-ME-DDL\n' > "$T/etc/omkt/admin.password"
    chmod 0640 "$T/etc/omkt/db.password"
    chmod 0600 "$T/etc/omkt/admin.password"
}

# actl ARGS - omktctl as the DDL account (common.sh's ctl: the DML one).
actl() { "$OMKT_BIN/omktctl" -c "$ADMIN" "$@"; }

# host_conf NAME - a copy of omkt.conf for a stand-in host NAME (the only
# difference: [common] host, which a real host takes from its hostname).
host_conf() {
    sed "s/^\[common\]\$/[common]\nhost = $1/" "$CONF" > "$T/etc/omkt/$1.conf"
    echo "$T/etc/omkt/$1.conf"
}
