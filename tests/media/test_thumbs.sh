#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_thumbs - setting 101 as the reference's thumbnail script makes it
# (octopuce/omk-server scripts-thumbnails1.php): the frames of
# "ffmpeg -vf fps=fps=R" (R = 1, or 1/floor(D/20) past 20 s), at most 20,
# compared frame by frame with the ffmpeg CLI run here; "hNN.jpg" at the
# display size (sample aspect and rotation applied) and "lNN.jpg" fitted
# in a 166x166 box; at least one pair, even from a single picture.
# shellcheck source=tests/media/lib.sh
. "$(dirname "$0")/lib.sh"

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
thumbs_py() { python3 "$MEDIA_TOP/tests/media/thumbs.py" "$@"; }

# lumclip SECONDS RATE - 64x48 H.264 (B-frames) whose luma says the frame.
lumclip() {
    local out=$CLIPS/lum-$1-$2.mp4
    [ -s "$out" ] || ff -f lavfi -i "color=c=black:s=64x48:r=$2:d=$1,geq=lum='20+2*mod(N,100)':cb=128:cr=128" \
        -c:v libx264 -preset ultrafast -qp 0 -bf 2 -g 25 -pix_fmt yuv420p "$out"
    echo "$out"
}

# thumbs NAME SRC - setting 101 of SRC into $OMKT_TMP/th-NAME.
thumbs() {
    rm -rf "$OMKT_TMP/th-$1"
    OMKT_LOG_LEVEL=debug cli_rc 0 transcode "$2" "$OMKT_TMP/th-$1" 101
}

# 1. Which frames: those of the fps filter, as many (first 20).
src=$(lumclip 4 25)
check "4 s clip: transcode" thumbs c4 "$src"
check "4 s clip: ffmpeg's 4 frames (fps=1)" thumbs_py same "$src" "$OMKT_TMP/th-c4" 1
check "4 s clip: hNN 64x48, lNN fit in 166x166" \
    thumbs_py sizes "$OMKT_TMP/th-c4" 64x48 166x125
src=$(lumclip 45 5)
check "45 s clip: transcode" thumbs c45 "$src"
check "45 s clip: ffmpeg's first 20 frames of fps=1/2" \
    thumbs_py same "$src" "$OMKT_TMP/th-c45" 1/2
src=$(lumclip 150 5)
check "150 s clip: transcode" thumbs c150 "$src"
check "150 s clip: thumbnails alone seek" err_has "seeking to"
check "150 s clip: still ffmpeg's frames of fps=1/7" \
    thumbs_py same "$src" "$OMKT_TMP/th-c150" 1/7

# 2. A single picture: one pair (the reference would make none).
ff -f lavfi -i "testsrc2=s=96x64:r=25" -frames:v 1 -c:v libx264 "$OMKT_TMP/one.mp4"
check "one-frame video: transcode" thumbs one "$OMKT_TMP/one.mp4"
check "one-frame video: one pair" thumbs_py sizes "$OMKT_TMP/th-one" 96x64 166x111
ff -f lavfi -i "testsrc2=s=96x64:r=25" -frames:v 1 "$OMKT_TMP/one.png"
check "PNG: transcode" thumbs png "$OMKT_TMP/one.png"
check "PNG: one pair" thumbs_py sizes "$OMKT_TMP/th-png" 96x64 166x111

# 3. Display aspect: anamorphic PAL 4:3 (MPEG-2, SAR 16:15) and 16:9
# (H.264, SAR 64:45), interlaced MPEG-2 TS 16:9, a rotated phone video.
check "DV PAL 4:3: transcode" thumbs dv43 "$(clip dv43 1)"
check "DV PAL 4:3: 768x576 (not 720x576)" \
    thumbs_py sizes "$OMKT_TMP/th-dv43" 768x576 166x125
ff -f lavfi -i "testsrc2=s=720x576:r=25:d=1" -vf setsar=64/45 -c:v libx264 \
    -preset ultrafast -pix_fmt yuv420p "$OMKT_TMP/sar6445.mp4"
check "SAR 64:45 H.264: transcode" thumbs sar "$OMKT_TMP/sar6445.mp4"
check "SAR 64:45 H.264: 1024x576" \
    thumbs_py sizes "$OMKT_TMP/th-sar" 1024x576 166x93
ff -f lavfi -i "testsrc2=s=720x576:r=25:d=1" -vf "setsar=64/45,tinterlace=interleave_top" \
    -c:v mpeg2video -flags +ilme+ildct -top 1 -f mpegts "$OMKT_TMP/i169.ts"
check "interlaced MPEG-2 TS 16:9: transcode" thumbs ts "$OMKT_TMP/i169.ts"
check "interlaced MPEG-2 TS 16:9: 1024x576" \
    thumbs_py sizes "$OMKT_TMP/th-ts" 1024x576 166x93
check "rotated phone video: transcode" thumbs rot "$(clip movrot 1 320x240)"
check "rotated phone video: 240x320, small 125x166" \
    thumbs_py sizes "$OMKT_TMP/th-rot" 240x320 125x166
check "no temporary files left" no_leftovers "$OMKT_TMP/th-rot"

# 4. An interlaced source (fields 1/50 s apart, flagged top field first)
#    gives deinterlaced pictures, as the videos: its frame as decoded is
#    combed (> 1), bwdif's and ours are not (~0.6).
pal=$(clip palts 1)
check "interlaced PAL TS: transcode" thumbs pal "$pal"
ff -i "$pal" -frames:v 1 "$OMKT_TMP/pal-frame.png"
check "interlaced PAL TS: the decoded frame is combed" \
    thumbs_py combing -1.0 "$OMKT_TMP/pal-frame.png"
check "interlaced PAL TS: h00 is not combed" \
    thumbs_py combing 0.8 "$OMKT_TMP/th-pal/h00.jpg"

# 5. The videos' deinterlacer: h00 is the CLI's bwdif picture of the frame
#    fps=1 picks (~45 dB; the woven frame is ~30 dB from it), with the
#    field order from the stream (TS) or from idet when the stream has
#    none (the same pictures in MJPEG/AVI; before: not deinterlaced).
ref_of() { # ref_of SRC FILTERS OUT - the CLI's h00 at 768x576.
    ff -i "$1" -vf "$2fps=fps=1,scale=768:576:flags=bicubic,setsar=1" \
        -frames:v 1 "$3"
}
mj=$(clip palmjpeg 1)
check "interlaced, no field order: transcode" thumbs palmj "$mj"
for s in pal:"$pal" palmj:"$mj"; do
    n=${s%%:*}
    ref_of "${s#*:}" "bwdif=mode=send_frame," "$OMKT_TMP/$n-bwdif.png"
    ref_of "${s#*:}" "" "$OMKT_TMP/$n-woven.png"
    check "$n: h00 is the CLI's bwdif picture (PSNR-Y >= 40 dB)" thumbs_py \
        psnr 40 "$OMKT_TMP/th-$n/h00.jpg" "$OMKT_TMP/$n-bwdif.png"
    check "$n: h00 is not the woven frame (PSNR-Y < 35 dB)" thumbs_py \
        psnr -35 "$OMKT_TMP/th-$n/h00.jpg" "$OMKT_TMP/$n-woven.png"
done
check "interlaced, no field order: h00 is not combed" \
    thumbs_py combing 0.8 "$OMKT_TMP/th-palmj/h00.jpg"
done_testing
