#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_frames - every frame kept: the frame count of settings 12 (H.264
# MP4) and 22 (VP8 WebM) equals the ffmpeg CLI's with the same codecs
# and size, for sources made here: H.264 with B-frames and frame threads,
# HEVC, VP9, interlaced MPEG-2 TS, an animated GIF, a one-frame video, a
# still PNG and a 12 MP JPEG (a still becomes a one-frame video, as
# ffmpeg makes it).  Frame counts are compared exactly (decoded with
# ffprobe -count_frames), and so are the outputs' last timestamps; a
# 120 fps source comes out at 60 fps; a VFR source keeps its timing.
# shellcheck source=tests/media/lib.sh
. "$(dirname "$0")/lib.sh"

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
W=$OMKT_TMP/frames
rm -rf "$W"
mkdir -p "$W"
V4="testsrc2=s=320x240:r=25:d=4"
A4="sine=d=4:sample_rate=44100"

# Sources.
ff -f lavfi -i "$V4" -f lavfi -i "$A4" -c:v libx264 -bf 3 -threads 4 \
    -thread_type frame -pix_fmt yuv420p -c:a aac -shortest "$W/h264.mp4"
ff -f lavfi -i "$V4" -c:v libx265 -x265-params log-level=error \
    -pix_fmt yuv420p "$W/hevc.mp4"
ff -f lavfi -i "$V4" -c:v libvpx-vp9 -deadline realtime "$W/vp9.webm"
ff -f lavfi -i "testsrc2=s=720x576:r=25:d=4" -vf tinterlace=interleave_top \
    -c:v mpeg2video -flags +ilme+ildct -top 1 -f mpegts "$W/mpeg2i.ts"
ff -f lavfi -i "testsrc2=s=160x120:r=10:d=3" "$W/anim.gif"
ff -f lavfi -i "testsrc2=s=320x240:r=25" -frames:v 1 -c:v libx264 "$W/one.mp4"
ff -f lavfi -i "testsrc2=s=320x240:r=25" -frames:v 1 "$W/still.png"
ff -f lavfi -i "testsrc2=s=4000x3000:r=1" -frames:v 1 -q:v 3 "$W/photo.jpg"

# frames FILE - "decoded video frames,last pts+duration (s)" of FILE.
frames() {
    python3 - "$1" <<'PY'
import json, subprocess, sys
out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0",
                      "-show_entries", "frame=best_effort_timestamp_time,"
                      "pkt_duration_time", "-of", "json", sys.argv[1]],
                     check=True, capture_output=True).stdout
fr = json.loads(out).get("frames", [])
end = max((float(f.get("best_effort_timestamp_time", 0)) +
           float(f.get("pkt_duration_time", 0) or 0) for f in fr), default=0)
print("%d frames, ends at %.3f s" % (len(fr), end))
PY
}

# same SRC ID EXT FFMPEG_ARGS... - our setting ID of SRC has the frames
# that "ffmpeg -i SRC FFMPEG_ARGS" gives.
same() {
    local src=$1 id=$2 ext=$3 name
    shift 3
    name=$(basename "$src")
    rm -rf "$W/o"
    if ! cli_rc 0 transcode "$src" "$W/o" "$id"; then
        not_ok "$name -> $id: transcode"
        return
    fi
    ff -i "$src" "$@" "$W/ref.$ext"
    local ours ref
    ours=$(frames "$W/o/$id.$ext")
    ref=$(frames "$W/ref.$ext")
    if [ "$ours" = "$ref" ]; then
        ok "$name -> $id: $ours, as ffmpeg"
    else
        not_ok "$name -> $id: ours $ours, ffmpeg's $ref"
    fi
}

for src in h264.mp4 hevc.mp4 vp9.webm mpeg2i.ts anim.gif one.mp4 still.png photo.jpg; do
    size=480x360
    same "$W/$src" 12 mp4 -c:v libx264 -profile:v main -pix_fmt yuv420p -s $size -c:a aac
    same "$W/$src" 22 webm -c:v libvpx -pix_fmt yuv420p -s $size -c:a libvorbis
done

# A 120 fps slow-motion clip: 60 fps (the cap), every other frame, as
# ffmpeg's fps filter makes it (the CLI's -r adds duplicates at the end).
ff -f lavfi -i "testsrc2=s=320x240:r=120:d=2" -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p "$W/slowmo.mp4"
same "$W/slowmo.mp4" 12 mp4 -vf fps=60 -c:v libx264 -profile:v main -s 480x360
check "120 fps -> 60 fps, not 30" test "$(ffprobe -v error -select_streams v \
    -show_entries stream=r_frame_rate -of csv=p=0 "$W/o/12.mp4")" = 60/1

# A variable-frame-rate phone-like clip keeps its timing in MP4 and WebM:
# the same frames at the same times (from the first) as the ffmpeg CLI
# keeping them (-fps_mode vfr), not its nominal constant rate.
vfr=$(clip vfr 2 320x240 30)
# times FILE - the video frames' times from the first, in ms, one line.
times() {
    ffprobe -v error -select_streams v:0 -show_entries \
        frame=best_effort_timestamp_time -of csv=p=0 "$1" | tr -d , |
        awk 'NR == 1 { t0 = $1 } { printf "%d ", ($1 - t0) * 1000 + 0.5 }'
}
for o in 12:mp4 22:webm; do
    id=${o%:*} ext=${o#*:}
    rm -rf "$W/o"
    cli_rc 0 transcode "$vfr" "$W/o" "$id"
    ff -i "$vfr" -fps_mode vfr -s 480x360 "$W/ref.$ext"
    check "VFR -> $id keeps the source's frames and times" \
        test "$(times "$W/o/$id.$ext")" = "$(times "$W/ref.$ext")"
    check "VFR -> $id: 40 frames, not 59 at a constant 30 fps" \
        test "$(frames "$W/o/$id.$ext" | cut -d' ' -f1)" = 40
done

# A decode-once ladder (outputs on worker threads) drains every output.
rm -rf "$W/lad"
cli_rc 0 transcode "$W/h264.mp4" "$W/lad" 11 12 13 22
for o in 11.mp4 12.mp4 13.mp4 22.webm; do
    n=$(frames "$W/lad/$o")
    check "ladder: $o has 100 frames ($n)" test "${n%% frames*}" = 100
done
done_testing
