#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_worker.sh - the cloud worker (transcoderd with [transcoderd] queue
# = sqs, no [db] anywhere) against the real protocol servers: npm
# local-aws-sqs behind the SigV4-checking proxy of fake_ec2.py, s3rver
# (which checks S3 signatures) and the fake EC2, whose instances run the
# worker from user-data with their own IMDSv2 endpoint.
#   a job message in -> its outputs in S3 (frame counts by ffprobe) and
#     exactly one result; the message deleted only after the result;
#   a worker SIGKILLed mid-job -> the message comes back after the
#     visibility timeout and a second worker finishes it (one result:
#     the killed one published nothing);
#   SIGTERM mid-job -> the message is visible again at once (not after
#     the timeout), no result, exit 0;
#   a spot interruption notice -> the same, from inside an instance;
#   a message received more than max_receive_count times -> a dead
#     result, message deleted, not tried;
#   an idle worker (SQS reachable or not) -> TerminateInstances on its
#     own instance id, with no receive in flight (its message would stay
#     invisible a lease long);
#   a wrong secret -> SignatureDoesNotMatch in the log, nothing received.
# XXX: local-aws-sqs counts every ChangeMessageVisibility as a receive
# (docs/cloud.md): queues whose leases are extended allow 50 receives.
set -u
# shellcheck source=tests/cloud/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/s3/lib.sh
. "$CLOUD_TOP/tests/s3/lib.sh"
TD=$OMKT_BIN/transcoderd
for b in "$CLI" "$TD"; do
    [ -x "$b" ] || { echo "not ok - $b not built"; exit 1; }
done
command -v ffprobe >/dev/null || { echo "# SKIP no ffprobe"; exit 77; }
npm_need "$SQS_PKG" local-aws-sqs || exit $?
s3rver_install || exit $?
T=$(mktemp -d "${OMKT_TMP:-/tmp}/omkt-cloudw.XXXXXX")
WPIDS=()
cleanup() {
    local p
    for p in "${WPIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    s3rver_stop
    cloud_stop_all
    if [ -n "${OMKT_KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
wait_for() {
    local n=$(( $1 * 10 )); shift
    for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
    return 1
}
sqs() { "$CLI" sqs "$SQS_EP" "$@" 2>>"$T/cli.err"; }
col() { awk -F'\t' -v n="$1" 'NR == 1 {print $n}'; }

# servers: the proxy and the fake EC2 also take s3rver's key pair, which
# the worker signs everything with ([s3] keys: one door for credentials)
s3rver_start "$T/s3data" || exit 1
raw=
proxy=
cloud_start raw "$T/sqs.log" node "$CLOUD_TOP/tests/cloud/sqs.js" \
    "$OMKT_NPM_CACHE" 0 || exit 1
fake_aws proxy "$T/proxy" --mode proxy --upstream "http://127.0.0.1:$raw" \
    --key S3RVER:S3RVER || exit 1
SQS_EP=http://127.0.0.1:$proxy
mkdir -p "$T/instances" "$T/scratch"
ec2port=
fake_aws ec2port "$T/ec2" --mode ec2 --dir "$T/instances" --key S3RVER:S3RVER ||
    exit 1
EC2_EP=http://127.0.0.1:$ec2port
fake() { # fake GET|POST PATH - an unsigned control of the fake EC2
    python3 -c 'import sys, urllib.request as u
r = u.urlopen(u.Request(sys.argv[1], method=sys.argv[2], data=b"" if sys.argv[2] == "POST" else None))
sys.stdout.write(r.read().decode())' "$EC2_EP$2" "$1"
}
S3SIG=(--aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER -s
       -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
s3put() { curl "${S3SIG[@]}" -f -T "$1" "$S3_ENDPOINT/$S3_BUCKET/$2" -o /dev/null; }
s3get() { curl "${S3SIG[@]}" -f -o "$2" "$S3_ENDPOINT/$S3_BUCKET/$1"; }
frames() {
    ffprobe -v error -count_frames -select_streams v:0 \
        -show_entries stream=nb_read_frames -of csv=p=0 "$1"
}

sh "$CLOUD_TOP/tests/tools/mkclip.sh" mp4 "$T/short.mp4" 2 320x240 >/dev/null 2>&1 &&
    sh "$CLOUD_TOP/tests/tools/mkclip.sh" mp4 "$T/long.mp4" 20 320x240 >/dev/null 2>&1 ||
    { bad "mkclip"; exit 1; }
s3put "$T/short.mp4" src/short.mp4 && s3put "$T/long.mp4" src/long.mp4 ||
    { bad "seeding s3rver"; exit 1; }
SRC_FRAMES=$(frames "$T/short.mp4")

dlq=$(sqs create dead) || { bad "create the dead-letter queue"; exit 1; }
DLQ_ARN=$(sqs info "$dlq" | awk '{print $8}')
# queue NAME VIS MAX - a jobs queue with its dead-letter queue: its URL
queue() { sqs create "$1" "$2" "$DLQ_ARN" "$3"; }

# conf FILE JOBS RESULTS [KEY=VALUE...] - a worker's configuration: no
# [db]; later [cloud] / [transcoderd] keys given as cloud.K=V / td.K=V.
conf() {
    local f=$1 jobs=$2 results=$3 kv td='' cl='' secret=S3RVER; shift 3
    for kv in "$@"; do
        case $kv in
            td.*) td+="${kv#td.}"$'\n' ;;
            cloud.*) cl+="${kv#cloud.}"$'\n' ;;
            secret=*) secret=${kv#secret=} ;;
        esac
    done
    cat > "$f" <<EOF
[common]
log_level = info
shutdown_grace = 5s
[transcoderd]
queue = sqs
scratch = $T/scratch
threads = $OMKT_TEST_THREADS
$td
[cloud]
sqs_endpoint = $SQS_EP
ec2_endpoint = $EC2_EP
allow_private = yes
jobs_queue = $jobs
results_queue = $results
visibility = 6s
max_receive_count = 50
$cl
[s3]
endpoint = $S3_ENDPOINT
addressing = path
allow_private = yes
access_key = S3RVER
secret_key = $secret
part_size = 5M
EOF
}
# defaults the scenarios override
DEF=(cloud.imds_endpoint= cloud.idle_terminate=0)

# worker NAME CONF - start a worker in the background: its pid in WPID.
worker() {
    "$TD" -c "$2" > "$T/$1.log" 2>&1 &
    WPID=$!
    WPIDS+=("$WPID")
}
logs() { grep -q "$2" "$T/$1.log"; }

# job ID SOURCE SETTINGS [TOKEN] - a job message body.
job() {
    python3 -c 'import json, sys
print(json.dumps({"v": 1, "job_id": int(sys.argv[1]), "token": sys.argv[4],
  "media_id": 7, "source": "s3://'"$S3_BUCKET"'/src/" + sys.argv[2],
  "out_prefix": "s3://'"$S3_BUCKET"'/out/%s/" % sys.argv[1],
  "settings": [int(s) for s in sys.argv[3].split(",")], "batch": True}))' \
        "$1" "$2" "$3" "${4:-0123456789abcdef0123456789abcdef}"
}
# results URL WAIT [MAX] - the result bodies in the queue (deleted as
# read), until MAX came or WAIT seconds passed.
results() {
    local m rh n=0 deadline=$(( $(date +%s) + $2 ))
    while [ "$(date +%s)" -lt "$deadline" ] && [ "$n" -lt "${3:-99}" ]; do
        m=$(sqs recv "$1" 1 1 30) || break
        [ -n "$m" ] || continue
        col 3 <<<"$m"
        n=$((n + 1))
        rh=$(col 2 <<<"$m")
        sqs del "$1" "$rh" || true
    done
}
# stamp LOG PATTERN - the time (ms since the epoch) of LOG's first line
# with PATTERN (the daemons' lines start with an ISO 8601 time).
stamp() {
    python3 -c 'import datetime, sys
for l in open(sys.argv[1]):
    if sys.argv[2] in l:
        t = datetime.datetime.strptime(l.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ")
        print(int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000))
        break' "$1" "$2"
}
# field JSON EXPR - a Python expression on the result "r".
field() { python3 -c 'import json, sys; r = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
visible() { sqs info "$1" | awk '{print $2 "/" $4}'; }
# released_at_once URL LOG EVENT WHAT - the worker of LOG released its
# message within 1.5 s of EVENT (its log's times) and the message is
# received again within 20 s (its lease is 60 s).
released_at_once() {
    local t0 m dt=99999 a b
    t0=$(date +%s)
    m=$(sqs recv "$1" 15 1 0)
    a=$(stamp "$2" "released (visible in 0s)")
    b=$(stamp "$2" "$3")
    [ -n "$a" ] && [ -n "$b" ] && dt=$((a - b))
    if [ -n "$m" ] && [ "$dt" -lt 1500 ] && [ $(( $(date +%s) - t0 )) -lt 20 ]; then
        ok "released ${dt} ms after $4, received again (lease 60 s)"
    else
        bad "after $4: '$m', released after ${dt} ms"
    fi
}
# stop_worker PID - SIGTERM, wait; the exit code.
stop_worker() { kill -TERM "$1" 2>/dev/null; wait "$1"; }

echo "# a job in, outputs in S3, one result, deleted after the result"
q=$(queue jobs1 6 50) && r=$(sqs create res1) || { bad "create queues"; exit 1; }
conf "$T/w1.conf" jobs1 res1 "${DEF[@]}"
worker w1 "$T/w1.conf"
w1=$WPID
wait_for 20 logs w1 "cloud worker" && ok "worker started without any [db]" ||
    bad "worker start: $(cat "$T/w1.log")"
sqs send "$q" "$(job 101 short.mp4 11,1)" >/dev/null
mapfile -t res < <(results "$r" 60 1; results "$r" 3)
[ ${#res[@]} -eq 1 ] && ok "exactly one result" || bad "results: ${#res[@]}: ${res[*]}"
body=${res[0]:-{\}}
[ "$(field "$body" 'r["job_id"], r["code"], r["dead"], r["token"]')" = \
    "(101, 0, False, '0123456789abcdef0123456789abcdef')" ] &&
    ok "result: job 101, code 0, the job's token" || bad "result: $body"
[ "$(field "$body" '[(o["setting_id"], o["status"], o["names"]) for o in r["outputs"]]')" = \
    "[(11, 0, ['11.mp4']), (1, 0, ['1.flv'])]" ] && ok "two outputs, named by setting" ||
    bad "outputs: $body"
[ "$(field "$body" 'r["outputs"][0]["files"][0]')" = "s3://$S3_BUCKET/out/101/11.mp4" ] &&
    ok "output files under out_prefix" || bad "files: $body"
for f in 11.mp4 1.flv; do
    if s3get "out/101/$f" "$T/$f"; then
        n=$(frames "$T/$f")
        [ "$n" = "$SRC_FRAMES" ] && ok "$f in S3: $n frames, as the source" ||
            bad "$f: $n frames, source $SRC_FRAMES"
    else
        bad "$f not in S3"
    fi
done
sleep 1
[ "$(visible "$q")" = "0/0" ] && ok "job message deleted" || bad "jobs queue: $(visible "$q")"
python3 - "$T/proxy.jsonl" <<'PY' && ok "DeleteMessage only after SendMessage of the result" || bad "order of calls"
import json, sys
acts = [json.loads(l).get("action", "").split(".")[-1]
        for l in open(sys.argv[1])]
send = [i for i, a in enumerate(acts) if a == "SendMessage"]
dele = [i for i, a in enumerate(acts) if a == "DeleteMessage"]
# the test's own sends come first; the worker's result is the last send
sys.exit(0 if send and dele and max(send) < min(dele) else 1)
PY
[ -n "$(find "$T/scratch" -mindepth 1 -print -quit)" ] &&
    bad "temp files left: $(ls "$T/scratch")" ||
    ok "no temp files left in scratch"
stop_worker "$w1"
rc=$?
[ $rc -eq 0 ] && ok "SIGTERM when idle: exit 0" || bad "exit $rc"
logs w1 "SignatureDoesNotMatch\|ERROR: AddressSanitizer\|runtime error" &&
    bad "w1 log: $(cat "$T/w1.log")"

echo "# workers = 2: two loops take two jobs at once"
q=$(queue jobs8 6 50) && r=$(sqs create res8) || bad "create queues"
conf "$T/w8.conf" jobs8 res8 "${DEF[@]}" td.workers=2
# both queued first: each loop's first poll takes one
sqs send "$q" "$(job 108 short.mp4 11)" >/dev/null
sqs send "$q" "$(job 109 short.mp4 11)" >/dev/null
worker w8 "$T/w8.conf"
w8=$WPID
mapfile -t res < <(results "$r" 60 2)
got=$(for b in "${res[@]}"; do field "$b" 'r["job_id"], r["code"]'; done | sort | tr '\n' ' ')
[ "$got" = "(108, 0) (109, 0) " ] && ok "both jobs done" || bad "results: $got"
python3 - "$T/w8.log" <<'PY' && ok "both received before the first result: 2 loops" ||
import sys
lines = open(sys.argv[1]).read().splitlines()
recv = [i for i, l in enumerate(lines) if "received (1 times)" in l]
sent = [i for i, l in enumerate(lines) if "result sent" in l]
sys.exit(0 if "2 loops" in lines[0] and len(recv) == 2 and sent and
         max(recv) < min(sent) else 1)
PY
    bad "w8 log: $(cat "$T/w8.log")"
stop_worker "$w8" || bad "w8 exit"

echo "# a wrong secret: a clear error, nothing received"
q=$(queue jobs7 6 50) && r=$(sqs create res7) || bad "create queues"
conf "$T/w7.conf" jobs7 res7 "${DEF[@]}" secret=N0tTheS3cret
worker w7 "$T/w7.conf"
w7=$WPID
sqs send "$q" "$(job 107 short.mp4 11)" >/dev/null
wait_for 20 logs w7 "HTTP 403 SignatureDoesNotMatch" &&
    ok "SignatureDoesNotMatch in the log" || bad "w7 log: $(cat "$T/w7.log")"
sleep 2
[ "$(visible "$q")" = "1/0" ] && ok "the job was never received" ||
    bad "jobs7: $(visible "$q")"
logs w7 N0tTheS3cret && bad "the secret is in the log" || ok "no secret in the log"
stop_worker "$w7" || bad "w7 exit"

echo "# a poison message: over max_receive_count -> dead result"
q=$(queue jobs5 6 50) && r=$(sqs create res5) || bad "create queues"
sqs send "$q" "$(job 105 short.mp4 11)" >/dev/null
for _ in 1 2 3; do sqs recv "$q" 1 1 0 >/dev/null; done
conf "$T/w5.conf" jobs5 res5 "${DEF[@]}" cloud.max_receive_count=3
worker w5 "$T/w5.conf"
w5=$WPID
mapfile -t res < <(results "$r" 30 1)
body=${res[0]:-{\}}
[ "$(field "$body" 'r["job_id"], r["dead"], r["receive_count"], r["outputs"], r["code"] != 0')" = \
    "(105, True, 4, [], True)" ] && ok "dead result: received 4 times, not tried" ||
    bad "poison: $body"
sleep 1
[ "$(visible "$q")" = "0/0" ] && ok "poison message deleted" || bad "jobs5: $(visible "$q")"
s3get out/105/11.mp4 /dev/null 2>/dev/null && bad "the poison job ran" ||
    ok "no output for the poison job"
stop_worker "$w5" || bad "w5 exit"

echo "# SIGTERM mid-job releases the message at once"
q=$(queue jobs3 6 50) && r=$(sqs create res3) || bad "create queues"
conf "$T/w3.conf" jobs3 res3 "${DEF[@]}" cloud.visibility=60s
worker w3 "$T/w3.conf"
w3=$WPID
sqs send "$q" "$(job 103 long.mp4 11,1,21)" >/dev/null
wait_for 30 logs w3 "job=103 received" || bad "w3 took no job: $(cat "$T/w3.log")"
sleep 1
kill -TERM "$w3"
released_at_once "$q" "$T/w3.log" "signal 15" SIGTERM
wait "$w3"
rc=$?
[ $rc -eq 0 ] && ok "exit 0 after SIGTERM" || bad "w3 exit $rc"
[ -z "$(results "$r" 2)" ] && ok "no result from the released job" || bad "result sent"
[ -n "$(find "$T/scratch" -mindepth 1 -print -quit)" ] &&
    bad "temp files left: $(ls "$T/scratch")" ||
    ok "temp files removed"

echo "# SIGKILL mid-job: back after the lease, finished by another worker"
q=$(queue jobs2 6 50) && r=$(sqs create res2) || bad "create queues"
conf "$T/w2.conf" jobs2 res2 "${DEF[@]}"
worker w2a "$T/w2.conf"
w2a=$WPID
sqs send "$q" "$(job 102 long.mp4 11,1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa)" >/dev/null
wait_for 30 logs w2a "job=102 received" || bad "w2a took no job"
sleep 1
kill -KILL "$w2a"
wait "$w2a" 2>/dev/null
t0=$(date +%s)
extends() { grep -c 'ChangeMessageVisibility", "status": 200' "$T/proxy.jsonl"; }
n0=$(extends)
worker w2b "$T/w2.conf"
w2b=$WPID
wait_for 60 logs w2b "job=102 received" || bad "w2b took no job"
t1=$(date +%s%N)
mapfile -t res < <(results "$r" 240 1)
ms=$((($(date +%s%N) - t1) / 1000000))
mapfile -t more < <(results "$r" 3)
res+=("${more[@]}")
[ ${#res[@]} -eq 1 ] && ok "one result: the killed worker published nothing" ||
    bad "results: ${#res[@]}"
body=${res[0]:-{\}}
[ "$(field "$body" 'r["job_id"], r["code"], r["token"], r["receive_count"] >= 2')" = \
    "(102, 0, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', True)" ] &&
    ok "finished by the second worker, same token, received $(field "$body" 'r["receive_count"]') times" ||
    bad "second worker's result: $body"
n=$(( $(extends) - n0 ))
# Every 2 s (a third of the lease) while it works: how many depends on the
# machine's speed (none when the job takes less than 2 s, 4 under load);
# a job that outlived an extension period must have extended.
if [ "$ms" -lt 3000 ]; then
    ok "the job took $ms ms, within one extension period: $n extensions"
elif [ "$n" -ge 1 ]; then
    ok "its lease (6 s) was extended $n times during the job ($ms ms)"
else
    bad "lease extensions: $n in $ms ms"
fi
grep -q "job=102 received" "$T/w2b.log" && ok "the second worker took it $(( $(date +%s) - t0 ))s later" ||
    bad "w2b log"
s3get out/102/11.mp4 "$T/102.mp4" && ok "its output is in S3" || bad "no output of 102"
stop_worker "$w2b" || bad "w2b exit"
rm -rf "${T:?}"/scratch/*   # the killed worker's, as a reboot would

# instance NAME CONF - run a worker as a fake EC2 instance: its id.
instance() {
    sed -i "s|^imds_endpoint.*|imds_endpoint = \$OMKT_IMDS_ENDPOINT|" "$2"
    cat > "$T/$1.ud" <<SH
#!/bin/sh
sed "s|\\\$OMKT_IMDS_ENDPOINT|\$OMKT_IMDS_ENDPOINT|" "$2" > worker.conf
exec "$TD" -c worker.conf
SH
    "$CLI" ec2 "$EC2_EP" run ami-0123456789abcdef0 c5.large 1 "$T/$1.ud" \
        omkt:cluster=cw 2>>"$T/cli.err" | awk '{print $1}'
}
state_of() { fake GET /_fake/instances | python3 -c 'import json, sys
print([i["state"] for i in json.load(sys.stdin) if i["id"] == sys.argv[1]][0])' "$1"; }

echo "# a spot interruption notice releases the message at once"
q=$(queue jobs4 6 50) && r=$(sqs create res4) || bad "create queues"
conf "$T/w4.conf" jobs4 res4 "${DEF[@]}" cloud.visibility=60s cloud.spot_poll=200ms
id=$(instance w4 "$T/w4.conf")
ilog=$T/instances/$id/log
wait_for 30 grep -q "cloud worker $id" "$ilog" && ok "instance $id runs a worker named by IMDS" ||
    bad "instance: $(cat "$ilog")"
sqs send "$q" "$(job 104 long.mp4 11,1,21)" >/dev/null
wait_for 30 grep -q "job=104 received" "$ilog" || bad "instance took no job"
fake POST "/_fake/spot?id=$id" >/dev/null
released_at_once "$q" "$ilog" "spot interruption" "the spot notice"
grep -q "spot interruption notice" "$ilog" && ok "the notice is logged" || bad "log: $(cat "$ilog")"
for _ in $(seq 1 150); do [ "$(state_of "$id")" = terminated ] && break; sleep 0.1; done
[ "$(state_of "$id")" = terminated ] && ok "the worker exited (instance shut down)" ||
    bad "instance state $(state_of "$id")"
[ -z "$(results "$r" 2)" ] && ok "no result from the interrupted job" || bad "result sent"

echo "# an idle worker terminates its own instance"
q=$(queue jobs6 6 50) && r=$(sqs create res6) || bad "create queues"
conf "$T/w6.conf" jobs6 res6 "${DEF[@]}" cloud.idle_terminate=4s
gone() { grep -c '"fault": "ClientGone"' "$T/proxy.jsonl"; }
gone0=$(gone)
id=$(instance w6 "$T/w6.conf")
for _ in $(seq 1 300); do [ "$(state_of "$id")" = terminated ] && break; sleep 0.1; done
sleep 0.5 # the proxy notices a client gone within 50 ms
[ "$(gone)" = "$gone0" ] &&
    ok "no receive was in flight when it ended (none left for a message to vanish into)" ||
    bad "a long poll was cut short by the idle termination"

[ "$(state_of "$id")" = terminated ] && ok "instance $id terminated when idle" ||
    bad "instance state $(state_of "$id"): $(cat "$T/instances/$id/log")"
grep -q "idle: instance $id terminating" "$T/instances/$id/log" &&
    ok "it called TerminateInstances on its own id" || bad "log: $(cat "$T/instances/$id/log")"
grep -q '"action": "TerminateInstances", "status": 200' "$T/ec2.jsonl" &&
    ok "the fake EC2 took a signed TerminateInstances" || bad "ec2 log: $(cat "$T/ec2.jsonl")"

echo "# an idle worker that cannot reach SQS terminates too (docs/cloud.md, Idle)"
conf "$T/w7.conf" jobs7 res7 "${DEF[@]}" cloud.idle_terminate=3s
sed -i 's|^sqs_endpoint = .*|sqs_endpoint = http://127.0.0.1:9|' "$T/w7.conf"
id=$(instance w7 "$T/w7.conf")
for _ in $(seq 1 200); do [ "$(state_of "$id")" = terminated ] && break; sleep 0.1; done
[ "$(state_of "$id")" = terminated ] &&
    grep -q "idle: instance $id terminating" "$T/instances/$id/log" &&
    ok "SQS unreachable and idle for idle_terminate: instance $id terminated" ||
    bad "instance state $(state_of "$id"): $(cat "$T/instances/$id/log")"

for f in "$T"/*.log "$T"/instances/*/log; do
    grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" "$f" &&
        bad "sanitizer report in $f: $(grep -m3 "Sanitizer\|runtime error" "$f")"
done
exit $fail
