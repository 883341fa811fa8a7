#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_nommer - media-nommer compatibility: POST /job/submit/ with the
# FFmpegNommer's job_options (the media-nommer-api-python presets), the
# option whitelist and value checks, http(s) and file:// sources confined
# to the document root, destinations, notify_url, and the answers.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_nommer
ctl db init >/dev/null || exit 1
K=$(new_account n@example.com)
start_apid
nom() { # nom JSON [CURL ARGS] - body in $T/body, prints the HTTP status
    curl -s -o "$T/body" -w '%{http_code}' -H "X-API-Key: $K" \
        -H 'Content-Type: application/json' --data-binary "$1" "${@:2}" "$API/job/submit/"
    grep -q '"success": *true' "$T/body" || echo "# answer: $(cat "$T/body")" >&2
}
f() { jget "$(cat "$T/body")" "$1"; }
opts() { sql "SELECT job_options FROM media WHERE id = $1"; }
jo() { python3 -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k]
print(d)' "$(opts "$1")" "$2"; }

# The two-pass web_medium preset of media-nommer-api-python, as its client
# sends it (job_options as a JSON string inside the JSON body).
WEB='{"nommer":"media_nommer.ec2nommerd.nommers.ffmpeg.FFmpegNommer","options":[{"outfile_options":[["threads",0],["vcodec","libx264"],["preset","medium"],["profile","baseline"],["b","400k"],["vf","yadif,scale=640:trunc(ow/a/2)*2"],["pass","1"],["f","mp4"],["an",null]]},{"outfile_options":[["threads",0],["vcodec","libx264"],["preset","medium"],["profile","baseline"],["b","400k"],["vf","yadif,scale=640:trunc(ow/a/2)*2"],["pass","2"],["acodec","libfaac"],["ab","128k"],["ar","48000"],["ac","2"],["f","mp4"]]}]}'
body=$(python3 -c 'import json,sys; print(json.dumps({"source_path":"http://cms.example/in/a.wmv","dest_path":"out/a.mp4","notify_url":"http://cms.example/done","job_options":sys.argv[1]}))' "$WEB")
check_eq "web_medium: 200" "$(nom "$body")" 200
check_eq "web_medium: success" "$(f success)" True
ID=$(f job_id)
check "job_id is the media id" test "$(sql "SELECT COUNT(*) FROM media WHERE id = '$ID' AND account_id = 1")" = 1
check_eq "row: source, adapter, base setting, notify" "$(sql "SELECT CONCAT_WS(',', url, adapter, state, want_settings, notify_url) FROM media WHERE id = $ID")" \
    "http://cms.example/in/a.wmv,http,remote,13,http://cms.example/done"
check_eq "download job (and the PENDING notification)" "$(sql "SELECT CONCAT_WS(',', task, state) FROM jobs WHERE media_id = $ID ORDER BY id" | tr '\n' ' ')" "download,queued notify,queued "
check_eq "mapped: codec, bitrate, options" "$(jo "$ID" video.codec) $(jo "$ID" video.bitrate) $(jo "$ID" video.options)" "libx264 400k preset=medium:profile=baseline"
check_eq "mapped: filter" "$(jo "$ID" video.filter)" "yadif,scale=640:trunc(ow/a/2)*2"
check_eq "mapped: audio of the last pass" "$(jo "$ID" audio.codec) $(jo "$ID" audio.bitrate) $(jo "$ID" audio.samplerate) $(jo "$ID" audio.channels)" "aac 128k 48000 2"
check_eq "mapped: format, dest" "$(jo "$ID" format) $(jo "$ID" dest_path)" "mp4 export/1/out/a.mp4"
check_eq "REST sees the job" "$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $K" "$API/v1/media/$ID")" 200

# The client library's android_low and cb_medium presets, as it sends them:
# -bufsize, -g, -keyint_min, -async and move_atom_to_front map too.
ANDROID='{"nommer":"media_nommer.ec2nommerd.nommers.ffmpeg.FFmpegNommer","options":[{"outfile_options":[["vcodec","libx264"],["preset","medium"],["vprofile","baseline"],["b","300k"],["r","30"],["vf","yadif,scale='"'"'640:trunc(ow/a/2)*2'"'"'"],["pass","1"],["f","mp4"],["an",null]]},{"outfile_options":[["vcodec","libx264"],["preset","medium"],["vprofile","baseline"],["b","300k"],["r","30"],["vf","yadif,scale='"'"'640:trunc(ow/a/2)*2'"'"'"],["pass","2"],["acodec","libfaac"],["ab","128k"],["ar","48000"],["async","480"],["ac","2"],["f","mp4"]],"move_atom_to_front":true}]}'
CB='{"nommer":"media_nommer.ec2nommerd.nommers.ffmpeg.FFmpegNommer","options":[{"outfile_options":[["vcodec","libx264"],["preset","medium"],["vprofile","baseline"],["b","921k"],["bufsize","921k"],["vf","yadif,scale='"'"'640:trunc(ow/a/2)*2'"'"'"],["pass","1"],["f","mp4"],["keyint_min","60"],["g","120"],["an",null]]},{"outfile_options":[["vcodec","libx264"],["preset","medium"],["vprofile","baseline"],["b","921k"],["bufsize","921k"],["vf","yadif,scale='"'"'640:trunc(ow/a/2)*2'"'"'"],["pass","2"],["acodec","libfaac"],["ab","125k"],["async","480"],["keyint_min","60"],["g","120"],["f","mp4"]],"move_atom_to_front":true}]}'
for preset in "$ANDROID" "$CB"; do
    body=$(python3 -c 'import json,sys; print(json.dumps({"source_path":"http://x/p.mov","dest_path":"out/p.mp4","job_options":sys.argv[1]}))' "$preset")
    check_eq "library preset accepted" "$(nom "$body"; echo " $(f success)")" "200 True"
done
P=$(f job_id)
check_eq "cb_medium: options, bufsize" "$(jo "$P" video.options) $(jo "$P" video.bufsize)" \
    "preset=medium:profile=baseline:g=120:keyint_min=60 921k"
check_eq "cb_medium: -async as aresample" "$(jo "$P" audio.filter)" "aresample=async=480"
check_eq "cb_medium: move_atom_to_front" "$(jo "$P" format_options)" "movflags=+faststart"

# job_options as an object, pairs as an object too; other mappings
check_eq "webm 720p" "$(nom '{"source_path":"https://cms.example/b.mov","dest_path":"out/b.webm","job_options":{"options":[{"outfile_options":{"vcodec":"libvpx","s":"1280x720","b":"2M","r":"25","movflags":"+faststart"}}]}}'; echo " $(f success)")" "200 True"
check_eq "webm 720p: base 24" "$(sql "SELECT want_settings FROM media WHERE id = $(f job_id)")" 24
check_eq "webm: size and format options" "$(jo "$(f job_id)" size) $(jo "$(f job_id)" format_options)" "1280x720 movflags=+faststart"
check_eq "audio only mp3: base 52" "$(nom '{"source_path":"http://x/c.wav","dest_path":"c.mp3","job_options":{"options":[{"outfile_options":[["vn",null],["acodec","libmp3lame"],["ab","192k"]]}]}}' >/dev/null; sql "SELECT want_settings FROM media WHERE id = $(f job_id)")" 52
check_eq "form-encoded body" "$(curl -s -o "$T/body" -w '%{http_code}' -H "X-API-Key: $K" --data-urlencode source_path=http://x/d.mp4 --data-urlencode dest_path=d.mp4 --data-urlencode 'job_options=[{"outfile_options":[["vcodec","libx264"]]}]' "$API/job/submit/"; echo " $(f success)")" "200 True"

# The real client (media-nommer-api-python, server_io.APIRequest._send):
# POST <host>/job/submit (no trailing slash) with json.dumps(data) as the
# body and urllib2's default Content-Type, application/x-www-form-urlencoded;
# notify_url may be null and job_options is the preset's dict.  The body
# must be read as the JSON it is: '+' stays '+', '&' does not split it.
# (The client sends no key: a deployment adds X-API-Key to its opener.)
body=$(python3 -c 'import json,sys; print(json.dumps({"source_path":"http://cms.example/in/a+b%2Bc.mp4?x=1&y=a+b","dest_path":"out/a+b&c.mp4","notify_url":None,"job_options":json.loads(sys.argv[1])}))' "$WEB")
check_eq "urllib2 request: 200" "$(curl -s -o "$T/body" -w '%{http_code}' -X POST -H "X-API-Key: $K" \
    -H 'Content-Type: application/x-www-form-urlencoded' -H 'User-Agent: Python-urllib/2.7' \
    -H 'Accept-Encoding: identity' --data-binary "$body" "$API/job/submit")" 200
check_eq "urllib2 request: success" "$(f success)" True
U=$(f job_id)
check_eq "urllib2 request: url kept as sent" "$(sql "SELECT url FROM media WHERE id = '$U'")" "http://cms.example/in/a+b%2Bc.mp4?x=1&y=a+b"
check_eq "urllib2 request: dest kept as sent" "$(jo "$U" dest_path)" "export/1/out/a+b&c.mp4"
check_eq "urllib2 request: null notify_url" "$(sql "SELECT IFNULL(notify_url, 'NULL') FROM media WHERE id = '$U'")" NULL

# Client errors are 400s at submission, never 503 "retry later" nor a job
# that fails later: URLs over 2048 bytes, dest_path over 1024 bytes or not
# a clean relative path ("." or "dotdir/." were accepted, then the output
# was re-transcoded 5 times before failing).
long=$(head -c 2049 /dev/zero | tr '\0' a)
nom "{\"source_path\":\"http://x/a\",\"dest_path\":\"a.mp4\",\"notify_url\":\"http://x/${long:0:2040}\",\"job_options\":[{}]}" >/dev/null
check_eq "notify_url of 2,049 bytes: 400" "$(f success) $(f error_code)" "False 400"
check "notify_url too long: says so" grep -q 'notify_url' "$T/body"
nom "{\"source_path\":\"http://x/${long:0:2040}\",\"dest_path\":\"a.mp4\",\"job_options\":[{}]}" >/dev/null
check_eq "source_path of 2,049 bytes: 400" "$(f success) $(f error_code)" "False 400"
for d in . dotdir/. ./a.mp4 a//b.mp4 out/ "${long:0:1025}" "file://$T/docroot/export/1/." "file://$T/docroot/export/1/x/../y.mp4"; do
    nom "{\"source_path\":\"http://x/a\",\"dest_path\":\"$d\",\"job_options\":[{}]}" >/dev/null
    check_eq "dest_path '${d:0:40}': 400" "$(f success) $(f error_code)" "False 400"
done
nom "{\"source_path\":\"http://x/a\",\"dest_path\":\"${long:0:1024}\",\"job_options\":[{}]}" >/dev/null
check_eq "dest_path of 1,024 bytes: accepted" "$(f success)" True

# A message quoting client text is cut at a character boundary: a cut
# inside a UTF-8 character made jansson refuse the reply (an empty body).
val=x$(python3 -c 'print("\u00e9" * 60)')
check_eq "long non-ASCII value: an answer" "$(nom "{\"source_path\":\"http://x/a\",\"dest_path\":\"a\",\"job_options\":[{\"outfile_options\":[[\"vcodec\",\"$val\"]]}]}"; echo " $(f success) $(f error_code)")" "200 False 400"
check "long non-ASCII value: valid UTF-8 JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$T/body"

# refusals: never passed on
n0=$(sql "SELECT COUNT(*) FROM media")
refuse() { # refuse DESC JSON PATTERN
    nom "$2" >/dev/null
    check "$1: refused" test "$(f success)" = False
    check "$1: says why" grep -q "$3" "$T/body"
}
refuse "unknown option" '{"source_path":"http://x/a","dest_path":"a","job_options":{"options":[{"outfile_options":[["map","0:1"]]}]}}' 'unsupported option -map'
refuse "shell metacharacters" '{"source_path":"http://x/a","dest_path":"a","job_options":{"options":[{"outfile_options":[["vcodec","libx264; rm -rf /"]]}]}}' 'bad value for -vcodec'
refuse "filter with ;" '{"source_path":"http://x/a","dest_path":"a","job_options":{"options":[{"outfile_options":[["vf","scale=2:2;movie=/etc/passwd"]]}]}}' 'bad value for -vf'
refuse "bad size" '{"source_path":"http://x/a","dest_path":"a","job_options":{"options":[{"outfile_options":[["s","99999x2"]]}]}}' 'bad value for -s'
refuse "a filter reading files" '{"source_path":"http://x/a","dest_path":"a","job_options":{"options":[{"outfile_options":[["vf","movie=/etc/passwd"]]}]}}' 'video filter \\"movie\\" is not allowed'
refuse "an audio filter reading files" '{"source_path":"http://x/a","dest_path":"a","job_options":{"options":[{"outfile_options":[["af","amovie=/etc/passwd"]]}]}}' 'audio filter \\"amovie\\" is not allowed'
refuse "odd size" '{"source_path":"http://x/a","dest_path":"a","job_options":{"options":[{"outfile_options":[["s","641x360"]]}]}}' 'job setting 12: a field'
refuse "preset for VP8" '{"source_path":"http://x/a","dest_path":"a","job_options":{"options":[{"outfile_options":[["vcodec","libvpx"],["preset","fast"]]}]}}' 'libx264 only'
refuse "infile options" '{"source_path":"http://x/a","dest_path":"a","job_options":{"options":[{"infile_options":[["ss","10"]],"outfile_options":[]}]}}' 'infile_options'
refuse "three passes" '{"source_path":"http://x/a","dest_path":"a","job_options":[{},{},{}]}' 'one or two passes'
refuse "an and vn" '{"source_path":"http://x/a","dest_path":"a","job_options":[{"outfile_options":[["an",null],["vn",null]]}]}' 'nothing to encode'
refuse "s3 source without a key" '{"source_path":"s3://bucket","dest_path":"a","job_options":[{}]}' 'source_path: s3://'
refuse "file outside the docroot" '{"source_path":"file:///etc/passwd","dest_path":"a","job_options":[{}]}' 'inside the document root'
refuse "file with .." "{\"source_path\":\"file://$T/docroot/../omkt.conf\",\"dest_path\":\"a\",\"job_options\":[{}]}" 'inside the document root'
ln -s /etc/passwd "$T/docroot/evil.mp4"
refuse "symlink escaping the docroot" "{\"source_path\":\"file://$T/docroot/evil.mp4\",\"dest_path\":\"a\",\"job_options\":[{}]}" 'inside the document root'
refuse "dest outside" '{"source_path":"http://x/a","dest_path":"file:///tmp/x.mp4","job_options":[{}]}' 'dest_path'
refuse "dest escaping" '{"source_path":"http://x/a","dest_path":"../x.mp4","job_options":[{}]}' 'dest_path'
refuse "dest s3 without a key" '{"source_path":"http://x/a","dest_path":"s3://b","job_options":[{}]}' 'dest_path: s3://'
refuse "bad notify_url" '{"source_path":"http://x/a","dest_path":"a","notify_url":"gopher://x","job_options":[{}]}' 'notify_url'
refuse "missing dest" '{"source_path":"http://x/a","job_options":[{}]}' 'required'
refuse "not JSON" '{"source_path":' 'JSON object'
check_eq "nothing recorded by refusals" "$(sql "SELECT COUNT(*) FROM media")" "$n0"
check_eq "error_code" "$(nom '{"source_path":"http://x/a","dest_path":"a","job_options":[{"outfile_options":[["y",null]]}]}' >/dev/null; f error_code)" 400
check_eq "no key: 401" "$(curl -s -H 'Content-Type: application/json' --data-binary '{}' "$API/job/submit/" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["success"], d["error_code"])')" "False 401"

# file:// inside the docroot: already local, metadata next
mkdir -p "$T/docroot/import"; head -c 1000 /dev/urandom > "$T/docroot/import/in.mp4"
check_eq "local file: success" "$(nom "{\"source_path\":\"file://$T/docroot/import/in.mp4\",\"dest_path\":\"file://$T/docroot/export/1/out/in.mp4\",\"job_options\":[{\"outfile_options\":[[\"vcodec\",\"libx264\"]]}]}" >/dev/null; f success)" True
LID=$(f job_id)
check_eq "local file: row" "$(sql "SELECT CONCAT_WS(',', adapter, state, path) FROM media WHERE id = $LID")" "local,local,import/in.mp4"
check_eq "local file: metadata job" "$(sql "SELECT task FROM jobs WHERE media_id = $LID")" metadata
check_eq "local dest made relative" "$(jo "$LID" dest_path)" export/1/out/in.mp4

# Accounts stay apart: no source from, and no destination in, another
# account's media or export directories (the transcoder's own trees).
K2=$(new_account other@example.com)
mkdir -p "$T/docroot/media/1/$LID"; head -c 1000 /dev/urandom > "$T/docroot/media/1/$LID/original"
mkdir -p "$T/docroot/export/1"; head -c 1000 /dev/urandom > "$T/docroot/export/1/mine.mp4"
n0=$(sql "SELECT COUNT(*) FROM media")
other() { curl -s -o "$T/body" -H "X-API-Key: $K2" -H 'Content-Type: application/json' --data-binary "$1" "$API/job/submit/"; }
for src in "media/1/$LID/original" "export/1/mine.mp4"; do
    other "{\"source_path\":\"file://$T/docroot/$src\",\"dest_path\":\"x.mp4\",\"job_options\":[{}]}"
    check "another account's $src: refused" grep -q '"success": *false' "$T/body"
done
mkdir -p "$T/docroot/export/2"; ln -s "$T/docroot/media/1/$LID/original" "$T/docroot/export/2/link.mp4"
other "{\"source_path\":\"file://$T/docroot/export/2/link.mp4\",\"dest_path\":\"x.mp4\",\"job_options\":[{}]}"
check "a link in its own directory to another account's file: refused" grep -q '"success": *false' "$T/body"
for dst in "file://$T/docroot/media/1/$LID/original" "file://$T/docroot/export/1/mine.mp4" \
    "file://$T/docroot/out/x.mp4" "file://$T/docroot/export/2/"; do
    other "{\"source_path\":\"http://x/a\",\"dest_path\":\"$dst\",\"job_options\":[{}]}"
    check "dest $dst: refused" grep -q 'export directory' "$T/body"
done
check_eq "nothing recorded for them" "$(sql "SELECT COUNT(*) FROM media")" "$n0"
other "{\"source_path\":\"http://x/a\",\"dest_path\":\"file://$T/docroot/export/2/ok.mp4\",\"job_options\":[{}]}"
check "its own export directory: accepted" grep -q '"success": *true' "$T/body"
