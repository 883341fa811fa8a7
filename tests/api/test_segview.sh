#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_segview - segment-parallel transcodes as the REST API, the
# dashboard and /metrics show them (issue 14): the rows a split leaves
# (a parent 'waiting', one child job per segment and one for the audio,
# job_segments, children's workers in `processes`) are written here with
# SQL as the queue core writes them, then moved through running, retry,
# join, done and failure.  No transcoderd.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_segview
ctl db init >/dev/null || exit 1
KA=$(new_account a@example.com)
start_apid "admin_key = s3cret-operator"
C='scope="cluster",'

post() { # post JSON - the new media's id
    curl -s -H "X-API-Key: $KA" -H 'Content-Type: application/json' \
        --data-binary "$1" "$API/v1/media" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
get() { curl -s -H "X-API-Key: $KA" "$API/v1/media/$1" > "$T/media.json"; }
# split SETTING - the "split" object of SETTING in $T/media.json, sorted
# keys, or "absent"
split() {
    python3 - "$T/media.json" "$1" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
t = [t for t in m["transcodes"] if t["setting_id"] == int(sys.argv[2])][0]
print(json.dumps(t["split"], sort_keys=True) if "split" in t else "absent")
PY
}
# field EXPR - a Python expression over the media object m
field() { python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print($1)" "$T/media.json"; }
dash() { curl -s -u op:s3cret-operator "$API/status" > "$T/dash.html"; }
# line PARENT SETTING - the dashboard row of a split transcode
line() { grep -o "<tr id=\"split-$1-$2\">.*" "$T/dash.html" | sed 's|</tr>.*||'; }
scrape() { curl -s -H 'Authorization: Bearer s3cret-operator' "$API/metrics" > "$T/metrics"; }
# segs - omkt_segment_jobs of every state, "queued delayed ... cancelled"
segs() {
    local s out=""
    for s in queued delayed running "done" failed cancelled; do
        out+="$(awk -v k="omkt_segment_jobs{${C}state=\"$s\"}" '$1 == k { print $2 }' "$T/metrics") "
    done
    echo "${out% }"
}

# --- a media with settings 11, 13 and 101: 11 and 13 are split, the
# thumbnails (101) ran whole in the parent's claim
M=$(post '{"url":"http://cms.example/long.mp4","settings":[11,13,101]}')
sql "UPDATE jobs SET state = 'done', finished = NOW(3) WHERE media_id = $M"
sql "INSERT INTO transcodes (media_id, setting_id, state, progress) VALUES
     ($M, 11, 'running', 40), ($M, 13, 'running', 40), ($M, 101, 'processed', 100)"
T11=$(sql "SELECT id FROM transcodes WHERE media_id = $M AND setting_id = 11")
T13=$(sql "SELECT id FROM transcodes WHERE media_id = $M AND setting_id = 13")
T101=$(sql "SELECT id FROM transcodes WHERE media_id = $M AND setting_id = 101")
sql "INSERT INTO processes (host, pid, role) VALUES ('hostA', 11, 'transcoderd'),
     ('host<b>', 12, 'transcoderd')"
PA=$(sql "SELECT id FROM processes WHERE host = 'hostA'")
PB=$(sql "SELECT id FROM processes WHERE host = 'host<b>'")
# The parent is claimed (running) while its children are made, then
# parked, as the core does in one transaction: a waiting parent without
# children would be woken by apid's reap run at once.
sql "INSERT INTO jobs (task, state, media_id, account_id, payload, progress, attempts,
       worker_id, lease_until)
     VALUES ('transcode', 'running', $M, 1, '{\"transcodes\":[$T11,$T13,$T101]}', 0, 1,
       $PA, NOW(3) + INTERVAL 1 HOUR)"
P=$(sql "SELECT id FROM jobs WHERE media_id = $M AND task = 'transcode'")
# child SEG STATE PROGRESS WORKER - one child job of $P making $KIDS
# (a tpayload list) and its job_segments row
child() {
    local start=0 end=NULL
    if [ "$1" -ge 0 ]; then start=$(($1 * 60000000)); end=$((start + 60000000)); fi
    sql "INSERT INTO jobs (task, state, media_id, account_id, parent_id, payload,
           progress, worker_id, attempts, lease_until, run_after)
         VALUES ('transcode', '$2', $M, 1, $P, '$KIDS', $3, $4,
           IF('$2' = 'queued', 0, 1),
           IF('$2' = 'running', NOW(3) + INTERVAL 1 HOUR, NULL),
           IF('$2' = 'delayed', NOW(3) + INTERVAL 1 HOUR, NOW(3)));
         INSERT INTO job_segments (job_id, parent_id, seg, start_us, end_us, length_us, frames)
         VALUES (LAST_INSERT_ID(), $P, $1, $start, $end, 60000000, IF('$2' = 'done', 1500, 0))"
}
KIDS="{\"transcodes\":[$T11,$T13]}"
child 0 "done" 100 "$PA"
child 1 "done" 100 "$PB"
child 2 running 55 "$PA"
child 3 running 10 "$PB"
child 4 queued 0 NULL
child -1 running 70 "$PA"
job() { sql "SELECT id FROM jobs WHERE parent_id = $P AND id IN (SELECT job_id FROM job_segments WHERE seg = $1)"; }
sql "UPDATE jobs SET state = 'waiting', progress = 40, worker_id = NULL, lease_until = NULL
     WHERE id = $P"
J3=$(job 3); J4=$(job 4); JA=$(job -1)

# --- 1: segments running on two hosts
get "$M"
check_eq "1 REST: setting 11 split" "$(split 11)" \
"{\"audio\": \"running\", \"cancelled\": 0, \"done\": 2, \"failed\": 0, \"job\": $P, \"progress\": 40, \"queued\": 1, \"running\": [{\"host\": \"hostA\", \"progress\": 55, \"segment\": 2}, {\"host\": \"host<b>\", \"progress\": 10, \"segment\": 3}], \"segments\": 5, \"state\": \"waiting\"}"
check_eq "1 REST: setting 13 split, the same family" "$(split 13)" "$(split 11)"
check_eq "1 REST: 101 ran whole: no split" "$(split 101)" absent
check "1 REST: the split object is what docs/openapi.yaml documents" python3 - "$T/media.json" "$TOP/docs/openapi.yaml" <<'PY'
import json, sys, yaml
m = json.load(open(sys.argv[1]))
d = yaml.safe_load(open(sys.argv[2]))["components"]["schemas"]
s = m["transcodes"][0]["split"]
assert set(s) == set(d["Split"]["required"]) == set(d["Split"]["properties"]), s
assert set(s["running"][0]) == set(d["Split"]["properties"]["running"]["items"]["required"])
assert "split" in d["Transcode"]["properties"] and "parent_id" in d["Job"]["properties"]
PY
check_eq "1 REST: existing fields unchanged" \
    "$(field '[(t["setting_id"], t["state"], t["progress"]) for t in m["transcodes"]]')" \
    "[(11, 'running', 40), (13, 'running', 40), (101, 'processed', 100)]"
check_eq "1 REST: a waiting split job keeps the media processing" "$(field 'm["status"]')" processing
check_eq "1 REST: the children's jobs name their parent" \
    "$(field "sorted(set(j.get('parent_id') for j in m['jobs'] if j['id'] != $P and j['task'] == 'transcode'))")" "[$P]"
check_eq "1 REST: the parent and the download have no parent_id" \
    "$(field "[j['state'] for j in m['jobs'] if 'parent_id' not in j]")" "['done', 'waiting']"
dash
check_eq "1 dashboard: setting 11" "$(line "$P" 11)" \
    "<tr id=\"split-$P-11\"><td>$M<td>$P<td class=n>40%<td>setting 11: segments 2/5 done, 2 running on hostA, host&lt;b&gt;, 1 queued, audio running"
check "1 dashboard: setting 13 too" grep -q "<td>setting 13: segments 2/5 done, 2 running on hostA, host&lt;b&gt;, 1 queued, audio running</tr>" "$T/dash.html"
check "1 dashboard: not 101" bash -c "! grep -q 'split-$P-101' '$T/dash.html'"
check "1 dashboard: the waiting job in the queue table" grep -q "id=\"q-transcode-waiting\">1<" "$T/dash.html"
scrape
check_eq "1 metrics: omkt_segment_jobs by state" "$(segs)" "1 0 3 2 0 0"
check "1 metrics: HELP and TYPE" bash -c "grep -q '^# HELP omkt_segment_jobs ' '$T/metrics' && grep -q '^# TYPE omkt_segment_jobs gauge$' '$T/metrics'"
check_eq "1 metrics: the waiting parent in omkt_jobs" \
    "$(awk -v k="omkt_jobs{${C}task=\"transcode\",state=\"waiting\"}" '$1 == k { print $2 }' "$T/metrics")" 1

# --- 2: segment 3 failed once and waits for its retry, the audio is done,
# segment 2 done; one segment runs on host<b>
sql "UPDATE jobs SET state = 'done', progress = 100, lease_until = NULL WHERE id IN ($(job 2), $JA);
     UPDATE jobs SET state = 'delayed', run_after = NOW(3) + INTERVAL 1 HOUR, lease_until = NULL,
       error = 'lost' WHERE id = $J3;
     UPDATE jobs SET state = 'running', worker_id = $PB, attempts = 1, progress = 5,
       lease_until = NOW(3) + INTERVAL 1 HOUR WHERE id = $J4;
     UPDATE jobs SET progress = 70 WHERE id = $P"
get "$M"
check_eq "2 REST: a retry waiting counts as queued" "$(split 11)" \
"{\"audio\": \"done\", \"cancelled\": 0, \"done\": 3, \"failed\": 0, \"job\": $P, \"progress\": 70, \"queued\": 1, \"running\": [{\"host\": \"host<b>\", \"progress\": 5, \"segment\": 4}], \"segments\": 5, \"state\": \"waiting\"}"
dash
check_eq "2 dashboard" "$(line "$P" 11)" \
    "<tr id=\"split-$P-11\"><td>$M<td>$P<td class=n>70%<td>setting 11: segments 3/5 done, 1 running on host&lt;b&gt;, 1 queued, audio done"
scrape
check_eq "2 metrics" "$(segs)" "0 1 1 4 0 0"

# --- 3: every child done, the parent queued to join, then joining
sql "UPDATE jobs SET state = 'done', progress = 100, lease_until = NULL WHERE parent_id = $P"
get "$M"
check_eq "3 REST: children done, parent not woken yet: still processing" "$(field 'm["status"]')" processing
sql "UPDATE jobs SET state = 'queued', progress = 100 WHERE id = $P"
get "$M"
check_eq "3 REST: all done, the join queued" "$(field "(m['transcodes'][0]['split']['state'], m['transcodes'][0]['split']['done'], m['transcodes'][0]['split']['running'], m['status'])")" \
    "('queued', 5, [], 'processing')"
dash
check_eq "3 dashboard: join queued" "$(line "$P" 11)" \
    "<tr id=\"split-$P-11\"><td>$M<td>$P<td class=n>100%<td>setting 11: segments 5/5 done, audio done, join queued"
sql "UPDATE jobs SET state = 'running', worker_id = $PA WHERE id = $P"
dash
check "3 dashboard: joining" grep -q "<td>setting 13: segments 5/5 done, audio done, joining</tr>" "$T/dash.html"
scrape
check_eq "3 metrics" "$(segs)" "0 0 0 6 0 0"

# --- 4: the parent done: the REST view keeps the split, the dashboard
# (in progress only) drops it
sql "UPDATE jobs SET state = 'done', finished = NOW(3) WHERE id = $P;
     UPDATE transcodes SET state = 'processed', progress = 100 WHERE media_id = $M"
get "$M"
check_eq "4 REST: done" "$(field "(m['transcodes'][0]['split']['state'], m['transcodes'][1]['split']['job'], m['status'])")" "('done', $P, 'done')"
dash
check_eq "4 dashboard: no line once done" "$(line "$P" 11)$(line "$P" 13)" ""
check "4 dashboard: the section says none" grep -q '<section id=split><h2>Split transcodes</h2><table><tr><th>media<th>job<th>progress<th>segments</tr><tr><td colspan=4 class=z>none</tr>' "$T/dash.html"

# --- 5: a second media whose segment 1 failed for good: the parent
# failed, the siblings cancelled; no audio child (a silent source)
M=$(post '{"url":"http://cms.example/silent.mp4","settings":[11]}')
sql "UPDATE jobs SET state = 'done' WHERE media_id = $M;
     INSERT INTO transcodes (media_id, setting_id, state, error) VALUES ($M, 11, 'error', 'segment 2 of 3 failed')"
T11=$(sql "SELECT id FROM transcodes WHERE media_id = $M")
KIDS="{\"transcodes\":[$T11]}"
sql "INSERT INTO jobs (task, state, media_id, account_id, payload, error)
     VALUES ('transcode', 'failed', $M, 1, '{\"transcodes\":[$T11]}', 'segment 2 of 3 failed')"
P=$(sql "SELECT id FROM jobs WHERE media_id = $M AND task = 'transcode'")
child 0 "done" 100 NULL
child 1 failed 30 "$PA"
child 2 cancelled 0 NULL
get "$M"
check_eq "5 REST: failed family" "$(split 11)" \
"{\"audio\": \"none\", \"cancelled\": 1, \"done\": 1, \"failed\": 1, \"job\": $P, \"progress\": 0, \"queued\": 0, \"running\": [], \"segments\": 3, \"state\": \"failed\"}"
check_eq "5 REST: media failed" "$(field 'm["status"]')" failed
scrape
check_eq "5 metrics" "$(segs)" "0 0 0 7 1 1"
# --- 6: a media never split has no split object anywhere
M=$(post '{"url":"http://cms.example/short.mp4","settings":[11]}')
sql "INSERT INTO transcodes (media_id, setting_id, state) VALUES ($M, 11, 'running');
     INSERT INTO jobs (task, state, media_id, account_id, payload)
     SELECT 'transcode', 'running', $M, 1, CONCAT('{\"transcodes\":[', id, ']}') FROM transcodes WHERE media_id = $M"
get "$M"
check_eq "6 REST: not split: no split object" "$(split 11)" absent
check "6 REST: no parent_id on a whole job" bash -c "! grep -q parent_id '$T/media.json'"
check "apid: no errors logged" bash -c "! grep -E ' (err|warn): ' '$APID_LOG'"
