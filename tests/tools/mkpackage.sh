#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mkpackage.sh - a streaming package (setting 1001's layout, see
# docs/streaming.md) made with the ffmpeg CLI, for the serving tests
# until they run the real pipeline: two video rungs v0 (256x144) and v1
# (640x360), one audio rendition a0, CMAF segments of 2 s (fixed GOP,
# closed, seg_00001.m4s...), init.mp4 and index.m3u8 in each,
# master.m3u8 (HLS v7) and manifest.mpd (DASH, the same segments) at the
# root, preview/sprite_001.jpg and preview/thumbs.vtt.
#
#   mkpackage.sh DIR [SECONDS]
set -eu

dir=$1
dur=${2:-12}
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
mkdir -p "$dir/v0" "$dir/v1" "$dir/a0" "$dir/preview"
ff -f lavfi -i "testsrc2=size=640x360:rate=25:duration=$dur" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$dur" \
    -c:v libx264 -preset ultrafast -qp 20 -c:a pcm_s16le "$dir/src.mkv"
HLS="-f hls -hls_time 2 -hls_playlist_type vod -hls_segment_type fmp4 \
  -hls_fmp4_init_filename init.mp4 -start_number 1"
rung() { # rung NAME SIZE KBPS
    # shellcheck disable=SC2086
    ff -i "$dir/src.mkv" -map 0:v -s "$2" -c:v libx264 -preset veryfast \
        -profile:v main -level 3.0 -pix_fmt yuv420p -b:v "${3}k" \
        -maxrate "${3}k" -bufsize "$(($3 * 2))k" -g 50 -keyint_min 50 \
        -sc_threshold 0 -flags +cgop $HLS \
        -hls_segment_filename "$dir/$1/seg_%05d.m4s" "$dir/$1/index.m3u8"
}
rung v0 256x144 200
rung v1 640x360 700
# shellcheck disable=SC2086
ff -i "$dir/src.mkv" -map 0:a -c:a aac -b:a 64k -ac 2 $HLS \
    -hls_segment_filename "$dir/a0/seg_%05d.m4s" "$dir/a0/index.m3u8"
ff -i "$dir/src.mkv" -vf "fps=1/2,scale=160:90,tile=4x2" -frames:v 1 \
    "$dir/preview/sprite_001.jpg"
rm -f "$dir/src.mkv"

cat > "$dir/master.m3u8" <<M3U8
#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="a0",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="a0/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=300000,AVERAGE-BANDWIDTH=260000,RESOLUTION=256x144,CODECS="avc1.4d401e,mp4a.40.2",FRAME-RATE=25.000,AUDIO="aud"
v0/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=850000,AVERAGE-BANDWIDTH=760000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",FRAME-RATE=25.000,AUDIO="aud"
v1/index.m3u8
M3U8

rep() { # rep ID W H BPS
    cat <<REP
      <Representation id="$1" bandwidth="$4" width="$2" height="$3" codecs="avc1.4d401e" frameRate="25">
        <SegmentTemplate timescale="1000" duration="2000" startNumber="1" initialization="$1/init.mp4" media="$1/seg_\$Number%05d\$.m4s"/>
      </Representation>
REP
}
{
    cat <<MPD
<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" minBufferTime="PT2S" mediaPresentationDuration="PT${dur}S">
  <Period id="0" start="PT0S">
    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">
MPD
    rep v0 256 144 300000
    rep v1 640 360 850000
    cat <<MPD
    </AdaptationSet>
    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" lang="und" segmentAlignment="true">
      <Representation id="a0" bandwidth="64000" codecs="mp4a.40.2" audioSamplingRate="48000">
        <SegmentTemplate timescale="1000" duration="2000" startNumber="1" initialization="a0/init.mp4" media="a0/seg_\$Number%05d\$.m4s"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
MPD
} > "$dir/manifest.mpd"

{
    echo "WEBVTT"
    t=0 i=0
    while [ "$t" -lt "$dur" ] && [ "$i" -lt 8 ]; do
        x=$((i % 4 * 160)) y=$((i / 4 * 90))
        printf '\n%02d:%02d.000 --> %02d:%02d.000\nsprite_001.jpg#xywh=%d,%d,160,90\n' \
            $((t / 60)) $((t % 60)) $(((t + 2) / 60)) $(((t + 2) % 60)) "$x" "$y"
        t=$((t + 2)) i=$((i + 1))
    done
} > "$dir/preview/thumbs.vtt"
