#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_bridge - the cloud bridge (transcoderd, [transcoderd] bridge = yes)
# in a running cluster: real MariaDB, apid, downloaderd, metadatad,
# notifierd and a fake CMS; npm local-aws-sqs behind the SigV4-checking
# proxy and s3rver (which checks signatures too); the cloud worker is a
# stand-in (bridge_stub.py) that makes real outputs with the engine.
#   a: policy always: the job is staged, sent, its result published; the
#      CMS gets one format callback, the file is served by apid, the
#      staging objects and the cloud rows are gone, /metrics shows the
#      cloud series;
#   b: a result delivered twice (same token): published once;
#   c: a result with a stale token: dropped, the right one published;
#   d: SIGKILL of the bridge while the job is out: another bridge adopts
#      it (no second send), one callback;
#   e: a poison job: the message lands in the dead-letter queue, the job
#      fails for good with an alert callback and an error log line;
#   h: the real cloud worker (transcoderd, [transcoderd] queue = sqs)
#      instead of the stand-in: one callback, the file served; then jobs
#      with their own settings, which the worker's catalogue does not
#      know, go through it too (their definitions in the message's
#      "defs"): a site setting (settings_file) served by app_get_media
#      and a media-nommer job with job_options published at its
#      dest_path, each the source's frame count at the asked size; then
#      S3 destinations (an account's publish-to prefix, a nommer job's
#      s3:// dest_path): the worker's objects are copied server-side
#      (nothing uploaded again), byte for byte the document root's
#      outputs, the staging objects removed after;
#   g: an account whose [cloud.account-ID] policy is off: its job is not
#      sent and does not hold up a later job of another account;
#   f: policy overflow with an idle local worker: nothing is sent, the
#      jobs are transcoded locally, and the callbacks have the same shape
#      as the cloud job's in a;
#   i: overflow at a bridge with no local worker while a transcoderd on
#      another host (another process, another host name) is idle but
#      polls slowly: the job waits past overflow_after and is still not
#      sent (the idle slots are the cluster's, from the database); once
#      that transcoderd stops, the next job is sent;
#   j: a wrong secret at the running bridge (SQS's key rotated under
#      it): an error log line naming the refused credentials and
#      /metrics omkt_cloud_send_faults{reason="credentials"} 1; no
#      message, no staging object left, the job back in the queue with
#      no attempt spent; with the right key again it is sent and done.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=tests/s3/lib.sh
. "$(dirname "$0")/../s3/lib.sh"
# shellcheck source=tests/cloud/lib.sh
. "$(dirname "$0")/lib.sh"
s3rver_install || exit $?
npm_need "$SQS_PKG" local-aws-sqs || exit $?
# one key pair for s3rver, the SQS proxy and the stand-in worker
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
omkt_setup bridge
trap 'cloud_stop_all; s3rver_stop; omkt_teardown' EXIT
s3rver_start "$T/s3data" || exit 1
sqs_start "$T" || exit 1
STUB=$TOP/tests/cloud/bridge_stub.py
MCLI=$OMKT_BIN/tests/media_cli
cms_start

S3_SECTION="[s3]
endpoint = $S3_ENDPOINT
addressing = path
allow_private = yes
access_key = S3RVER
secret_key = S3RVER
"
# conf FILE POLICY WORKERS [OVERFLOW_AFTER] - the cluster's configuration
# with a bridge.
conf() {
    write_conf "$1" "settings_file = $T/site.json

[apid]
port = 0
threads = 2

[downloaderd]
allow_private = yes
timeout = 30s

[transcoderd]
min_free = 0
workers = $3
bridge = yes

[notifierd]
allow_private = yes
timeout = 2s
retry_base = 200ms
retry_max = 400ms

$S3_SECTION
[cloud]
policy = $2
overflow_after = ${4:-30s}
sqs_endpoint = $SQS_EP
allow_private = yes
jobs_queue = b-jobs
results_queue = b-results
dead_queue = b-dead
max_receive_count = 5
visibility = 30s
staging = s3://$S3_BUCKET/omkt-cloud/
bridge_jobs = 2

[cloud.account-3]
policy = off"
}
# a site setting (docs/media.md): 11 at 160x120; cloud workers do not know it
cat > "$T/site.json" <<'SITE'
{"settings": [{"id": 2001, "based_on": 11, "slug": "mp4-tiny",
  "name": "MP4 tiny", "size_43": "160x120", "size_169": "160x90",
  "video": {"bitrate": "200k"}}]}
SITE
conf "$CONF" always 0
ctl db init >/dev/null || { fail "db init"; exit 1; }
e2e_account
KADM=$(ctl account add --email ops@example.com --admin | grep -oE '[0-9a-f]{32}' | head -1)
start_apid
start downloaderd "$OMKT_BIN/downloaderd" -c "$CONF"
start metadatad "$OMKT_BIN/metadatad" -c "$CONF"
start notifierd "$OMKT_BIN/notifierd" -c "$CONF"
bridge_up() { # bridge_up [CONF] - a bridge; BR_PID, BR_LOG
    start transcoderd "$OMKT_BIN/transcoderd" -c "${1:-$CONF}"
    BR_PID=$LAST_PID BR_LOG=$LAST_LOG
    wait_for 20 grep -q "cloud bridge: policy" "$BR_LOG" ||
        { fail "bridge did not start"; cat "$BR_LOG"; exit 1; }
}
bridge_up
clip "$CMS_ROOT/a.mp4" 2 320x240
url() { echo "http://127.0.0.1:$CMS_PORT/f/a.mp4"; }
# stub MODE NAME - the stand-in worker for one job, in the background
stub() {
    mkdir -p "$T/w.$2"
    python3 "$STUB" "$SQS_EP" "$S3_ENDPOINT" b-jobs b-results "$MCLI" \
        "$T/w.$2" "$1" > "$T/w.$2/job.json" 2> "$T/w.$2/err" &
    STUB_PID=$!
}
# media RID - a downloaded and probed media asking for setting 11.
media() {
    [ "$(new_media "$1" "$(url)")" = 200 ] || fail "new media $1"
    wait_for 60 has_acked transcoder_send_metadata "$1" || fail "metadata $1"
    api app_request_format --data-urlencode id="$1" \
        --data-urlencode 'settings_id_list=[11]' >/dev/null
}
formats() { cmslog q:action=transcoder_send_format q:id="$1" mode=ok; }
jobid() { sql "SELECT j.id FROM jobs j JOIN media m ON m.id = j.media_id
    WHERE m.remote_id = $1 AND j.task = 'transcode'"; }
jstate() { sql "SELECT state FROM jobs WHERE id = $1"; }
is_done() { [ "$(jstate "$1")" = "done" ]; }
staged() { find "$T/s3data" -path '*omkt-cloud*' -type f | wc -l; }
sent() { cat "$T"/logs/transcoderd.*.log | grep -c "job=$1 cloud: sent"; }

# a. always: sent, result published, callback, served.
stub ok a
media 1
check "a: format callback acknowledged" wait_for 90 has_acked transcoder_send_format 1 11
wait "$STUB_PID"; check_eq "a: the stand-in worker finished" "$?" 0
J=$(jobid 1)
check_eq "a: the job message named the job" "$(jfield job_id < "$T/w.a/job.json")" "$J"
check_eq "a: job done" "$(jstate "$J")" "done"
check_eq "a: one send" "$(sent "$J")" 1
check_eq "a: app_get_media 11: 200" "$(get_media 1 11 "$T/a11.mp4")" 200
check_eq "a: served file is h264+aac" "$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$T/a11.mp4" | tr '\n' ' ')" "h264 aac "
check_eq "a: no temp file" "$(no_temp "$(media_dir 1)" && echo none)" none
check_eq "a: cloud rows forgotten" "$(sql 'SELECT (SELECT COUNT(*) FROM cloud_jobs) + (SELECT COUNT(*) FROM cloud_results)')" 0
check_eq "a: staging objects removed" "$(staged)" 0
curl -s -H "Authorization: Bearer $KADM" "$API/metrics" > "$T/metrics"
check "a: /metrics: omkt_cloud_jobs_out 0" grep -q '^omkt_cloud_jobs_out{scope="cluster"} 0$' "$T/metrics"
check "a: /metrics: dead letters series" grep -q '^omkt_cloud_dead_letters_pending{scope="cluster"} 0$' "$T/metrics"

# b. the same result twice: published once.
stub dup b
media 2
check "b: format callback acknowledged" wait_for 90 has_acked transcoder_send_format 2 11
wait "$STUB_PID"
check "b: the second copy was found a duplicate" wait_for 20 grep -q "job=$(jobid 2) cloud: result token=.* duplicate: dropped" "$BR_LOG"
sleep 2
check_eq "b: one format callback" "$(formats 2)" 1

# c. a stale token first: dropped; the right one published.
stub stale c
media 3
check "c: format callback acknowledged" wait_for 90 has_acked transcoder_send_format 3 11
check "c: the stale result was dropped" grep -q "job=$(jobid 3) cloud: result token=ffffffffffffffffffffffffffffffff stale: dropped" "$BR_LOG"
check_eq "c: one format callback" "$(formats 3)" 1

# d. the bridge killed while the job is out: adopted, not sent again.
export HOLD=$T/hold
touch "$HOLD"
stub hold d
media 4
check "d: the job is out" wait_for 60 test -s "$T/w.d/job.json"
J=$(jobid 4)
kill -9 "$BR_PID"; wait "$BR_PID" 2>/dev/null
OLD_LOG=$BR_LOG
bridge_up
check "d: another bridge adopted the send" wait_for 60 grep -q "job=$J cloud: adopted send" "$BR_LOG"
rm -f "$HOLD"
check "d: format callback acknowledged" wait_for 90 has_acked transcoder_send_format 4 11
wait "$STUB_PID"
check_eq "d: sent once in all" "$(sent "$J")" 1
check_eq "d: the killed bridge had sent it" "$(grep -c "job=$J cloud: sent" "$OLD_LOG")" 1
sleep 2
check_eq "d: one format callback" "$(formats 4)" 1
check_eq "d: job done" "$(jstate "$J")" "done"

# e. a poison job: dead letter -> failed, alert.
stub poison e
media 5
check "e: alert callback acknowledged" wait_for 120 has_acked transcoder_send_alert 5
J=$(jobid 5)
check_eq "e: job failed" "$(jstate "$J")" failed
check "e: logged at error level" grep -q "err.*job=$J cloud: dead letter" "$BR_LOG"
check_eq "e: no format callback" "$(formats 5)" 0
kill "$STUB_PID" 2>/dev/null; wait "$STUB_PID" 2>/dev/null

# h. the real cloud worker (transcoderd, queue = sqs): the same outcome.
cat > "$T/worker.conf" <<WCONF
[common]
log_level = info
shutdown_grace = 5s
[transcoderd]
queue = sqs
scratch = $T/scratch
[cloud]
sqs_endpoint = $SQS_EP
allow_private = yes
jobs_queue = b-jobs
results_queue = b-results
dead_queue = b-dead
visibility = 30s
max_receive_count = 5
imds_endpoint =
idle_terminate = 0
$S3_SECTION
WCONF
mkdir -p "$T/scratch"
start worker "$OMKT_BIN/transcoderd" -c "$T/worker.conf"
W_PID=$LAST_PID W_LOG=$LAST_LOG
media 9
check "h: format callback acknowledged (real worker)" wait_for 120 has_acked transcoder_send_format 9 11
J=$(jobid 9)
check_eq "h: job done" "$(jstate "$J")" "done"
check_eq "h: one send" "$(sent "$J")" 1
check_eq "h: app_get_media 11: 200" "$(get_media 9 11 "$T/h11.mp4")" 200
check_eq "h: served file is h264+aac" "$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$T/h11.mp4" | tr '\n' ' ')" "h264 aac "
sleep 2
check_eq "h: one format callback" "$(formats 9)" 1
check_eq "h: staging objects removed" "$(staged)" 0
# h, own settings: a site setting's and a media-nommer job's definitions
# travel in "defs"; the outputs are where a local transcode puts them.
frames() {
    ffprobe -v error -count_frames -select_streams v:0 -show_entries \
        stream=nb_read_frames,width,height -of csv=p=0 "$1"
}
SRC=$(frames "$CMS_ROOT/a.mp4")
SRC=${SRC##*,}
[ "$(new_media 10 "$(url)")" = 200 ] || fail "new media 10"
check "h: media 10 probed" wait_for 60 has_acked transcoder_send_metadata 10
api app_request_format --data-urlencode id=10 \
    --data-urlencode 'settings_id_list=[2001]' >/dev/null
NOM=$(python3 -c 'import json,sys; print(json.dumps({"source_path": sys.argv[1],
    "dest_path": "out/n.mp4", "job_options": {"options": [{"outfile_options":
    [["vcodec", "libx264"], ["s", "160x120"], ["b", "200k"], ["f", "mp4"]]}]}}))' "$(url)")
check_eq "h: nommer job submitted" "$(curl -s -o "$T/nom.json" -w '%{http_code}' \
    -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
    --data-binary "$NOM" "$API/job/submit/")" 200
NID=$(jfield job_id < "$T/nom.json")
NOUT=$T/docroot/export/1/out/n.mp4
check "h: site setting 2001: format callback" wait_for 120 has_acked transcoder_send_format 10 2001
check "h: nommer job: published at its dest_path" wait_for 120 test -s "$NOUT"
J=$(jobid 10)
NJ=$(sql "SELECT id FROM jobs WHERE media_id = $NID AND task = 'transcode'")
check "h: nommer job done" wait_for 10 is_done "$NJ"
check_eq "h: both went to the cloud, once" "$(sent "$J") $(sent "$NJ")" "1 1"
check "h: the worker got both definitions" grep -q \
    "job=$NJ defs: $(sql "SELECT want_settings FROM media WHERE id = $NID")$" "$W_LOG"
check "h: (the site's)" grep -q "job=$J defs: 2001" "$W_LOG"
check_eq "h: app_get_media 2001: 200" "$(get_media 10 2001 "$T/h2001.mp4")" 200
check_eq "h: 2001: 160x120, the source's frames" "$(frames "$T/h2001.mp4")" "160,120,$SRC"
check_eq "h: dest_path: 160x120, the source's frames" "$(frames "$NOUT")" "160,120,$SRC"

# h, S3 destinations: copied from the worker's objects, server-side.
S3SIG=(--aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER -s
       -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
s3get() { curl "${S3SIG[@]}" -o "$2" -w '%{http_code}' "$S3_ENDPOINT/$S3_BUCKET/$1"; }
ctl account publish-to 1 "s3://$S3_BUCKET/pub/" >/dev/null || fail "h: publish-to"
NOM=$(python3 -c 'import json,sys; print(json.dumps({"source_path": sys.argv[1],
    "dest_path": sys.argv[2], "job_options": {"options": [{"outfile_options":
    [["vcodec", "libx264"], ["s", "160x120"], ["b", "200k"], ["f", "mp4"]]}]}}))' \
    "$(url)" "s3://$S3_BUCKET/nout/n2.mp4")
curl -s -o "$T/nom2.json" -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
    --data-binary "$NOM" "$API/job/submit/"
NID2=$(jfield job_id < "$T/nom2.json")
media 14
M14=$(sql "SELECT id FROM media WHERE remote_id = 14")
n2_done() { is_done "$(sql "SELECT id FROM jobs WHERE media_id = $NID2 AND task = 'transcode'")"; }
check "h: S3: format callback (publish-to)" wait_for 120 has_acked transcoder_send_format 14 11
check "h: S3: nommer job done (s3:// dest_path)" wait_for 120 n2_done
J=$(jobid 14)
NJ2=$(sql "SELECT id FROM jobs WHERE media_id = $NID2 AND task = 'transcode'")
check_eq "h: S3: both went to the cloud" "$(sent "$J") $(sent "$NJ2")" "1 1"
check_eq "h: S3: under the prefix" "$(s3get "pub/media/1/$M14/11.mp4" "$T/p14.mp4")" 200
check "h: S3: byte for byte the document root's" cmp -s "$T/p14.mp4" "$T/docroot/media/1/$M14/11.mp4"
check_eq "h: S3: the source's frames" "$(frames "$T/p14.mp4")" "320,240,$SRC"
check_eq "h: S3: at the dest_path" "$(s3get nout/n2.mp4 "$T/n2.mp4")" 200
check_eq "h: S3: 160x120, the source's frames" "$(frames "$T/n2.mp4")" "160,120,$SRC"
check "h: S3: copied server-side (publish-to)" grep -q \
    "job=$J s3 $S3_BUCKET/pub/media/1/$M14/11.mp4: copied from s3://$S3_BUCKET/omkt-cloud/" "$BR_LOG"
check "h: S3: copied server-side (dest_path)" grep -q \
    "job=$NJ2 s3 $S3_BUCKET/nout/n2.mp4: copied from s3://$S3_BUCKET/omkt-cloud/" "$BR_LOG"
check_eq "h: S3: nothing uploaded by the bridge" \
    "$(grep -c "job=\($J\|$NJ2\) s3 .*: uploaded" "$BR_LOG")" 0
no_staged() { [ "$(staged)" = 0 ]; }
check "h: S3: staging objects removed" wait_for 10 no_staged
ctl account publish-to 1 "" >/dev/null || fail "h: publish-to cleared"
kill -TERM "$W_PID"; wait "$W_PID" 2>/dev/null

# g. an account whose policy is off ([cloud.account-3]): its job is not
# sent, and does not hold up a later job of another account.
K3=$(ctl account add --email off@example.com \
    --url "http://127.0.0.1:$CMS_PORT/cb" --client-key ck |
    grep -oE '[0-9a-f]{32}' | head -1)
check_eq "g: the account with policy off is account 3" \
    "$(sql "SELECT id FROM accounts WHERE email = 'off@example.com'")" 3
stub ok g
K1=$KEY KEY=$K3
media 7
KEY=$K1
media 8
check "g: the later job of account 1 is published" wait_for 90 has_acked transcoder_send_format 8 11
wait "$STUB_PID"
check_eq "g: account 3's job stays queued" "$(jstate "$(jobid 7)")" queued
check_eq "g: and was never sent" "$(sent "$(jobid 7)")" 0

# f. overflow with an idle local worker: transcoded here, nothing sent.
kill -TERM "$BR_PID"; wait "$BR_PID" 2>/dev/null
conf "$T/over.conf" overflow 1
bridge_up "$T/over.conf"
media 6
check "f: format callback acknowledged" wait_for 90 has_acked transcoder_send_format 6 11
J=$(jobid 6)
check_eq "f: nothing sent" "$(sent "$J")" 0
check_eq "f: no cloud row" "$(sql "SELECT COUNT(*) FROM cloud_jobs WHERE job_id = $J")" 0
check "f: account 3's job is transcoded here too" wait_for 90 has_acked transcoder_send_format 7 11
check_eq "f: and never sent" "$(sent "$(jobid 7)")" 0
shape() { # the callback's parameter names and metadata keys
    cmslog q:action=transcoder_send_format q:id="$1" mode=ok --get q:metadata |
        head -1 | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(sorted(d), d["tracks"][0]["width"], d["cardinality"])'
}
check_eq "f: a cloud callback has the shape of a local one" "$(shape 1)" "$(shape 6)"

# i. the idle slot is on another host: not offloaded.
kill -TERM "$BR_PID"; wait "$BR_PID" 2>/dev/null
conf "$T/over0.conf" overflow 0 1s
sed 's/^bridge = yes/bridge = no/; s/^\[common\]/[common]\nhost = other-host\npoll_budget = off\npoll_min = 12s\npoll_max = 12s/' \
    "$T/over.conf" > "$T/other.conf"
start transcoderd "$OMKT_BIN/transcoderd" -c "$T/other.conf"
O_PID=$LAST_PID
other_slots() { sql "SELECT capacity FROM processes WHERE host = 'other-host'
    AND state = 'running'"; }
has_other() { [ "$(other_slots)" = 1 ]; }
check "i: a transcoderd on other-host, one slot" wait_for 20 has_other
bridge_up "$T/over0.conf"
media 11
J=$(jobid 11)
check "i: transcoded on other-host" wait_for 60 is_done "$J"
check_eq "i: by the other host's process" "$(sql "SELECT p.host FROM jobs j
    JOIN processes p ON p.id = j.worker_id WHERE j.id = $J")" other-host
check_eq "i: it waited past overflow_after (1 s) first" "$(sql "SELECT
    TIMESTAMPDIFF(MICROSECOND, created, started) > 1500000 FROM jobs WHERE id = $J")" 1
check_eq "i: and was not sent" "$(sent "$J")" 0
kill -TERM "$O_PID"; wait "$O_PID" 2>/dev/null
stub ok i
media 12
check "i: other-host gone: sent to the cloud" wait_for 60 grep -q "job=$(jobid 12) cloud: sent" "$BR_LOG"
check "i: format callback acknowledged" wait_for 90 has_acked transcoder_send_format 12 11
wait "$STUB_PID"

# j. a wrong secret at the running bridge: the job is not lost.
metric() {
    curl -s -H "Authorization: Bearer $KADM" "$API/metrics" |
        awk -v s="$1" 'index($0, s " ") == 1 {print $2}'
}
FAULT='omkt_cloud_send_faults{scope="cluster",reason="credentials"}'
faulted() { [ "$(metric "$FAULT")" = "$1" ]; }
unspent() { sql "SELECT state IN ('queued', 'running') AND attempts <= 1
    FROM jobs WHERE id = $1"; } # a claim counts one, its release takes it back
sqs_proxy_down
AWS_SECRET_ACCESS_KEY=ROTATED sqs_proxy_up || fail "j: proxy with another key"
media 13
J=$(jobid 13)
check "j: the bridge logs the refused credentials" wait_for 30 grep -q \
    "err: job=$J cloud: credentials refused: .*SignatureDoesNotMatch" "$BR_LOG"
check "j: /metrics: a bridge with refused credentials" wait_for 10 faulted 1
sleep 3 # a few more refused sends (the pause doubles from 1 s)
check "j: refused again, each time released" test \
    "$(grep -c "job=$J cloud: credentials refused" "$BR_LOG")" -ge 2
check_eq "j: nothing sent" "$(sent "$J")" 0
# Each refused send removes what it staged; the next one (1, 2, 4 s
# later) stages again: look between two.
check "j: no staging object left between the refused sends" wait_for 5 no_staged
check_eq "j: the job is queued (or claimed again), no attempt spent" "$(unspent "$J")" 1
check_eq "j: not in the cloud tables" "$(sql "SELECT COUNT(*) FROM cloud_jobs WHERE job_id = $J")" 0
sqs_proxy_down
sqs_proxy_up || fail "j: proxy with the right key"
stub ok j
check "j: the right key again: sent" wait_for 60 grep -q "job=$J cloud: sent" "$BR_LOG"
check "j: format callback acknowledged" wait_for 90 has_acked transcoder_send_format 13 11
wait "$STUB_PID"
check "j: /metrics: the fault is gone" wait_for 10 faulted 0
exit 0
