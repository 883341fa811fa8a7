#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_progress_passes - with [transcoderd] batch = no a job of two
# settings runs one engine pass per setting; its progress (the job row,
# written by the heartbeat) counts each pass as its share of the job, so
# it never goes down: it used to reach 100 after the first setting and
# start again from 0 for the second.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup progpass
ctl db init >/dev/null || exit 1
ctl account add --email a@example.com --url http://127.0.0.1:9/cb >/dev/null
mkdir -p "$T/docroot/media/1/1"
ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=25 -f lavfi \
    -i sine=frequency=440:sample_rate=44100 -t 8 -c:v libx264 \
    -preset ultrafast -c:a aac -shortest -f mp4 "$T/docroot/media/1/1/original"
sql "INSERT INTO media (account_id, remote_id, url, state, path) VALUES
     (1, 101, 'http://x/a.mp4', 'metadata_ok', 'media/1/1/original');
     INSERT INTO transcodes (media_id, setting_id) VALUES (1, 12), (1, 13);
     INSERT INTO jobs (task, media_id, account_id, payload)
     VALUES ('transcode', 1, 1, '{\"transcodes\":[1,2]}')"
jid=$(sql "SELECT MAX(id) FROM jobs WHERE task = 'transcode'")
printf '\n[transcoderd]\nbatch = no\n' >> "$CONF"
start transcoderd "$OMKT_BIN/transcoderd" -c "$CONF"
: > "$T/samples"
for _ in $(seq 1 1200); do # 0.1 s apart, 120 s at most
    row=$(sql "SELECT state, progress FROM jobs WHERE id = $jid")
    case $row in
    running*) echo "${row##*[[:space:]]}" >> "$T/samples" ;;
    done* | failed*) break ;;
    esac
    sleep 0.1
done
check_eq "the job is done" "$(sql "SELECT state FROM jobs WHERE id = $jid")" "done"
check_eq "both settings processed" \
    "$(sql "SELECT COUNT(*) FROM transcodes WHERE media_id = 1 AND state = 'processed'")" 2
distinct=$(sort -un "$T/samples" | wc -l)
check "progress sampled at several values ($distinct)" [ "$distinct" -ge 3 ]
check "progress never went down ($(uniq "$T/samples" | tr '\n' ' '))" \
    bash -c 'sort -n -c "$1" 2>/dev/null' _ "$T/samples"
