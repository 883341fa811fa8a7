#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_resume - an interrupted download resumes with a Range request: a
# downloaderd SIGKILLed mid-transfer leaves its partial file; after the
# lease another one finishes the same job from where it stopped.  SIGTERM
# mid-transfer releases the job (attempt not spent), keeps the partial and
# exits 0; the next daemon resumes it too.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup resume
write_conf "$CONF" "
[downloaderd]
workers = 1
max_size = 10M
timeout = 60s
allow_private = yes"
ctl db init >/dev/null
cms_start
acc=$(account_add rk)
base=http://127.0.0.1:$CMS_PORT
mkfile big.bin 2000000
partsize() { stat -c %s "$T"/docroot/media/"$acc"/"$1"/.original.part-* 2>/dev/null || echo 0; }
has_part() { [ "$(partsize "$1")" -gt "${2:-100000}" ]; }

# 1. SIGKILL mid-transfer, another daemon resumes.
m=$(media_add "$acc" 1 "$base/slow/big.bin" http 0)
start a "$OMKT_BIN/downloaderd" -c "$CONF"
a=$LAST_PID
check "A is writing the partial" wait_for 20 has_part "$m"
kill -KILL "$a"
wait_exit "$a" 5
kept=$(partsize "$m")
check "partial kept after the crash" test "$kept" -gt 100000
check "and not complete" test "$kept" -lt 2000000
start b "$OMKT_BIN/downloaderd" -c "$CONF"
b=$LAST_PID
check "B finishes the job" wait_for 30 job_done download "$m"
check_eq "done on attempt 2" "$(job_state download "$m")" "done 2"
check "file complete and identical" cmp -s "$T/docroot/media/$acc/$m/original" "$CMS_ROOT/big.bin"
ranges=$(python3 "$TOP/tests/pipeline/cmslog.py" "$CMS_LOG" "path^/slow/big.bin" --get h:range | grep -v None)
from=${ranges#bytes=}; from=${from%-}
check "B asked for a Range" test -n "$ranges"
check "from at least what A had kept" test "${from:-0}" -ge "$kept"
check "B logged the resume" grep -q "(resumed)" "$LAST_LOG"
check "no partial left" only_original "$T/docroot/media/$acc/$m"
kill -TERM "$b"; wait_exit "$b" 10

# 2. SIGTERM mid-transfer: released, partial kept, exit 0; then resumed.
: > "$CMS_LOG"
mkfile big2.bin 6000000
m=$(media_add "$acc" 2 "$base/slow/big2.bin" http 0)
start c "$OMKT_BIN/downloaderd" -c "$CONF"
c=$LAST_PID
check "C is writing the partial" wait_for 20 has_part "$m"
kill -TERM "$c"
wait_exit "$c" 10
check_eq "C exits 0 after the grace" "$EXIT_STATUS" 0
check_eq "job released, attempt not spent" "$(job_state download "$m")" "queued 0"
kept=$(partsize "$m")
check "partial kept after SIGTERM" test "$kept" -gt 100000
start d "$OMKT_BIN/downloaderd" -c "$CONF"
check "D finishes it" wait_for 30 job_done download "$m"
check_eq "done on attempt 1" "$(job_state download "$m")" "done 1"
check "identical" cmp -s "$T/docroot/media/$acc/$m/original" "$CMS_ROOT/big2.bin"
check "D resumed with a Range" grep -q '"range": "bytes=' "$CMS_LOG"
kill -TERM "$LAST_PID"; wait_exit "$LAST_PID" 10

# 3. SIGKILL on the last attempt: whoever reaps the job fails it for good
#    and removes the partial (no attempt will resume it), and says so.
mkfile big3.bin 6000000
m=$(media_add "$acc" 3 "$base/slow/big3.bin" http 0)
sql "UPDATE jobs SET max_attempts = 1 WHERE media_id = $m"
start e "$OMKT_BIN/downloaderd" -c "$CONF"
e=$LAST_PID
check "E is writing the partial" wait_for 20 has_part "$m"
kill -KILL "$e"
wait_exit "$e" 5
start f "$OMKT_BIN/downloaderd" -c "$CONF"
check "F reaps it: failed for good" wait_for 30 job_done download "$m"
check_eq "failed after its one attempt" "$(job_state download "$m")" "failed 1"
check_eq "the partial is gone" "$(partsize "$m")" 0
check "the reaper said so" grep -q "removed 1 temp file" "$LAST_LOG"
