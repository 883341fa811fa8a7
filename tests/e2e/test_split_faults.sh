#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_split_faults - segment-parallel transcoding (issue 14) when things
# go wrong, seen through the OMKT protocol (segment_min = 10s,
# segment_length = 4s, transcoderds of one worker each):
# - SIGKILL of the transcoderd holding one segment: after the lease only
#   that segment is done again (attempts 2; every other child 1), by the
#   other transcoderd; the output still has the whole-file encode's
#   frames and passes segcheck.py; one format callback;
# - a segment that fails for good (with one transcoderd, segment 2's
#   start moved off its keyframe, 20 ms, while segment 0 runs: the
#   engine refuses a boundary at no frame's time): the parent fails with
#   an error naming segment 2, the transcodes row is in error, the CMS
#   gets an alert naming the segment, the siblings are done or
#   cancelled, no output, the segment directory removed;
# - the joiner dying as it starts joining (a transcoderd under gdb,
#   killed at omkt_segment_join): after the lease the parent is queued
#   again and a second transcoderd joins; the output is right, one
#   callback, the parent's attempts counted (split, dead join, join);
# - a segment's worker dying on its last attempt (max_attempts 1, its
#   transcoderd SIGKILLed): the reaper fails the family, as above; the
#   parent retried (omktctl jobs retry): every segment made again, the
#   family joined (output right, one callback).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/seglib.sh"
omkt_setup e2esplitf

# family_failed RID PARENT SEG - the family of media RID ended failed
# because of segment SEG: the other children done or cancelled, one
# alert naming the segment, the row in error, nothing left running, the
# segment directory removed, no output.
family_failed() {
    local rid=$1 p=$2 seg=$3 alert
    check_eq "media $rid: every other child done or cancelled" \
        "$(sql "SELECT COUNT(*) FROM jobs j JOIN job_segments s ON s.job_id = j.id
            WHERE s.parent_id = $p AND s.seg <> $seg
            AND j.state NOT IN ('done', 'cancelled')")" 0
    check "media $rid: alert acknowledged" wait_for 30 has_acked transcoder_send_alert "$rid"
    alert=$(cmslog q:action=transcoder_send_alert q:id="$rid" mode=ok --get q:message | head -1)
    echo "# alert: $alert"
    check "media $rid: the alert names segment $seg" grep -q "segment $seg" <<<"$alert"
    check_eq "media $rid: exactly one alert" "$(cmslog q:action=transcoder_send_alert q:id="$rid")" 1
    check_eq "media $rid: transcodes row in error" "$(tstate "$rid" 12)" error
    check "media $rid: no transcode job left queued, running or waiting" \
        wait_for 10 no_running
    check "media $rid: tmp/segments/$p removed" wait_for 5 no_segdir "$p"
    check_eq "media $rid: no output file" \
        "$(find "$(media_dir "$rid")" -mindepth 1 ! -name original | wc -l)" 0
}

seg_up
seg_clip cfr "$CMS_ROOT/a.mp4" 20
seg_clip cfr "$CMS_ROOT/c.mp4" 12
check "whole-file encode of a.mp4 (setting 12)" whole "$CMS_ROOT/a.mp4" "$T/whole-a"
check "whole-file encode of c.mp4 (setting 12)" whole "$CMS_ROOT/c.mp4" "$T/whole-c"
cp "$CMS_ROOT/a.mp4" "$CMS_ROOT/b.mp4"

# 1. SIGKILL of the transcoderd holding a segment.
start_tc transcoderd-a
TCA=$LAST_PID WA=$LAST_WID
start_tc transcoderd-b
TCB=$LAST_PID WB=$LAST_WID
submit 1 a.mp4 12
wait_for 60 has_parent 1
P=$(parent 1)
# a_seg - a child of P running on transcoderd-a, claimed less than
# 500 ms ago (a segment takes over a second: it is killed unfinished).
a_seg() {
    sql "SELECT id FROM jobs WHERE parent_id = $P AND state = 'running'
        AND worker_id = $WA AND started > NOW(3) - INTERVAL 500000 MICROSECOND
        LIMIT 1"
}
has_a_seg() { J=$(a_seg) && [ -n "$J" ]; }
J=
check "media 1: a segment running on transcoderd-a" wait_for 60 has_a_seg
kill -KILL "$TCA"
killed=$(sql "SELECT NOW(3)")
wait_exit "$TCA" 10
check_eq "transcoderd-a killed" "$EXIT_STATUS" 137
seg=$(sql "SELECT seg FROM job_segments WHERE job_id = $J")
echo "# killed holding job $J (segment $seg): $(segs "$P")"
check_eq "media 1: job $J (segment $seg) killed unfinished" \
    "$(jstate "$J")" running
check "media 1: format 12 callback acknowledged" \
    wait_for 120 has_acked transcoder_send_format 1 12
want=$(sql "SELECT GROUP_CONCAT(CONCAT(seg, ':done:', IF(job_id = $J, 2, 1))
    ORDER BY seg SEPARATOR ' ') FROM job_segments WHERE parent_id = $P")
check_eq "media 1: only segment $seg done again (attempts 2), the others once" \
    "$(segs "$P")" "$want"
check_eq "media 1: segment $seg redone by transcoderd-b" \
    "$(sql "SELECT worker_id FROM jobs WHERE id = $J")" "$WB"
after=$(sql "SELECT TIMESTAMPDIFF(MICROSECOND, '$killed', started) DIV 1000
    FROM jobs WHERE id = $J")
check "media 1: ... after the lease (claimed again ${after} ms after the kill; lease 3 s)" \
    [ "${after:-0}" -ge 2000 ]
check_eq "media 1: parent done (split, join)" \
    "$(sql "SELECT CONCAT(state, ' ', attempts) FROM jobs WHERE id = $P")" "done 2"
check "media 1: tmp/segments/$P removed" wait_for 5 no_segdir "$P"
check "media 1: no temp file in the media directory" no_temp "$(media_dir 1)"
check_output 1 "$CMS_ROOT/a.mp4" "$T/whole-a"

# 2. A segment that fails for good, with one transcoderd (b).
submit 2 b.mp4 12
# Every 50 ms: once the children exist, move segment 2 off its keyframe
# (by 20 ms: half a frame) while it is still queued.
moved=0
for _ in $(seq 1 1200); do
    moved=$(sql "UPDATE job_segments s JOIN jobs j ON j.id = s.job_id
        SET s.start_us = s.start_us + 20000 WHERE s.seg = 2
        AND j.state = 'queued' AND s.parent_id = (SELECT p.id FROM jobs p
        JOIN media m ON m.id = p.media_id WHERE m.remote_id = 2
        AND p.parent_id IS NULL AND p.task = 'transcode');
        SELECT ROW_COUNT()")
    [ "$moved" = 1 ] && break
    sleep 0.05
done
P2=$(parent 2)
echo "# media 2 when segment 2 was moved: $(segs "$P2")"
check_eq "media 2: segment 2's start moved by 20 ms while it was still queued" "$moved" 1
failed_p2() { [ "$(jstate "$P2")" = failed ]; }
check "media 2: the parent failed" wait_for 60 failed_p2
err=$(sql "SELECT error FROM jobs WHERE id = $P2")
echo "# parent error: $err"
check "media 2: its error names segment 2" grep -q "segment 2" <<<"$err"
echo "# media 2 children: $(segs "$P2")"
check_eq "media 2: segment 2 failed on its first attempt (a permanent error)" \
    "$(sql "SELECT CONCAT(j.state, ' ', j.attempts) FROM jobs j
        JOIN job_segments s ON s.job_id = j.id WHERE s.parent_id = $P2
        AND s.seg = 2")" "failed 1"
family_failed 2 "$P2" 2
check_eq "media 2: no format callback" "$(cmslog q:action=transcoder_send_format q:id=2)" 0

# 3. The joiner dies as it starts joining: transcoderd-g under gdb,
# killed at the breakpoint on omkt_segment_join.
joiner_dies() {
    kill -TERM "$TCB"
    wait_exit "$TCB" 20
    check_eq "transcoderd-b stopped" "$EXIT_STATUS" 0
    start transcoderd-g gdb -q -batch -ex 'set breakpoint pending on' \
        -ex 'handle SIGPIPE SIGUSR1 SIGUSR2 SIGALRM SIGCHLD nostop noprint pass' \
        -ex 'break omkt_segment_join' -ex run -ex kill \
        --args "$OMKT_BIN/transcoderd" -c "$CONF"
    GDB=$LAST_PID GLOG=$LAST_LOG
    submit 3 c.mp4 12
    check "media 3: transcoderd-g stopped at omkt_segment_join" \
        wait_for 90 grep -q "Breakpoint 1, omkt_segment_join" "$GLOG"
    wait_exit "$GDB" 20
    gkilled=$(sql "SELECT NOW(3)")
    check "media 3: ... and was killed there (gdb: $(grep -o 'Inferior 1.*' "$GLOG"))" \
        grep -q "Inferior 1 .* killed" "$GLOG"
    P3=$(parent 3)
    echo "# media 3 after the kill: parent $(sql "SELECT CONCAT(state, ' ',
        attempts) FROM jobs WHERE id = $P3"), children $(segs "$P3")"
    check_eq "media 3: the parent held by the dead joiner (running, attempt 2)" \
        "$(sql "SELECT CONCAT(state, ' ', attempts) FROM jobs WHERE id = $P3")" \
        "running 2"
    check_eq "media 3: no output, no callback yet" \
        "$(find "$(media_dir 3)" -mindepth 1 -name '12.*' | wc -l) $(cmslog q:action=transcoder_send_format q:id=3)" "0 0"
    start_tc transcoderd-c
    TCC=$LAST_PID
    check "media 3: format 12 callback acknowledged" \
        wait_for 60 has_acked transcoder_send_format 3 12
    check_eq "media 3: the parent joined on its third attempt" \
        "$(sql "SELECT CONCAT(state, ' ', attempts) FROM jobs WHERE id = $P3")" "done 3"
    check_eq "media 3: joined by transcoderd-c" \
        "$(sql "SELECT worker_id FROM jobs WHERE id = $P3")" "$LAST_WID"
    after=$(sql "SELECT TIMESTAMPDIFF(MICROSECOND, '$gkilled', started) DIV 1000
        FROM jobs WHERE id = $P3")
    check "media 3: ... after the lease (claimed again ${after} ms after the kill; lease 3 s)" \
        [ "${after:-0}" -ge 2000 ]
    check_eq "media 3: the children made once" "$(segs "$P3")" \
        "$(sql "SELECT GROUP_CONCAT(CONCAT(seg, ':done:1') ORDER BY seg
            SEPARATOR ' ') FROM job_segments WHERE parent_id = $P3")"
    check "media 3: tmp/segments/$P3 removed" wait_for 5 no_segdir "$P3"
    check "media 3: no temp file in the media directory" no_temp "$(media_dir 3)"
    check_output 3 "$CMS_ROOT/c.mp4" "$T/whole-c"
}

if command -v gdb >/dev/null; then
    joiner_dies
    sleep 1
    one_callback 3 12
    check "transcoderd-c alive" alive "$TCC"
else
    echo "ok - the joiner's death # SKIP no gdb"
fi

# 4. A segment whose worker dies on its last attempt (max_attempts set
# to 1 while it is queued, its transcoderd killed while it runs): the
# reaper fails the family.
for pid in "$TCB" "${TCC:-}"; do
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait_exit "$pid" 20
done
start_tc transcoderd-d
TCD=$LAST_PID
cp "$CMS_ROOT/c.mp4" "$CMS_ROOT/d.mp4"
submit 4 d.mp4 12
last=0
for _ in $(seq 1 1200); do
    last=$(sql "UPDATE jobs j JOIN job_segments s ON s.job_id = j.id
        SET j.max_attempts = 1 WHERE s.seg = 1 AND j.state = 'queued'
        AND s.parent_id = (SELECT p.id FROM jobs p JOIN media m
        ON m.id = p.media_id WHERE m.remote_id = 4 AND p.parent_id IS NULL
        AND p.task = 'transcode'); SELECT ROW_COUNT()")
    [ "$last" = 1 ] && break
    sleep 0.05
done
check_eq "media 4: segment 1 given a single attempt while queued" "$last" 1
P4=$(parent 4)
J4=$(kid_job "$P4" 1)
d_seg() { [ "$(jstate "$J4")" = running ]; }
check "media 4: segment 1 running on transcoderd-d" wait_for 60 d_seg
kill -KILL "$TCD"
wait_exit "$TCD" 10
check_eq "transcoderd-d killed" "$EXIT_STATUS" 137
check_eq "media 4: killed holding segment 1" "$(jstate "$J4")" running
start_tc transcoderd-e
TCE=$LAST_PID
failed_p4() { [ "$(jstate "$P4")" = failed ]; }
check "media 4: the parent failed (reaper, after the lease)" wait_for 30 failed_p4
err=$(sql "SELECT error FROM jobs WHERE id = $P4")
echo "# parent error: $err"
echo "# media 4 children: $(segs "$P4")"
check "media 4: its error names segment 1" grep -q "segment 1" <<<"$err"
check_eq "media 4: segment 1 failed (its one attempt)" \
    "$(sql "SELECT CONCAT(state, ' ', attempts) FROM jobs WHERE id = $J4")" "failed 1"
family_failed 4 "$P4" 1
check_eq "media 4: no format callback yet" "$(cmslog q:action=transcoder_send_format q:id=4)" 0
check_eq "two alerts in all (media 2's and 4's)" "$(cmslog q:action=transcoder_send_alert)" 2

# ... and retried (omktctl jobs retry of the parent): every segment is
# made again (the family's files went when it failed), then joined.
retried=$(sql "SELECT NOW(3)")
check "media 4: omktctl jobs retry $P4" ctl jobs retry "$P4"
ended_p4() { case $(jstate "$P4") in done | failed) return 0 ;; esac; return 1; }
check_eq "media 4: the parent waits for its children again" "$(jstate "$P4")" waiting
check "media 4: the parent ended after the retry" wait_for 60 ended_p4
echo "# media 4 after the retry: parent $(jstate "$P4"), children $(segs "$P4")"
check "media 4: format 12 callback acknowledged after the retry" \
    wait_for 10 has_acked transcoder_send_format 4 12
check_eq "media 4: the parent done" "$(jstate "$P4")" "done"
check_eq "media 4: every segment made again after the retry, once" \
    "$(sql "SELECT GROUP_CONCAT(CONCAT(s.seg, ':', j.state, ':',
        j.attempts, ':', j.finished > '$retried') ORDER BY s.seg
        SEPARATOR ' ') FROM job_segments s JOIN jobs j ON j.id = s.job_id
        WHERE s.parent_id = $P4")" "-1:done:1:1 0:done:1:1 1:done:1:1 2:done:1:1"
check "media 4: tmp/segments/$P4 removed" wait_for 5 no_segdir "$P4"
check_output 4 "$CMS_ROOT/d.mp4" "$T/whole-c"
sleep 1
one_callback 4 12
check_eq "media 4: no alert after the retry" "$(cmslog q:action=transcoder_send_alert q:id=4)" 1
check_eq "media 4: transcodes row processed" "$(tstate 4 12)" processed
echo "# media 4 transcodes 12: $(sql "SELECT CONCAT(t.state, ' ',
    IFNULL(t.error, '')) FROM transcodes t JOIN media m ON m.id = t.media_id
    WHERE m.remote_id = 4 AND t.setting_id = 12")"
check "transcoderd-e alive" alive "$TCE"

one_callback 1 12
