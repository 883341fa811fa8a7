#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_kill - SIGKILL of transcoderd mid-transcode, seen from the CMS:
# while it is dead nothing partial is visible (no output file, app_get_media
# 404); after the lease another transcoderd takes the job over, the dead
# worker's temp files are removed, the outputs are complete, and the CMS
# gets exactly one format callback per setting.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup e2ekill
e2e_up
clip "$CMS_ROOT/long.mp4" 6 640x360
check_eq "app_new_media accepted" "$(new_media 7 "http://127.0.0.1:$CMS_PORT/f/long.mp4")" 200
check "metadata callback acknowledged" wait_for 60 has_acked transcoder_send_metadata 7
r=$(api app_request_format --data-urlencode id=7 --data-urlencode 'settings_id_list=[11,15]')
check_eq "formats 11 and 15 queued" "$(jfield 11.code <<<"$r") $(jfield 15.code <<<"$r")" "200 200"
dir=$(media_dir 7)
jid() { sql "SELECT id FROM jobs WHERE task = 'transcode' AND media_id =
    (SELECT id FROM media WHERE remote_id = 7)"; }
midway() { # claimed, some progress, temp files written
    [ "$(sql "SELECT state FROM jobs WHERE id = $(jid) AND progress >= 5")" = running ] &&
        [ -n "$(find "$dir" -maxdepth 1 -name '.*.tmp-*' -size +0)" ]
}
check "transcode under way with temp files" wait_for 60 midway
kill -KILL "$TC_PID"
wait_exit "$TC_PID" 10
check_eq "transcoderd killed" "$EXIT_STATUS" 137
progress=$(sql "SELECT progress FROM jobs WHERE id = $(jid)")
check "killed before the end (progress $progress%)" [ "$progress" -lt 100 ]
check_eq "no output under its final name" "$(find "$dir" -mindepth 1 ! -name original ! -name '.*' | wc -l)" 0
check_eq "app_get_media: 404 while not done" "$(get_media 7 15 "$T/partial")" 404
check_eq "no format callback yet" "$(cmslog q:action=transcoder_send_format)" 0

start transcoderd2 "$OMKT_BIN/transcoderd" -c "$CONF"
for s in 11 15; do
    check "format $s callback acknowledged" wait_for 150 has_acked transcoder_send_format 7 "$s"
done
check_eq "job done on its second attempt" "$(sql "SELECT CONCAT(state, ' ', attempts) FROM jobs WHERE id = $(jid)")" "done 2"
check_eq "transcodes processed" "$(sql "SELECT GROUP_CONCAT(state ORDER BY setting_id) FROM transcodes")" "processed,processed"
check "dead worker's temp files removed" no_temp "$dir"
check_eq "app_get_media 15: 200" "$(get_media 7 15 "$T/o15.mp4")" 200
check_eq "ffprobe: 15 is 1920x1080" "$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$T/o15.mp4")" 1920,1080
check "ffprobe: 15 is complete (~6 s)" python3 -c "import sys; sys.exit(not 5.8 < float(sys.argv[1]) < 6.3)" \
    "$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$T/o15.mp4")"
check "ffprobe decodes 15 to the end without error" test -z "$(ffmpeg -v error -i "$T/o15.mp4" -f null - 2>&1)"
check_eq "app_get_media 11: 200" "$(get_media 7 11 "$T/o11.mp4")" 200
check_eq "ffprobe: 11 is 426x240" "$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$T/o11.mp4")" 426,240
sleep 1
for s in 11 15; do
    check_eq "exactly one format $s callback sent" "$(cmslog q:action=transcoder_send_format q:id=7 q:settings_id=$s)" 1
done
check_eq "no alert" "$(cmslog q:action=transcoder_send_alert)" 0
