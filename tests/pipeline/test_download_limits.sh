#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_download_limits - what downloaderd sends and how long it waits.
# 1. app_key=<client key> is added to the URL of OMKT media only (the
#    reference's contract); a REST or media-nommer source URL (say a
#    pre-signed one) is fetched exactly as given: the key would break its
#    signature and leak to the third party.
# 2. An origin trickling one byte a second is cut after the min_speed
#    window (not after the 60 s timeout): the attempt fails "too slow",
#    the job is retried, then fails with that reason.
# 3. A failure whose reason is cut inside a UTF-8 character (the error
#    buffer's 511 bytes end in the middle of an "é") ends failed at once
#    with that reason, valid: MariaDB refused the row, so the job ran on
#    until its lease expired, attempt after attempt ("workers died").
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup dllimits
write_conf "$CONF" "
[downloaderd]
workers = 2
max_size = 1M
timeout = 60s
connect_timeout = 2s
min_speed = 100
min_speed_time = 2s
allow_private = yes
import_dir = $T/import"
ctl db init >/dev/null
mkdir -p "$T/import"
cms_start
acc=$(account_add ck1)
mkfile ok.bin 5000
start downloaderd "$OMKT_BIN/downloaderd" -c "$CONF"
signed="X-Amz-Expires=60&X-Amz-Signature=abc123"

# 1. Three kinds of media.
omkt=$(media_add "$acc" 1 "http://127.0.0.1:$CMS_PORT/f/ok.bin?$signed" http 0)
rest=$(media_add "$acc" 2 "http://127.0.0.1:$CMS_PORT/f/ok.bin?r=1&$signed" http 0 delayed)
sql "UPDATE media SET remote_id = -id, notify_url = 'http://127.0.0.1:9/n'
    WHERE id = $rest; UPDATE jobs SET state = 'queued', run_after = NOW(3)
    WHERE media_id = $rest"
nommer=$(media_add "$acc" 3 "http://127.0.0.1:$CMS_PORT/f/ok.bin?n=1&$signed" http 0 delayed)
sql "UPDATE media SET remote_id = -id, job_options = '{\"vcodec\":\"libx264\"}'
    WHERE id = $nommer; UPDATE jobs SET state = 'queued', run_after = NOW(3)
    WHERE media_id = $nommer"
for m in "$omkt" "$rest" "$nommer"; do
    check "media $m downloaded" wait_for 20 job_done download "$m"
    check_eq "media $m done" "$(job_state download "$m")" "done 1"
done
check "OMKT media: app_key added" \
    grep -q "\"path\": \"/f/ok.bin?$signed&app_key=ck1\"" "$CMS_LOG"
check "REST media: fetched exactly as given" \
    grep -q "\"path\": \"/f/ok.bin?r=1&$signed\"" "$CMS_LOG"
check "media-nommer media: fetched exactly as given" \
    grep -q "\"path\": \"/f/ok.bin?n=1&$signed\"" "$CMS_LOG"
check_eq "the client key went to the OMKT origin only" \
    "$(grep -c "app_key" "$CMS_LOG")" 1

# 2. A trickling origin.
t0=$(date +%s)
slow=$(media_add "$acc" 4 "http://127.0.0.1:$CMS_PORT/trickle/ok.bin" http 0 delayed)
sql "UPDATE jobs SET max_attempts = 2, state = 'queued', run_after = NOW(3)
    WHERE media_id = $slow"
check "trickling origin: finished" wait_for 30 job_done download "$slow"
t1=$(date +%s)
check_eq "trickling origin: failed after its 2 attempts" \
    "$(job_state download "$slow")" "failed 2"
check "trickling origin: cut by the minimum speed, not the 60 s timeout" \
    test $((t1 - t0)) -lt 20
check "trickling origin: the reason says too slow" \
    grep -q "too slow: under 100 bytes/s for 2 s" <<<"$(sql "SELECT error FROM jobs WHERE task = 'download' AND media_id = $slow")"
check "trickling origin: the media records it" \
    grep -q "too slow" <<<"$(sql "SELECT error FROM media WHERE id = $slow")"

# 3. A reason cut inside a character.  "refused: " is 9 bytes and the
#    name starts with "/", so the 2-byte characters sit at even offsets
#    and byte 510, the last one kept, is the first half of one.
name=/$(python3 -c 'print("\u00e9" * 300)')
cut=$(media_add "$acc" 5 "$name" local 0)
failed_once() { [ "$(job_state download "$cut")" = "failed 1" ]; }
check "reason cut inside a character: failed at once" wait_for 8 failed_once
reason=$(sql "SELECT error FROM jobs WHERE task = 'download' AND media_id = $cut")
check "the reason is kept" grep -q "^refused: /éééé" <<<"$reason"
check "the reason is valid UTF-8" python3 -c '
import sys; sys.stdin.buffer.read().decode("utf-8")' <<<"$reason"
check "the media records it" grep -q "^download failed\|^refused: /éé" \
    <<<"$(sql "SELECT error FROM media WHERE id = $cut")"
check "an alert is queued" test -n "$(sql "SELECT id FROM jobs WHERE task = 'notify' AND media_id = $cut")"
