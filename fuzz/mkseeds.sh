#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mkseeds.sh DIR - tiny seed files for the probe fuzzer, generated with
# tests/tools/mkclip.sh (64x48, a fraction of a second): one per
# container and codec the engine meets.
set -eu
dir=$1
mk="$(dirname "$0")/../tests/tools/mkclip.sh"
mkdir -p "$dir"
for k in mp4 mkv webm flv mpegps avi movrot mp3 ogg wav mp4sub vfr; do
    case $k in
    mkv) e=mkv ;; webm) e=webm ;; flv) e=flv ;; avi) e=avi ;;
    mpegps) e=mpg ;; movrot) e=mov ;; mp3) e=mp3 ;; ogg) e=ogg ;;
    wav) e=wav ;; *) e=mp4 ;;
    esac
    [ -s "$dir/seed-$k.$e" ] || sh "$mk" $k "$dir/seed-$k.$e" 0.3 64x48 10
done
printf 'YUV4MPEG2 W30000 H30000 F25:1 Ip A1:1 C420jpeg\nFRAME\n' \
    > "$dir/seed-huge.y4m"
