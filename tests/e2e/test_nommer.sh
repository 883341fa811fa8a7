#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_nommer - media-nommer jobs end to end on the whole cluster, submitted
# as the unmodified media-nommer-api-python client does (a base URL
# "$API/nommer/<key>", json.dumps(job) POSTed to "<base>/job/submit" with
# urllib2's form Content-Type, no key header), with FFmpegNommer
# outfile_options: the output made with the job's own options (size,
# rate, filter, audio format checked with ffprobe and against the ffmpeg
# CLI doing the same), published at dest_path, and notify_url told every
# state change as feederd does: one signed form POST each (unique_id,
# job_state, job_state_details first), in order even while the receiver
# fails and two notifierds retry.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup e2enommer
cms_start --sign-key ck # the account's client key: signatures checked
e2e_conf
ctl db init >/dev/null || { fail "db init"; exit 1; }
e2e_account
start_apid
start_workers
start notifierd2 "$OMKT_BIN/notifierd" -c "$CONF" # a second one: order kept
clip "$CMS_ROOT/a.mp4" 2 320x240
nom() { # nom JSON - submit as the client does; prints "success job_id"
    curl -s -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
        -H 'User-Agent: Python-urllib/2.7' --data-binary "$1" \
        "$API/nommer/$KEY/job/submit" > "$T/body"
    grep -q '"success": *true' "$T/body" || echo "# answer: $(cat "$T/body")" >&2
    echo "$(jfield success < "$T/body") $(jfield job_id < "$T/body")"
}
# forms NAME [FILTER...] - the form POSTs to /hook?n=NAME, one JSON object
# of their fields a line, in the order received.
forms() {
    cmslog 'path^/hook' q:n="$1" "${@:2}" --get body | python3 -c '
import json, sys, urllib.parse
for line in sys.stdin:
    print(json.dumps(dict(urllib.parse.parse_qsl(line.rstrip("\n"),
                                                  keep_blank_values=True))))'
}
# states NAME [FILTER...] - their job_state values, space-separated.
states() { forms "$@" | jfields job_state | tr '\n' ' ' | sed 's/ $//'; }
jfields() { python3 -c 'import json,sys
for l in sys.stdin: print(json.loads(l).get(sys.argv[1], ""))' "$1"; }
hook() { # hook NAME FIELD - FIELD of the last delivered state of NAME
    forms "$1" mode=ok | tail -1 | jfields "$2"
}
hooked() { # the job's last state was delivered
    case $(states "$1" mode=ok) in *FINISHED | *ERROR | *ABANDONED) ;; *) return 1 ;; esac
}
probe() { # probe FILE ENTRIES - ffprobe's values, one line
    ffprobe -v error -show_entries "$2" -of csv=p=0 "$1" | tr '\n' ' '
}
HOOK="http://127.0.0.1:$CMS_PORT/hook"
EXP=$T/docroot/export/$(sql "SELECT id FROM accounts WHERE client_key = 'ck'") # dest_path root

# 1. http source, H.264 176x144 box at 15 fps mirrored, AAC 22.05 kHz mono.
r=$(nom "{\"source_path\":\"http://127.0.0.1:$CMS_PORT/f/a.mp4\",
  \"dest_path\":\"out/a.mp4\",\"notify_url\":\"$HOOK?n=a\",
  \"job_options\":{\"options\":[{\"outfile_options\":[[\"vcodec\",\"libx264\"],
  [\"b\",\"300k\"],[\"s\",\"176x144\"],[\"r\",\"15\"],[\"vf\",\"hflip\"],
  [\"acodec\",\"libfaac\"],[\"ab\",\"64k\"],[\"ar\",\"22050\"],[\"ac\",\"1\"],
  [\"f\",\"mp4\"],[\"movflags\",\"+faststart\"],[\"threads\",0]]}]}}")
check_eq "submitted" "${r% *}" True
A=${r#* }
check "notify_url told" wait_for 120 hooked a
out=$EXP/out/a.mp4
check_eq "every state, in order, once each" "$(states a)" \
    "PENDING DOWNLOADING ENCODING FINISHED"
check_eq "job_state FINISHED" "$(hook a job_state)" FINISHED
check_eq "unique_id is the job_id" "$(hook a unique_id)" "$A"
check_eq "dest_path in the call" "$(hook a dest_path)" "${EXP#"$T"/docroot/}/out/a.mp4"
check_eq "all form-encoded" "$(cmslog 'path^/hook' q:n=a --get h:content-type | sort -u)" \
    application/x-www-form-urlencoded
check_eq "all POSTs" "$(cmslog 'path^/hook' q:n=a --get method | sort -u)" POST
check_eq "media-nommer's three fields first, details empty" \
    "$(cmslog 'path^/hook' q:n=a --get body | sed 's/&media_id=.*//' | tr '\n' ' ')" \
    "unique_id=$A&job_state=PENDING&job_state_details= unique_id=$A&job_state=DOWNLOADING&job_state_details= unique_id=$A&job_state=ENCODING&job_state_details= unique_id=$A&job_state=FINISHED&job_state_details= "
check_eq "all signed" "$(cmslog 'path^/hook' q:n=a --get sig_ok | sort -u)" true
check_eq "FINISHED carries the output's setting and metadata" \
    "$(hook a setting_id) $(hook a metadata | jfield mime)" "11 video/mp4"
check "published at dest_path" test -s "$out"
check_eq "video: h264 176x132 (aspect kept in the box) at 15 fps" \
    "$(ffprobe -v error -select_streams v -show_entries stream=codec_name,width,height,r_frame_rate -of csv=p=0 "$out")" \
    "h264,176,132,15/1"
check_eq "audio: aac 22050 Hz mono" \
    "$(ffprobe -v error -select_streams a -show_entries stream=codec_name,sample_rate,channels -of csv=p=0 "$out")" \
    "aac,22050,1"
check "faststart: moov before mdat" python3 -c '
import struct, sys
f = open(sys.argv[1], "rb"); seen = []
while True:
    h = f.read(8)
    if len(h) < 8: break
    n, t = struct.unpack(">I4s", h); seen.append(t)
    if n < 8: break
    f.seek(n - 8, 1)
sys.exit(not (b"moov" in seen and seen.index(b"moov") < seen.index(b"mdat")))' "$out"
# The picture is the source mirrored: compare with the ffmpeg CLI doing
# the same (and, as a control, without the mirror).
ffmpeg -v error -y -i "$CMS_ROOT/a.mp4" -vf hflip,scale=176:132 -r 15 -an \
    -c:v libx264 -crf 10 "$T/ref.mp4"
ffmpeg -v error -y -i "$CMS_ROOT/a.mp4" -vf scale=176:132 -r 15 -an \
    -c:v libx264 -crf 10 "$T/noflip.mp4"
psnr() { ffmpeg -nostats -i "$1" -i "$2" -lavfi psnr -frames:v 20 -f null - 2>&1 |
    sed -n 's/.*average:\([0-9.inf]*\).*/\1/p' | tail -1; }
p_ref=$(psnr "$out" "$T/ref.mp4"); p_no=$(psnr "$out" "$T/noflip.mp4")
check "mirrored like ffmpeg -vf hflip (PSNR $p_ref dB vs $p_no dB unmirrored)" \
    python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(not (a > 25 and a > b + 8))' "$p_ref" "$p_no"
check_eq "the media's own copy is the same file" \
    "$(stat -c %i "$out")" "$(stat -c %i "$(ls "$T"/docroot/media/*/"$A"/11.mp4)")"
check_eq "no temp file left in out/" "$(find "$EXP/out" -name '.*' | wc -l)" 0
check_eq "REST: transcode done" \
    "$(curl -s -H "X-API-Key: $KEY" "$API/v1/media/$A" | jfield transcodes.0.state)" processed

# 2. A local file:// source, no -s (the source's size), no audio, the
#    destination as an absolute file:// path.
mkdir -p "$T/docroot/import"
cp "$CMS_ROOT/a.mp4" "$T/docroot/import/b.mp4"
r=$(nom "{\"source_path\":\"file://$T/docroot/import/b.mp4\",
  \"dest_path\":\"file://$EXP/sub/b.mkv\",\"notify_url\":\"$HOOK?n=b\",
  \"job_options\":[{\"outfile_options\":{\"vcodec\":\"libx264\",\"an\":null,
  \"f\":\"matroska\",\"preset\":\"veryfast\"}}]}")
check_eq "file:// submitted" "${r% *}" True
check "notify_url told (b)" wait_for 120 hooked b
check_eq "b: FINISHED" "$(hook b job_state)" FINISHED
check_eq "b: nothing to download: no DOWNLOADING" "$(states b)" "PENDING ENCODING FINISHED"
check_eq "b: matroska with one h264 320x240 stream" \
    "$(ffprobe -v error -show_entries format=format_name:stream=codec_name,width,height -of csv=p=0 "$EXP/sub/b.mkv" | tr '\n' ' ')" \
    'h264,320,240 "matroska,webm" '

# 3. Audio only: MP3 at 96k.
r=$(nom "{\"source_path\":\"http://127.0.0.1:$CMS_PORT/f/a.mp4\",
  \"dest_path\":\"music/a.mp3\",\"notify_url\":\"$HOOK?n=c\",
  \"job_options\":[{\"outfile_options\":[[\"vn\",null],[\"acodec\",\"libmp3lame\"],[\"ab\",\"96k\"],[\"ar\",\"44100\"]]}]}")
check "notify_url told (c)" wait_for 120 hooked c
check_eq "c: mp3 only" "$(probe "$EXP/music/a.mp3" stream=codec_name)" "mp3 "
check "c: about 96 kb/s" python3 -c 'import sys; sys.exit(not 90000 <= int(sys.argv[1]) <= 100000)' \
    "$(ffprobe -v error -show_entries format=bit_rate -of csv=p=0 "$EXP/music/a.mp3")"

# 3b. The client library's cb_low preset as it sends it (two passes,
#     yadif + quoted scale, -bufsize, -g, -keyint_min, -async 480).
CB='[{"outfile_options":[["vcodec","libx264"],["preset","medium"],["vprofile","baseline"],["b","230k"],["bufsize","230k"],["vf","yadif,scale='"'"'400:trunc(ow/a/2)*2'"'"'"],["pass","1"],["f","mp4"],["keyint_min","60"],["g","120"],["an",null]]},{"outfile_options":[["vcodec","libx264"],["preset","medium"],["vprofile","baseline"],["b","230k"],["bufsize","230k"],["vf","yadif,scale='"'"'400:trunc(ow/a/2)*2'"'"'"],["pass","2"],["acodec","libfaac"],["ab","96k"],["async","480"],["keyint_min","60"],["g","120"],["f","mp4"]],"move_atom_to_front":true}]'
r=$(nom "$(python3 -c 'import json,sys; print(json.dumps({"source_path":sys.argv[2],"dest_path":"out/cb.mp4","notify_url":sys.argv[3],"job_options":json.loads(sys.argv[1])}))' \
    "$CB" "http://127.0.0.1:$CMS_PORT/f/a.mp4" "$HOOK?n=cb")")
check_eq "cb_low submitted" "${r% *}" True
check "notify_url told (cb)" wait_for 120 hooked cb
check_eq "cb: FINISHED" "$(hook cb job_state)" FINISHED
check_eq "cb: 400x300 h264 + aac, as the preset's scale says" \
    "$(probe "$EXP/out/cb.mp4" stream=codec_name,width,height)" "h264,400,300 aac "

# 4. A source that cannot be fetched: job_state ERROR with the reason.
r=$(nom "{\"source_path\":\"http://127.0.0.1:$CMS_PORT/f/missing.mp4\",
  \"dest_path\":\"out/x.mp4\",\"notify_url\":\"$HOOK?n=d\",\"job_options\":[{}]}")
check "notify_url told (d)" wait_for 60 hooked d
check_eq "d: job_state ERROR" "$(hook d job_state)" ERROR
check_eq "d: the states" "$(states d)" "PENDING DOWNLOADING ERROR"
check "d: the details say why" grep -q 404 <<<"$(hook d job_state_details)"
check_eq "d: signed" "$(cmslog 'path^/hook' q:n=d --get sig_ok | sort -u)" true
check_eq "d: nothing at dest_path" "$(test -e "$EXP/out/x.mp4" && echo there)" ""

# 4b. A filter that stretches time (the 3 s -> 59 s report): stopped while
#     encoding, job_state ERROR saying why, nothing at dest_path.
r=$(nom "{\"source_path\":\"http://127.0.0.1:$CMS_PORT/f/a.mp4\",
  \"dest_path\":\"out/slow.mp4\",\"notify_url\":\"$HOOK?n=slow\",
  \"job_options\":[{\"outfile_options\":[[\"vcodec\",\"libx264\"],[\"vf\",\"setpts=20*PTS\"],[\"an\",null]]}]}")
check_eq "setpts=20*PTS submitted" "${r% *}" True
check "notify_url told (slow)" wait_for 120 hooked slow
check_eq "slow: job_state ERROR" "$(hook slow job_state)" ERROR
check "slow: the details say the output was too long" \
    grep -q "longer than allowed" <<<"$(hook slow job_state_details)"
check_eq "slow: nothing at dest_path" "$(test -e "$EXP/out/slow.mp4" && echo there)" ""

# 4c. A symlink in the export directory leading out of it: refused when
#     publishing, not followed.
mkdir -p "$T/outside" "$EXP"
ln -sfn "$T/outside" "$EXP/esc"
r=$(nom "{\"source_path\":\"http://127.0.0.1:$CMS_PORT/f/a.mp4\",
  \"dest_path\":\"esc/x.mp4\",\"notify_url\":\"$HOOK?n=esc\",
  \"job_options\":[{\"outfile_options\":[[\"vcodec\",\"libx264\"],[\"s\",\"176x144\"],[\"an\",null]]}]}")
if [ "${r% *}" = True ]; then
    check "notify_url told (esc)" wait_for 120 hooked esc
    check_eq "esc: job_state ERROR" "$(hook esc job_state)" ERROR
else
    pass "esc: refused at submission"
fi
check_eq "esc: nothing written outside" "$(ls -A "$T/outside")" ""

# 4d. In order while the receiver fails: it answers HTTP 500 while the
#     job runs, so PENDING is retried (by two notifierds) with later
#     states queued behind it; none of them is sent before PENDING is
#     delivered, and once the receiver is back it sees them all in order.
echo 500 > "$CMS_CTL/cb_mode.ord"
r=$(nom "{\"source_path\":\"http://127.0.0.1:$CMS_PORT/f/a.mp4\",
  \"dest_path\":\"out/ord.mp4\",\"notify_url\":\"$HOOK?n=ord&site=ord\",
  \"job_options\":[{\"outfile_options\":[[\"vcodec\",\"libx264\"],[\"s\",\"176x144\"],[\"an\",null]]}]}")
O=${r#* }
behind() { # PENDING and at least two later states waiting
    [ "$(sql "SELECT COUNT(*) FROM jobs WHERE task = 'notify' AND media_id = $O
        AND state IN ('queued', 'delayed', 'running')")" -ge 3 ]
}
check "ord: later states queued behind the failing PENDING" wait_for 60 behind
# (the later states may queue up before PENDING's second try: wait for it)
retried() { [ "$(cmslog 'path^/hook' q:n=ord mode=500)" -ge 2 ]; }
check "ord: PENDING retried" wait_for 10 retried
check_eq "ord: nothing but PENDING tried meanwhile" "$(states ord | tr ' ' '\n' | sort -u)" PENDING
echo ok > "$CMS_CTL/cb_mode.ord"
check "ord: told" wait_for 60 hooked ord
check_eq "ord: delivered in order" "$(states ord mode=ok)" "PENDING DOWNLOADING ENCODING FINISHED"
check "ord: no state ever tried before an earlier one was delivered" python3 -c '
import sys
rank = {s: i for i, s in enumerate(["PENDING", "DOWNLOADING", "ENCODING", "FINISHED"])}
seen = [rank[s] for s in sys.argv[1].split()]
sys.exit(seen != sorted(seen))' "$(states ord)"
check_eq "ord: both notifierds worked" "$(grep -l 'task=notify' "$T"/logs/notifierd*.log | wc -l)" 2

# 5. Options the engine refuses are refused at submission, never queued.
r=$(nom '{"source_path":"http://x/a","dest_path":"a","job_options":[{"outfile_options":[["vf","movie=/etc/passwd"]]}]}')
check_eq "movie filter refused" "${r% *}" False
check "and says why" grep -q 'video filter \\"movie\\" is not allowed' "$T/body"
check "all five daemons still running" alive "${PIDS[@]}"
