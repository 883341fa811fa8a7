#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_s3jobs - S3 as a store of the running cluster, against s3rver (npm
# @20minutes/s3rver, which checks SigV4 signatures): media-nommer jobs
# with s3:// sources and destinations.
#   a: source with the [s3] section's keys, destination with keys in the
#      URI (s3://KEY:SECRET@bucket/key), an output over part_size (5M):
#      a multipart upload; the object equals the media's own output; the
#      secret appears in no row the API shows, no log line, no callback;
#   b: a wrong secret in dest_path: a clear error (403), ERROR told,
#      nothing published, not retried;
#   c: a missing source object: 404, a permanent failure (one attempt),
#      ERROR told;
#   e: media-nommer's unmodified client as it talks (base URL
#      /nommer/<key>, a JSON body sent as a form, job_options a JSON
#      string, its web_medium preset) with s3:// source and destination:
#      the exact sequence of form-encoded state notifications;
#   f: a REST media of an account with a publish-to prefix (omktctl
#      account publish-to): its output also lands under the prefix;
#   d: the store killed before the upload and restarted a few seconds
#      later: the upload is retried, the object is complete, nothing
#      partial was visible meanwhile.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=tests/s3/lib.sh
. "$(dirname "$0")/lib.sh"
s3rver_install || exit $?
omkt_setup s3jobs
trap 's3rver_stop; omkt_teardown' EXIT
s3rver_start "$T/s3data" || exit 1
SECRET=Wr0ngS3cretN0tS3RVER # must show up nowhere
cms_start
e2e_conf "
[s3]
endpoint = $S3_ENDPOINT
addressing = path
allow_private = yes
access_key = S3RVER
secret_key = S3RVER
part_size = 5M
max_attempts = 2"
ctl db init >/dev/null || { fail "db init"; exit 1; }
e2e_account
start_apid
start_workers

S3SIG=(--aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER -s
       -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
s3put() { curl "${S3SIG[@]}" -f -T "$1" "$S3_ENDPOINT/$S3_BUCKET/$2" -o /dev/null; }
s3get() { curl "${S3SIG[@]}" -o "$2" -w '%{http_code}' "$S3_ENDPOINT/$S3_BUCKET/$1"; }
s3code() { s3get "$1" /dev/null; }
nom() { # nom NAME SOURCE DEST OPTIONS_JSON - submit; prints the job id
    local body
    body=$(python3 -c 'import json,sys; print(json.dumps({"source_path":sys.argv[1],"dest_path":sys.argv[2],"notify_url":sys.argv[3],"job_options":json.loads(sys.argv[4])}))' \
        "$2" "$3" "http://127.0.0.1:$CMS_PORT/hook?n=$1" "$4")
    curl -s -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
        --data-binary "$body" "$API/job/submit/" > "$T/sub.$1"
    grep -q '"success": *true' "$T/sub.$1" || echo "# answer: $(cat "$T/sub.$1")" >&2
    jfield job_id < "$T/sub.$1"
}
# states NAME - the job_state of every notification to /hook?n=NAME, in
# order (JSON or form-encoded bodies).
states() {
    cmslog 'path^/hook' q:n="$1" mode=ok --get body | python3 -c '
import json, sys, urllib.parse
for line in sys.stdin:
    line = line.strip()
    if not line: continue
    if line.startswith("{"): print(json.loads(line).get("job_state"))
    else: print(urllib.parse.parse_qs(line, keep_blank_values=True)["job_state"][0])' |
        tr '\n' ' '
}
details() { # details NAME - every notification body to /hook?n=NAME
    cmslog 'path^/hook' q:n="$1" --get body
}
# final NAME SECONDS - wait for NAME's job to end (FINISHED or ERROR
# told); prints its states.
final() {
    local end=$((SECONDS + $2)) st
    while :; do
        st=$(states "$1")
        case $st in *FINISHED*|*ERROR*) break ;; esac
        [ $SECONDS -lt "$end" ] || break
        sleep 0.5
    done
    echo "$st"
}
own() { find "$T"/docroot/media/*/"$1" -maxdepth 1 -name '[0-9]*.mp4' | head -1; }
attempts() { sql "SELECT MAX(attempts) FROM jobs WHERE media_id = $1 AND task = '$2'"; }

# A noisy clip (about 8 MB) whose output at 60 Mb/s is over 5 MiB.
ffmpeg -v error -y -f lavfi -i "testsrc=size=640x480:rate=25,noise=alls=60:allf=t" \
    -t 1 -c:v libx264 -preset ultrafast -qp 20 -an -f mp4 "$T/big.mp4"
clip "$T/small.mp4" 1 160x120
s3put "$T/big.mp4" in/big.mp4 || { fail "seeding s3rver"; exit 1; }
s3put "$T/small.mp4" in/small.mp4 || { fail "seeding s3rver"; exit 1; }
BIG='[{"outfile_options":[["vcodec","libx264"],["preset","ultrafast"],["b","60000k"],["maxrate","60000k"],["bufsize","60000k"],["an",null],["f","mp4"]]}]'
SMALL='[{"outfile_options":[["vcodec","libx264"],["s","160x120"],["an",null],["f","mp4"]]}]'

A=$(nom a "s3://$S3_BUCKET/in/big.mp4" "s3://S3RVER:S3RVER@$S3_BUCKET/out/a.mp4" "$BIG")
B=$(nom b "s3://$S3_BUCKET/in/small.mp4" "s3://S3RVER:$SECRET@$S3_BUCKET/out/b.mp4" "$SMALL")
C=$(nom c "s3://$S3_BUCKET/in/missing.mp4" "s3://$S3_BUCKET/out/c.mp4" "$SMALL")
check "a, b, c submitted" test -n "$A" -a -n "$B" -a -n "$C"
# f: an account publishing to s3://bucket/pub/, a REST media
ACC=$(sql "SELECT id FROM accounts LIMIT 1")
check "f: bad publish-to refused" bash -c "! '$OMKT_BIN/omktctl' -c '$CONF' account publish-to $ACC http://x/ 2>/dev/null"
check "f: publish-to set" ctl account publish-to "$ACC" "s3://$S3_BUCKET/pub/"
cp "$T/small.mp4" "$CMS_ROOT/f.mp4"
curl -s -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
    --data-binary "{\"url\":\"http://127.0.0.1:$CMS_PORT/f/f.mp4\",\"settings\":[11]}" \
    "$API/v1/media" > "$T/sub.f"
F=$(jfield id < "$T/sub.f")
check "f: submitted" test -n "$F"
# e: what media-nommer-api-python's job_submit sends (urllib2: the JSON
# text as the body, its default form Content-Type, no key header).
WEB='{"nommer":"media_nommer.ec2nommerd.nommers.ffmpeg.FFmpegNommer","options":[{"outfile_options":[["threads",0],["vcodec","libx264"],["preset","medium"],["profile","baseline"],["b","400k"],["vf","yadif,scale=640:trunc(ow/a/2)*2"],["pass","1"],["f","mp4"],["an",null]]},{"outfile_options":[["threads",0],["vcodec","libx264"],["preset","medium"],["profile","baseline"],["b","400k"],["vf","yadif,scale=640:trunc(ow/a/2)*2"],["pass","2"],["acodec","libfaac"],["ab","128k"],["ar","48000"],["ac","2"],["f","mp4"]]}]}'
body=$(python3 -c 'import json,sys; print(json.dumps({"source_path":sys.argv[1],"dest_path":sys.argv[2],"notify_url":sys.argv[3],"job_options":sys.argv[4]}))' \
    "s3://S3RVER:S3RVER@$S3_BUCKET/in/small.mp4" "s3://S3RVER:S3RVER@$S3_BUCKET/out/e.mp4" \
    "http://127.0.0.1:$CMS_PORT/hook?n=e" "$WEB")
curl -s -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$body" \
    "$API/nommer/$KEY/job/submit/" > "$T/sub.e"
E=$(jfield job_id < "$T/sub.e")
check_eq "e: accepted" "$(jfield success < "$T/sub.e")" True

check "a: FINISHED told" grep -q FINISHED <<<"$(final a 60)"
check_eq "a: the object is there" "$(s3get out/a.mp4 "$T/a.out")" 200
check "a: over part_size (multipart)" test "$(stat -c %s "$T/a.out")" -gt $((5 << 20))
check "a: the media's own output, byte for byte" cmp -s "$T/a.out" \
    "$(own "$A")"
# one PUT is 1 request; a multipart upload is create + parts + complete
check "a: a multipart upload (4 requests or more)" test "$(sed -n \
    's/.* s3 [^ ]*out\/a.mp4: uploaded .*, \([0-9]*\) requests.*/\1/p' \
    "$T"/logs/transcoderd*.log | head -1)" -ge 4
check_eq "a: the row shows the destination masked" \
    "$(sql "SELECT JSON_VALUE(job_options, '$.dest_path') FROM media WHERE id = $A")" \
    "s3://S3RVER:****@$S3_BUCKET/out/a.mp4"

check "b: ERROR told" grep -q ERROR <<<"$(final b 60)"
check "b: the reason is the store's refusal" grep -q "403" <<<"$(details b)"
check_eq "b: nothing published" "$(s3code out/b.mp4)" 404
check_eq "b: not retried (one attempt)" "$(attempts "$B" transcode)" 1

check "c: ERROR told" grep -q ERROR <<<"$(final c 60)"
check "c: the reason says not found" grep -qi "404\|NoSuchKey" <<<"$(details c)"
check_eq "c: download failed after one attempt" "$(attempts "$C" download)" 1
check_eq "c: media download_failed" "$(sql "SELECT state FROM media WHERE id = $C")" download_failed

check_eq "e: PENDING, DOWNLOADING, ENCODING, UPLOADING, FINISHED" \
    "$(final e 60)" "PENDING DOWNLOADING ENCODING UPLOADING FINISHED "
check_eq "e: each a form POST" "$(cmslog 'path^/hook' q:n=e --get h:content-type | sort -u)" \
    application/x-www-form-urlencoded
check_eq "e: media-nommer's fields first, in its order" \
    "$(cmslog 'path^/hook' q:n=e mode=ok --get body | sed 's/=[^&]*//g' | cut -d'&' -f1-3 | sort -u)" \
    "unique_id&job_state&job_state_details"
check_eq "e: the object is there" "$(s3get out/e.mp4 "$T/e.out")" 200
check "e: the media's own output, byte for byte" cmp -s "$T/e.out" "$(own "$E")"

published() { [ "$(s3code "pub/media/$ACC/$F/11.mp4")" = 200 ]; }
check "f: published under the prefix" wait_for 60 published
check "f: the media's own output, byte for byte" cmp -s \
    <(curl "${S3SIG[@]}" "$S3_ENDPOINT/$S3_BUCKET/pub/media/$ACC/$F/11.mp4") \
    "$T/docroot/media/$ACC/$F/11.mp4"
check_eq "f: REST says processed" \
    "$(curl -s -H "X-API-Key: $KEY" "$API/v1/media/$F" | jfield transcodes.0.state)" processed
ctl account publish-to "$ACC" "" || fail "publish-to cleared"

# d: the store goes away once the original is downloaded (its transcode
# takes a second or two), for 3 s.
D=$(nom d "s3://$S3_BUCKET/in/big.mp4" "s3://$S3_BUCKET/out/d.mp4" "$BIG")
fetched() { [ "$(sql "SELECT state FROM media WHERE id = $1")" != remote ]; }
check "d: downloaded" wait_for 30 fetched "$D"
kill -KILL "$S3_PID"
wait "$S3_PID" 2>/dev/null
S3_PID=
sleep 3
s3rver_start "$T/s3data" "$S3_PORT" || exit 1
check_eq "d: nothing published while the store was away" "$(s3code out/d.mp4)" 404
check "d: FINISHED told" grep -q FINISHED <<<"$(final d 60)"
check_eq "d: the object is complete" "$(s3get out/d.mp4 "$T/d.out")" 200
check "d: byte for byte" cmp -s "$T/d.out" "$(own "$D")"
check "d: the transcode job was retried" test "$(attempts "$D" transcode)" -gt 1

# The secrets: in no row the API or the dashboard shows, no log, no callback.
check "no secret in any log line" bash -c "! grep -rl '$SECRET' '$T/logs'"
check "no secret in any callback" bash -c "! grep -q '$SECRET' '$CMS_LOG'"
shown=$(sql "SELECT url, error FROM media; SELECT error, payload FROM jobs")
shown+=$(curl -s -H "X-API-Key: $KEY" "$API/v1/media/$B")
shown+=$(curl -s -H "X-API-Key: $KEY" "$API/v1/media")
check "no secret in the rows and views shown" bash -c "! grep -q '$SECRET' <<<\"\$1\"" _ "$shown"
check "the secret is kept (for the upload)" grep -q "$SECRET" \
    <<<"$(sql "SELECT job_options FROM media WHERE id = $B")"
check "all five daemons still running" alive "${PIDS[@]}"
