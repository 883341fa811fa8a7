#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_cut - a truncated upload (a faststart MP4 cut at 40 %: its moov
# says 4 s, about 1.5 s decodes) is transcoded as far as it decodes, and
# the CMS learns it from the format callback: its metadata carries
# "source_cut": {"time": decoded s, "announced": container s}; a whole
# source's callback has no "source_cut".
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup e2ecut
e2e_up
url() { echo "http://127.0.0.1:$CMS_PORT/$1"; }
clip "$CMS_ROOT/whole.mp4" 4 320x240 -movflags +faststart
size=$(stat -c %s "$CMS_ROOT/whole.mp4")
head -c $((size * 4 / 10)) "$CMS_ROOT/whole.mp4" > "$CMS_ROOT/cut.mp4"

check_eq "app_new_media (cut)" "$(new_media 1 "$(url f/cut.mp4)")" 200
check_eq "app_new_media (whole)" "$(new_media 2 "$(url f/whole.mp4)")" 200
for id in 1 2; do
    check "metadata $id acknowledged" wait_for 60 has_acked transcoder_send_metadata "$id"
    r=$(api app_request_format --data-urlencode "id=$id" --data-urlencode 'settings_id_list=[11]')
    check_eq "request_format $id: 11 queued" "$(jfield 11.code <<<"$r")" 200
    check "format 11 of $id acknowledged" wait_for 90 has_acked transcoder_send_format "$id" 11
done
meta=$(cmslog q:action=transcoder_send_format q:id=1 q:settings_id=11 --get q:metadata | head -1)
check_eq "cut: announced duration in the callback" "$(jfield source_cut.announced <<<"$meta")" 4.00
check "cut: decoded duration in the callback ($(jfield source_cut.time <<<"$meta") s)" \
    python3 -c 'import sys; sys.exit(not 0.5 < float(sys.argv[1]) < 3.0)' \
    "$(jfield source_cut.time <<<"$meta")"
check "cut: the output is what decodes" python3 -c \
    'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) > 0.2)' \
    "$(jfield time <<<"$meta")" "$(jfield source_cut.time <<<"$meta")"
meta=$(cmslog q:action=transcoder_send_format q:id=2 q:settings_id=11 --get q:metadata | head -1)
check_eq "whole: no source_cut" "$(jfield source_cut <<<"$meta")" ""
