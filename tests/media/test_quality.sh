#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_quality - picture quality users notice: interlaced sources are
# deinterlaced (bwdif, one frame per frame, as the ffmpeg CLI's "-vf
# bwdif=mode=send_frame"), from the stream's field order or idet's guess;
# HDR (HLG) is tone-mapped to 8-bit SDR BT.709; a BT.601 source into an HD
# setting is converted to BT.709; every output carries colour tags.
# shellcheck source=tests/media/lib.sh
. "$(dirname "$0")/lib.sh"

# psnr OUT REF_SRC FILTERS PLANE - lowest per-frame PSNR of PLANE (y, u,
# v) between OUT and REF_SRC through FILTERS (rendered, not encoded).
psnr() {
    ffmpeg -nostdin -v error -i "$1" -i "$2" -filter_complex \
        "[1:v]$3,setsar=1,format=yuv420p[r];[0:v]setsar=1[o];[o][r]psnr=stats_file=-" \
        -f null - | awk -v k="psnr_$4:" '{
            for (i = 1; i <= NF; i++) if (index($i, k) == 1) {
                v = substr($i, length(k) + 1) + 0
                if (n++ == 0 || v < m) m = v
            }
        } END { printf "%.2f\n", n ? m : 0 }'
}
# at_least A B - A >= B (decimals).
at_least() { python3 -c 'import sys; sys.exit(float(sys.argv[1]) < float(sys.argv[2]))' "$1" "$2"; }
# frames FILE - decoded video frames.
frames() {
    ffprobe -v error -count_frames -select_streams v:0 -show_entries \
        stream=nb_read_frames -of csv=p=0 "$1"
}
# tags FILE - primaries,transfer,matrix,range of the video stream.
tags() {
    ffprobe -v error -select_streams v:0 -show_entries \
        stream=color_primaries,color_transfer,color_space,color_range \
        -of default=nw=1 "$1" | sort | cut -d= -f2 | paste -sd, -
}
# stats FILE [FILTERS] - "YAVG SATAVG" averaged over the frames.
stats() {
    ffmpeg -nostdin -v error -i "$1" -vf "${2:-null},signalstats,metadata=print:file=-" \
        -f null - | grep -oE '(YAVG|SATAVG)=[0-9.]+' | awk -F= '
        { s[$1] += $2; n[$1]++ }
        END { printf "%.2f %.2f\n", s["YAVG"] / n["YAVG"], s["SATAVG"] / n["SATAVG"] }'
}

# 1. Interlaced PAL MPEG-2 TS (field order tff in the stream): setting 13
#    (640x480) against the CLI's bwdif at the same size.  The 40 dB floor
#    is what tells the two apart: deinterlaced ~48 dB, combed ~33 dB.
deint_case() {
    local name=$1 src=$2 o=$OMKT_TMP/quality-$1
    local bwdif="bwdif=mode=send_frame,scale=640:480:flags=bicubic"
    rm -rf "$o"
    check "$name: transcode 13" cli_rc 0 transcode "$src" "$o" 13 || return
    local p
    p=$(psnr "$o/13.mp4" "$src" "$bwdif" y)
    check "$name: as the CLI's bwdif (min PSNR-Y $p >= 40 dB)" at_least "$p" 40
    p=$(psnr "$o/13.mp4" "$src" "scale=640:480:flags=bicubic" y)
    check "$name: not the combed picture (min PSNR-Y $p < 40 dB)" \
        at_least 40 "$p"
    ffmpeg -nostdin -v error -y -i "$src" -vf "$bwdif,setsar=1" -an \
        -c:v libx264 -preset ultrafast "$OMKT_TMP/quality-cli-$name.mp4"
    check "$name: frames as the CLI's ($(frames "$o/13.mp4"))" test \
        "$(frames "$o/13.mp4")" = "$(frames "$OMKT_TMP/quality-cli-$name.mp4")"
}
deint_case palts "$(clip palts 1)"
# The same pictures in MJPEG/AVI, no field order: idet finds it.
deint_case palmjpeg "$(clip palmjpeg 1)"

# 2. HLG 10-bit HEVC into SDR settings: 8-bit, tagged BT.709, brightness
#    and colour close to the SDR pattern it was made from.  Tolerances:
#    mean luma within 10 of 255 (mobius keeps SDR tones and compresses
#    only above them: ~120 vs 125); saturation at least 80 % of the
#    SDR's (~99 vs 112), where BT.2020 pixels shown as BT.709 without
#    conversion keep ~40 % (washed out).
hlg=$(clip hlg 1 640x360)
o=$OMKT_TMP/quality-hlg
rm -rf "$o"
check "hlg: transcode 13 and thumbnails" cli_rc 0 transcode "$hlg" "$o" 13 101
check "hlg: 8-bit yuv420p" test "$(ffprobe -v error -select_streams v:0 \
    -show_entries stream=pix_fmt -of csv=p=0 "$o/13.mp4")" = yuv420p
check_eq_tags() { check "$1: tags $(tags "$2") = $3" test "$(tags "$2")" = "$3"; }
check_eq_tags "hlg 13" "$o/13.mp4" bt709,tv,bt709,bt709
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=854x480:rate=25:duration=1 \
    -pix_fmt yuv420p "$OMKT_TMP/quality-sdr.y4m"
read -r ref_y ref_s < <(stats "$OMKT_TMP/quality-sdr.y4m")
read -r y s < <(stats "$o/13.mp4")
check "hlg: mean luma $y within 10 of the SDR's $ref_y" python3 -c \
    'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) > 10)' "$y" "$ref_y"
check "hlg: saturation $s >= 80 % of the SDR's $ref_s" python3 -c \
    'import sys; sys.exit(float(sys.argv[1]) < 0.8 * float(sys.argv[2]))' "$s" "$ref_s"
read -r y s < <(stats "$o/h00.jpg")
check "hlg thumbnail: saturation $s >= 80 % of the SDR's $ref_s" python3 -c \
    'import sys; sys.exit(float(sys.argv[1]) < 0.8 * float(sys.argv[2]))' "$s" "$ref_s"

# PQ (SMPTE ST 2084), the other HDR transfer: the same expectations.
pq=$(clip pq 1 640x360)
o=$OMKT_TMP/quality-pq
rm -rf "$o"
check "pq: transcode 13" cli_rc 0 transcode "$pq" "$o" 13
check_eq_tags "pq 13" "$o/13.mp4" bt709,tv,bt709,bt709
read -r y s < <(stats "$o/13.mp4")
check "pq: mean luma $y within 10 of the SDR's $ref_y" python3 -c \
    'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) > 10)' "$y" "$ref_y"
check "pq: saturation $s >= 80 % of the SDR's $ref_s" python3 -c \
    'import sys; sys.exit(float(sys.argv[1]) < 0.8 * float(sys.argv[2]))' "$s" "$ref_s"

# The HLG clip tagged with the BT.2020 constant-luminance matrix
# (bt2020c), which zimg decodes only with the BT.2020 transfer: read as
# the non-constant-luminance BT.2020 it almost always is, not refused.
cl=$OMKT_TMP/quality-hlg-cl.mp4
ffmpeg -nostdin -v error -y -i "$hlg" -c copy \
    -bsf:v hevc_metadata=matrix_coefficients=10 "$cl"
check "hlg bt2020c: the source says bt2020c" test "$(ffprobe -v error \
    -select_streams v:0 -show_entries stream=color_space -of csv=p=0 \
    "$cl")" = bt2020c
o=$OMKT_TMP/quality-hlg-cl
rm -rf "$o"
check "hlg bt2020c: transcode 13 and thumbnails" cli_rc 0 transcode "$cl" \
    "$o" 13 101
check_eq_tags "hlg bt2020c 13" "$o/13.mp4" bt709,tv,bt709,bt709
read -r y s < <(stats "$o/13.mp4")
check "hlg bt2020c: mean luma $y within 10 of the SDR's $ref_y" python3 -c \
    'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) > 10)' "$y" "$ref_y"

# 3. A BT.601 SD source: HD setting 14 converted and tagged BT.709 (its
#    chroma as swscale's 601 -> 709, ~51 dB; unconverted ~32 dB); SD
#    setting 12 keeps BT.601 (SMPTE 170M) and says so.
sd=$(clip sd601 1 640x480)
o=$OMKT_TMP/quality-sd
rm -rf "$o"
check "sd601: transcode 12 14 21 31" cli_rc 0 transcode "$sd" "$o" 12 14 21 31
check_eq_tags "sd601 14" "$o/14.mp4" bt709,tv,bt709,bt709
p=$(psnr "$o/14.mp4" "$sd" \
    "scale=960:720:flags=bicubic:in_color_matrix=bt601:out_color_matrix=bt709" v)
check "sd601 14: chroma converted to BT.709 (min PSNR-V $p >= 40 dB)" \
    at_least "$p" 40
check_eq_tags "sd601 12" "$o/12.mp4" smpte170m,tv,smpte170m,smpte170m
check_eq_tags "sd601 21 (webm)" "$o/21.webm" smpte170m,tv,smpte170m,smpte170m
check_eq_tags "sd601 31 (mpeg-ps)" "$o/31.mpg" smpte170m,tv,smpte170m,smpte170m

# Thumbnails are JPEG, which readers decode with the BT.601 matrix: an HD
# BT.709 source's pictures are converted (~58 dB against the 709 -> 601
# conversion; unconverted ~33 dB).
bars=$OMKT_TMP/quality-bars720.mp4
ffmpeg -nostdin -v error -y -f lavfi -i smptehdbars=s=1280x720:r=25:d=1 \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$bars"
o=$OMKT_TMP/quality-bars
rm -rf "$o"
check "bars 720p: thumbnails" cli_rc 0 transcode "$bars" "$o" 101
p=$(psnr "$o/h00.jpg" "$bars" \
    "trim=end_frame=1,scale=in_color_matrix=bt709:out_color_matrix=bt601,format=yuvj420p" u)
check "bars 720p thumbnail: BT.601 chroma (PSNR-U $p >= 40 dB)" at_least "$p" 40

# 4. An untagged source gets what players assume of it, said explicitly.
o=$OMKT_TMP/quality-untagged
rm -rf "$o"
check "untagged: transcode 11 14" cli_rc 0 transcode "$(clip noaudio 1 1280x720)" "$o" 11 14
check_eq_tags "untagged 720p into 11" "$o/11.mp4" bt709,tv,bt709,bt709
check_eq_tags "untagged 720p into 14" "$o/14.mp4" bt709,tv,bt709,bt709
done_testing
