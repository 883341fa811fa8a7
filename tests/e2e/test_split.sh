#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_split - segment-parallel transcoding through the queue (issue 14),
# seen through the OMKT protocol, with two transcoderds of one worker
# each, segment_min = 10s and segment_length = 4s:
# - a 20 s moving pattern with a tone (a keyframe every 2 s), asked in
#   one app_request_format for 12 (split) and 101 (thumbnails, whole):
#   the parent, 5 segment children cut on keyframes and 1 audio child
#   (job_segments), both daemons took segments, the parent is joined;
#   the output has the whole-file encode's frames (ffprobe
#   -count_frames) and passes segcheck.py against it (times strictly
#   increasing, each frame closest to its own source frame and over
#   SEG_FLOOR dB, audio and video aligned and as long within a frame);
#   the thumbnails are made; one format callback per setting; the
#   parent's progress seen strictly between 0 and 100 while its children
#   run, and never going down; the segment directory removed;
# - a variable-frame-rate source and an open-GOP one (12 s) the same way;
# - a 28 s source cancelled (omktctl jobs cancel of the parent) while its
#   segments run, and a 20 s one (the REST API's cancel of the media):
#   every child not done is cancelled, no transcode job is left running,
#   tmp/segments/<parent> goes within seconds, no output, no format
#   callback; the first then retried (omktctl jobs retry): every segment
#   made again, the output right;
# - omktctl jobs show of a parent: its children (text and --json).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/seglib.sh"
omkt_setup e2esplit
seg_up
seg_clip cfr "$CMS_ROOT/cfr.mp4" 20
seg_clip vfr "$CMS_ROOT/vfr.mp4" 12
seg_clip opengop "$CMS_ROOT/opengop.mkv" 12
seg_clip cfr "$CMS_ROOT/long.mp4" 28
for k in cfr vfr opengop long; do
    src=$CMS_ROOT/$k.mp4
    [ "$k" = opengop ] && src=$CMS_ROOT/$k.mkv
    check "whole-file encode of $k (setting 12, $(basename "$MCLI"))" \
        whole "$src" "$T/whole-$k"
done

start_tc transcoderd1
TC1=$LAST_PID W1=$LAST_WID
start_tc transcoderd2
TC2=$LAST_PID W2=$LAST_WID

# sample - the parent's state and progress and the 12 row's progress of
# media 1, every 100 ms, into $T/progress.
sample() {
    while :; do
        sql "SELECT CONCAT(j.state, ' ', j.progress, ' ', t.progress)
            FROM jobs j JOIN media m ON m.id = j.media_id
            JOIN transcodes t ON t.media_id = m.id AND t.setting_id = 12
            WHERE m.remote_id = 1 AND j.task = 'transcode'
            AND j.parent_id IS NULL" >> "$T/progress" 2>/dev/null
        sleep 0.1
    done
}
: > "$T/progress"
sample &
SAMPLER=$!
PIDS+=("$SAMPLER")

# 1. The 20 s source, 12 and 101 in one request.
t0=$(date +%s)
submit 1 cfr.mp4 12 101
check "media 1: format 12 callback acknowledged" \
    wait_for 120 has_acked transcoder_send_format 1 12
echo "# media 1: format 12 in $(($(date +%s) - t0)) s"
kill "$SAMPLER" 2>/dev/null
P=$(parent 1)
check_eq "media 1: the parent job done, claimed twice (split, join)" \
    "$(sql "SELECT CONCAT(state, ' ', attempts) FROM jobs WHERE id = $P")" "done 2"
check_eq "media 1: 6 child jobs" "$(kids "$P")" 6
check_eq "media 1: 5 segments and the audio, each done on its first attempt" \
    "$(segs "$P")" "-1:done:1 0:done:1 1:done:1 2:done:1 3:done:1 4:done:1"
check_eq "media 1: segments cut every 4 s, on keyframes (start_us)" \
    "$(sql "SELECT GROUP_CONCAT(start_us ORDER BY seg) FROM job_segments
        WHERE parent_id = $P AND seg >= 0")" "0,4000000,8000000,12000000,16000000"
check_eq "media 1: the last segment runs to the end (end_us NULL)" \
    "$(sql "SELECT GROUP_CONCAT(seg) FROM job_segments WHERE parent_id = $P
        AND seg >= 0 AND end_us IS NULL")" 4
check_eq "media 1: segment frames sum to the whole-file encode's" \
    "$(sql "SELECT SUM(frames) FROM job_segments WHERE parent_id = $P
        AND seg >= 0")" "$(nframes "$T/whole-cfr/12.mp4")"
check_eq "media 1: children are transcode jobs of the same media" \
    "$(sql "SELECT COUNT(*) FROM jobs c JOIN jobs p ON p.id = c.parent_id
        WHERE p.id = $P AND c.task = 'transcode' AND c.media_id = p.media_id
        AND c.account_id = p.account_id")" 6
by=$(sql "SELECT GROUP_CONCAT(DISTINCT s.seg ORDER BY s.seg) FROM job_segments s
    JOIN jobs j ON j.id = s.job_id WHERE s.parent_id = $P AND j.worker_id = $W1")
by2=$(sql "SELECT GROUP_CONCAT(DISTINCT s.seg ORDER BY s.seg) FROM job_segments s
    JOIN jobs j ON j.id = s.job_id WHERE s.parent_id = $P AND j.worker_id = $W2")
echo "# transcoderd1 (worker $W1) made segments ${by:-none}; transcoderd2 (worker $W2) ${by2:-none}"
check "media 1: both transcoderds made segments" test -n "$by" -a -n "$by2"
check_eq "media 1: transcodes 12 and 101 processed" \
    "$(tstate 1 12) $(tstate 1 101)" "processed processed"
check_eq "media 1: format 101 callback acknowledged" "$(acked transcoder_send_format 1 101)" 1
card=$(sql "SELECT t.cardinality FROM transcodes t JOIN media m ON m.id = t.media_id
    WHERE m.remote_id = 1 AND t.setting_id = 101")
dir=$(media_dir 1)
check_eq "media 1: the thumbnails' files (cardinality $card) present" \
    "$(find "$dir" -maxdepth 1 -name '[hl][0-9][0-9].jpg' | wc -l)" "${card:-none}"
check "media 1: tmp/segments/$P removed" wait_for 5 no_segdir "$P"
check "media 1: no temp file in the media directory" no_temp "$dir"
# omktctl jobs show: the family, as text and as JSON.
show=$(ctl jobs show "$P")
sed "s/^/# /" <<<"$show"
check "media 1: jobs show: the split line" grep -qxE 'split +5 segments \+ audio: 5 done, 0 running, 0 queued, 0 failed, 0 cancelled; audio done' <<<"$show"
check_eq "media 1: jobs show: one line per child, audio first, each done once" \
    "$(awk '$1 == "audio" || $1 ~ /^[0-9]+$/ && NF == 7 {print $1 ":" $3 ":" $4}' <<<"$show" | paste -sd' ')" \
    "audio:done:1 0:done:1 1:done:1 2:done:1 3:done:1 4:done:1"
jshow() { ctl jobs show "$1" --json | python3 -c "import json, sys; d = json.load(sys.stdin); print($2)"; }
check_eq "media 1: jobs show --json: segments, children and their frames" \
    "$(jshow "$P" 'd["split"]["segments"], len(d["split"]["children"]), sum(k["frames"] for k in d["split"]["children"] if k["segment"] >= 0)')" \
    "5 6 $(nframes "$T/whole-cfr/12.mp4")"
c1=$(sql "SELECT job_id FROM job_segments WHERE parent_id = $P AND seg = 1")
check_eq "media 1: jobs show --json of a child: its parent, no split" \
    "$(jshow "$c1" 'd["parent"], "split" in d')" "$P False"
check_output 1 "$CMS_ROOT/cfr.mp4" "$T/whole-cfr"
sed -n '1~10s/^/# progress (state job 12): /p' "$T/progress" | head -20
# progress_ok FIELD [STATE] - the samples' field (2: the parent job's
# progress, 3: the 12 row's) never went down, over the samples in STATE
# (default: all, from the first claim to done); prints the first drop.
progress_ok() {
    python3 - "$T/progress" "$1" "${2:-}" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 3]
rows = [r for r in rows if not sys.argv[3] or r[0] == sys.argv[3]]
k = int(sys.argv[2]) - 1
prev = None
for i, r in enumerate(rows):
    v = int(r[k])
    if prev is not None and v < prev[1]:
        print("# from '%s' to '%s' (state, job, row 12)" % (prev[0], " ".join(r)))
        sys.exit(1)
    prev = (" ".join(r), v)
sys.exit(0 if rows else 1)
EOF
}
check "media 1: the parent's progress seen strictly between 0 and 100 while it waited" \
    grep -qE '^waiting ([1-9]|[1-9][0-9]) ' "$T/progress"
check "media 1: the parent job's progress never went down while it waited" \
    progress_ok 2 waiting
check "media 1: the parent job's progress never went down (split, wait, join)" \
    progress_ok 2
check "media 1: the 12 row's progress never went down" progress_ok 3

# 2. A variable-frame-rate source and an open-GOP one, at once.
submit 2 vfr.mp4 12
submit 3 opengop.mkv 12
for m in 2 3; do
    check "media $m: format 12 callback acknowledged" \
        wait_for 120 has_acked transcoder_send_format "$m" 12
done
for m in 2:vfr 3:opengop; do
    id=${m%%:*} k=${m#*:} src=$CMS_ROOT/$k.mp4
    [ "$k" = opengop ] && src=$CMS_ROOT/$k.mkv
    p=$(parent "$id")
    n=$(sql "SELECT COUNT(*) FROM job_segments WHERE parent_id = $p AND seg >= 0")
    echo "# media $id ($k): segments $(segs "$p")"
    check_eq "media $id ($k): split in $n segments (>= 2) and the audio, each done on its first attempt" \
        "$(segs "$p") $(kids "$p")" \
        "$(sql "SELECT GROUP_CONCAT(CONCAT(seg, ':done:1') ORDER BY seg
            SEPARATOR ' ') FROM job_segments WHERE parent_id = $p
            AND $n >= 2") $((n + 1))"
    check_eq "media $id ($k): parent done" "$(jstate "$p")" "done"
    check "media $id ($k): tmp/segments/$p removed" wait_for 5 no_segdir "$p"
    check_output "$id" "$src" "$T/whole-$k"
done

# 3. Cancelled while its segments run: media 4 by omktctl jobs cancel of
# the parent, media 5 by the REST API's cancel of the media.
# midway PARENT - a child done, another running.
midway() {
    [ "$(sql "SELECT SUM(state = 'done') > 0 AND SUM(state = 'running') > 0
        FROM jobs WHERE parent_id = $1")" = 1 ]
}
# cancelled RID PARENT - the family ended by a cancel.
cancelled() {
    local rid=$1 p=$2
    check "media $rid: no transcode job left queued, running or waiting (5 s)" \
        wait_for 5 no_running
    echo "# media $rid after the cancel: $(segs "$p")"
    check_eq "media $rid: the parent cancelled" "$(jstate "$p")" cancelled
    check_eq "media $rid: every child not done is cancelled" \
        "$(sql "SELECT COUNT(*) FROM jobs WHERE parent_id = $p
            AND state NOT IN ('done', 'cancelled')")" 0
    check "media $rid: some children cancelled" \
        [ "$(sql "SELECT COUNT(*) FROM jobs WHERE parent_id = $p
            AND state = 'cancelled'")" -gt 0 ]
    check "media $rid: tmp/segments/$p removed (5 s)" wait_for 5 no_segdir "$p"
}
submit 4 long.mp4 12
wait_for 60 has_parent 4
P4=$(parent 4)
check "media 4: segments under way (one done, one running)" wait_for 60 midway "$P4"
echo "# media 4 before the cancel: $(segs "$P4")"
refused() { ! ctl jobs retry "$1" >/dev/null 2>&1; }
d4=$(sql "SELECT id FROM jobs WHERE parent_id = $P4 AND state = 'done' LIMIT 1")
check "media 4: omktctl jobs retry of the parent refused while the family runs" \
    refused "$P4"
check "media 4: ... and of a done child ($d4)" refused "$d4"
check_eq "media 4: ... the parent still waiting, the child still done" \
    "$(jstate "$P4") $(sql "SELECT CONCAT(state, ' ', attempts) FROM jobs
        WHERE id = $d4")" "waiting done 1"
check "media 4: jobs show while it runs: 7 segments + audio, one line each" \
    test "$(ctl jobs show "$P4" | grep -cE '^  (audio|[0-9]+) ')" = 8
check "media 4: omktctl jobs cancel $P4" ctl jobs cancel "$P4"
cancelled 4 "$P4"
cp "$CMS_ROOT/cfr.mp4" "$CMS_ROOT/cfr5.mp4"
submit 5 cfr5.mp4 12
wait_for 60 has_parent 5
P5=$(parent 5)
check "media 5: segments under way (one done, one running)" wait_for 60 midway "$P5"
echo "# media 5 before the cancel: $(segs "$P5")"
m5=$(sql "SELECT media_id FROM jobs WHERE id = $P5")
check_eq "media 5: REST POST /v1/media/$m5/cancel: 200" \
    "$(curl -s -o "$T/body" -w '%{http_code}' -X POST -H "X-API-Key: $KEY" \
        "$API/v1/media/$m5/cancel")" 200
cancelled 5 "$P5"
sleep 2
for m in 4 5; do
    check_eq "media $m: no output file" \
        "$(find "$(media_dir "$m")" -mindepth 1 ! -name original | wc -l)" 0
    check_eq "media $m: no format callback" \
        "$(cmslog q:action=transcoder_send_format q:id="$m")" 0
    check "media $m: transcodes row not processed ($(tstate "$m" 12))" \
        [ "$(tstate "$m" 12)" != processed ]
done

# Media 4 retried (omktctl jobs retry): every segment made again (the
# family's files went at the cancel), the family joined.
retried=$(sql "SELECT NOW(3)")
check "media 4: omktctl jobs retry $P4" ctl jobs retry "$P4"
ended_p4() { case $(jstate "$P4") in done | failed) return 0 ;; esac; return 1; }
check "media 4: the parent ended after the retry" wait_for 60 ended_p4
echo "# media 4 after the retry: parent $(jstate "$P4"), children $(segs "$P4")"
n4=$(kids "$P4")
check_eq "media 4: all $n4 children done, each made again once after the retry" \
    "$(sql "SELECT CONCAT(SUM(state = 'done'), ' ', SUM(finished > '$retried'),
        ' ', SUM(attempts = 1)) FROM jobs WHERE parent_id = $P4")" "$n4 $n4 $n4"
check "media 4: format 12 callback acknowledged after the retry" \
    wait_for 10 has_acked transcoder_send_format 4 12
echo "# media 4 transcodes 12: $(sql "SELECT CONCAT(t.state, ' ',
    IFNULL(t.error, '')) FROM transcodes t JOIN media m ON m.id = t.media_id
    WHERE m.remote_id = 4 AND t.setting_id = 12")"
check "media 4: tmp/segments/$P4 removed" wait_for 5 no_segdir "$P4"
check_output 4 "$CMS_ROOT/long.mp4" "$T/whole-long"

for m in 1:12 1:101 2:12 3:12 4:12; do one_callback "${m%%:*}" "${m#*:}"; done
check_eq "no alert" "$(cmslog q:action=transcoder_send_alert)" 0
check "both transcoderds alive" alive "$TC1" "$TC2"
check "no transcoderd error in the logs" \
    bash -c '! grep -h " err: " "$@"' _ "$T"/logs/transcoderd*.log
