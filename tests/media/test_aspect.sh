#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_aspect - output boxes follow the source's display aspect: 16:9 and
# 4:3 boxes, other ratios kept inside the 16:9 box, anamorphic sources
# get square pixels, portrait (rotated) sources get turned boxes; and
# every source container/codec decodes (mkv/vp9+opus, webm, flv,
# mpeg-ps, avi/mpeg4, mov).
# shellcheck source=tests/media/lib.sh
. "$(dirname "$0")/lib.sh"

# case_ok NAME SRC SETTING W H - SRC through SETTING gives WxH, SAR 1:1.
case_ok() {
    local name=$1 src=$2 id=$3 w=$4 h=$5 o=$OMKT_TMP/aspect-$1
    rm -rf "$o"
    if ! "$CLI" transcode "$src" "$o" "$id" > /dev/null; then
        not_ok "$name: transcode"
        return
    fi
    local f d
    f=$(ls "$o"/"$id".*)
    d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$src")
    check "$name: $id gives ${w}x$h" check_py output "$f" width=$w height=$h \
        sar=1:1 duration="$d"
}

case_ok wide "$(clip mp4 1 640x360)" 11 426 240
case_ok wide720 "$(clip mp4 1 640x360)" 14 1280 720
case_ok four3 "$(clip mp4 1 320x240)" 12 480 360
case_ok scope "$(clip mp4 1 640x272)" 11 426 182
case_ok square "$(clip mp4 1 240x240)" 11 240 240
case_ok dv43 "$(clip dv43 1)" 11 320 240
ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc2=s=720x576:r=25:d=1" \
    -vf setsar=64/45 -c:v libx264 -preset ultrafast -pix_fmt yuv420p \
    "$OMKT_TMP/sar6445.mp4"
case_ok pal169 "$OMKT_TMP/sar6445.mp4" 12 640 360
case_ok portrait "$(clip movrot 1 320x240)" 11 240 320
case_ok portrait169 "$(clip mp4 1 180x320)" 12 360 640
case_ok mkv "$(clip mkv 1 320x240)" 11 320 240
case_ok webm "$(clip webm 1 320x240)" 21 320 240
case_ok flv "$(clip flv 1 320x240)" 11 320 240
case_ok mpegps "$(clip mpegps 1 320x240)" 11 320 240
case_ok avi "$(clip avi 1 320x240)" 31 320 240
case_ok vfr "$(clip vfr 1 320x240)" 13 640 480

# A user scale that keeps the aspect by rounding (media-nommer's cb_low
# preset): the size asked for, as the ffmpeg CLI gives it (400x224 from
# 1280x720, not 398x224 from the SAR 224:225 the scale filter sets).
w720=$(clip noaudio 1 1280x720)
vf="yadif,scale='400:trunc(ow/a/2)*2'"
printf '{"settings":[{"id":1001,"based_on":11,"slug":"cb","name":"cb",%s}]}\n' \
    "\"technical\":\"cb\",\"size\":\"source\",\"video\":{\"filter\":\"$vf\"}" \
    > "$OMKT_TMP/cb.json"
ffmpeg -nostdin -loglevel error -y -i "$w720" -vf "$vf" -c:v libx264 \
    -preset ultrafast "$OMKT_TMP/cb-cli.mp4"
o=$OMKT_TMP/aspect-cb
rm -rf "$o"
cli=$(ffprobe -v error -show_entries stream=width,height -of csv=p=0 \
    "$OMKT_TMP/cb-cli.mp4")
check "cb_low scale: the CLI gives 400x224" test "$cli" = 400,224
check "cb_low scale: transcode" cli_rc 0 transcode -s "$OMKT_TMP/cb.json" \
    "$w720" "$o" 1001
check "cb_low scale: 400x224 as the CLI, square pixels" check_py output \
    "$o/1001.mp4" width=400 height=224 sar=1:1

# The portrait thumbnail is turned too.
o=$OMKT_TMP/aspect-thumbs
rm -rf "$o"
"$CLI" transcode "$(clip movrot 1 320x240)" "$o" 101 > /dev/null
check "portrait thumbnail is 240x320" check_py output "$o/h00.jpg" \
    width=240 height=320
done_testing
