#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_split_policy - which transcodes are split (issue 14), with
# [transcoderd] segment_min = 10s, segment_length = 4s and a site
# settings file:
# - an 8 s source asked for 12 and site setting 2002 (12 with its own
#   "segment_min": 5, "segment_length": 3): 2002 is split (its own
#   threshold), 12 is not (under the daemon's), in the same request;
#   both outputs have the source's frames, one callback each;
# - a 20 s source asked for site setting 2001 (12 with "segment": false):
#   not split, though long enough;
# - a 12 s source flagged interlaced (field order tt) asked for 12: not
#   split (bwdif looks at the previous field), made whole.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/seglib.sh"
omkt_setup e2esplitpol

cat > "$T/site.json" <<'JSON'
{"settings": [
  {"id": 2001, "based_on": 12, "slug": "mp4-360-whole",
   "name": "MP4 360p, never split", "segment": false},
  {"id": 2002, "based_on": 12, "slug": "mp4-360-seg",
   "name": "MP4 360p, split from 5 s", "segment_min": 5,
   "segment_length": 3}
]}
JSON
[ -x "$MCLI" ] || { echo "1..0 # SKIP no $MCLI (make tests)"; exit 77; }
cms_start
e2e_conf "$SEG_CONF"
sed -i "/^\[common\]/a settings_file = $T/site.json" "$CONF"
ctl db init >/dev/null || { fail "db init"; exit 1; }
check "transcoderd -t accepts the site settings" \
    "$OMKT_BIN/transcoderd" -t -c "$CONF"
e2e_account
start_apid
start downloaderd "$OMKT_BIN/downloaderd" -c "$CONF"
start metadatad "$OMKT_BIN/metadatad" -c "$CONF"
start notifierd "$OMKT_BIN/notifierd" -c "$CONF"
start_tc tc1
start_tc tc2

seg_clip cfr "$CMS_ROOT/short.mp4" 8
seg_clip cfr "$CMS_ROOT/long.mp4" 20
ff -f lavfi -i "testsrc2=s=320x240:r=25:d=12" -f lavfi -i "sine=d=12" \
    -c:v libx264 -preset ultrafast -flags +ilme+ildct -x264-params tff=1 \
    -g 50 -pix_fmt yuv420p -c:a aac -shortest "$CMS_ROOT/inter.mp4"
check_eq "the interlaced source is flagged so" "$(ffprobe -v error \
    -select_streams v -show_entries stream=field_order -of csv=p=0 \
    "$CMS_ROOT/inter.mp4")" tt

# fam_payload PARENT - what its children make (their payload).
fam_payload() {
    sql "SELECT DISTINCT payload FROM jobs WHERE parent_id = $1"
}
tid_of() {
    sql "SELECT t.id FROM transcodes t JOIN media m ON m.id = t.media_id
        WHERE m.remote_id = $1 AND t.setting_id = $2"
}
made() { [ "$(tstate "$1" "$2")" = processed ]; }
done_both() { made 1 12 && made 1 2002; }

submit 1 short.mp4 12 2002
check "media 1: both made" wait_for 120 done_both
p=$(parent 1)
check "media 1: split (children)" has_kids "$p"
check_eq "media 1: the children make 2002 only" "$(fam_payload "$p")" \
    "{\"transcodes\":[$(tid_of 1 2002)]}"
check "media 1: 3 s segments: more than two" [ "$(sql "SELECT COUNT(*)
    FROM job_segments WHERE parent_id = $p AND seg >= 0")" -ge 2 ]
check "media 1: parent done" wait_for 30 is_jstate "$p" "done"
want=$(nframes "$CMS_ROOT/short.mp4")
for s in 12 2002; do
    check_eq "media 1: app_get_media $s: 200" "$(get_media 1 "$s" "$T/o1-$s.mp4")" 200
    check_eq "media 1: $s has the source's frames" "$(nframes "$T/o1-$s.mp4")" "$want"
    one_callback 1 "$s"
done

submit 2 long.mp4 2001
check "media 2: 2001 made" wait_for 120 made 2 2001
p=$(parent 2)
check_eq "media 2: \"segment\": false: no children" "$(kids "$p")" 0
check_eq "media 2: its job done in one claim" "$(jstate "$p")" "done"
one_callback 2 2001

submit 3 inter.mp4 12
check "media 3: 12 made" wait_for 120 made 3 12
p=$(parent 3)
check_eq "media 3: interlaced: no children" "$(kids "$p")" 0
check_eq "media 3: 12 has the source's frames" \
    "$(get_media 3 12 "$T/o3.mp4") $(nframes "$T/o3.mp4")" \
    "200 $(nframes "$CMS_ROOT/inter.mp4")"
one_callback 3 12
