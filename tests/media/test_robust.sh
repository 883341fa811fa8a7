#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_robust - hostile and odd inputs give a clear error or a sensible
# output, never a crash, hang or leak (run under ASan/UBSan); one failing
# setting does not stop the others; audio-only jobs decode no video;
# SIGINT stops a transcode within a second and leaves no partial file.
# shellcheck source=tests/media/lib.sh
. "$(dirname "$0")/lib.sh"
W=$OMKT_TMP/robust
rm -rf "$W"
mkdir -p "$W"

# Hostile files: probe and transcode both fail cleanly.
good=$(clip mp4 1 320x240)
: > "$W/empty.mp4"
head -c 65536 /dev/urandom > "$W/random.bin"
head -c $(($(stat -c %s "$good") * 6 / 10)) "$good" > "$W/trunc-moov-at-end.mp4"
sh "$MKCLIP" huge "$W/huge.y4m"
printf '1\n00:00:00,000 --> 00:00:01,000\nhello\n' > "$W/subs.srt"
for f in empty.mp4 random.bin trunc-moov-at-end.mp4 huge.y4m subs.srt; do
    check "$f: probe fails cleanly" cli_rc 1 probe "$W/$f"
    check "$f: transcode fails cleanly" cli_rc 1 transcode "$W/$f" "$W/o-$f" 11 52 101
    check "$f: nothing written" test -z "$(ls -A "$W/o-$f" 2> /dev/null)"
done
cli_rc 1 probe "$W/huge.y4m"
cli_rc 1 probe "$W/subs.srt"
check "no-track message" err_has "no readable audio or video track"

# A truncated faststart file (moov first): the readable part is used.
"$CLI" transcode "$good" "$W/fs" 11 > /dev/null
head -c $(($(stat -c %s "$W/fs/11.mp4") * 6 / 10)) "$W/fs/11.mp4" > "$W/trunc.mp4"
check "truncated faststart: probe" cli_rc 0 probe "$W/trunc.mp4"
check "truncated faststart: transcode" cli_rc 01 transcode "$W/trunc.mp4" "$W/o-trunc" 12 52 101
check "truncated: no temporary files" no_leftovers "$W/o-trunc"

# An audio file asked for video settings: those fail, audio ones work.
check "audio source, video setting" cli_rc 1 transcode "$(clip mp3 1)" "$W/o-mp3" 11 52 101
check "message says why" err_has "needs video"
check "the audio setting is there" test -s "$W/o-mp3/52.mp3"
check "no video output" test ! -e "$W/o-mp3/11.mp4"

# A video without audio: video outputs without audio; audio ones fail.
check "silent video, video setting" cli_rc 0 transcode "$(clip noaudio 1)" "$W/o-na" 11 101
check "silent video: output has no audio" check_py output "$W/o-na/11.mp4" noaudio=1 vcodec=h264 width=320 height=240
check "silent video, audio setting" cli_rc 1 transcode "$(clip noaudio 1)" "$W/o-na2" 52
check "message says why" err_has "needs audio"

# A variable-frame-rate phone-like clip comes out at a constant rate.
check "vfr clip" cli_rc 0 transcode "$(clip vfr 2)" "$W/o-vfr" 11 31
check "vfr mp4" check_py output "$W/o-vfr/11.mp4" vcodec=h264 duration=2.0 tol=0.1
check "vfr mpeg-ps" check_py output "$W/o-vfr/31.mpg" vcodec=mpeg2video duration=2.0 tol=0.1

# Unknown setting ids fail alone.
check "unknown id" cli_rc 1 transcode "$good" "$W/o-unk" 999 52
check "unknown id named" err_has "setting 999: unknown setting"
check "known id still done" test -s "$W/o-unk/52.mp3"

# Audio-only outputs from a video source never open a video decoder.
OMKT_LOG_LEVEL=debug cli_rc 0 transcode "$good" "$W/o-ao" 52 63 71
check "audio-only: no video decoding" err_has "decoding video=no audio=yes"
OMKT_LOG_LEVEL=debug cli_rc 0 transcode "$good" "$W/o-av" 11 52
check "video and audio decoded once" err_has "decoding video=yes audio=yes"

# SIGINT mid-transcode: stops within a second, nothing left behind.
long=$(clip mp4 10 640x480)
"$CLI" transcode "$long" "$W/o-int" 15 25 35 101 > /dev/null 2> "$W/int.err" &
pid=$!
sleep 2
t0=$(date +%s%N)
kill -INT $pid
wait $pid
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "interrupted exit code 1 (got $rc)" test $rc -eq 1
check "stopped within 1 s (${ms} ms)" test $ms -le 1000
check "interrupted: message" grep -q "interrupted" "$W/int.err"
check "interrupted: no file left" test -z "$(ls -A "$W/o-int")"
done_testing
