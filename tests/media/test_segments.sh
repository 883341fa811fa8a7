#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_segments - segment-parallel transcoding in the engine
# (media/segment_*.h, run in one process by tests/tools/segment_cli): a
# 20 s moving test pattern (H.264 with B-frames, a keyframe every 2 s)
# cut into 4 s segments, each encoded alone (video only), the audio
# encoded once, joined by stream copy.  Against the whole-file encode of
# the same setting (media_cli transcode), checked by segcheck.py: the
# same frame count (and the ffmpeg CLI's), the same frame times,
# timestamps strictly increasing, every frame closest to its own source
# frame (none duplicated, dropped or shifted at a seam) and over a 30 dB
# floor, audio and video aligned and as long within a frame.  Setting
# 12 (H.264 main with B-frames, so the join makes decoding times), also
# for an open-GOP source and a variable-frame-rate one (6 s each).  The
# checks can fail: a frame replaced by its neighbour or dropped is
# caught.  A boundary that is no frame's time is refused; no
# intermediate or temporary file is left.
# shellcheck source=tests/media/lib.sh
. "$(dirname "$0")/lib.sh"

SEG=$OMKT_BIN/tests/segment_cli
[ -x "$SEG" ] || { echo "1..0 # SKIP no $SEG (make tests)"; exit 77; }
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
segcheck() { python3 "$MEDIA_TOP/tests/media/segcheck.py" "$@"; }
W=$OMKT_TMP/segments
FLOOR=30
rm -rf "$W"
mkdir -p "$W/work"

A20="sine=d=20:sample_rate=44100"
A6="sine=d=6:sample_rate=44100"
ff -f lavfi -i "testsrc2=s=320x240:r=25:d=20" -f lavfi -i "$A20" \
    -c:v libx264 -preset veryfast -g 50 -bf 3 -pix_fmt yuv420p -c:a aac \
    -shortest "$W/cfr.mp4"
ff -f lavfi -i "testsrc2=s=320x240:r=25:d=6" -f lavfi -i "$A6" \
    -c:v libx264 -preset veryfast -g 25 -bf 3 -x264-params open_gop=1 \
    -pix_fmt yuv420p -c:a aac -shortest "$W/opengop.mkv"
ff -f lavfi -i "testsrc2=s=320x240:r=25:d=6" -f lavfi -i "$A6" \
    -vf "select='not(eq(mod(n\,7)\,3))*not(eq(mod(n\,5)\,1))'" \
    -fps_mode vfr -c:v libx264 -preset veryfast -g 20 -bf 3 \
    -pix_fmt yuv420p -c:a aac -shortest "$W/vfr.mp4"

# seg_run SRC ID [BOUNDS] - segment_cli split into $W/seg (output in
# $W/seg.out/.err); true when it exits 0 without a sanitizer report.
seg_run() {
    local src=$1 id=$2 rc
    shift 2
    rm -rf "$W/seg"
    mkdir -p "$W/seg"
    "$SEG" split "$src" "$W/seg" "$id" 4000 "$W/work" "$@" \
        > "$W/seg.out" 2> "$W/seg.err"
    rc=$?
    if grep -qE 'Sanitizer|runtime error' "$W/seg.err"; then
        sed 's/^/# /' "$W/seg.err" | head -30
        return 1
    fi
    [ $rc -eq 0 ] || echo "# exit $rc: $(head -c 300 "$W/seg.err")"
    return $rc
}

# whole SRC ID - the whole-file encode into $W/whole.
whole() {
    rm -rf "$W/whole"
    cli_rc 0 transcode "$1" "$W/whole" "$2"
}

# clean - no intermediate file in work, no temporary file anywhere.
clean() {
    [ -z "$(ls -A "$W/work")" ] && no_leftovers "$W/seg" &&
        no_leftovers "$W/work"
}

# split_case SRC ID EXT SEGMENTS - split, then compare with the whole.
split_case() {
    local src=$1 id=$2 ext=$3 n=$4 name got
    name="$(basename "$src") -> $id"
    if ! seg_run "$src" "$id" || ! whole "$src" "$id"; then
        not_ok "$name: split and whole-file encodes"
        return
    fi
    got=$(grep -c '^segment ' "$W/seg.out")
    check "$name: $got segments, want $n" [ "$got" -eq "$n" ]
    if segcheck "$W/seg/$id.$ext" "$src" "$W/whole/$id.$ext" $FLOOR \
        > "$W/check.out"; then
        ok "$name: as the whole-file encode"
    else
        not_ok "$name: as the whole-file encode"
    fi
    sed 's/^/# /' "$W/check.out"
    check "$name: no intermediate or temporary file left" clean
}

split_case "$W/cfr.mp4" 12 mp4 5
cp "$W/seg/12.mp4" "$W/cfr-12.mp4"
cp "$W/whole/12.mp4" "$W/cfr-whole-12.mp4"
split_case "$W/opengop.mkv" 12 mp4 2
split_case "$W/vfr.mp4" 12 mp4 2

# The ffmpeg CLI's frame count for the same source and codec.
ff -i "$W/cfr.mp4" -an -c:v libx264 -preset ultrafast -s 320x240 \
    "$W/cli.mp4"
cli_n=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries \
    stream=nb_read_frames -of csv=p=0 "$W/cli.mp4")
seg_n=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries \
    stream=nb_read_frames -of csv=p=0 "$W/cfr-12.mp4")
check "joined frames $seg_n = the ffmpeg CLI's $cli_n" [ "$seg_n" = "$cli_n" ]

# The checks can fail: frame 101 showing frame 100, or frame 101 gone.
ff -i "$W/cfr-12.mp4" -c:a copy -c:v libx264 -preset ultrafast \
    -vf "select='not(eq(n\,101))',loop=loop=1:size=1:start=100,setpts=N/25/TB" \
    "$W/frozen.mp4"
ff -i "$W/cfr-12.mp4" -c:a copy -c:v libx264 -preset ultrafast \
    -vf "select='not(eq(n\,101))',setpts=N/25/TB" "$W/dropped.mp4"
for bad in frozen dropped; do
    check "segcheck sees a $bad frame" \
        bash -c '! python3 "$1" "$2" "$3" "$4" 30 > /dev/null' _ \
        "$MEDIA_TOP/tests/media/segcheck.py" "$W/$bad.mp4" "$W/cfr.mp4" \
        "$W/cfr-whole-12.mp4"
done

# A boundary between two frames is refused, and nothing is left.
check "a boundary at no frame's time is refused" \
    bash -c '! "$0" split "$1" "$2" 11 4000 "$3" 4.02,8 2> "$4"' \
    "$SEG" "$W/cfr.mp4" "$W/seg" "$W/work" "$W/bad.err"
check "... saying where the first frame is" \
    grep -q 'first frame at 4.040000 s, not at 4.020000 s' "$W/bad.err"
check "... and no file is left" clean

done_testing
