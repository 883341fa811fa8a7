#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_probe - the metadata JSON of generated clips in many containers and
# codecs agrees with ffprobe (sizes, codecs, rates, channels exactly;
# duration within 10 ms), plus rotation, language, subtitles, crop.
# shellcheck source=tests/media/lib.sh
. "$(dirname "$0")/lib.sh"

for kind in mp4 mkv webm flv mpegps avi movrot dv43 mp3 ogg wav mp4sub \
    mp4lang noaudio vfr; do
    f=$(clip $kind 1) || { not_ok "generate $kind"; continue; }
    j=$OMKT_TMP/probe-$kind.json
    if "$CLI" probe "$f" > "$j"; then
        check "$kind: probe agrees with ffprobe" check_py probe "$j" "$f"
    else
        not_ok "$kind: probe failed"
    fi
done

j=$OMKT_TMP/probe-movrot.json
check "rotation of a portrait phone clip" \
    test "$(json_get "$j" tracks.0.rotation)" = 90
check "mime of a QuickTime file" test "$(json_get "$j" mime)" = video/quicktime
j=$OMKT_TMP/probe-mp4lang.json
check "audio language" test "$(json_get "$j" tracks.1.lang)" = fra
j=$OMKT_TMP/probe-mp4sub.json
check "subtitle track" test "$(json_get "$j" tracks.2.type)" = subtitle
j=$OMKT_TMP/probe-dv43.json
check "anamorphic DAR 4:3" test "$(json_get "$j" tracks.0.DAR1):$(json_get "$j" tracks.0.DAR2)" = 4:3
check "anamorphic PAR 16:15" test "$(json_get "$j" tracks.0.PAR1):$(json_get "$j" tracks.0.PAR2)" = 16:15
j=$OMKT_TMP/probe-mp4.json
check "types: channels is an integer" \
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d["tracks"][1]["channels"], int) and isinstance(d["file_size"], int) and isinstance(d["time"], str)' "$j"
check "time-estimate" test "$(json_get "$j" time-estimate)" = 00:00:01.00
check "video type" test "$(json_get "$j" type)" = video
check "mp3 is audio" test "$(json_get "$OMKT_TMP/probe-mp3.json" type)" = audio

# Crop detection on a letterboxed clip (320x180 picture in 320x240).
lb=$CLIPS/letterbox.mp4
[ -s "$lb" ] || ffmpeg -nostdin -v error -y -f lavfi \
    -i testsrc2=size=320x180:rate=25:duration=1 -vf pad=320:240:0:30:black \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$lb"
"$CLI" probe -c "$lb" > "$OMKT_TMP/crop.json"
check "crop detection" test "$(json_get "$OMKT_TMP/crop.json" cropw)x$(json_get "$OMKT_TMP/crop.json" croph)+$(json_get "$OMKT_TMP/crop.json" cropx)+$(json_get "$OMKT_TMP/crop.json" cropy)" = "320x180+0+30"
done_testing
