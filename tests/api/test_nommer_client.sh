#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_nommer_client - the unmodified media-nommer-api-python client's wire
# format: given only a base URL "http://HOST:PORT/nommer/<key>", it POSTs
# json.dumps(job) to "<base>/job/submit" with urllib2's default
# Content-Type (application/x-www-form-urlencoded) and no key header.
# Also: a base URL with a trailing slash ("//job/submit"), every preset
# the client ships (two passes each), the PENDING state queued with the
# job as a form notification, and the key kept out of the log and the
# call log.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_nommer_client
ctl db init >/dev/null || exit 1
K=$(new_account n@example.com)
start_apid
f() { jget "$(cat "$T/body")" "$1"; }
# client PATH JSON - POST as urllib2 does; prints the HTTP status.
client() {
    curl -s -o "$T/body" -w '%{http_code}' -X POST \
        -H 'Content-Type: application/x-www-form-urlencoded' \
        -H 'User-Agent: Python-urllib/2.7' -H 'Accept-Encoding: identity' \
        --data-binary "$2" "$API$1"
}
# preset NAME - a preset of the client's presets module as the JSON its
# job_submit() sends: two passes, the first without audio.
preset() {
    python3 - "$1" <<'PY'
import json, sys
# name: (width, video bitrate, audio bitrate, extra first, extra second)
P = {
    "web_medium": (640, "400k", "128k", [["bufsize", "400k"]],
                   [["keyint_min", "60"], ["g", "120"]]),
    "android_low": (640, "300k", "128k", [["r", "30"]],
                    [["ar", "48000"], ["ac", "2"]]),
    "cb_low": (400, "230k", "96k", [["bufsize", "230k"]],
               [["keyint_min", "60"], ["g", "120"]]),
    "cb_medium": (640, "921k", "125k", [["bufsize", "921k"]],
                  [["keyint_min", "60"], ["g", "120"]]),
    "cb_high": (1280, "2000k", "125k", [["bufsize", "2000k"]],
                [["keyint_min", "60"], ["g", "120"]]),
}
w, vb, ab, common, second = P[sys.argv[1]]
base = [["vcodec", "libx264"], ["preset", "medium"], ["vprofile", "baseline"],
        ["b", vb]] + common + [
        ["vf", "yadif,scale='%d:trunc(ow/a/2)*2'" % w]]
p1 = base + [["pass", "1"], ["f", "mp4"], ["an", None]]
p2 = base + [["pass", "2"], ["acodec", "libfaac"], ["ab", ab],
             ["async", "480"]] + second + [["f", "mp4"]]
print(json.dumps({"nommer": "media_nommer.ec2nommerd.nommers.ffmpeg.FFmpegNommer",
                  "options": [{"outfile_options": p1},
                              {"outfile_options": p2,
                               "move_atom_to_front": True}]}))
PY
}
job() { # job SOURCE DEST NOTIFY PRESET_JSON - json.dumps of job_submit's dict
    python3 -c 'import json,sys; print(json.dumps({"source_path":sys.argv[1],"dest_path":sys.argv[2],"notify_url":sys.argv[3] or None,"job_options":json.loads(sys.argv[4])}))' "$@"
}

# 1. connect("$API/nommer/<key>").job_submit(...): the key in the path.
body=$(job http://cms.example/in/a.mov out/a.mp4 http://cms.example/nommer/hook "$(preset web_medium)")
check_eq "base URL with the key: 200" "$(client "/nommer/$K/job/submit" "$body")" 200
check_eq "base URL with the key: success" "$(f success)" True
ID=$(f job_id)
check_eq "the key's account owns the job" "$(sql "SELECT account_id FROM media WHERE id = '$ID'")" 1
check_eq "mapped: audio of the second pass, faststart" \
    "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["audio"]["codec"], d["audio"]["bitrate"], d["format_options"])' "$(sql "SELECT job_options FROM media WHERE id = $ID")")" \
    "aac 128k movflags=+faststart"

# PENDING is queued with the job: a form notification, media-nommer's
# three fields first, in order.
check_eq "PENDING queued as a form notification" \
    "$(sql "SELECT payload FROM jobs WHERE task = 'notify' AND media_id = $ID")" \
    "{\"kind\":\"form\",\"url\":\"http://cms.example/nommer/hook\",\"fields\":[[\"unique_id\",\"$ID\"],[\"job_state\",\"PENDING\"],[\"job_state_details\",\"\"],[\"media_id\",\"$ID\"],[\"dest_path\",\"export/1/out/a.mp4\"]]}"

# 2. A base URL given with a trailing slash: "<base>/" + "/job/submit".
check_eq "trailing slash on the keyed base: success" \
    "$(client "/nommer/$K//job/submit" "$body"; echo " $(f success)")" "200 True"
check_eq "trailing slash on a bare base (key in a header): success" \
    "$(curl -s -o "$T/body" -w '%{http_code}' -H "X-API-Key: $K" --data-binary "$body" "$API//job/submit"; echo " $(f success)")" "200 True"
check_eq "with a trailing slash after submit too" \
    "$(client "/nommer/$K/job/submit/" "$body"; echo " $(f success)")" "200 True"
check_eq "no notify_url: no notification queued" \
    "$(client "/nommer/$K/job/submit" "$(job http://x/b.mov b.mp4 '' "$(preset cb_low)")" >/dev/null
       sql "SELECT COUNT(*) FROM jobs WHERE task = 'notify' AND media_id = '$(f job_id)'")" 0

# 3. Every preset the client ships, as it sends it.
for p in web_medium android_low cb_low cb_medium cb_high; do
    check_eq "preset $p accepted" \
        "$(client "/nommer/$K/job/submit" "$(job http://x/p.mov "out/$p.mp4" '' "$(preset "$p")")"; echo " $(f success)")" "200 True"
done

# 4. Wrong keys: refused, and the key is never shown or stored.
BAD=0123456789abcdef0123456789abcdef
check_eq "unknown key in the path: 401" \
    "$(client "/nommer/$BAD/job/submit" "$body" >/dev/null; echo "$(f success) $(f error_code)")" "False 401"
check "the answer does not quote it" test "$(grep -c "$BAD" "$T/body")" = 0
check_eq "no key at all: 401" \
    "$(client "/job/submit" "$body" >/dev/null; echo "$(f success) $(f error_code)")" "False 401"
check_eq "a key in the path of another route: 404" \
    "$(curl -s -o /dev/null -w '%{http_code}' --data-binary x "$API/nommer/$K/v1/media")" 404
check_eq "GET on the keyed path: 405" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$API/nommer/$K/job/submit")" 405
check_eq "no key in the call log" \
    "$(sql "SELECT COUNT(*) FROM api_calls WHERE CONCAT_WS(' ', action, application, version, remote_addr) LIKE '%$K%' OR CONCAT_WS(' ', action, application, version, remote_addr) LIKE '%$BAD%'")" 0
check "no key in the apid log" test "$(grep -c -e "$K" -e "$BAD" "$APID_LOG")" = 0
