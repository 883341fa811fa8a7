#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_housekeep - the periodic maintenance job: media past the retention
# are purged (files gone, media and outputs expired), old finished jobs
# trimmed, orphaned temp files removed (but not fresh ones or those of
# running jobs), and exactly one next run queued.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup housekeep
ctl db init >/dev/null
printf '\n[maintenance]\nretention = 1d\nkeep_jobs = 1d\nkeep_api_calls = 2d\ninterval = 1m\n' >> "$CONF"
ctl account add --email a@example.com --url http://127.0.0.1:9/cb >/dev/null
d=$T/docroot/media/1
mkdir -p "$d/1" "$d/2"
echo old > "$d/1/original"; echo out > "$d/1/11.mp4"
echo new > "$d/2/original"
sql "INSERT INTO media (id, account_id, remote_id, url, state, path, created)
     VALUES (1, 1, 1, 'http://x/1', 'metadata_ok', 'media/1/1/original', NOW() - INTERVAL 2 DAY),
            (2, 1, 2, 'http://x/2', 'metadata_ok', 'media/1/2/original', NOW());
     INSERT INTO transcodes (media_id, setting_id, state, path)
     VALUES (1, 11, 'processed', 'media/1/1/11.mp4');
     INSERT INTO jobs (id, task, state, finished) VALUES
       (500, 'test', 'done', NOW(3) - INTERVAL 2 DAY),
       (501, 'test', 'done', NOW(3) - INTERVAL 1 HOUR),
       (502, 'test', 'running', NULL);
     INSERT INTO api_calls (action, code, created) VALUES
       ('old', 200, NOW(3) - INTERVAL 3 DAY), ('recent', 200, NOW(3) - INTERVAL 1 DAY)"
touch -d '1 hour ago' "$d/2/.x.tmp-99999-deadhost-1" "$d/2/.y.tmp-502-host-1"
touch "$d/2/.z.tmp-99998-host-1"
start metadatad "$OMKT_BIN/metadatad" -c "$CONF"
ran() { [ "$(sql "SELECT COUNT(*) FROM jobs WHERE task = 'maintenance' AND state = 'done'")" -ge 1 ]; }
check "a maintenance run completes" wait_for 30 ran
check_eq "old media expired" "$(sql "SELECT state FROM media WHERE id = 1")" expired
check "its directory is gone" test ! -e "$d/1"
check_eq "its output expired" "$(sql "SELECT state FROM transcodes WHERE media_id = 1")" expired
check_eq "recent media kept" "$(sql "SELECT state FROM media WHERE id = 2")" metadata_ok
check "recent original kept" test -f "$d/2/original"
check_eq "old finished job trimmed, recent one kept" \
    "$(sql "SELECT GROUP_CONCAT(id ORDER BY id) FROM jobs WHERE id IN (500, 501, 502)")" "501,502"
check_eq "old API calls trimmed, recent kept" \
    "$(sql "SELECT GROUP_CONCAT(action) FROM api_calls")" recent
check "orphaned temp file removed" test ! -e "$d/2/.x.tmp-99999-deadhost-1"
check "temp file of a running job kept" test -e "$d/2/.y.tmp-502-host-1"
check "fresh temp file kept" test -e "$d/2/.z.tmp-99998-host-1"
check_eq "exactly one next run pending" \
    "$(sql "SELECT COUNT(*) FROM jobs WHERE task = 'maintenance' AND state IN ('queued', 'delayed', 'running')")" 1
check_eq "it is scheduled about an interval later" \
    "$(sql "SELECT run_after > NOW(3) + INTERVAL 50 SECOND FROM jobs WHERE task = 'maintenance' AND state = 'delayed'")" 1
