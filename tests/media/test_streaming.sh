#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_streaming - setting 1001, the adaptive-streaming package: one
# decode of a 12 s 720p clip with audio into the default ladder (240p to
# 720p: no rung above the source), CMAF segments of the 2 s GOP, HLS and
# DASH manifests, the sprite preview; every property measured from the
# files by tests/media/streamcheck.py (sizes, ffprobe).  Then a small
# source without audio under a site ladder (one rung at its own height,
# no audio group, GOP 1 s), a package killed mid-way (nothing at the
# final path), interrupted (nothing left at all, nothing leaked) and
# published again over an older one (replaced whole).
# shellcheck source=tests/media/lib.sh
. "$(dirname "$0")/lib.sh"

sc() { python3 "$MEDIA_TOP/tests/media/streamcheck.py" "$@"; }
CHECKS="structure files bandwidth durations keyframes boundaries heights frames dash preview"

# 1. The default ladder from a 12 s 720p clip with audio.
src=$(clip mp4 12 1280x720 25)
out=$OMKT_TMP/st-720
rm -rf "$out"
check "720p: transcode 1001" cli_rc 0 transcode "$src" "$out" 1001
pkg=$out/1001.stream
check "720p: one directory at the output's path" test -d "$pkg"
check "720p: master.m3u8 and manifest.mpd at its root" \
    test -s "$pkg/master.m3u8" -a -s "$pkg/manifest.mpd"
for c in $CHECKS audio; do
    check "720p: $c" sc "$c" "$pkg" "$src"
done
check "720p: no temporary left" no_leftovers "$out"

# 2. A 200x112 source without audio, a site ladder with a 1 s GOP: one
# rung at the source's height (never an upscale), no audio group.
site=$OMKT_TMP/st-site.json
printf '%s\n' '{"settings":[{"id":1001,"type":"streaming","gop":1,' \
    '"ladder":[{"height":144,"bitrate":"150k"},{"height":240,"bitrate":"300k"}]}]}' \
    > "$site"
src2=$(clip noaudio 3 200x112 25)
out2=$OMKT_TMP/st-small
rm -rf "$out2"
check "small: transcode 1001 with a site ladder" \
    cli_rc 0 transcode -s "$site" "$src2" "$out2" 1001
for c in $CHECKS noaudio; do
    check "small: $c" sc "$c" "$out2/1001.stream" "$src2" 1 144,240
done

# 3. Atomic publication (a 30 s 320x240 clip: one rung, cheap to cut
# short).  Killed (SIGKILL) mid-way: nothing at the final path, only the
# job's temporary directory, which a reaper removes.
src3=$(clip mp4 30 320x240 25)
out3=$OMKT_TMP/st-kill
# start_and_stop SIGNAL - start a package of $src3 into $out3 and send
# SIGNAL once its first segment is written; false if it had ended.  Sets
# STOP_RC, the engine's exit status (86: a sanitizer report, a leak).
start_and_stop() {
    local pid rc
    rm -rf "$out3"
    mkdir -p "$out3"
    "$CLI" transcode "$src3" "$out3" 1001 > /dev/null 2>&1 &
    pid=$!
    for _ in $(seq 600); do
        compgen -G "$out3/.1001.stream.tmp-*/v0/seg_00001.m4s" > /dev/null &&
            break
        sleep 0.05
    done
    kill "-$1" $pid 2> /dev/null
    rc=$?
    wait $pid 2> /dev/null
    STOP_RC=$?
    return $rc
}
check "killed mid-package: it was still running" start_and_stop KILL
check "killed mid-package: nothing at the final path" test ! -e "$out3/1001.stream"
check "killed mid-package: its temporary directory holds the segments" \
    compgen -G "$out3/.1001.stream.tmp-*/v0/seg_00001.m4s"

# Interrupted (SIGTERM): the engine removes the whole temporary tree.
check "interrupted mid-package: it was still running" start_and_stop TERM
check "interrupted: no package" test ! -e "$out3/1001.stream"
# The hls muxer closes its files only in its trailer: an abandoned
# package leaked them (and their descriptors) until it was written anyway.
check "interrupted: exit 1 (interrupted), no leak report (86)" test "$STOP_RC" = 1
check "interrupted: no temporary left" no_leftovers "$out3"

# Published again over the small package (a retry): replaced whole, in
# one step; nothing of the old one stays.
touch "$out2/1001.stream/stale"
ino=$(stat -c %i "$out2/1001.stream")
check "again: transcode over the old package" \
    cli_rc 0 transcode "$src2" "$out2" 1001
check "again: a new directory" test "$(stat -c %i "$out2/1001.stream")" != "$ino"
check "again: nothing of the old package" test ! -e "$out2/1001.stream/stale"
check "again: the default ladder now (one rung, 112 px)" \
    sc heights "$out2/1001.stream" "$src2"
check "again: files" sc files "$out2/1001.stream" "$src2"
check "again: no temporary left" no_leftovers "$out2"

done_testing
