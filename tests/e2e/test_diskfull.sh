#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_diskfull - the document root (a small tmpfs) fills up during a
# transcode: the transcode ends in error with a clear message, the CMS gets
# one alert, no temp file and no partial output remain, the original is
# intact, the daemons keep running, and once space is back new work runs.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup e2edisk
if ! mount -t tmpfs -o size=20M tmpfs "$T/docroot" 2>"$T/mount.err"; then
    echo "# SKIP: cannot mount a tmpfs: $(cat "$T/mount.err")"
    trap - EXIT
    exit 77
fi
disk_teardown() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait_exit "$pid" 10 || kill -9 "$pid" 2>/dev/null; done
    umount "$T/docroot" || umount -l "$T/docroot"
    omkt_teardown
}
trap disk_teardown EXIT
e2e_up
clip "$CMS_ROOT/a.mp4" 4 640x360
check_eq "app_new_media accepted" "$(new_media 9 "http://127.0.0.1:$CMS_PORT/f/a.mp4")" 200
check "metadata callback acknowledged" wait_for 60 has_acked transcoder_send_metadata 9
dir=$(media_dir 9)
# Leave about 512 KiB: far less than a 4 s 1080p MP4 needs.
avail=$(df --output=avail -B1 "$T/docroot" | tail -1)
check "fill the document root" fallocate -l $((avail - 524288)) "$T/docroot/filler"
r=$(api app_request_format --data-urlencode id=9 --data-urlencode 'settings_id_list=[15]')
check_eq "format 15 queued" "$(jfield 15.code <<<"$r")" 200
tstate() { sql "SELECT state FROM transcodes WHERE setting_id = $1"; }
ended() { case $(tstate 15) in processed|error) return 0 ;; esac; return 1; }
check "transcode ended" wait_for 120 ended
check_eq "transcode state: error" "$(tstate 15)" error
msg=$(sql "SELECT error FROM transcodes WHERE setting_id = 15")
check "error names the full disk ($msg)" grep -qi "space" <<<"$msg"
check "alert acknowledged" wait_for 30 has_acked transcoder_send_alert 9
alert=$(cmslog q:action=transcoder_send_alert q:id=9 mode=ok --get q:message | head -1)
check "alert names the full disk ($alert)" grep -qi "space" <<<"$alert"
check_eq "no format callback" "$(cmslog q:action=transcoder_send_format)" 0
check "no temp file left" no_temp "$dir"
check_eq "no partial output" "$(find "$dir" -mindepth 1 ! -name 'original*' ! -name '.*' | wc -l)" 0
check "original intact" cmp "$CMS_ROOT/a.mp4" "$dir/original"
check_eq "app_get_media 15: 404" "$(get_media 9 15 "$T/o15")" 404
check "all five daemons still running" alive "${PIDS[@]}"

# Space back: new work succeeds on the same daemons.
rm -f "$T/docroot/filler"
r=$(api app_request_format --data-urlencode id=9 --data-urlencode 'settings_id_list=[11]')
check_eq "format 11 queued" "$(jfield 11.code <<<"$r")" 200
check "format 11 callback acknowledged" wait_for 90 has_acked transcoder_send_format 9 11
check_eq "app_get_media 11: 200" "$(get_media 9 11 "$T/o11.mp4")" 200
check_eq "ffprobe: 11 is h264" "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$T/o11.mp4")" h264
sleep 1
check_eq "exactly one alert sent" "$(cmslog q:action=transcoder_send_alert)" 1
