# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - helpers for the end-to-end tests: the whole cluster (apid and
# the four workers) against the fake CMS, driven through the OMKT protocol
# only.  Source after tests/lib/common.sh and omkt_setup.
. "$TOP/tests/pipeline/lib.sh"

# e2e_conf [EXTRA_LINES] - the test config with every daemon section set
# so that faults resolve in seconds (lease 3s from write_conf).
e2e_conf() {
    write_conf "$CONF" "
[apid]
port = 0
threads = 2

[downloaderd]
allow_private = yes
max_size = ${E2E_MAX_SIZE:-20M}
timeout = 30s
connect_timeout = 2s

[transcoderd]
min_free = 0

[notifierd]
allow_private = yes
timeout = 2s
retry_base = 200ms
retry_max = 400ms
${1:-}"
}

# e2e_account - an account whose callbacks go to the fake CMS (client key
# ck); sets KEY (its API key).
e2e_account() {
    KEY=$(ctl account add --email e2e@example.com \
        --url "http://127.0.0.1:$CMS_PORT/cb" --client-key ck |
        grep -oE '[0-9a-f]{32}' | head -1)
    [ -n "$KEY" ] || { fail "account add"; exit 1; }
}

# start_apid - apid on its ephemeral port; sets API and APID_PID.
start_apid() {
    start apid "$OMKT_BIN/apid" -c "$CONF"
    APID_PID=$LAST_PID
    if ! wait_for 30 grep -q "listening on" "$LAST_LOG"; then
        fail "apid did not start"; cat "$LAST_LOG"; exit 1
    fi
    API=http://127.0.0.1:$(sed -n 's/.*listening on [^ ]*:\([0-9]*\).*/\1/p' \
        "$LAST_LOG" | head -1)
}

# start_workers - one of each worker daemon; their pids in DL_PID,
# MD_PID, TC_PID, NT_PID.
start_workers() {
    start downloaderd "$OMKT_BIN/downloaderd" -c "$CONF"; DL_PID=$LAST_PID
    start metadatad "$OMKT_BIN/metadatad" -c "$CONF"; MD_PID=$LAST_PID
    start transcoderd "$OMKT_BIN/transcoderd" -c "$CONF"; TC_PID=$LAST_PID
    start notifierd "$OMKT_BIN/notifierd" -c "$CONF"; NT_PID=$LAST_PID
}

# e2e_up [EXTRA_CONF] - fake CMS, schema, account, all five daemons.
e2e_up() {
    cms_start
    e2e_conf "${1:-}"
    ctl db init >/dev/null || { fail "db init"; exit 1; }
    e2e_account
    start_apid
    start_workers
}

# api ACTION [CURL_ARGS...] - GET /api/?action=ACTION with the account's
# credentials; prints the body, leaves the HTTP status in $T/status.
api() {
    local action=$1; shift
    curl -s -G -o "$T/body" -w '%{http_code}' "$API/api/" \
        --data-urlencode "action=$action" --data-urlencode "transcoder_key=$KEY" \
        --data-urlencode application=e2e --data-urlencode version=1 "$@" \
        > "$T/status"
    cat "$T/body"
}

# new_media ID URL - app_new_media; prints the result code.
new_media() {
    api app_new_media --data-urlencode "id=$1" --data-urlencode "url=$2" |
        jfield result.code
}

# jfield PATH - one value of the JSON on stdin (dotted path).
jfield() {
    python3 -c 'import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    d = d[int(k)] if isinstance(d, list) else d[k]
print(json.dumps(d) if isinstance(d,(dict,list)) else d)' "$1" 2>/dev/null
}

# clip FILE SECONDS SIZE [EXTRA_FFMPEG_ARGS...] - an H.264/AAC MP4 test clip.
clip() {
    local out=$1 secs=$2 size=$3; shift 3
    ffmpeg -v error -y -f lavfi -i "testsrc=size=$size:rate=25" -f lavfi \
        -i sine=frequency=440:sample_rate=44100 -t "$secs" -c:v libx264 \
        -preset ultrafast "$@" -c:a aac -shortest -f mp4 "$out"
}

cmslog() { python3 "$TOP/tests/pipeline/cmslog.py" "$CMS_LOG" "$@"; }

# acked ACTION ID [SETTING] - callbacks the CMS acknowledged (answered ok).
acked() {
    if [ $# -ge 3 ]; then
        cmslog q:action="$1" q:id="$2" q:settings_id="$3" mode=ok
    else
        cmslog q:action="$1" q:id="$2" mode=ok
    fi
}
has_acked() { [ "$(acked "$@")" -ge 1 ]; }

# media_dir REMOTE_ID - the media directory (absolute) of a CMS media id.
media_dir() {
    local row
    row=$(sql "SELECT CONCAT(account_id, '/', id) FROM media
        WHERE remote_id = $1 ORDER BY id DESC LIMIT 1")
    echo "$T/docroot/media/$row"
}

# no_temp DIR - no in-progress (dot) file in DIR.
no_temp() { [ -z "$(find "$1" -maxdepth 1 -name '.*' ! -name . 2>/dev/null)" ]; }

# get_media ID SETTING FILE - app_get_media into FILE; prints HTTP status.
get_media() {
    curl -s -G -o "$3" -w '%{http_code}' "$API/api/" \
        --data-urlencode action=app_get_media --data-urlencode "transcoder_key=$KEY" \
        --data-urlencode application=e2e --data-urlencode version=1 \
        --data-urlencode "id=$1" --data-urlencode "settings_id=$2"
}

# alive PID... - every daemon still running.
alive() {
    local p
    for p in "$@"; do kill -0 "$p" 2>/dev/null || return 1; done
}

# known_bug DESCRIPTION COMMAND... - a check that fails because of a bug
# reported elsewhere (not ours to fix): printed as a TAP TODO, not counted.
known_bug() {
    local what=$1; shift
    if "$@"; then pass "$what"; else echo "not ok - $what # TODO KNOWN BUG"; fi
}
