#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_download_policy - the address policy with allow_private = no.  The
# fake CMS and downloaderd run in a private network namespace where the
# loopback also carries 203.0.113.7, standing in for a public address (the
# database is reached over its unix socket).  A public origin downloads;
# loopback, private, IPv4-mapped and "localhost" origins are refused at
# once, and so is a redirect from the public origin to a loopback one.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
command -v unshare >/dev/null && command -v nsenter >/dev/null || exit 77
omkt_setup dlpolicy
start netns unshare -n sleep 600
NS=$LAST_PID
own_netns() { [ "$(readlink "/proc/$NS/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
wait_for 5 own_netns || exit 77
IN_NS="nsenter --net=/proc/$NS/ns/net"
$IN_NS ip link set lo up && $IN_NS ip addr add 203.0.113.7/32 dev lo || exit 77
write_conf "$CONF" "
[downloaderd]
workers = 2
max_size = 1M
timeout = 10s
connect_timeout = 2s"
ctl db init >/dev/null
CMS_WRAP=$IN_NS cms_start --bind 0.0.0.0
acc=$(account_add pk)
mkfile ok.bin 10000
start downloaderd $IN_NS "$OMKT_BIN/downloaderd" -c "$CONF"
pub=http://203.0.113.7:$CMS_PORT
lo=http://127.0.0.1:$CMS_PORT

m=$(media_add "$acc" 1 "$pub/f/ok.bin")
check "public origin: done" wait_for 20 job_done download "$m"
check_eq "public origin: downloaded" "$(job_state download "$m")" "done 1"
check "public origin: same bytes" cmp -s "$T/docroot/media/$acc/$m/original" "$CMS_ROOT/ok.bin"

refused() { # refused RID URL WHAT
    local m
    m=$(media_add "$acc" "$1" "$2")
    check "$3: finished" wait_for 20 job_done download "$m"
    check_eq "$3: failed at once" "$(job_state download "$m")" "failed 1"
    check "$3: reason" grep -q "refused .*address" <<<"$(sql "SELECT error FROM media WHERE id = $m")"
    check "$3: alert queued" test -n "$(sql "SELECT id FROM jobs WHERE task = 'notify' AND media_id = $m")"
}
before=$(cms_requests '"path": "/f/ok.bin')
refused 2 "$lo/f/ok.bin" "loopback"
refused 3 "http://localhost:$CMS_PORT/f/ok.bin" "localhost"
refused 4 "http://[::ffff:127.0.0.1]:$CMS_PORT/f/ok.bin" "IPv4-mapped loopback"
refused 5 "http://10.1.2.3:$CMS_PORT/f/ok.bin" "private 10/8"
refused 6 "http://169.254.169.254/latest/meta-data/" "link-local metadata"
refused 7 "$pub/redirect?to=$lo/f/ok.bin" "redirect to loopback"
check "the redirect was followed as far as the public hop" \
    grep -q '"path": "/redirect?to=' "$CMS_LOG"
check_eq "no refused origin was reached" "$(cms_requests '"path": "/f/ok.bin')" "$before"
check "loopback named in the reason" grep -q "loopback address 127.0.0.1" \
    <<<"$(sql "SELECT error FROM media WHERE remote_id = 7")"
