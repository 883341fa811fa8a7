#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_segview_live - the segment views on a real split (issue 14): the
# whole cluster with [transcoderd] segment_min = 4s and segment_length =
# 2s transcodes a 12 s 720p clip to setting 11 (split) and 101
# (thumbnails, whole).  While it runs, GET /v1/media/{id} is sampled (the
# running segments seen must name the transcoderd's host); once it is done
# the split object of 11 says done with every segment and the audio done,
# 101 has none, each segment job names the split job, /metrics counts
# them done, and the dashboard lists nothing in progress.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup e2esegview
cms_start
e2e_conf
sed -i -e '/^\[apid\]$/a admin_key = s3cret-operator' \
    -e '/^\[transcoderd\]$/a segment_min = 4s\nsegment_length = 2s' "$CONF"
ctl db init >/dev/null || { fail "db init"; exit 1; }
e2e_account
start_apid
start_workers
clip "$CMS_ROOT/long.mp4" 12 1280x720 -g 25

ID=$(curl -s -X POST -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
    --data-binary "{\"url\":\"http://127.0.0.1:$CMS_PORT/f/long.mp4\",\"settings\":[11,101]}" \
    "$API/v1/media" | jfield id)
check "submitted" test -n "$ID"
get() { curl -s -H "X-API-Key: $KEY" "$API/v1/media/$ID" > "$T/media.json"; }
field() { python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print($1)" "$T/media.json"; }
# sample - record the split states seen while the media is processed
sample() {
    get
    field "[t['split']['state'] for t in m['transcodes'] if 'split' in t]" >> "$T/seen"
    field "'\\n'.join(r['host'] or 'null' for t in m['transcodes'] if 'split' in t for r in t['split']['running'])" >> "$T/hosts"
    [ "$(field 'm["status"]')" = "done" ]
}
check "media done" wait_for 90 sample
echo "# split states seen while running: $(sort -u "$T/seen" | tr '\n' ' ')"
TC_HOST=$(sql "SELECT DISTINCT host FROM processes WHERE role = 'transcoderd'")
echo "# running segments seen on: $(grep . "$T/hosts" | sort | uniq -c | tr -s '\n ' ' ')"
check "every running segment seen names the transcoderd's host ($TC_HOST)" \
    test -z "$(grep . "$T/hosts" | grep -vxF "$TC_HOST")"

get
S=$(field "[t for t in m['transcodes'] if t['setting_id'] == 11][0]['split']")
echo "# split of 11: $S"
P=$(field "[t for t in m['transcodes'] if t['setting_id'] == 11][0]['split']['job']")
N=$(sql "SELECT COUNT(*) FROM job_segments WHERE parent_id = $P AND seg >= 0")
check "split into several segments (got $N)" test "${N:-0}" -ge 2
check_eq "11: the split object of the finished split" \
    "$(field "{k: v for k, v in [t for t in m['transcodes'] if t['setting_id'] == 11][0]['split'].items() if k != 'job'}")" \
    "{'state': 'done', 'progress': 100, 'segments': $N, 'done': $N, 'running': [], 'queued': 0, 'failed': 0, 'cancelled': 0, 'audio': 'done'}"
check_eq "101 (thumbnails, whole): no split" \
    "$(field "'split' in [t for t in m['transcodes'] if t['setting_id'] == 101][0]")" False
check_eq "the segment and audio jobs name the split job" \
    "$(field "sum(1 for j in m['jobs'] if j.get('parent_id') == $P)")" $((N + 1))
check_eq "processed" "$(field "[t['state'] for t in m['transcodes']]")" "['processed', 'processed']"
curl -s -H 'Authorization: Bearer s3cret-operator' "$API/metrics" > "$T/metrics"
check_eq "metrics: the children done" \
    "$(awk '$1 == "omkt_segment_jobs{scope=\"cluster\",state=\"done\"}" { print $2 }' "$T/metrics")" $((N + 1))
check_eq "metrics: none in another state" \
    "$(grep '^omkt_segment_jobs{' "$T/metrics" | grep -v 'state="done"' | awk '{ s += $2 } END { print s }')" 0
curl -s -u op:s3cret-operator "$API/status" > "$T/dash.html"
check "dashboard: nothing split in progress" grep -q '<th>segments</tr><tr><td colspan=4 class=z>none</tr>' "$T/dash.html"
check "daemons alive" alive "$APID_PID" "$DL_PID" "$MD_PID" "$TC_PID" "$NT_PID"
