# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - helpers for the pipeline tests (downloaderd, notifierd): the
# fake CMS, an account pointing at it, media rows and download jobs.
# Source after tests/lib/common.sh and omkt_setup.

# cms_start [ARGS...] - the fake CMS on 127.0.0.1; sets CMS_PORT, CMS_LOG,
# CMS_ROOT (files it serves) and CMS_CTL (its control directory).
cms_start() {
    CMS_ROOT=$T/origin
    CMS_CTL=$T/cmsctl
    CMS_LOG=$T/cms.jsonl
    mkdir -p "$CMS_ROOT" "$CMS_CTL"
    : > "$CMS_LOG"
    rm -f "$T/cms.port"
    start cms ${CMS_WRAP:-} python3 "$TOP/tests/servers/fake_cms.py" \
        --root "$CMS_ROOT" --log "$CMS_LOG" --port-file "$T/cms.port" \
        --ctl "$CMS_CTL" "$@"
    wait_for 10 test -s "$T/cms.port" || { fail "fake CMS did not start"; exit 1; }
    CMS_PORT=$(cat "$T/cms.port")
}

# cms_mode MODE - how the fake CMS answers callbacks (ok, 500, ...).
cms_mode() { echo "$1" > "$CMS_CTL/cb_mode"; }

# account_add KEY - an account whose callback URL is the fake CMS; prints
# its id.
account_add() {
    ctl account add --email "a$1@example.com" \
        --url "http://127.0.0.1:$CMS_PORT/cb?site=$1" --client-key "$1" \
        --adapters http,local >/dev/null 2>&1
    sql "SELECT id FROM accounts WHERE client_key = '$1'"
}

# media_add ACCOUNT REMOTE_ID URL [ADAPTER] [DO_METADATA] - a remote media
# and its download job; prints the media id.
media_add() { # media_add ACC RID URL [ADAPTER [DO_METADATA [JOB_STATE]]]
    local acc=$1 rid=$2 url=$3 adapter=${4:-http} meta=${5:-1}
    local state=${6:-queued} id
    id=$(sql "INSERT INTO media (account_id, remote_id, url, adapter,
        do_metadata) VALUES ($acc, $rid, '$url', '$adapter', $meta);
        SELECT LAST_INSERT_ID()")
    sql "INSERT INTO jobs (task, state, run_after, media_id, account_id,
        priority) VALUES ('download', '$state', NOW(3) + INTERVAL
        IF('$state' = 'delayed', 1, 0) DAY, $id, $acc, 3)"
    echo "$id"
}

media_state() { sql "SELECT state FROM media WHERE id = $1"; }
job_state() { # job_state TASK MEDIA_ID
    sql "SELECT CONCAT(state, ' ', attempts) FROM jobs WHERE task = '$1'
        AND media_id = $2 ORDER BY id DESC LIMIT 1"
}
is_state() { [ "$(media_state "$1")" = "$2" ]; }
job_done() { # job_done TASK MEDIA_ID: finished, done or failed
    case $(job_state "$1" "$2") in done*|failed*) return 0 ;; esac
    return 1
}

# cms_requests PATTERN - lines of the CMS log whose path matches PATTERN.
cms_requests() { grep -c -- "$1" "$CMS_LOG"; }

# only_original DIR - DIR holds nothing but "original" (no temp files).
only_original() {
    local f
    for f in "$1"/* "$1"/.[!.]*; do
        [ -e "$f" ] || continue
        [ "${f##*/}" = original ] || return 1
    done
    return 0
}

# mkfile NAME BYTES - random bytes served by the fake CMS.
mkfile() { head -c "$2" /dev/urandom > "$CMS_ROOT/$1"; }
