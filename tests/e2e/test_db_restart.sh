#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_db_restart - the database restarted in the middle of a run (a
# transcode, downloads, metadata and callbacks in flight): every daemon
# survives and reconnects, and nothing accepted is lost: each media gets
# its metadata callback and each setting its format callback.  Delivery
# is at least once (docs/callbacks.md): a callback acknowledged but not yet
# recorded when the server went away may come again, always with the same
# X-Omkt-Callback-Id.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup e2edbrestart
e2e_up
clip "$CMS_ROOT/long.mp4" 8 640x360
for i in 2 3 4 5 6 7; do # lossless, ~300 KB: about a second each on /slow/
    clip "$CMS_ROOT/m$i.mp4" 2 320x240 -qp 0
done
check_eq "app_new_media 1 accepted" "$(new_media 1 "http://127.0.0.1:$CMS_PORT/f/long.mp4")" 200
check "metadata 1 acknowledged" wait_for 60 has_acked transcoder_send_metadata 1
r=$(api app_request_format --data-urlencode id=1 --data-urlencode 'settings_id_list=[11,15]')
check_eq "formats 11 and 15 queued" "$(jfield 11.code <<<"$r") $(jfield 15.code <<<"$r")" "200 200"
midway() {
    [ "$(sql "SELECT COUNT(*) FROM jobs WHERE task = 'transcode' AND state = 'running' AND progress > 0")" = 1 ]
}
check "transcode under way" wait_for 60 midway
for i in 2 3 4 5 6 7; do
    check_eq "app_new_media $i accepted" "$(new_media "$i" "http://127.0.0.1:$CMS_PORT/slow/m$i.mp4")" 200
done
fetching() { [ "$(cmslog 'path^/slow/')" -ge 1 ]; }
check "downloads under way" wait_for 20 fetching
port=$(cat "$OMKT_DBDIR/port")
check_eq "transcode still running at the outage" "$(sql "SELECT state FROM jobs WHERE task = 'transcode'")" running
mariadb_stop "$OMKT_DBDIR"
sleep 2
mariadb_start "$OMKT_DBDIR" "$port" >/dev/null
check "database back" mariadb_sql "$OMKT_DBDIR" "SELECT 1"
# apid once handed out a pooled connection that died with the server, so
# the first call after the restart answered 500 "database unavailable"
# (fixed in apid_db_get).  The transcode is still running: 404 is right.
first=$(get_media 1 11 /dev/null)
check "first call after the restart answered without a database error ($first)" \
    test "$first" != 500
# Serving again means answering from the database: 200 once format 11 is
# done, 404 while the transcode (restarted if its lease ran out during the
# outage) still runs; never 500/503.  Its completion is checked below.
served() { case $(get_media 1 11 /dev/null) in 200 | 404) return 0 ;; esac; return 1; }
check "apid serves again" wait_for 10 served

for i in 2 3 4 5 6 7; do
    check "metadata $i acknowledged" wait_for 60 has_acked transcoder_send_metadata "$i"
done
for i in 2 3 4 5 6 7; do
    r=$(api app_request_format --data-urlencode "id=$i" --data-urlencode 'settings_id_list=[11]')
    check_eq "format 11 of $i queued" "$(jfield 11.code <<<"$r")" 200
done
check "format 15 of 1 acknowledged" wait_for 150 has_acked transcoder_send_format 1 15
for i in 1 2 3 4 5 6 7; do
    check "format 11 of $i acknowledged" wait_for 90 has_acked transcoder_send_format "$i" 11
done
check_eq "app_get_media 15 of 1: 200" "$(get_media 1 15 "$T/o15.mp4")" 200
check_eq "ffprobe: 15 is 1920x1080" "$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$T/o15.mp4")" 1920,1080
check "ffmpeg decodes 15 to the end without error" test -z "$(ffmpeg -v error -i "$T/o15.mp4" -f null - 2>&1)"
check_eq "no job failed" "$(sql "SELECT COUNT(*) FROM jobs WHERE state = 'failed'")" 0
check_eq "no alert" "$(cmslog q:action=transcoder_send_alert)" 0
# Each (action, id, setting) acknowledged under a single callback id.
sleep 1
ids=$(cmslog mode=ok 'path^/cb' --get path >"$T/paths"
      cmslog mode=ok 'path^/cb' --get h:x-omkt-callback-id >"$T/cids"
      paste "$T/paths" "$T/cids" | python3 -c '
import sys, urllib.parse, collections
c = collections.defaultdict(set)
for line in sys.stdin:
    path, cid = line.rstrip("\n").split("\t")
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
    if q["action"] != "transcoder_cron":
        c[(q["action"], q.get("id"), q.get("settings_id"))].add(cid)
print(len(c), all(len(v) == 1 for v in c.values()))')
check_eq "15 callbacks, each under one callback id" "$ids" "15 True"
check "all five daemons survived the outage" alive "${PIDS[@]}"
check "daemons logged the lost connection" grep -qiE "reconnect|retrying|lost|gone away" "$T"/logs/*.log
