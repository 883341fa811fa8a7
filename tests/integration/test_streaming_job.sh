#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_streaming_job - transcoderd runs setting 1001 like any other: with
# setting 11 of the same media in one job (one decode), the package is
# published as a directory at the path the transcodes row records, with
# its metadata (time, renditions) and a format callback; a dead job's
# temporary package directory is removed by the reaper.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup streamjob
ctl db init >/dev/null
ctl account add --email a@example.com --url http://127.0.0.1:9/cb --client-key ck >/dev/null
mkdir -p "$T/docroot/media/1/1"
ffmpeg -v error -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi \
    -i sine=frequency=440:sample_rate=44100 -t 4 -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p -c:a aac -shortest -f mp4 "$T/docroot/media/1/1/original"
sql "INSERT INTO media (account_id, remote_id, url, state, path) VALUES
     (1, 101, 'http://x/a.mp4', 'metadata_ok', 'media/1/1/original');
     INSERT INTO transcodes (media_id, setting_id) VALUES (1, 11), (1, 1001);
     INSERT INTO jobs (task, media_id, account_id, payload)
     VALUES ('transcode', 1, 1, '{\"transcodes\":[1,2]}')"
start transcoderd "$OMKT_BIN/transcoderd" -c "$CONF"
processed() { [ "$(sql "SELECT COUNT(*) FROM transcodes WHERE state = 'processed'")" = 2 ]; }
check "11 and 1001 processed" wait_for 90 processed
p=$(sql "SELECT path FROM transcodes WHERE setting_id = 1001")
check_eq "the package's path" "$p" media/1/1/1001.stream
check "a directory with master.m3u8 and manifest.mpd" \
    test -s "$T/docroot/$p/master.m3u8" -a -s "$T/docroot/$p/manifest.mpd"
check_eq "240p and 360p (no rung above the source) and the audio" \
    "$(cd "$T/docroot/$p" && echo v* a*)" "v0 v1 a0"
meta=$(sql "SELECT metadata FROM transcodes WHERE setting_id = 1001")
check "metadata: duration and the renditions" python3 -c '
import json, sys
m = json.loads(sys.argv[1])
r = m["streaming"]["renditions"]
assert abs(float(m["time"]) - 4.0) < 0.05, m["time"]
assert [x["id"] for x in r] == ["v0", "v1", "a0"], r
assert [x.get("height") for x in r[:2]] == [240, 360], r
assert m["streaming"]["master"] == "master.m3u8"
assert all(x["bandwidth"] >= x["average_bandwidth"] > 0 for x in r), r
' "$meta"
check_eq "cardinality 1" "$(sql "SELECT cardinality FROM transcodes WHERE setting_id = 1001")" 1
check_eq "two format callbacks" \
    "$(sql "SELECT COUNT(*) FROM jobs WHERE task='notify' AND payload LIKE '%transcoder_send_format%'")" 2
check_eq "no temporary left" "$(find "$T/docroot/media/1/1" -name '.*' | wc -l)" 0

# The reaper removes a dead job's temporary package, a directory tree.
dead=100000
mkdir -p "$T/docroot/media/1/1/.1001.stream.tmp-$dead-deadhost-1/v0"
touch "$T/docroot/media/1/1/.1001.stream.tmp-$dead-deadhost-1/v0/seg_00001.m4s"
sql "INSERT INTO jobs (id, task, state, media_id, account_id, attempts,
       max_attempts, lease_until, worker_id, tmp_dir)
     VALUES ($dead, 'transcode', 'running', 1, 1, 3, 3,
       NOW(3) - INTERVAL 1 SECOND, 999, 'media/1/1')"
gone() { [ ! -e "$T/docroot/media/1/1/.1001.stream.tmp-$dead-deadhost-1" ]; }
check "the reaper removes the dead job's temporary package" wait_for 30 gone
check "the published package is untouched" test -s "$T/docroot/$p/master.m3u8"
