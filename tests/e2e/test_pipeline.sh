#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_pipeline - the whole cluster through the OMKT protocol only, with
# the fake CMS serving originals and recording callbacks: app_new_media ->
# metadata callback -> app_request_format -> one format callback per
# setting -> app_get_media returns files ffprobe accepts.  Faults on the
# same cluster: the CMS answering 500 for a while (callback delivered
# later, once), a 404 download and an oversized one (alert), random bytes
# for a video (alert), each told exactly once and nothing else sent.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup e2epipe
E2E_MAX_SIZE=2M e2e_up
url() { echo "http://127.0.0.1:$CMS_PORT/$1"; }
clip "$CMS_ROOT/a.mp4" 2 320x240

# 1. New media: downloaded, probed, metadata sent to the CMS.
check_eq "app_new_media accepted" "$(new_media 1 "$(url f/a.mp4)")" 200
check "metadata callback acknowledged" wait_for 60 has_acked transcoder_send_metadata 1
meta=$(cmslog q:action=transcoder_send_metadata q:id=1 mode=ok --get q:metadata | head -1)
check_eq "metadata: mime" "$(jfield mime <<<"$meta")" video/mp4
check_eq "metadata: type" "$(jfield type <<<"$meta")" video
check_eq "metadata: file size of the original" "$(jfield file_size <<<"$meta")" \
    "$(stat -c %s "$CMS_ROOT/a.mp4")"
check_eq "metadata: video width" "$(jfield tracks.0.width <<<"$meta")" 320
check_eq "metadata: audio track" "$(jfield tracks.1.type <<<"$meta")" audio
check_eq "callback carries the client key" \
    "$(cmslog q:action=transcoder_send_metadata q:id=1 --get q:app_key | sort -u)" ck
check_eq "the original was fetched with app_key" \
    "$(cmslog 'path^/f/a.mp4' --get q:app_key | sort -u)" ck
check_eq "original stored intact" "$(cmp "$CMS_ROOT/a.mp4" "$(media_dir 1)/original" && echo same)" same

# 2. Formats: MP4 240p, AAC 64k, thumbnails (then 360p alone).
r=$(api app_request_format --data-urlencode id=1 --data-urlencode 'settings_id_list=[11,71,101,999]')
check_eq "request_format: 11 queued" "$(jfield 11.code <<<"$r")" 200
check_eq "request_format: 71 queued" "$(jfield 71.code <<<"$r")" 200
check_eq "request_format: 101 queued" "$(jfield 101.code <<<"$r")" 200
check_eq "request_format: unknown 999" "$(jfield 999.code <<<"$r")" 505
for s in 11 71 101; do
    check "format $s callback acknowledged" wait_for 90 has_acked transcoder_send_format 1 "$s"
done
r=$(api app_request_format --data-urlencode id=1 --data-urlencode 'settings_id_list=[11]')
check_eq "asking again for every setting: 507" "$(jfield result.code <<<"$r")" 507
r=$(api app_request_format --data-urlencode id=1 --data-urlencode 'settings_id_list=[71,12]')
check_eq "asking again with a new one: 507 for the old" "$(jfield 71.code <<<"$r")" 507
check_eq "and 200 for the new" "$(jfield 12.code <<<"$r")" 200
check "format 12 callback acknowledged" wait_for 90 has_acked transcoder_send_format 1 12
check_eq "no temp file in the media directory" "$(no_temp "$(media_dir 1)" && echo none)" none
check_eq "card 101 in the callback (2 s: 2 pairs)" \
    "$(cmslog q:action=transcoder_send_format q:id=1 q:settings_id=101 --get q:cardinality | head -1)" 4
tmeta=$(cmslog q:action=transcoder_send_format q:id=1 q:settings_id=101 --get q:metadata | head -1)
check_eq "format 101 metadata: mime" "$(jfield mime <<<"$tmeta")" application/zip
fmeta=$(cmslog q:action=transcoder_send_format q:id=1 q:settings_id=11 --get q:metadata | head -1)
check_eq "format 11 metadata: 320x240" "$(jfield tracks.0.width <<<"$fmeta")x$(jfield tracks.0.height <<<"$fmeta")" 320x240
check_eq "format adapter" "$(cmslog q:action=transcoder_send_format q:id=1 q:settings_id=11 --get q:adapter | head -1)" http

check_eq "app_get_media 11: 200" "$(get_media 1 11 "$T/o11.mp4")" 200
check_eq "ffprobe: 11 is h264+aac" "$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$T/o11.mp4" | tr '\n' ' ')" "h264 aac "
check "ffprobe: 11 lasts ~2 s" python3 -c "import sys; sys.exit(not 1.8 < float(sys.argv[1]) < 2.3)" \
    "$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$T/o11.mp4")"
check_eq "app_get_media 71: 200" "$(get_media 1 71 "$T/o71.m4a")" 200
check_eq "ffprobe: 71 is aac only" "$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$T/o71.m4a")" aac
check_eq "app_get_media 101: 200" "$(get_media 1 101 "$T/o101.zip")" 200
mkdir -p "$T/thumbs"
check "101 is a stored zip of h00 h01 l00 l01 .jpg" python3 -c "import zipfile,sys
z = zipfile.ZipFile(sys.argv[1]); n = z.namelist()
assert n == ['h00.jpg', 'h01.jpg', 'l00.jpg', 'l01.jpg'], n
assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
z.extractall(sys.argv[2])" "$T/o101.zip" "$T/thumbs"
check_eq "format 101 metadata: file_size is the zip's" \
    "$(jfield file_size <<<"$tmeta")" "$(stat -c %s "$T/o101.zip")"
check_eq "ffprobe: a thumbnail is mjpeg" "$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$(ls "$T"/thumbs/*.jpg | head -1)")" mjpeg
check_eq "app_get_media of a setting not asked: 404" "$(get_media 1 13 "$T/o13")" 404

# 3. The CMS answers 500 for a while: the metadata callback comes later, once.
clip "$CMS_ROOT/b.mp4" 1 160x120
cms_mode 500
check_eq "app_new_media 2 accepted" "$(new_media 2 "$(url f/b.mp4)")" 200
refused() { [ "$(cmslog q:action=transcoder_send_metadata q:id=2 mode=500)" -ge 3 ]; }
check "metadata callback refused 3 times" wait_for 60 refused
cms_mode ok
check "then acknowledged" wait_for 30 has_acked transcoder_send_metadata 2

# 4. Download faults and a file that is not media: one alert each.
head -c 3000000 /dev/urandom > "$CMS_ROOT/big.mp4"
head -c 60000 /dev/urandom > "$CMS_ROOT/rand.mp4"
check_eq "app_new_media 3 (404) accepted" "$(new_media 3 "$(url f/missing.mp4)")" 200
check_eq "app_new_media 4 (3 MB > max_size) accepted" "$(new_media 4 "$(url f/big.mp4)")" 200
check_eq "app_new_media 5 (random bytes) accepted" "$(new_media 5 "$(url f/rand.mp4)")" 200
for id in 3 4 5; do
    check "alert for media $id acknowledged" wait_for 60 has_acked transcoder_send_alert "$id"
done
alert() { cmslog q:action=transcoder_send_alert q:id="$1" mode=ok --get q:message | head -1; }
check "404 alert says so" grep -q 404 <<<"$(alert 3)"
check "oversized alert says so" grep -qiE "size|large" <<<"$(alert 4)"
check "random bytes alert names the failure" grep -qiE "track|media|format|invalid" <<<"$(alert 5)"
check_eq "status=1 on alerts" "$(cmslog q:action=transcoder_send_alert mode=ok --get q:status | sort -u)" 1
check_eq "oversized: nothing kept" "$(find "$(media_dir 4)" -type f 2>/dev/null | wc -l)" 0
r=$(api app_request_format --data-urlencode id=5 --data-urlencode 'settings_id_list=[11]')
check_eq "formats of a failed media: 505" "$(jfield result.code <<<"$r")" 505

# Exactly once: one acknowledged callback per (action, id, setting), and
# nothing but what was asked.
sleep 1
dups=$(cmslog mode=ok 'path^/cb' --get path | python3 -c '
import sys, urllib.parse, collections
c = collections.Counter()
for line in sys.stdin:
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(line.strip()).query))
    if q["action"] != "transcoder_cron":
        c[(q["action"], q.get("id"), q.get("settings_id"))] += 1
print(sorted(c.items()))')
check_eq "each callback acknowledged exactly once" "$dups" \
    "[(('transcoder_send_alert', '3', None), 1), (('transcoder_send_alert', '4', None), 1), (('transcoder_send_alert', '5', None), 1), (('transcoder_send_format', '1', '101'), 1), (('transcoder_send_format', '1', '11'), 1), (('transcoder_send_format', '1', '12'), 1), (('transcoder_send_format', '1', '71'), 1), (('transcoder_send_metadata', '1', None), 1), (('transcoder_send_metadata', '2', None), 1)]"
check "all five daemons still running" alive "${PIDS[@]}"
