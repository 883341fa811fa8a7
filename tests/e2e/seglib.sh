# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# seglib.sh - helpers of the segment-parallel end-to-end tests
# (test_split, test_split_faults; issue 14): the cluster with
# segment_min = 10s and segment_length = 4s, transcoderds started one by
# one, test sources with a keyframe every 2 s, the whole-file encode of
# the same setting to compare with, and the family of a media's
# transcode job (the parent, its segment children, job_segments).
# Source after tests/lib/common.sh, omkt_setup and tests/e2e/lib.sh.

SEG_CONF="[transcoderd]
workers = 1
segment_min = 10s
segment_length = 4s"
# Lowest PSNR (dB) of any output frame against its own source frame
# (scaled): the whole-file encode of these patterns at 360p is over 35.
SEG_FLOOR=30
# The whole-file encode: the release media_cli when there is one (same
# engine, faster), else the tested build's.
MCLI=$OMKT_BIN/tests/media_cli
if [ -n "${OMKT_RELEASE_BIN:-}" ]; then
    case $OMKT_RELEASE_BIN in /*) ;; *) OMKT_RELEASE_BIN=$TOP/$OMKT_RELEASE_BIN ;; esac
    [ -x "$OMKT_RELEASE_BIN/tests/media_cli" ] && MCLI=$OMKT_RELEASE_BIN/tests/media_cli
fi

# shellcheck disable=SC2034 # DL_PID, MD_PID, NT_PID, LAST_WID: for the tests
# seg_up - fake CMS, schema, account, apid, downloaderd, metadatad and
# notifierd; no transcoderd (start_tc).
seg_up() {
    [ -x "$MCLI" ] || { echo "1..0 # SKIP no $MCLI (make tests)"; exit 77; }
    cms_start
    e2e_conf "$SEG_CONF"
    ctl db init >/dev/null || { fail "db init"; exit 1; }
    "$OMKT_BIN/transcoderd" -t -c "$CONF" >"$T/conftest" 2>&1 ||
        { fail "transcoderd -t: $(cat "$T/conftest")"; exit 1; }
    e2e_account
    start_apid
    start downloaderd "$OMKT_BIN/downloaderd" -c "$CONF"; DL_PID=$LAST_PID
    start metadatad "$OMKT_BIN/metadatad" -c "$CONF"; MD_PID=$LAST_PID
    start notifierd "$OMKT_BIN/notifierd" -c "$CONF"; NT_PID=$LAST_PID
}

# start_tc NAME [BIN] - a transcoderd (one worker); its pid in LAST_PID,
# its processes.id (the worker_id of the jobs it claims) in LAST_WID.
start_tc() {
    start "$1" "${2:-$OMKT_BIN/transcoderd}" -c "$CONF"
    wait_wid "$LAST_PID"
}

# shellcheck disable=SC2034 # LAST_WID: for the tests
# wait_wid PID - LAST_WID: the processes row of daemon PID, once it has
# registered.
wait_wid() {
    LAST_WID=
    wait_for 30 has_wid "$1" || { fail "no processes row for pid $1"; exit 1; }
    LAST_WID=$(wid "$1")
}
wid() { sql "SELECT id FROM processes WHERE pid = $1 ORDER BY id DESC LIMIT 1"; }
has_wid() { [ -n "$(wid "$1")" ]; }

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# seg_clip KIND OUT SECONDS - a 320x240 25 fps test pattern (testsrc2,
# moving) with a 440 Hz tone, H.264 with B-frames and AAC:
#   cfr      MP4, closed GOPs of 2 s (a keyframe every 2 s);
#   opengop  Matroska, open GOPs of 1 s (x264 open_gop);
#   vfr      MP4, variable frame rate (frames dropped in two patterns),
#            a keyframe every 20 frames.
seg_clip() {
    local kind=$1 out=$2 d=$3
    local v="testsrc2=s=320x240:r=25:d=$d" a="sine=d=$d:sample_rate=44100"
    case $kind in
    cfr)
        ff -f lavfi -i "$v" -f lavfi -i "$a" -c:v libx264 -preset veryfast \
            -g 50 -bf 3 -pix_fmt yuv420p -c:a aac -shortest "$out" ;;
    opengop)
        ff -f lavfi -i "$v" -f lavfi -i "$a" -c:v libx264 -preset veryfast \
            -g 25 -bf 3 -x264-params open_gop=1 -pix_fmt yuv420p -c:a aac \
            -shortest "$out" ;;
    vfr)
        ff -f lavfi -i "$v" -f lavfi -i "$a" \
            -vf "select='not(eq(mod(n\,7)\,3))*not(eq(mod(n\,5)\,1))'" \
            -fps_mode vfr -c:v libx264 -preset veryfast -g 20 -bf 3 \
            -pix_fmt yuv420p -c:a aac -shortest "$out" ;;
    esac
}

# whole SRC DIR - the whole-file encode of setting 12 into DIR/12.mp4.
whole() {
    rm -rf "$2"
    "$MCLI" transcode "$1" "$2" 12 >"$2.out" 2>&1 && [ -s "$2/12.mp4" ]
}

# nframes FILE - video frames counted by decoding (ffprobe -count_frames).
nframes() {
    ffprobe -v error -count_frames -select_streams v:0 -show_entries \
        stream=nb_read_frames -of csv=p=0 "$1"
}

# segcheck WHAT OUT SRC WHOLE - tests/media/segcheck.py (same frames and
# times as the whole-file encode, each frame its own source frame, over
# SEG_FLOOR dB, audio aligned): one TAP line, its report as comments.
segcheck() {
    local what=$1
    shift
    if python3 "$TOP/tests/media/segcheck.py" "$@" "$SEG_FLOOR" \
        >"$T/segcheck.out" 2>&1; then
        pass "$what: as the whole-file encode (segcheck.py, floor $SEG_FLOOR dB)"
    else
        fail "$what: as the whole-file encode (segcheck.py, floor $SEG_FLOOR dB)"
    fi
    sed 's/^/# /' "$T/segcheck.out"
}

# parent REMOTE_ID - the media's transcode job that is no child.
parent() {
    sql "SELECT j.id FROM jobs j JOIN media m ON m.id = j.media_id
        WHERE m.remote_id = $1 AND j.task = 'transcode'
        AND j.parent_id IS NULL ORDER BY j.id DESC LIMIT 1"
}
has_parent() { [ -n "$(parent "$1")" ]; }
# kids PARENT - its child jobs.
kids() { sql "SELECT COUNT(*) FROM jobs WHERE parent_id = $1"; }
has_kids() { [ "$(kids "$1")" -gt 0 ]; }
# kid_job PARENT SEG - the child job making segment SEG (-1: the audio).
kid_job() { sql "SELECT job_id FROM job_segments WHERE parent_id = $1 AND seg = $2"; }
jstate() { sql "SELECT state FROM jobs WHERE id = $1"; }
is_jstate() { [ "$(jstate "$1")" = "$2" ]; }
# segs PARENT - "seg:state:attempts" of each child, by seg.
segs() {
    sql "SELECT GROUP_CONCAT(CONCAT(s.seg, ':', j.state, ':', j.attempts)
        ORDER BY s.seg SEPARATOR ' ') FROM job_segments s
        JOIN jobs j ON j.id = s.job_id WHERE s.parent_id = $1"
}
# segdir PARENT - the family's segment directory.
segdir() { echo "$T/docroot/tmp/segments/$1"; }
no_segdir() { [ ! -e "$(segdir "$1")" ]; }
# running_left - transcode jobs still queued, running or waiting.
running_left() {
    sql "SELECT COUNT(*) FROM jobs WHERE task = 'transcode'
        AND state IN ('queued', 'delayed', 'running', 'waiting')"
}
no_running() { [ "$(running_left)" = 0 ]; }
# tstate REMOTE_ID SETTING - the transcodes row's state.
tstate() {
    sql "SELECT t.state FROM transcodes t JOIN media m ON m.id = t.media_id
        WHERE m.remote_id = $1 AND t.setting_id = $2"
}

# submit REMOTE_ID FILE SETTING... - app_new_media of $CMS_ROOT/FILE, its
# metadata callback, then one app_request_format for every SETTING.
submit() {
    local rid=$1 file=$2 list r s codes=
    shift 2
    list=[$(IFS=,; echo "$*")]
    check_eq "media $rid: app_new_media accepted" \
        "$(new_media "$rid" "http://127.0.0.1:$CMS_PORT/f/$file")" 200
    check "media $rid: metadata callback acknowledged" \
        wait_for 60 has_acked transcoder_send_metadata "$rid"
    r=$(api app_request_format --data-urlencode "id=$rid" \
        --data-urlencode "settings_id_list=$list")
    for s in "$@"; do codes="$codes $(jfield "$s.code" <<<"$r")"; done
    check_eq "media $rid: formats $list asked in one request" "$codes" \
        "$(printf ' 200%.0s' "$@")"
}

# one_callback REMOTE_ID SETTING - exactly one format callback sent.
one_callback() {
    check_eq "media $1: exactly one format $2 callback sent" \
        "$(cmslog q:action=transcoder_send_format q:id="$1" q:settings_id="$2")" 1
}

# check_output REMOTE_ID SRC WHOLE_DIR - the published 12.mp4 against
# the whole-file encode: frame count, then segcheck.py.
check_output() {
    local out=$T/out-$1.mp4 got want code
    code=$(get_media "$1" 12 "$out")
    check_eq "media $1: app_get_media 12: 200" "$code" 200
    [ "$code" = 200 ] || return 1
    got=$(nframes "$out")
    want=$(nframes "$3/12.mp4")
    check_eq "media $1: frames (ffprobe -count_frames) as the whole-file encode's" \
        "${got:-none}" "$want"
    segcheck "media $1" "$out" "$2" "$3/12.mp4"
}
