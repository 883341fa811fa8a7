#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mkclip.sh - generate test media with the ffmpeg CLI (lavfi test patterns
# and tones); media fixtures are never committed.
#
#   mkclip.sh KIND OUT [SECONDS] [WxH] [RATE]
#
# KINDs: mp4 (h264+aac), mkv (vp9+opus), webm (vp8+vorbis), flv, mpegps,
# avi (mpeg4+mp3), movrot (h264, rotate=90), dv43 (mpeg2 720x576 SAR 16:15),
# mp3, ogg (vorbis), wav, mp4sub (h264+aac+mov_text subtitle),
# noaudio (h264 only), vfr (h264 with variable frame rate), huge (y4m
# header claiming 30000x30000), mp4lang (aac track tagged "fra"),
# palts (interlaced PAL MPEG-2 TS, 720x576 top field first, SAR 16:15,
# fields 1/50 s apart; SIZE ignored), palmjpeg (the same pictures as
# MJPEG in AVI: no field order), hlg (HEVC 10-bit BT.2020 HLG, the SDR
# pattern with its white at 203 cd/m2 as ITU-R BT.2408 places it), pq
# (the same with the PQ transfer, SMPTE ST 2084),
# sd601 (h264 tagged BT.601/SMPTE 170M).
set -eu

kind=$1
out=$2
dur=${3:-2}
size=${4:-320x240}
rate=${5:-25}

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
V="testsrc2=size=$size:rate=$rate:duration=$dur"
A="sine=frequency=440:sample_rate=44100:duration=$dur"
A2="sine=frequency=660:sample_rate=48000:duration=$dur"

case $kind in
mp4)
    ff -f lavfi -i "$V" -f lavfi -i "$A" -c:v libx264 -preset ultrafast \
        -pix_fmt yuv420p -c:a aac -b:a 96k -ac 2 -shortest "$out" ;;
mkv)
    ff -f lavfi -i "$V" -f lavfi -i "$A2" -c:v libvpx-vp9 -deadline realtime \
        -cpu-used 8 -b:v 300k -c:a libopus -b:a 64k -ac 2 "$out" ;;
webm)
    ff -f lavfi -i "$V" -f lavfi -i "$A" -c:v libvpx -deadline realtime \
        -cpu-used 8 -b:v 300k -c:a libvorbis -ac 2 "$out" ;;
flv)
    ff -f lavfi -i "$V" -f lavfi -i "$A" -c:v flv -c:a libmp3lame -ar 44100 \
        "$out" ;;
mpegps)
    ff -f lavfi -i "$V" -f lavfi -i "$A2" -c:v mpeg2video -c:a mp2 \
        -f vob "$out" ;;
avi)
    ff -f lavfi -i "$V" -f lavfi -i "$A" -c:v mpeg4 -c:a libmp3lame "$out" ;;
movrot)
    # FFmpeg 5.1's CLI cannot set a display matrix: patch the video
    # track's tkhd matrix to a 90-degree rotation (a portrait phone clip).
    ff -f lavfi -i "$V" -f lavfi -i "$A" -c:v libx264 -preset ultrafast \
        -pix_fmt yuv420p -c:a aac -f mov "$out"
    perl -0777 -pi -e '
        my $p = index($_, "tkhd");
        die "no tkhd" if $p < 0 || ord(substr($_, $p + 4, 1)) != 0;
        substr($_, $p + 44, 36) =
            pack("N9", 0, 0x10000, 0, 0xFFFF0000, 0, 0, 0, 0, 0x40000000);
    ' "$out" ;;
dv43)
    ff -f lavfi -i "testsrc2=size=720x576:rate=25:duration=$dur" \
        -f lavfi -i "$A2" -vf setsar=16/15 -c:v mpeg2video -c:a mp2 \
        -f vob "$out" ;;
mp3)
    ff -f lavfi -i "$A" -c:a libmp3lame -b:a 128k "$out" ;;
ogg)
    ff -f lavfi -i "$A" -c:a libvorbis "$out" ;;
wav)
    ff -f lavfi -i "$A" -c:a pcm_s16le "$out" ;;
mp4sub)
    srt=$(mktemp)
    printf '1\n00:00:00,000 --> 00:00:01,000\nhello\n\n' > "$srt"
    ff -f lavfi -i "$V" -f lavfi -i "$A" -f srt -i "$srt" -map 0 -map 1 \
        -map 2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac \
        -c:s mov_text -metadata:s:s:0 language=eng "$out"
    rm -f "$srt" ;;
mp4lang)
    ff -f lavfi -i "$V" -f lavfi -i "$A" -c:v libx264 -preset ultrafast \
        -pix_fmt yuv420p -c:a aac -metadata:s:a:0 language=fra "$out" ;;
noaudio)
    ff -f lavfi -i "$V" -c:v libx264 -preset ultrafast -pix_fmt yuv420p \
        "$out" ;;
vfr)
    # Drop frames irregularly and keep their timestamps: a phone-like VFR.
    ff -f lavfi -i "$V" -f lavfi -i "$A" \
        -vf "select='not(eq(mod(n\,7)\,3))*not(eq(mod(n\,5)\,1))'" \
        -fps_mode vfr -c:v libx264 -preset ultrafast -pix_fmt yuv420p \
        -c:a aac "$out" ;;
palts)
    ff -f lavfi -i "testsrc2=size=720x576:rate=50:duration=$dur" \
        -vf tinterlace=mode=interleave_top,setfield=tff,setsar=16/15 \
        -c:v mpeg2video -flags +ildct+ilme -top 1 -b:v 8M -f mpegts "$out" ;;
palmjpeg)
    ff -f lavfi -i "testsrc2=size=720x576:rate=50:duration=$dur" \
        -vf tinterlace=mode=interleave_top,setsar=16/15 -c:v mjpeg -q:v 2 \
        -f avi "$out" ;;
hlg | pq)
    trc=arib-std-b67
    [ "$kind" = pq ] && trc=smpte2084
    ff -f lavfi -i "$V" -vf "zscale=tin=bt709:t=$trc:npl=203:\
pin=bt709:p=bt2020:min=bt709:m=bt2020nc:rin=tv:r=tv,format=yuv420p10le" \
        -c:v libx265 -preset ultrafast -x265-params log-level=error \
        -color_primaries bt2020 -color_trc "$trc" -colorspace bt2020nc \
        "$out" ;;
sd601)
    ff -f lavfi -i "$V" -c:v libx264 -preset ultrafast -pix_fmt yuv420p \
        -color_primaries smpte170m -color_trc smpte170m -colorspace smpte170m \
        "$out" ;;
huge)
    printf 'YUV4MPEG2 W30000 H30000 F25:1 Ip A1:1 C420jpeg\nFRAME\n' > "$out"
    head -c 4096 /dev/urandom >> "$out" ;;
*)
    echo "mkclip.sh: unknown kind $kind" >&2
    exit 2 ;;
esac
