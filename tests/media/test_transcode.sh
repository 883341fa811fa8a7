#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_transcode - every catalogue setting from one 4:3 source, in one
# decode, and every output checked with ffprobe (container, codecs,
# dimensions, square pixels, duration within one frame, audio rate and
# channels, moov before mdat) and with our own probe.
# shellcheck source=tests/media/lib.sh
. "$(dirname "$0")/lib.sh"

src=$(clip mp4 1 320x240) || { not_ok "generate source"; done_testing; }
out=$OMKT_TMP/transcode-all
rm -rf "$out"
ids="1 2 3 11 12 13 14 15 21 22 23 24 25 31 32 33 34 35 51 52 53 61 62 63 71 72 73 101"
# shellcheck disable=SC2086
"$CLI" transcode "$src" "$out" $ids > "$OMKT_TMP/transcode-all.list"
check "all settings in one run" test $? -eq 0
check "one line per output file (27 + 2 thumbnails of 1 s)" \
    test "$(wc -l < "$OMKT_TMP/transcode-all.list")" -eq 29
check "no temporary files left" no_leftovers "$out"

# out_ok ID EXT KEY=VALUE... - output ID.EXT has these properties.
out_ok() {
    local id=$1 ext=$2
    shift 2
    local f=$out/$id.$ext
    if [ ! -s "$f" ]; then
        not_ok "$id.$ext exists"
        return
    fi
    "$CLI" probe "$f" > "$OMKT_TMP/out-$id.json" ||
        { not_ok "$id.$ext: our probe"; return; }
    check "$id.$ext: $*" check_py output "$f" "meta=$OMKT_TMP/out-$id.json" "$@"
}

A44="rate=44100 channels=2"
D="duration=1.0"
out_ok 1 flv format=flv vcodec=flv1 width=320 height=240 acodec=mp3 $A44 $D tol=0.06
out_ok 2 flv format=flv vcodec=flv1 width=480 height=360 acodec=mp3 $A44 $D tol=0.06
out_ok 3 flv format=flv vcodec=flv1 width=640 height=480 acodec=mp3 $A44 $D tol=0.06
out_ok 11 mp4 format=mp4 vcodec=h264 "profile=Constrained Baseline" width=320 height=240 sar=1:1 acodec=aac $A44 $D faststart=1
out_ok 12 mp4 format=mp4 vcodec=h264 profile=Main width=480 height=360 sar=1:1 acodec=aac $A44 $D faststart=1
out_ok 13 mp4 format=mp4 vcodec=h264 profile=Main width=640 height=480 sar=1:1 acodec=aac $A44 $D faststart=1
out_ok 14 mp4 format=mp4 vcodec=h264 profile=Main width=960 height=720 sar=1:1 acodec=aac $A44 $D faststart=1
out_ok 15 mp4 format=mp4 vcodec=h264 profile=Main width=1440 height=1080 sar=1:1 acodec=aac $A44 $D faststart=1
for i in 1 2 3 4 5; do
    w=(0 320 480 640 960 1440)
    h=(0 240 360 480 720 1080)
    out_ok 2$i webm format=webm vcodec=vp8 width=${w[$i]} height=${h[$i]} sar=1:1 acodec=vorbis $A44 $D
    out_ok 3$i mpg format=mpeg vcodec=mpeg2video width=${w[$i]} height=${h[$i]} sar=1:1 acodec=mp2 rate=48000 channels=2 $D
done
for id in 51 52 53; do
    out_ok $id mp3 format=mp3 novideo=1 acodec=mp3 $A44 duration=1.0 tol=0.1
done
for id in 61 62 63; do
    out_ok $id ogg format=ogg novideo=1 acodec=vorbis $A44 duration=1.0 tol=0.1
done
for id in 71 72 73; do
    out_ok $id m4a format=mp4 novideo=1 acodec=aac $A44 duration=1.0 tol=0.1 faststart=1
done
check "52 is about 128 kb/s" test "$(json_get "$OMKT_TMP/out-52.json" tracks.0.bitrate)" = 128

# Thumbnails (tests/media/test_thumbs.sh has the details): one per second.
check "thumbnail size" check_py output "$out/h00.jpg" vcodec=mjpeg width=320 height=240
check "small thumbnail size" check_py output "$out/l00.jpg" vcodec=mjpeg width=166 height=125
long=$(clip mp4 4 160x120)
rm -rf "$OMKT_TMP/thumbs4"
"$CLI" transcode "$long" "$OMKT_TMP/thumbs4" 101 > /dev/null
check "4 pairs from a 4 s clip" test "$(ls "$OMKT_TMP/thumbs4" | wc -l)" -eq 8

# Thumbnails alone of a long source seek to each pick instead of decoding
# everything, and give the same pictures as a full decode.
long=$(clip mp4 150 64x48 5)
rm -rf "$OMKT_TMP/th-seek" "$OMKT_TMP/th-full"
OMKT_LOG_LEVEL=debug cli_rc 0 transcode "$long" "$OMKT_TMP/th-seek" 101
check "thumbnails alone seek" err_has "seeking to"
cli_rc 0 transcode "$long" "$OMKT_TMP/th-full" 101 52
rm -rf "$OMKT_TMP/th-cmp"
mkdir -p "$OMKT_TMP/th-cmp"
cp "$OMKT_TMP"/th-full/[hl][0-9][0-9].jpg "$OMKT_TMP/th-cmp/"
check "40 files when seeking" test "$(ls "$OMKT_TMP/th-seek" | wc -l)" -eq 40
check "seeking and full decode give the same pictures" \
    diff -r "$OMKT_TMP/th-seek" "$OMKT_TMP/th-cmp"

# A second run into the same directory replaces the outputs atomically.
check "second run" "$CLI" transcode "$src" "$out" 11 > /dev/null
check "still no temporary files" no_leftovers "$out"
done_testing
