#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_download - downloaderd against the fake CMS: a download with
# app_key lands as media/A/M/original (media local, metadata job queued);
# 404 fails at once with an alert job, which notifierd delivers; max_size
# refuses a large file, with and without Content-Length; 5xx is retried
# then succeeds; a server that ignores Range still gives the whole file;
# the local adapter imports from import_dir and refuses names outside it
# (also through a symlink).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup download
IMPORT=$T/import
mkdir -p "$IMPORT" "$T/outside"
write_conf "$CONF" "
[downloaderd]
workers = 2
max_size = 300K
timeout = 20s
connect_timeout = 2s
allow_private = yes
import_dir = $IMPORT

[notifierd]
allow_private = yes
retry_base = 100ms
retry_max = 500ms
cron_interval = 1h"
ctl db init >/dev/null
cms_start --app-key sekrit
acc=$(account_add sekrit)
base=http://127.0.0.1:$CMS_PORT
mkfile ok.bin 200000
mkfile big.bin 400000
start downloaderd "$OMKT_BIN/downloaderd" -c "$CONF"
start notifierd "$OMKT_BIN/notifierd" -c "$CONF"

# 1. A plain download.
m=$(media_add "$acc" 101 "$base/f/ok.bin")
check "download finishes" wait_for 20 job_done download "$m"
check_eq "job done" "$(job_state download "$m")" "done 1"
check_eq "media local" "$(media_state "$m")" local
f=$T/docroot/media/$acc/$m/original
check "original in place, same bytes" cmp -s "$f" "$CMS_ROOT/ok.bin"
check_eq "media path" "$(sql "SELECT path FROM media WHERE id = $m")" \
    "media/$acc/$m/original"
check_eq "media size" "$(sql "SELECT file_size FROM media WHERE id = $m")" 200000
check_eq "metadata job queued with the download's priority" \
    "$(sql "SELECT CONCAT(state, ' ', priority, ' ', account_id) FROM jobs
        WHERE task = 'metadata' AND media_id = $m")" "queued 3 $acc"
check "app_key sent" grep -q '"path": "/f/ok.bin?app_key=sekrit"' "$CMS_LOG"
check "no temp files left" only_original "$T/docroot/media/$acc/$m"

# app_key is added with & to a URL that has a query; no metadata job.
m=$(media_add "$acc" 102 "$base/f/ok.bin?v=2" http 0)
check "query URL download finishes" wait_for 20 job_done download "$m"
check "app_key appended with &" grep -q '"/f/ok.bin?v=2&app_key=sekrit"' "$CMS_LOG"
check_eq "do_metadata=0: no metadata job" \
    "$(sql "SELECT COUNT(*) FROM jobs WHERE task = 'metadata' AND media_id = $m")" 0

# 2. 404: permanent, one attempt, alert queued.
m=$(media_add "$acc" 103 "$base/f/missing.bin")
check "404 finishes" wait_for 20 job_done download "$m"
check_eq "404: failed after one attempt" "$(job_state download "$m")" "failed 1"
check_eq "404: media download_failed" "$(media_state "$m")" download_failed
alert=$(sql "SELECT payload FROM jobs WHERE task = 'notify' AND media_id = $m")
check "404: alert queued" grep -q '"action":"transcoder_send_alert"' <<<"$alert"
check "404: alert names the CMS id and the reason" \
    grep -q '"id":"103","status":"1","message":"download failed: HTTP 404"' <<<"$alert"
alert_sent() {
    python3 "$TOP/tests/pipeline/cmslog.py" "$CMS_LOG" \
        q:action=transcoder_send_alert q:id=103 --get path | grep -q .
}
check "404: alert delivered by notifierd" wait_for 10 alert_sent
check_eq "404: alert request" "$(python3 "$TOP/tests/pipeline/cmslog.py" \
    "$CMS_LOG" q:action=transcoder_send_alert q:id=103 --get path)" \
    "/cb?site=sekrit&app_key=sekrit&action=transcoder_send_alert&id=103&status=1&message=download%20failed%3A%20HTTP%20404"
check "404: no partial left" test -z "$(ls -A "$T/docroot/media/$acc/$m")"

# A REST media (no CMS id, a notify_url) gets a JSON POST instead.
m=$(sql "INSERT INTO media (account_id, remote_id, url, notify_url)
    VALUES ($acc, -1, '$base/f/missing.bin', '$base/hook');
    SELECT LAST_INSERT_ID()")
sql "INSERT INTO jobs (task, media_id, account_id) VALUES ('download', $m, $acc)"
check "REST 404 finishes" wait_for 20 job_done download "$m"
hook_sent() { grep -q '"path": "/hook"' "$CMS_LOG"; }
check "REST: notify_url POSTed" wait_for 10 hook_sent
hook_body=$(python3 "$TOP/tests/pipeline/cmslog.py" "$CMS_LOG" path^/hook --get body)
# (403: the origin wants app_key, which REST source URLs never get)
check "REST: body is media.failed (docs/callbacks.md)" \
    grep -qE "^\{\"event\":\"media.failed\",.*\"media_id\":$m,.*\"stage\":\"download\",\"error\":\"download failed: HTTP 403\"" <<<"$hook_body"

# 403 (bad app_key at the origin) is permanent too.
m=$(media_add "$acc" 104 "$base/status/403/x")
check "403 finishes" wait_for 20 job_done download "$m"
check_eq "403: failed after one attempt" "$(job_state download "$m")" "failed 1"

# 3. Too large: refused by Content-Length, and without one.
m=$(media_add "$acc" 105 "$base/f/big.bin")
check "oversized finishes" wait_for 20 job_done download "$m"
check_eq "oversized: failed at once" "$(job_state download "$m")" "failed 1"
check "oversized: reason" grep -q "max_size" <<<"$(sql "SELECT error FROM media WHERE id = $m")"
check "oversized: alert queued" test -n "$(sql "SELECT id FROM jobs WHERE task = 'notify' AND media_id = $m")"
m=$(media_add "$acc" 106 "$base/nolen/big.bin")
check "oversized (no length) finishes" wait_for 20 job_done download "$m"
check_eq "oversized (no length): failed at once" "$(job_state download "$m")" "failed 1"
check "no partial left" test -z "$(ls -A "$T/docroot/media/$acc/$m")"

# 4. 5xx twice, then the file: retried with backoff, then done.
m=$(media_add "$acc" 107 "$base/flaky/2/ok.bin")
check "flaky finishes" wait_for 20 job_done download "$m"
check_eq "flaky: done on the third attempt" "$(job_state download "$m")" "done 3"
check "flaky: same bytes" cmp -s "$T/docroot/media/$acc/$m/original" "$CMS_ROOT/ok.bin"
check_eq "flaky: no alert" "$(sql "SELECT COUNT(*) FROM jobs WHERE task = 'notify' AND media_id = $m")" 0

# 5. Empty file: permanent failure.
: > "$CMS_ROOT/empty.bin"
m=$(media_add "$acc" 108 "$base/f/empty.bin")
check "empty finishes" wait_for 20 job_done download "$m"
check_eq "empty: failed at once" "$(job_state download "$m")" "failed 1"

# 6. A stale partial and a server that ignores Range: full file anyway.
# The job is created delayed, so no downloaderd takes it before the
# partial exists (creating it queued raced with a fast claim once).
m=$(media_add "$acc" 109 "$base/norange/ok.bin" http 0 delayed)
job=$(sql "SELECT id FROM jobs WHERE task = 'download' AND media_id = $m")
mkdir -p "$T/docroot/media/$acc/$m"
head -c 5000 /dev/zero > "$T/docroot/media/$acc/$m/.original.part-$job"
sql "UPDATE jobs SET state = 'queued' WHERE id = $job"
check "norange finishes" wait_for 20 job_done download "$m"
check "norange: whole file, not appended" cmp -s "$T/docroot/media/$acc/$m/original" "$CMS_ROOT/ok.bin"
check "norange: a Range was asked" grep -q '"range": "bytes=5000-"' "$CMS_LOG"

# 7. Non-http scheme: refused at once.
m=$(media_add "$acc" 110 "ftp://127.0.0.1/x")
check "ftp finishes" wait_for 20 job_done download "$m"
check_eq "ftp: failed at once" "$(job_state download "$m")" "failed 1"

# 8. The local adapter.
head -c 50000 /dev/urandom > "$IMPORT/clip.bin"
head -c 50000 /dev/urandom > "$T/outside/secret.bin"
ln -s "$T/outside/secret.bin" "$IMPORT/link.bin"
m=$(media_add "$acc" 111 "clip.bin" local)
check "local finishes" wait_for 20 job_done download "$m"
check_eq "local: done" "$(job_state download "$m")" "done 1"
check "local: copied" cmp -s "$T/docroot/media/$acc/$m/original" "$IMPORT/clip.bin"
check "local: import file kept" test -f "$IMPORT/clip.bin"
m=$(media_add "$acc" 112 "$IMPORT/clip.bin" local)
check "local absolute finishes" wait_for 20 job_done download "$m"
check_eq "local absolute: done" "$(job_state download "$m")" "done 1"
ln -s clip.bin "$IMPORT/inlink.bin"          # a link that stays inside
m=$(media_add "$acc" 120 "inlink.bin" local)
check "local link inside finishes" wait_for 20 job_done download "$m"
check_eq "local link inside: done" "$(job_state download "$m")" "done 1"
ln -s "$T/outside" "$IMPORT/sub"               # a directory leading out
for name in "$T/outside/secret.bin" "../outside/secret.bin" "link.bin" \
    "sub/secret.bin" "$IMPORT/sub/secret.bin" "$IMPORT/../outside/secret.bin"; do
    rid=$((rid = ${rid:-120} + 1))
    m=$(media_add "$acc" "$rid" "$name" local)
    check "local $name finishes" wait_for 20 job_done download "$m"
    check_eq "local $name: refused at once" "$(job_state download "$m")" "failed 1"
    check "local $name: reason" grep -q "outside the import directory" \
        <<<"$(sql "SELECT error FROM media WHERE id = $m")"
    check "local $name: nothing copied" test ! -e "$T/docroot/media/$acc/$m/original"
done
