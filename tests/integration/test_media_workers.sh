#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_media_workers - metadatad and transcoderd on real jobs: metadata
# stored and its callback queued; settings transcoded in one pass,
# published, recorded with metadata and a format callback each; a file
# that is not media ends in an alert; SIGTERM mid-transcode releases the
# job and leaves no temp or partial file; another transcoderd finishes it.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup mediaw
ctl db init >/dev/null
ctl account add --email a@example.com --url http://127.0.0.1:9/cb --client-key ck >/dev/null
mkdir -p "$T/docroot/media/1/1" "$T/docroot/media/1/2" "$T/docroot/media/1/3"
ffmpeg -v error -f lavfi -i testsrc=size=320x240:rate=25 -f lavfi \
    -i sine=frequency=440:sample_rate=44100 -t 2 -c:v libx264 -preset ultrafast \
    -c:a aac -shortest "$T/docroot/media/1/1/original.mp4"
mv "$T/docroot/media/1/1/original.mp4" "$T/docroot/media/1/1/original"
head -c 50000 /dev/urandom > "$T/docroot/media/1/2/original"
ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=25 -t 8 -c:v libx264 \
    -preset ultrafast "$T/docroot/media/1/3/original.mp4"
mv "$T/docroot/media/1/3/original.mp4" "$T/docroot/media/1/3/original"
sql "INSERT INTO media (account_id, remote_id, url, state, path) VALUES
     (1, 101, 'http://x/a.mp4', 'local', 'media/1/1/original'),
     (1, 102, 'http://x/b.mp4', 'local', 'media/1/2/original'),
     (1, 103, 'http://x/c.mp4', 'local', 'media/1/3/original');
     INSERT INTO jobs (task, media_id, account_id) VALUES
     ('metadata', 1, 1), ('metadata', 2, 1)"
start metadatad "$OMKT_BIN/metadatad" -c "$CONF"
probed() { [ "$(sql "SELECT COUNT(*) FROM media WHERE state IN ('metadata_ok','metadata_failed')")" = 2 ]; }
check "both probed" wait_for 30 probed
check_eq "clip ok" "$(sql "SELECT state FROM media WHERE id = 1")" metadata_ok
check "metadata has the video track" grep -q '"width":"320"' <<<"$(sql "SELECT metadata FROM media WHERE id = 1")"
check_eq "random bytes: metadata_failed" "$(sql "SELECT state FROM media WHERE id = 2")" metadata_failed
check_eq "metadata callback queued" \
    "$(sql "SELECT COUNT(*) FROM jobs WHERE task='notify' AND media_id=1 AND payload LIKE '%transcoder_send_metadata%'")" 1
check_eq "alert queued for the non-media file" \
    "$(sql "SELECT COUNT(*) FROM jobs WHERE task='notify' AND media_id=2 AND payload LIKE '%transcoder_send_alert%'")" 1

# Two settings in one job, decoded once.
sql "INSERT INTO transcodes (media_id, setting_id) VALUES (1, 11), (1, 71);
     INSERT INTO jobs (task, media_id, account_id, payload)
     VALUES ('transcode', 1, 1, '{\"transcodes\":[1,2]}')"
start transcoderd "$OMKT_BIN/transcoderd" -c "$CONF"
processed() { [ "$(sql "SELECT COUNT(*) FROM transcodes WHERE media_id = 1 AND state = 'processed'")" = 2 ]; }
check "both settings processed" wait_for 60 processed
p11=$(sql "SELECT path FROM transcodes WHERE setting_id = 11")
check_eq "mp4 path" "$p11" media/1/1/11.mp4
check_eq "ffprobe: h264" "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$T/docroot/$p11")" h264
check_eq "two format callbacks" \
    "$(sql "SELECT COUNT(*) FROM jobs WHERE task='notify' AND payload LIKE '%transcoder_send_format%'")" 2

# SIGTERM mid-transcode: released, nothing partial, then finished elsewhere.
sql "INSERT INTO transcodes (media_id, setting_id) VALUES (3, 15);
     INSERT INTO jobs (task, media_id, account_id, payload)
     VALUES ('transcode', 3, 1, '{\"transcodes\":[3]}')"
jid=$(sql "SELECT MAX(id) FROM jobs WHERE task = 'transcode'")
tpid=$LAST_PID
started() { [ "$(sql "SELECT state FROM jobs WHERE id = $jid")" = running ]; }
check "1080p job claimed" wait_for 20 started
sleep 1
kill -TERM "$tpid"
wait_exit "$tpid" 15
check_eq "transcoderd exits 0" "$EXIT_STATUS" 0
check_eq "job released, attempt not spent" "$(sql "SELECT CONCAT(state, attempts) FROM jobs WHERE id = $jid")" queued0
check_eq "no temp or partial file" "$(find "$T/docroot/media/1/3" -mindepth 1 ! -name original | wc -l)" 0
start transcoderd2 "$OMKT_BIN/transcoderd" -c "$CONF"
t2=$LAST_PID
done3() { [ "$(sql "SELECT state FROM transcodes WHERE id = 3")" = processed ]; }
check "another transcoderd finishes it" wait_for 120 done3
check_eq "1080p output is 1920 wide" "$(ffprobe -v error -select_streams v:0 -show_entries stream=width -of csv=p=0 "$T/docroot/media/1/3/15.mp4")" 1920

# Cancel while running: the worker learns it at its next lease renewal
# (heartbeat 500 ms here) and the engine stops within a second.
sql "INSERT INTO transcodes (media_id, setting_id) VALUES (3, 14);
     INSERT INTO jobs (task, media_id, account_id, payload)
     VALUES ('transcode', 3, 1, CONCAT('{\"transcodes\":[',
       (SELECT id FROM transcodes WHERE media_id = 3 AND setting_id = 14), ']}'))"
jid=$(sql "SELECT MAX(id) FROM jobs WHERE task = 'transcode'")
progressing() { [ "$(sql "SELECT state = 'running' AND progress > 0 FROM jobs WHERE id = $jid")" = 1 ]; }
check "720p job under way" wait_for 60 progressing
t0=$(date +%s%N)
check "cancel the running job" ctl jobs cancel "$jid"
stopped() { grep -q "job=$jid .*abandoned" "$T"/logs/transcoderd2*.log; }
check "the transcode stops" wait_for 10 stopped
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "within 3 s of the cancel ($ms ms)" test "$ms" -lt 3000
check_eq "its transcode is cancelled" "$(sql "SELECT state FROM transcodes WHERE media_id = 3 AND setting_id = 14")" cancelled
check "no 720p output, no temp file" test -z "$(find "$T/docroot/media/1/3" -name '14.mp4' -o -name '.*14.mp4*')"

# A job whose workers died on every attempt: the reaper fails it, marks
# the media and queues the alert (nothing accepted is dropped silently).
# (its temp file made first, under an id chosen here: the lease is already
# out, so a reaper may take the job as soon as it is inserted)
dead=100000
touch "$T/docroot/media/1/1/.original.json.tmp-$dead-deadhost-1"
sql "INSERT INTO media (id, account_id, remote_id, url, state, path) VALUES
     (4, 1, 104, 'http://x/d.mp4', 'local', 'media/1/1/original');
     INSERT INTO jobs (id, task, state, media_id, account_id, attempts,
       max_attempts, lease_until, worker_id, tmp_dir)
     VALUES ($dead, 'metadata', 'running', 4, 1, 3, 3,
       NOW(3) - INTERVAL 1 SECOND, 999, 'media/1/1')"
reaped() { [ "$(sql "SELECT state FROM media WHERE id = 4")" = metadata_failed ]; }
check "reaper marks the media failed" wait_for 20 reaped
check_eq "and queues the alert" \
    "$(sql "SELECT COUNT(*) FROM jobs WHERE task='notify' AND media_id=4 AND payload LIKE '%transcoder_send_alert%died%'")" 1
check_eq "and removes the dead job's temp file" "$(find "$T/docroot/media/1/1" -mindepth 1 -name '.*' | wc -l)" 0

# Operator retry reopens what the job works for: the non-media file is
# replaced by a real clip and its failed metadata job retried.
jid=$(sql "SELECT id FROM jobs WHERE task = 'metadata' AND media_id = 2")
cp "$T/docroot/media/1/1/original" "$T/docroot/media/1/2/original"
check "retry the failed metadata job" ctl jobs retry "$jid"
reprobed() { [ "$(sql "SELECT state FROM media WHERE id = 2")" = metadata_ok ]; }
check "the media is probed again and ok" wait_for 30 reprobed
check "retrying a job that did not fail is refused" bash -c "! '$OMKT_BIN/omktctl' -c '$CONF' jobs retry $jid"
# Cancel: a job not yet due is cancelled with its transcodes (no
# transcoderd runs now, so the retried job stays queued to be looked at).
kill -TERM "$t2"
wait_exit "$t2" 15
sql "INSERT INTO transcodes (media_id, setting_id) VALUES (2, 11), (2, 12);
     INSERT INTO jobs (task, state, run_after, media_id, account_id, payload)
     VALUES ('transcode', 'delayed', NOW(3) + INTERVAL 1 HOUR, 2, 1,
       CONCAT('{\"transcodes\":[', (SELECT GROUP_CONCAT(id) FROM transcodes WHERE media_id = 2), ']}'))"
jid=$(sql "SELECT MAX(id) FROM jobs WHERE task = 'transcode'")
check "cancel it" ctl jobs cancel "$jid"
check_eq "its transcodes are cancelled" \
    "$(sql "SELECT GROUP_CONCAT(DISTINCT state) FROM transcodes WHERE media_id = 2")" cancelled
check "retry the cancelled job" ctl jobs retry "$jid"
check_eq "its transcodes are asked again" \
    "$(sql "SELECT GROUP_CONCAT(DISTINCT state) FROM transcodes WHERE media_id = 2")" asked
