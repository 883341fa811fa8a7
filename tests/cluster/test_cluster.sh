#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_cluster - three hosts on one private network, as MULTISERVER
# describes them.  Each host is a network namespace with its own address,
# joined by veth pairs to a bridge in the root namespace (which itself has
# no address, so nothing here can collide with the machine's routes):
#   hostA 10.231.7.1: MariaDB (TCP), apid, downloaderd, notifierd, fake CMS
#   hostB 10.231.7.2: transcoderd, metadatad
#   hostC 10.231.7.3: transcoderd, metadatad
# The document root stands in for the NFS export: every daemon runs in a
# mount namespace of its own where $T/export is bind-mounted at the same
# path, $T/docroot, as every host would mount the NFS export at the same
# path.  (The test itself looks at $T/export, the "server side".)
#
# 1. 20 media x 3 settings (11 MP4 240p, 71 AAC, 101 thumbnails) through
#    the OMKT protocol: all processed, work on both B and C, every output
#    valid (ffprobe), exactly one callback per media and per setting.
# 2. B's link cut while it transcodes: C finishes the job after the lease;
#    when the link is back, B notices it lost the job; nothing published
#    twice.  3. Every B process SIGKILLed mid-transcode: the same.
# 4. MariaDB restarted during a batch: nothing lost.
# 5. Segment-parallel transcoding (segment_min 35s, segment_length 4s on
#    B and C; the 30 s clips above stay whole): a 40 s clip split into
#    ten segments that B and C run at the same time; B cut off while it
#    holds one: C redoes it after the lease, the parent joins, the output
#    has the source's frame count, one callback per setting.
# Throughout: no temp file left, no output without its processed row.
# Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN): exits 77 otherwise.
. "$(dirname "$0")/../lib/common.sh"

skip() { echo "# SKIP: $*"; exit 77; }
T0=$SECONDS
mark() { echo "# [$((SECONDS - T0)) s] $*"; }
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
command -v unshare >/dev/null || skip "unshare is not installed"
command -v ffprobe >/dev/null || skip "ffprobe is not installed"

TAG=$(printf '%04x' $(( ($$ ^ RANDOM) & 0xffff )))
NSA=omkt-$TAG-a NSB=omkt-$TAG-b NSC=omkt-$TAG-c
BR=ok${TAG}br
NET=10.231.7
ADDR_A=$NET.1
DBPORT=3306
APIPORT=8080
T=$OMKT_TMP/cluster
OMKT_DBDIR=$T/mariadb
DBNAME=omkt_cluster
CONF=$T/ctl.conf
rm -rf "$T"
mkdir -p "$T/export" "$T/docroot" "$T/logs" "$T/cms" "$T/cmsctl" "$T/pids"

NETUP=0
net_down() {
    local h
    for h in a b c; do ip link del "ok${TAG}$h" 2>/dev/null; done
    ip link del "$BR" 2>/dev/null
    for h in "$NSA" "$NSB" "$NSC"; do ip netns del "$h" 2>/dev/null; done
}
cluster_teardown() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do
        wait_exit "$pid" 15 || kill -9 "$pid" 2>/dev/null
    done
    mariadb_stop "$OMKT_DBDIR"
    [ "$NETUP" = 1 ] && net_down
    omkt_teardown
}
trap cluster_teardown EXIT

# net_up - the bridge, three namespaces and their veth pairs.
ip netns add "$NSA" 2>/dev/null || skip "cannot create network namespaces (need root / CAP_NET_ADMIN)"
NETUP=1
ip link add "$BR" type bridge || skip "cannot create a bridge"
ip link set "$BR" up
n=1
for h in a b c; do
    ns=omkt-$TAG-$h
    [ "$h" = a ] || ip netns add "$ns" || { fail "netns $ns"; exit 1; }
    if ! { ip link add "ok${TAG}$h" type veth peer name "ok${TAG}${h}p" &&
        ip link set "ok${TAG}${h}p" netns "$ns" &&
        ip link set "ok${TAG}$h" master "$BR" &&
        ip link set "ok${TAG}$h" up &&
        ip -n "$ns" link set "ok${TAG}${h}p" name eth0 &&
        ip -n "$ns" addr add "$NET.$n/24" dev eth0 &&
        ip -n "$ns" link set eth0 up &&
        ip -n "$ns" link set lo up; }; then
        fail "veth for $ns"; exit 1
    fi
    n=$((n + 1))
done

# on HOST PIDFILE CMD... - run CMD on host a, b or c: in its network
# namespace, and in a mount namespace of its own where the export is
# bind-mounted on the docroot.  CMD's pid goes to PIDFILE (the wrappers
# may fork, so $! is not CMD).
on() {
    local h=$1 pf=$2; shift 2
    # shellcheck disable=SC2016 # expanded by that sh
    ip netns exec "omkt-$TAG-$h" unshare -m --propagation private \
        sh -c 'echo $$ > "$3" && mount --bind "$1" "$2" && shift 3 && exec "$@"' \
        sh "$T/export" "$T/docroot" "$pf" "$@"
}
# start_on NAME HOST CMD... - start CMD on HOST, logging to $T/logs; sets
# DPID (CMD's pid, added to PIDS for the teardown) and LAST_LOG.
start_on() {
    local name=$1 h=$2 pf; shift 2
    pf=$T/pids/$name.$RANDOM
    start "$name" on "$h" "$pf" "$@"
    wait_for 20 test -s "$pf" || { fail "$name did not start"; return 1; }
    DPID=$(cat "$pf")
    PIDS+=("$DPID")
}
reach() { ip netns exec "omkt-$TAG-$1" curl -s -o /dev/null --max-time 1 "$2"; }

mark "MariaDB on host A"
# MariaDB on host A, listening on A's address only.
ip netns exec "$NSA" bash -c ". '$TOP/tests/lib/mariadb.sh' && mariadb_start '$OMKT_DBDIR' $DBPORT $ADDR_A" ||
    { fail "MariaDB on host A"; exit 1; }
mariadb_new_db "$OMKT_DBDIR" "$DBNAME" omkt omktpw
tcp_to_db() { ip netns exec "omkt-$TAG-$1" bash -c "exec 3<>/dev/tcp/$ADDR_A/$DBPORT"; }
check "hostB reaches MariaDB on hostA over the bridge" wait_for 10 tcp_to_db b
check "hostC reaches MariaDB on hostA over the bridge" wait_for 10 tcp_to_db c
db_restart() {
    mariadb_stop "$OMKT_DBDIR"
    ip netns exec "$NSA" bash -c ". '$TOP/tests/lib/mariadb.sh' && mariadb_start '$OMKT_DBDIR' $DBPORT $ADDR_A"
}

# The operator's config (the unix socket) and one config per host (TCP).
cat > "$CONF" <<CONF
[db]
socket = $OMKT_DBDIR/mysqld.sock
user = omkt
password = omktpw
name = $DBNAME
CONF
ctl db init >/dev/null || { fail "db init"; exit 1; }
for h in A B C; do
    cat > "$T/host$h.conf" <<CONF
[db]
host = $ADDR_A
port = $DBPORT
user = omkt
password = omktpw
name = $DBNAME
connect_timeout = 2s

[common]
docroot = $T/docroot
host = host$h
lease = 3s
heartbeat = 500ms
shutdown_grace = 3s
reap_interval = 500ms
retry_base = 100ms
retry_max = 1s

[apid]
listen = $ADDR_A
port = $APIPORT

[downloaderd]
workers = 2
allow_private = yes

[metadatad]
workers = 1

[transcoderd]
workers = 1
threads = 1
min_free = 1M
segment_min = 35s
segment_length = 4s

[notifierd]
allow_private = yes
workers = 2
retry_base = 200ms
retry_max = 1s
CONF
done

mark "Host A: the fake CMS"
# Host A: the fake CMS (originals and callback log), apid, downloaderd,
# notifierd.
CMS_LOG=$T/cms.jsonl
: > "$CMS_LOG"
start_on cms a python3 "$TOP/tests/servers/fake_cms.py" --root "$T/cms" \
    --log "$CMS_LOG" --port-file "$T/cms.port" --bind "$ADDR_A" --ctl "$T/cmsctl"
wait_for 10 test -s "$T/cms.port" || { fail "fake CMS did not start"; exit 1; }
CMS=http://$ADDR_A:$(cat "$T/cms.port")
KEY=$(ctl account add --email cms@example.com --url "$CMS/cb" --client-key ck 2>/dev/null)
[ -n "$KEY" ] || { fail "account add"; exit 1; }
ADPIDS=()
for d in apid downloaderd notifierd; do
    start_on "A-$d" a "$OMKT_BIN/$d" -c "$T/hostA.conf"
    ADPIDS+=("$DPID")
done
API="http://$ADDR_A:$APIPORT/api/?transcoder_key=$KEY&application=cluster&version=1"
api() { ip netns exec "$NSA" curl -g -s --max-time 10 "$API&$1"; }
check "apid answers on host A's address" wait_for 60 reach a "http://$ADDR_A:$APIPORT/health"

mark "Hosts B and C: transcoderd"
# Hosts B and C: transcoderd and metadatad.
declare -A HPIDS HLOG
start_host() { # start_host b|c
    local h=$1 H d
    H=${h^^}
    HPIDS[$h]=""
    for d in transcoderd metadatad; do
        start_on "$H-$d" "$h" "$OMKT_BIN/$d" -c "$T/host$H.conf"
        HPIDS[$h]="${HPIDS[$h]} $DPID"
        HLOG[$h-$d]=$LAST_LOG
    done
}
start_host b
start_host c
running_on() { # running_on HOST ROLE: a fresh heartbeat from that host
    [ "$(sql "SELECT COUNT(*) FROM processes WHERE host = '$1' AND role = '$2'
        AND state = 'running' AND heartbeat > NOW(3) - INTERVAL 2 SECOND")" -ge 1 ]
}
for h in hostB hostC; do
    check "$h: transcoderd registered" wait_for 60 running_on "$h" transcoderd
    check "$h: metadatad registered" wait_for 60 running_on "$h" metadatad
done
check "workers list shows hostB and hostC" \
    bash -c "'$OMKT_BIN/omktctl' -c '$CONF' workers list | grep -q hostB && '$OMKT_BIN/omktctl' -c '$CONF' workers list | grep -q hostC"

mark "Media: tiny clips"
# Media: tiny clips for the throughput part, 30 s ones for the faults (a
# few seconds of transcoding under ASan, longer than the 3 s lease).
bash "$TOP/tests/tools/mkclip.sh" mp4 "$T/cms/small.mp4" 2 160x120 ||
    { fail "mkclip"; exit 1; }
bash "$TOP/tests/tools/mkclip.sh" mp4 "$T/cms/long.mp4" 30 320x240 ||
    { fail "mkclip"; exit 1; }

SETTINGS="[11,71,101]"
cb_count() { # cb_count ACTION RID [SETTING]: callbacks received
    python3 - "$CMS_LOG" "$@" <<'PY'
import json, sys, urllib.parse
log, action, rid = sys.argv[1:4]
sid = sys.argv[4] if len(sys.argv) > 4 else None
n = 0
for line in open(log):
    r = json.loads(line)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(r["path"]).query)
    if q.get("action", [""])[0] != action or q.get("id", [""])[0] != rid:
        continue
    if sid is None or q.get("settings_id", [""])[0] == sid:
        n += 1
print(n)
PY
}
has_metadata_cb() { [ "$(cb_count transcoder_send_metadata "$1")" -ge 1 ]; }
new_media() { # new_media RID FILE
    api "action=app_new_media&id=$1&url=$CMS/f/$2" | grep -q '"code":200'
}
# request_formats RID: app_request_format as a CMS does it; a 500
# ("database unavailable, retry later") is retried, as its message asks,
# and counted in $T/req500.
request_formats() {
    local _
    for _ in $(seq 1 20); do
        api "action=app_request_format&id=$1&settings_id_list=$SETTINGS" > "$T/req.$1"
        grep -q '"code":500' "$T/req.$1" || break
        echo "$1" >> "$T/req500"
        sleep 0.5
    done
    grep -q '"101":{"code":200' "$T/req.$1"
}
n_processed() { # n_processed RID...: processed transcodes of these media
    sql "SELECT COUNT(*) FROM transcodes t JOIN media m ON m.id = t.media_id
        WHERE m.remote_id IN ($(echo "$*" | tr ' ' ',')) AND t.state = 'processed'"
}
all_processed() { # all_processed RID...
    [ "$(n_processed "$@")" = $(($# * 3)) ]
}
all_format_cbs() { # all_format_cbs RID...: every callback arrived (at least once)
    ! python3 "$TOP/tests/cluster/verify.py" callbacks "$CMS_LOG" 11,71,101 "$@" | grep -q ':0'
}
rid_list() { echo "$*" | tr ' ' ','; }
# exactly_once WHAT RID...: one metadata and one format callback per setting.
exactly_once() {
    local what=$1 bad; shift
    bad=$(python3 "$TOP/tests/cluster/verify.py" callbacks "$CMS_LOG" 11,71,101 "$@")
    check_eq "$what: every callback exactly once" "${bad:-none}" none
}
# outputs_valid WHAT RID...: each transcode processed, its output readable
# by ffprobe (setting 101: its 40 files).
outputs_valid() {
    local what=$1 bad; shift
    sql "SELECT m.remote_id, t.setting_id, t.state, IFNULL(t.path, ''), t.cardinality
        FROM transcodes t JOIN media m ON m.id = t.media_id
        WHERE m.remote_id IN ($(rid_list "$@"))" > "$T/outputs.tsv"
    check_eq "$what: $(($# * 3)) transcodes listed" "$(wc -l < "$T/outputs.tsv")" $(($# * 3))
    bad=$(python3 "$TOP/tests/cluster/verify.py" outputs "$T/export" "$T/outputs.tsv")
    check_eq "$what: every output valid (ffprobe)" "${bad:-none}" none
}
# nothing_partial WHAT: no temp file anywhere in the docroot, and every
# output file belongs to a processed transcode of its media.
nothing_partial() {
    local bad
    sql "SELECT SUBSTRING_INDEX(m.path, '/', 3), t.setting_id FROM transcodes t
        JOIN media m ON m.id = t.media_id WHERE t.state = 'processed'" > "$T/done.tsv"
    bad=$(python3 "$TOP/tests/cluster/verify.py" partial "$T/export" "$T/done.tsv")
    check_eq "$1: no temp file, no output without its processed row" "${bad:-none}" none
}
# submit FILE RID...: the OMKT way: new media, then the formats once the
# metadata callback arrived.
submit() {
    local file=$1 r; shift
    for r in "$@"; do
        check "media $r: app_new_media accepted" new_media "$r" "$file"
    done
    for r in "$@"; do
        wait_for 120 has_metadata_cb "$r" || { fail "media $r: no metadata callback"; continue; }
        request_formats "$r" || fail "media $r: app_request_format: $(cat "$T/req.$r")"
    done
}
hosts_of() { # hosts_of RID...: the hosts whose processes ran the transcodes
    sql "SELECT DISTINCT p.host FROM jobs j JOIN media m ON m.id = j.media_id
        JOIN processes p ON p.id = j.worker_id WHERE j.task = 'transcode'
        AND m.remote_id IN ($(echo "$*" | tr ' ' ',')) ORDER BY p.host" | tr '\n' ' '
}

mark "1. Throughput"
# 1. Throughput: 20 media x 3 settings.
t0=$SECONDS
RIDS=$(seq 1 20)
# shellcheck disable=SC2086
submit small.mp4 $RIDS
# shellcheck disable=SC2086
check "20 x 3 transcodes processed" wait_for 300 all_processed $RIDS
# shellcheck disable=SC2086
check "every format callback arrived" wait_for 60 all_format_cbs $RIDS
echo "# 20 media x 3 settings in $((SECONDS - t0)) s"
# shellcheck disable=SC2086
check_eq "work landed on both B and C" "$(hosts_of $RIDS)" "hostB hostC "
# shellcheck disable=SC2086
outputs_valid "batch" $RIDS
# shellcheck disable=SC2086
exactly_once "batch" $RIDS
nothing_partial "batch"

# held_by_b RID: the transcode job of media RID runs on hostB (progress
# started, so it is mid-transcode).
held_by() { # held_by HOST RID
    [ "$(sql "SELECT p.host FROM jobs j JOIN media m ON m.id = j.media_id
        JOIN processes p ON p.id = j.worker_id WHERE j.task = 'transcode'
        AND j.state = 'running' AND m.remote_id = $2")" = "$1" ]
}
job_on_b() { # job_on_b RID...: prints the RID whose transcode B holds
    local r
    for r in "$@"; do held_by hostB "$r" && { echo "$r"; return 0; }; done
    return 1
}
job_row() { # job_row RID: "state attempts host" of its last transcode job
    sql "SELECT CONCAT(j.state, ' ', j.attempts, ' ', IFNULL(p.host, '-'))
        FROM jobs j JOIN media m ON m.id = j.media_id
        LEFT JOIN processes p ON p.id = j.worker_id
        WHERE j.task = 'transcode' AND m.remote_id = $1 ORDER BY j.id DESC LIMIT 1"
}
done_on_c() { case $(job_row "$1") in "done 2 hostC") return 0 ;; esac; return 1; }
# fault_batch WHAT RID1 RID2: two long media, one per transcoding host;
# waits until B holds one and prints its RID.
fault_batch() {
    submit long.mp4 "$2" "$3"
    wait_for 120 job_on_b "$2" "$3" || { fail "$1: hostB never took a long transcode"; return 1; }
    VICTIM=$(job_on_b "$2" "$3")
}

mark "2. Cut B"
# 2. Cut B's link mid-transcode.
t0=$SECONDS
if fault_batch "link cut" 21 22; then
    blog=${HLOG[b-transcoderd]}
    ip link set "ok${TAG}b" down
    echo "# hostB cut off while transcoding media $VICTIM ($(job_row "$VICTIM"))"
    check "link cut: C finishes B's job after the lease (attempt 2)" \
        wait_for 120 done_on_c "$VICTIM"
    ip link set "ok${TAG}b" up
    check "link cut: B heartbeats again once its link is back" \
        wait_for 120 running_on hostB transcoderd
    check "link cut: B noticed it lost the job" \
        wait_for 60 grep -q "job=.*lease lost" "$blog"
    alive_b() { local p; for p in ${HPIDS[b]}; do kill -0 "$p" || return 1; done; }
    check "link cut: B's daemons are still alive" alive_b
    check "link cut: both media processed" wait_for 120 all_processed 21 22
    check "link cut: every format callback arrived" wait_for 60 all_format_cbs 21 22
    sleep_until=$((SECONDS + 3))   # room for a duplicate to show up, if any
    wait_for 4 test $SECONDS -ge $sleep_until
    exactly_once "link cut" 21 22
    outputs_valid "link cut" 21 22
    nothing_partial "link cut"
fi
echo "# link cut phase: $((SECONDS - t0)) s"

mark "3. SIGKILL"
# 3. SIGKILL every process of B mid-transcode.
t0=$SECONDS
if fault_batch "SIGKILL" 23 24; then
    echo "# killing hostB while transcoding media $VICTIM ($(job_row "$VICTIM"))"
    for pid in ${HPIDS[b]}; do kill -KILL "$pid"; done
    for pid in ${HPIDS[b]}; do wait_exit "$pid" 10; done
    check "SIGKILL: C finishes B's job after the lease (attempt 2)" \
        wait_for 120 done_on_c "$VICTIM"
    check "SIGKILL: both media processed" wait_for 120 all_processed 23 24
    check "SIGKILL: every format callback arrived" wait_for 60 all_format_cbs 23 24
    start_host b
    check "SIGKILL: restarted B registers again" wait_for 60 running_on hostB transcoderd
    exactly_once "SIGKILL" 23 24
    outputs_valid "SIGKILL" 23 24
    nothing_partial "SIGKILL"
fi
echo "# SIGKILL phase: $((SECONDS - t0)) s"

mark "4. MariaDB restarted"
# This phase caught a crash of every daemon on a failed reconnect while
# MariaDB was down (mysql_stmt_errno(NULL) in run(), src/common/db.c,
# from dbf183a; fixed in 2c956a9): check that they all survive, and stop
# the phase at once if they did not, instead of waiting for nothing.
# 4. MariaDB restarted during a batch: once while downloads and metadata
# run, once while transcodes run.
t0=$SECONDS
RIDS=$(seq 31 38)
for r in $RIDS; do
    check "media $r: app_new_media accepted" new_media "$r" small.mp4
done
check "MariaDB restarted (downloads/metadata in flight)" db_restart
all_alive() { local p; for p in "${ALLD[@]}"; do kill -0 "$p" || return 1; done; }
# shellcheck disable=SC2206
ALLD=("${ADPIDS[@]}" ${HPIDS[b]} ${HPIDS[c]})
if all_alive; then pass "every daemon survived the restart"; else
    fail "every daemon survived the restart"; exit 1; fi
rm -f "$T/req500"
for r in $RIDS; do
    wait_for 180 has_metadata_cb "$r" || { fail "media $r: no metadata callback"; continue; }
    request_formats "$r" || fail "media $r: app_request_format: $(cat "$T/req.$r")"
done
# Once the server is back, no call is refused: apid pings an idle pooled
# connection before using it (2828b34); before that, the first call on
# each pooled connection after a restart answered 500.
check_eq "DB restart: no app_request_format refused once the server is back" \
    "$(sort -u "$T/req500" 2>/dev/null | tr '\n' ' ')" ""
check "MariaDB restarted (transcodes in flight)" db_restart
if all_alive; then pass "every daemon survived the second restart"; else
    fail "every daemon survived the second restart"; exit 1; fi
# shellcheck disable=SC2086
check "DB restart: all transcodes processed" wait_for 300 all_processed $RIDS
# shellcheck disable=SC2086
check "DB restart: every format callback arrived" wait_for 120 all_format_cbs $RIDS
# shellcheck disable=SC2086
exactly_once "DB restart" $RIDS
# shellcheck disable=SC2086
outputs_valid "DB restart" $RIDS
nothing_partial "DB restart"
for h in hostB hostC; do
    check "DB restart: $h still heartbeating" wait_for 30 running_on "$h" transcoderd
done
echo "# DB restart phase: $((SECONDS - t0)) s"

mark "5. Segments"
# 5. Segment-parallel: one 40 s clip (a keyframe every 2 s) split across
# B and C; B's link cut while it holds a segment.
t0=$SECONDS
# parent_of RID: the media's transcode job that has no parent.
parent_of() {
    sql "SELECT j.id FROM jobs j JOIN media m ON m.id = j.media_id
        WHERE j.task = 'transcode' AND j.parent_id IS NULL
        AND m.remote_id = $1 ORDER BY j.id DESC LIMIT 1"
}
# holding PARENT: the hosts holding a running child of PARENT.
holding() {
    sql "SELECT DISTINCT p.host FROM jobs j JOIN processes p
        ON p.id = j.worker_id WHERE j.parent_id = $1 AND j.state = 'running'
        ORDER BY p.host" | tr '\n' ' '
}
# mid_way PARENT: B and C each hold a child, B's a video segment (the
# audio child comes first), and children are left.
mid_way() {
    [ "$(holding "$1")" = "hostB hostC " ] &&
        [ "$(sql "SELECT COUNT(*) FROM jobs j JOIN job_segments s
            ON s.job_id = j.id JOIN processes p ON p.id = j.worker_id
            WHERE j.parent_id = $1 AND j.state = 'running' AND s.seg >= 0
            AND p.host = 'hostB'")" -ge 1 ] &&
        [ "$(sql "SELECT COUNT(*) FROM jobs WHERE parent_id = $1
            AND state = 'queued'")" -ge 2 ]
}
job_state() { sql "SELECT state FROM jobs WHERE id = $1"; }
is_state() { [ "$(job_state "$1")" = "$2" ]; }
child_row() { # child_row ID: "state attempts host" of a child job
    sql "SELECT CONCAT(j.state, ' ', j.attempts, ' ', IFNULL(p.host, '-'))
        FROM jobs j LEFT JOIN processes p ON p.id = j.worker_id
        WHERE j.id = $1"
}
vframes() { # vframes FILE: its video frames (packets)
    ffprobe -v error -select_streams v:0 -count_packets \
        -show_entries stream=nb_read_packets -of csv=p=0 "$1"
}
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=640x360:rate=25:duration=40" \
    -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=40" \
    -c:v libx264 -preset ultrafast -g 50 -keyint_min 50 -sc_threshold 0 \
    -pix_fmt yuv420p -c:a aac -b:a 96k -ac 2 -shortest "$T/cms/seg.mp4" ||
    fail "segments: the 40 s clip"
submit seg.mp4 41
# step WHAT CMD...: check, and the result as the status.
step() {
    local what=$1; shift
    if "$@"; then pass "$what"; else fail "$what"; return 1; fi
}
has_parent() { [ -n "$(parent_of "$1")" ]; }
P=""
wait_for 60 has_parent 41 && P=$(parent_of 41)
if [ -z "$P" ]; then
    fail "segments: no transcode job for media 41"
elif step "segments: children running on hostB and hostC at once" \
    wait_for 120 mid_way "$P"; then
    check_eq "segments: the parent waits for them" "$(job_state "$P")" waiting
    ip link set "ok${TAG}b" down
    # What B held when its link went: it cannot commit anything after.
    VICTIMS=$(sql "SELECT j.id FROM jobs j JOIN processes p
        ON p.id = j.worker_id WHERE j.parent_id = $P AND j.state = 'running'
        AND p.host = 'hostB'" | tr '\n' ' ')
    echo "# hostB cut off while holding child job(s) ${VICTIMS:-none} of $P" \
        "(segment(s) $(sql "SELECT GROUP_CONCAT(seg) FROM job_segments
            WHERE job_id IN (${VICTIMS// /,}0)"); -1 is the audio)"
    check "segments: hostB held a video segment when cut off" \
        test -n "$VICTIMS"
    check "segments: the parent is done without hostB" \
        wait_for 120 is_state "$P" "done"
    for v in $VICTIMS; do
        row=$(child_row "$v")
        case $row in
        "done "[2-9]" hostC") pass "segments: child $v redone by hostC ($row)" ;;
        *) fail "segments: child $v redone by hostC after its lease (got '$row')" ;;
        esac
    done
    ip link set "ok${TAG}b" up
    check "segments: B heartbeats again once its link is back" \
        wait_for 120 running_on hostB transcoderd
    echo "# children of $P: $(sql "SELECT CONCAT(COUNT(*), ' jobs, ',
        SUM(j.state = 'done'), ' done, hosts ', GROUP_CONCAT(DISTINCT p.host))
        FROM jobs j LEFT JOIN processes p ON p.id = j.worker_id
        WHERE j.parent_id = $P")"
    check_eq "segments: every child done" "$(sql "SELECT COUNT(*) FROM jobs
        WHERE parent_id = $P AND state <> 'done'")" 0
    # 40 s on keyframes every 2 s in segments of about 4 s, and the audio.
    check_eq "segments: ten video segments and the audio" \
        "$(sql "SELECT CONCAT(SUM(seg >= 0), '+', SUM(seg = -1))
            FROM job_segments WHERE parent_id = $P")" "10+1"
    check "segments: every format callback arrived" wait_for 60 all_format_cbs 41
    sleep_until=$((SECONDS + 3))   # room for a duplicate to show up, if any
    wait_for 4 test $SECONDS -ge $sleep_until
    exactly_once "segments" 41
    outputs_valid "segments" 41
    out=$(sql "SELECT t.path FROM transcodes t JOIN media m ON m.id = t.media_id
        WHERE m.remote_id = 41 AND t.setting_id = 11")
    check_eq "segments: frame count of the source" \
        "$(vframes "$T/export/$out" 2>&1)" "$(vframes "$T/cms/seg.mp4")"
    check "segments: tmp/segments/$P removed" \
        wait_for 30 test ! -e "$T/export/tmp/segments/$P"
    nothing_partial "segments"
fi
echo "# segments phase: $((SECONDS - t0)) s"

check_eq "no transcode in error" \
    "$(sql "SELECT COUNT(*) FROM transcodes WHERE state <> 'processed'")" 0
check_eq "no callback left undelivered" \
    "$(sql "SELECT COUNT(*) FROM jobs WHERE task = 'notify' AND state <> 'done'")" 0
mark "done"
