#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_chain - the whole cloud tier end to end, driven as a CMS drives it
# (OMKT API: app_new_media, app_request_format [11,71]): real MariaDB,
# apid, downloaderd, metadatad, notifierd, the fake CMS; no local
# transcoder (two transcoderd bridges with workers = 0, [cloud] policy
# overflow, max_instances 2, both scaler candidates); the fake EC2 runs
# each instance's user-data, which starts the real cloud worker
# (transcoderd, queue = sqs) in a network namespace of its own when root
# may make one; SQS is npm local-aws-sqs behind the SigV4-checking proxy,
# S3 is s3rver.  During the run: an instance is SIGKILLed while it holds
# the long job, a bridge is SIGKILLed while it has a job out, and SQS is
# unreachable for 30 s (instances idle meanwhile terminate themselves:
# docs/cloud.md, "Idle"; the scaler starts others for what is left).  Then: every media gets exactly the callbacks a
# local run gives (metadata, one format per setting, no alert), every
# output is served by app_get_media (the video's frame count is the
# source's), the killed instance's job was finished by another, the
# surviving bridge adopted the dead one's send, instances never passed
# the maximum and terminated themselves when idle.  6 media in `make
# check`, 10 (the issue's 10 x 2) with OMKT_HEAVY=1.
# Poison jobs and dead letters: test_bridge.sh e; a wrong secret:
# test_scaler.sh and test_sqs.sh; the scaler's races: test_scaler.sh.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=tests/s3/lib.sh
. "$(dirname "$0")/../s3/lib.sh"
# shellcheck source=tests/cloud/lib.sh
. "$(dirname "$0")/lib.sh"
s3rver_install || exit $?
npm_need "$SQS_PKG" local-aws-sqs || exit $?
NMEDIA=6
[ -n "${OMKT_HEAVY:-}" ] && NMEDIA=10
# one key pair for s3rver, the SQS proxy, the fake EC2 and the workers
# (the instances inherit the environment: their credentials)
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
omkt_setup chain
trap 'kill "$MON_PID" "$(cat "$T/proxy.pid" 2>/dev/null)" 2>/dev/null; cloud_stop_all; s3rver_stop; omkt_teardown' EXIT
MON_PID=
s3rver_start "$T/s3data" || exit 1
sqs_start "$T" || exit 1
ec2_start "$T" --isolate auto --forward "$SQS_PORT" --forward "$S3_PORT" ||
    exit 1
cms_start

write_conf "$CONF" "
[apid]
port = 0
threads = 2

[downloaderd]
allow_private = yes
timeout = 30s

[transcoderd]
min_free = 0
workers = 0
bridge = yes

[notifierd]
allow_private = yes
timeout = 2s
retry_base = 200ms
retry_max = 400ms

[s3]
endpoint = $S3_ENDPOINT
addressing = path
allow_private = yes

[cloud]
policy = overflow
overflow_after = 1s
sqs_endpoint = $SQS_EP
ec2_endpoint = $EC2_EP
allow_private = yes
jobs_queue = c-jobs
results_queue = c-results
dead_queue = c-dead
max_receive_count = 50
visibility = 4s
staging = s3://$S3_BUCKET/omkt-cloud/
bridge_jobs = 3
idle_terminate = 10s
cluster = chain
max_instances = 2
jobs_per_instance = 1
start_after = 0
cooldown = 1s
scaler_tick = 500ms
image = ami-0123456789abcdef0
instance_type = c5.large
worker_program = $OMKT_BIN/transcoderd
worker_conf = etc/omkt.conf"
ctl db init >/dev/null || { fail "db init"; exit 1; }
e2e_account
KADM=$(ctl account add --email ops@example.com --admin | grep -oE '[0-9a-f]{32}' | head -1)
start_apid
start downloaderd "$OMKT_BIN/downloaderd" -c "$CONF"
start metadatad "$OMKT_BIN/metadatad" -c "$CONF"
start notifierd "$OMKT_BIN/notifierd" -c "$CONF"
bridge_up() { # bridge_up - one more bridge; BR_PID, BR_LOG
    start transcoderd "$OMKT_BIN/transcoderd" -c "$CONF"
    BR_PID=$LAST_PID BR_LOG=$LAST_LOG
    wait_for 20 grep -q "cloud bridge: policy" "$BR_LOG" ||
        { fail "bridge did not start"; cat "$BR_LOG"; exit 1; }
}
bridge_up
B1=$BR_PID B1_LOG=$BR_LOG
bridge_up
B2=$BR_PID B2_LOG=$BR_LOG
# metric SERIES - its value in apid's /metrics (the scaler's, from the
# database: apid never calls AWS)
metric() {
    curl -s -H "Authorization: Bearer $KADM" "$API/metrics" |
        awk -v s="$1" 'index($0, s " ") == 1 {print $2}'
}
INST='omkt_cloud_instances{scope="cluster",cluster="chain",state='
running_ge1() { [ "$(metric "${INST}\"running\"}")" -ge 1 ]; }

# the instances, polled throughout: the most pending or running at once
python3 - "$EC2_EP" "$T/live.max" <<'PY' &
import json, sys, time, urllib.request as u
top = 0
while True:
    try:
        l = json.load(u.urlopen(sys.argv[1] + '/_fake/instances'))
    except OSError:
        l = []
    n = sum(1 for i in l if i['state'] in ('pending', 'running'))
    if n > top:
        top = n
        open(sys.argv[2], 'w').write('%d\n' % top)
    time.sleep(0.1)
PY
MON_PID=$!

clip "$CMS_ROOT/a.mp4" 2 320x240
clip "$CMS_ROOT/long.mp4" 8 640x480
frames() {
    ffprobe -v error -count_frames -select_streams v:0 -show_entries \
        stream=nb_read_frames -of csv=p=0 "$1"
}
jobid() { sql "SELECT j.id FROM jobs j JOIN media m ON m.id = j.media_id
    WHERE m.remote_id = $1 AND j.task = 'transcode'"; }
# submit RID FILE - a new media; its formats are asked once it is probed
submit() {
    [ "$(new_media "$1" "http://127.0.0.1:$CMS_PORT/f/$2")" = 200 ] ||
        fail "new media $1"
}
ask() {
    api app_request_format --data-urlencode id="$1" \
        --data-urlencode 'settings_id_list=[11,71]' >/dev/null
}
inst_log() { # inst_log PATTERN - instance logs matching PATTERN
    grep -l -e "$1" "$T"/instances/i-*/log 2>/dev/null
}
has_job() { [ -n "$(jobid "$1")" ]; }
# kill_instance_of RID - once an instance has received the job of media
# RID, SIGKILL it (its whole process group): the instance dies mid-job.
# Its directory in $T/killed.
kill_instance_of() {
    local j d
    wait_for 60 has_job "$1" || return 1
    j=$(jobid "$1")
    wait_for 60 inst_log "job=$j received" || return 1
    d=$(dirname "$(inst_log "job=$j received" | head -1)")
    kill -9 -- "-$(cat "$d/pid")" && echo "$d" > "$T/killed"
}
t0=$(date +%s)
# the bridge fault: bridge 1 SIGKILLed the moment it has sent a job
( wait_for 60 grep -q "cloud: sent token" "$B1_LOG" && kill -9 "$B1" ) &
KILLER=$!
K=1 # media 1, the long clip: its instance is SIGKILLed mid-job
# the instance fault, then the SQS outage at once, while jobs are out
faults() {
    kill_instance_of "$K" || exit 1
    sqs_proxy_down
    sleep 30
    sqs_proxy_up || exit 2
    echo "$SQS_PROXY_PID" > "$T/proxy.pid"
}
faults &
FAULTS=$!
submit 1 long.mp4
for i in $(seq 2 "$NMEDIA"); do submit "$i" a.mp4; done
for i in $(seq 1 "$NMEDIA"); do
    check "media $i probed" wait_for 60 has_acked transcoder_send_metadata "$i"
    ask "$i"
done

echo "# a bridge SIGKILLed just after its first send"
wait "$KILLER"
check_eq "bridge 1 sent a job and was killed" "$?" 0
wait "$B1" 2>/dev/null
J1=$(sed -n 's/.*job=\([0-9]*\) cloud: sent token.*/\1/p' "$B1_LOG" | head -1)
check_eq "it had sent one job" "$(grep -c "cloud: sent token" "$B1_LOG")" 1

check "/metrics: the scaler's running instances" wait_for 30 running_ge1
echo "# an instance SIGKILLed while it holds the long job, then SQS unreachable for 30 s"
wait "$FAULTS"
check_eq "an instance received the long job and was killed; SQS came back" "$?" 0
JK=$(jobid "$K")
KDIR=$(cat "$T/killed" 2>/dev/null)
kid=${KDIR##*/}
check_eq "the killed instance had sent no result" \
    "$(grep -c "job=$JK .*result sent" "$KDIR/log")" 0

all_done() {
    local i s
    for i in $(seq 1 "$NMEDIA"); do
        for s in 11 71; do has_acked transcoder_send_format "$i" "$s" || return 1; done
    done
}
check "every format callback acknowledged" wait_for 120 all_done
echo "# all done in $(($(date +%s) - t0)) s"
check "the long job was finished by another instance" \
    bash -c "grep -l 'job=$JK .*result sent' '$T'/instances/i-*/log | grep -qv '$kid'"
check "the surviving bridge adopted the dead one's job $J1" \
    grep -q "job=$J1 cloud: adopted send" "$B2_LOG"
check_eq "which the dead one had sent once, and nobody again" \
    "$(cat "$T"/logs/transcoderd.*.log | grep -c "job=$J1 cloud: sent token")" 1
sleep 2 # a late duplicate would show by now
src=$(frames "$CMS_ROOT/a.mp4") long=$(frames "$CMS_ROOT/long.mp4")
for i in $(seq 1 "$NMEDIA"); do
    check_eq "media $i: metadata 1, format 11 1, format 71 1, alert 0" \
        "$(acked transcoder_send_metadata "$i") $(acked transcoder_send_format "$i" 11) $(acked transcoder_send_format "$i" 71) $(acked transcoder_send_alert "$i")" \
        "1 1 1 0"
    check_eq "media $i: app_get_media 11 and 71" \
        "$(get_media "$i" 11 "$T/o$i.mp4") $(get_media "$i" 71 "$T/o$i.m4a")" "200 200"
    want=$src; [ "$i" = "$K" ] && want=$long
    check_eq "media $i: frames of 11 = the source's" "$(frames "$T/o$i.mp4")" "$want"
    check_eq "media $i: 71 is aac" "$(ffprobe -v error -show_entries \
        stream=codec_name -of csv=p=0 "$T/o$i.m4a")" aac
done
check_eq "every job done" "$(sql "SELECT COUNT(*) FROM jobs
    WHERE task = 'transcode' AND state <> 'done'")" 0
check_eq "every job went to the cloud" "$(cat "$T"/logs/transcoderd.*.log |
    sed -n 's/.*job=\([0-9]*\) cloud: sent token.*/\1/p' | sort -u | wc -l)" "$NMEDIA"

echo "# the instances"
live() { "$CLI" ec2 "$EC2_EP" describe "omkt:cluster=chain" 2>/dev/null | wc -l; }
no_live() { [ "$(live)" = 0 ]; }
check "idle, every instance terminates itself" wait_for 40 no_live
none_live() {
    [ "$(metric "${INST}\"running\"}") $(metric "${INST}\"pending\"}")" = "0 0" ]
}
check "/metrics: counted down to none" wait_for 10 none_live
check_eq "/metrics: the surviving bridge's scaler leads" "$(metric \
    "omkt_cloud_scaler_leader{scope=\"cluster\",cluster=\"chain\",holder=\"$(hostname):$B2\"}")" 1
check "/metrics: the count is fresh" test "$(metric \
    'omkt_cloud_instances_age_seconds{scope="cluster",cluster="chain"}')" -le 5
kill "$MON_PID"; wait "$MON_PID" 2>/dev/null; MON_PID=
check "never more than 2 live (polled)" test "$(cat "$T/live.max")" -le 2
check_eq "never more than 2 live (the fake's count)" "$(ec2_stat max_live chain)" 2
echo "# instances started: $(ec2_stat started chain)"
check "each by its own TerminateInstances" bash -c \
    "[ \$(grep -l 'idle: instance i-.* terminating' '$T'/instances/i-*/log | wc -l) -ge 1 ]"
check "no sanitizer report from any instance" bash -c \
    "! grep -l 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error' '$T'/instances/i-*/log"
exit 0
