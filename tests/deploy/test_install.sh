#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_install - deployment: `make install DESTDIR=... PREFIX=/usr` stages
# exactly the documented files (placeholders substituted) and writes
# nothing outside DESTDIR (traced with strace); the staged systemd units
# pass `systemd-analyze verify` (a unit with a typo is shown to fail it)
# and follow STYLE's rules; the SysV scripts pass shellcheck; and each staged SysV script runs a real
# start / status / reload / stop / status cycle of its (staged) daemon
# against a test database.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup install
ctl db init >/dev/null || { fail "db init"; exit 1; }
STAGE=$T/stage
DAEMONS="apid downloaderd metadatad transcoderd notifierd"

# 1. make install, traced: every file it writes is under DESTDIR.  (The
# Makefile's `install: all` may refresh bin/ and build/ in the source tree
# if a source changed since the last build; that is not "the system".)
# `install: all`: bring bin/ up to date first, untraced, so that the trace
# below is of the installation alone.
make -s -C "$TOP" all >"$T/make-all.log" 2>&1 || { cat "$T/make-all.log"; fail "make all"; exit 1; }
TRACE=""
command -v strace >/dev/null && TRACE="strace -f -qq -y -o $T/strace.log -e trace=chdir,fchdir,clone,clone3,fork,vfork,creat,open,openat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,rmdir,chmod,fchmodat,chown,fchownat,lchown,link,linkat,symlink,symlinkat,truncate,utimensat"
# shellcheck disable=SC2086
check "make install DESTDIR=... PREFIX=/usr" \
    $TRACE make -s -C "$TOP" install DESTDIR="$STAGE" PREFIX=/usr >"$T/install.log" 2>&1 ||
    cat "$T/install.log"
if [ -n "$TRACE" ]; then
    outside=$(python3 - "$T/strace.log" "$STAGE" "$TOP" "$PWD" <<'PY'
import os, re, sys
log, stage, top, cwd0 = sys.argv[1:5]
ok = (stage + "/", top + "/build/", top + "/bin/", "/dev/null", "/dev/tty")
cwd = {}   # pid -> working directory (install -d chdirs as it goes)
bad = set()
first = True
for line in open(log):
    m = re.match(r"\s*(\d+)\s+(.*)", line)
    if not m:
        continue
    pid, rest = int(m.group(1)), m.group(2)
    if first:
        cwd[pid], first = cwd0, False
    here = cwd.get(pid, cwd0)
    res = re.search(r"=\s+(-?\d+)(\s|$)", rest)
    res = int(res.group(1)) if res else None
    if re.match(r"(<\.\.\. )?(clone3?|v?fork)\b", rest) and res and res > 0:
        cwd[res] = here
        continue
    c = re.match(r"(\w+)\((.*)", rest)
    if not c or (res is not None and res < 0):
        continue
    call, args = c.group(1), c.group(2)
    if call == "chdir" and res == 0:
        d = re.match(r'"([^"]*)"', args).group(1)
        cwd[pid] = os.path.normpath(os.path.join(here, d))
        continue
    if call == "fchdir" and res == 0:
        d = re.match(r"\d+<([^>]*)>", args)
        if d:
            cwd[pid] = d.group(1)
        continue
    if call in ("open", "openat") and not re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", args):
        continue
    if call in ("clone", "clone3", "fork", "vfork", "chdir", "fchdir"):
        continue
    # With -y, a directory descriptor argument reads "N</its/path>".
    base = re.match(r"(\d+)<([^>]*)>", args)
    base = base.group(2) if base else here
    for p in re.findall(r'"((?:[^"\\]|\\.)*)"', args):
        p = os.path.normpath(p if p.startswith("/") else os.path.join(base, p))
        if not (p + "/").startswith(ok) and not p.startswith(ok):
            bad.add("%s %s" % (call, p))
print("\n".join(sorted(bad)[:10]))
PY
)
    check_eq "make install wrote nothing outside DESTDIR" "${outside:-none}" none
else
    echo "# strace is not installed: not checking writes outside DESTDIR"
fi

want="etc/init.d/omkt-apid
etc/init.d/omkt-downloaderd
etc/init.d/omkt-metadatad
etc/init.d/omkt-notifierd
etc/init.d/omkt-transcoderd
etc/omkt/omkt.conf.example
usr/bin/omktctl
usr/lib/systemd/system/omkt-apid.service
usr/lib/systemd/system/omkt-downloaderd.service
usr/lib/systemd/system/omkt-metadatad.service
usr/lib/systemd/system/omkt-notifierd.service
usr/lib/systemd/system/omkt-transcoderd.service
usr/sbin/apid
usr/sbin/downloaderd
usr/sbin/metadatad
usr/sbin/notifierd
usr/sbin/transcoderd
usr/share/doc/omkt/INSTALL
usr/share/doc/omkt/MULTISERVER
usr/share/doc/omkt/README
usr/share/omkt/sql/schema.sql"
for f in "$TOP"/docs/*; do # the installed README points there
    want="$want
usr/share/doc/omkt/docs/${f##*/}"
done
for f in "$TOP"/sql/migrations/*.sql; do
    want="$want
usr/share/omkt/sql/migrations/${f##*/}"
done
got=$(cd "$STAGE" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
check_eq "the staged file list is the documented one" "$got" "$(echo "$want" | LC_ALL=C sort)"
for p in $DAEMONS; do
    check "sbin/$p is executable and is bin/$p" \
        bash -c "test -x '$STAGE/usr/sbin/$p' && cmp -s '$STAGE/usr/sbin/$p' '$TOP/bin/$p'"
done
check "omktctl runs" bash -c "'$STAGE/usr/bin/omktctl' --help 2>&1 | grep -q 'db init'"
check "the staged config sample is what every program accepts" \
    "$STAGE/usr/sbin/transcoderd" -c "$STAGE/etc/omkt/omkt.conf.example" -t -n
check_eq "the config sample is not world-readable (0640)" \
    "$(stat -c %a "$STAGE/etc/omkt/omkt.conf.example")" 640
check_eq "no @PLACEHOLDER@ left in units and scripts" \
    "$(grep -l '@[A-Z]*@' "$STAGE"/usr/lib/systemd/system/* "$STAGE"/etc/init.d/* | head -3)" ""
for d in $DAEMONS; do
    check_eq "omkt-$d.service: ExecStart" \
        "$(sed -n 's/^ExecStart=//p' "$STAGE/usr/lib/systemd/system/omkt-$d.service")" \
        "/usr/sbin/$d -c /etc/omkt/omkt.conf"
    check "init.d/omkt-$d: DAEMON and CONF defaults" bash -c \
        "grep -q '^DAEMON=\${DAEMON:-/usr/sbin/$d}\$' '$STAGE/etc/init.d/omkt-$d' &&
         grep -q '^CONF=\${CONF:-/etc/omkt/omkt.conf}\$' '$STAGE/etc/init.d/omkt-$d'"
    check_eq "init.d/omkt-$d: mode 0755" "$(stat -c %a "$STAGE/etc/init.d/omkt-$d")" 755
done

# 2. systemd-analyze verify on the staged units.  Their ExecStart paths
# point at /usr/sbin, absent from this machine's root: check copies whose
# paths point into the stage instead.  verify exits 0 on unknown keys and
# only prints a warning, so any output counts as a failure.
if command -v systemd-analyze >/dev/null; then
    mkdir -p "$T/units"
    verify() { # verify UNIT: exit 0, no complaint
        local out
        out=$(cd "$T/units" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$1" 2>&1) &&
            [ -z "$out" ] && return 0
        echo "$out" | head -5 >&2
        return 1
    }
    for d in $DAEMONS; do
        u=$T/units/omkt-$d.service
        sed "s|=/usr/sbin/|=$STAGE/usr/sbin/|; s| /etc/omkt/| $STAGE/etc/omkt/|" \
            "$STAGE/usr/lib/systemd/system/omkt-$d.service" > "$u"
        check "omkt-$d.service: systemd-analyze verify" verify "$u"
        for k in User=omkt Restart=on-failure NoNewPrivileges=yes UMask=0027 \
                 "WantedBy=multi-user.target"; do
            check "omkt-$d.service: $k" grep -qx "$k" "$u"
        done
        ts=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' "$u")
        check "omkt-$d.service: TimeoutStopSec ($ts s) > default shutdown_grace (30 s)" \
            test "${ts:-0}" -gt 30
    done
    # The check itself must catch mistakes: a misspelt key, a missing binary.
    sed 's/^Restart=/Restrat=/' "$T/units/omkt-apid.service" > "$T/units/omkt-typo.service"
    rejects() { ! verify "$1" 2>/dev/null; }
    check "verify catches a misspelt key" rejects "$T/units/omkt-typo.service"
    sed "s|$STAGE/usr/sbin/apid|$STAGE/usr/sbin/apdi|" "$T/units/omkt-apid.service" > "$T/units/omkt-nobin.service"
    check "verify catches a wrong ExecStart" rejects "$T/units/omkt-nobin.service"
else
    echo "# SKIP systemd-analyze verify: systemd-analyze is not installed (package systemd)"
fi

# 3. shellcheck: the SysV scripts (sources and staged, as POSIX sh and as
# dash, which runs them on Debian) and the deployment scripts at the
# default severity (every other script of the repository: test_lint).
if command -v shellcheck >/dev/null; then
    for f in "$TOP"/initscripts/sysv/* "$STAGE"/etc/init.d/*; do
        check "shellcheck ${f#"$T/"}" shellcheck -s sh "$f"
    done
    check "shellcheck -s dash: the staged SysV scripts" \
        shellcheck -s dash "$STAGE"/etc/init.d/*
    for f in tools/run.sh tools/push.sh tests/cluster/test_cluster.sh \
             "$TOP"/tests/deploy/*.sh; do
        f=${f#"$TOP"/}
        check "shellcheck $f" shellcheck -x -P "$TOP/$(dirname "$f")" "$TOP/$f"
    done
else
    echo "# SKIP shellcheck: shellcheck is not installed"
fi

# 4. A real SysV cycle of every daemon, through its staged script.
command -v start-stop-daemon >/dev/null || { echo "# SKIP SysV cycle: no start-stop-daemon"; exit 0; }
cat >> "$CONF" <<CONF

[apid]
port = 0
threads = 2

[transcoderd]
min_free = 1M
CONF
RUN=$T/run
sysv() { # sysv DAEMON ACTION: run the staged script
    env DAEMON="$STAGE/usr/sbin/$1" CONF="$CONF" RUNDIR="$RUN" LOGDIR="$T/logs" \
        OMKT_USER=root STOP_TIMEOUT=20 sh "$STAGE/etc/init.d/omkt-$1" "$2"
}
# gone PID: exited (a zombie only waits for this machine's init to reap it).
gone() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
in_workers() { ctl workers list | grep -qw "$1"; }
for d in $DAEMONS; do
    out=$(sysv "$d" start 2>&1)
    check_eq "$d: start returns 0 ($out)" "$?" 0
    check "$d: pid file written" wait_for 10 test -s "$RUN/$d.pid"
    pid=$(cat "$RUN/$d.pid" 2>/dev/null)
    out=$(sysv "$d" status 2>&1)
    check_eq "$d: status returns 0" "$?" 0
    check "$d: status says running ($out)" grep -q "is running (pid $pid)" <<<"$out"
    check "$d: the process is $STAGE/usr/sbin/$d" \
        test "$(readlink "/proc/$pid/exe")" = "$STAGE/usr/sbin/$d"
    check "$d: pid $pid in workers list" wait_for 30 in_workers "$pid"
    out=$(sysv "$d" start 2>&1)
    check_eq "$d: a second start is a no-op returning 0" "$?" 0
    check_eq "$d: still the same process" "$(cat "$RUN/$d.pid")" "$pid"
    check_eq "$d: reload returns 0" "$(sysv "$d" reload >/dev/null 2>&1; echo $?)" 0
    check "$d: reload delivered SIGHUP (logs reopened)" \
        wait_for 10 grep -q "SIGHUP: logs reopened" "$T/logs/$d.log"
    check "$d: still running after reload" kill -0 "$pid"
    out=$(sysv "$d" stop 2>&1)
    check_eq "$d: stop returns 0" "$?" 0
    check "$d: the process has exited when stop returns" gone "$pid"
    check "$d: it logged a clean exit" grep -qiE "exit|stopp" "$T/logs/$d.log"
    out=$(sysv "$d" status 2>&1)
    check_eq "$d: status after stop returns 3" "$?" 3
    check "$d: status says not running" grep -q "not running" <<<"$out"
    out=$(sysv "$d" stop 2>&1)
    check_eq "$d: stop when stopped returns 0" "$?" 0
done
