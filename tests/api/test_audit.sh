#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_audit - REST and media-nommer calls leave the same audit trail as
# OMKT calls: one api_calls row (account, "METHOD PATH", User-Agent,
# status, address) and one info log line per call, the API key never
# stored nor logged, even when media-nommer carries it in the URL path.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_audit
ctl db init >/dev/null || exit 1
K=$(new_account a@example.com)
ACC=$(sql "SELECT id FROM accounts WHERE api_key = '$K'")
start_apid ""

code() { curl -s -o /dev/null -w '%{http_code}' -A "$1" "${@:2}"; }
check_eq "REST: a media of nobody" "$(code rest-client/1.0 -H "X-API-Key: $K" "$API/v1/media/424242")" 404
check_eq "REST: unknown key" "$(code rest-client/1.0 -H "X-API-Key: nope" "$API/v1/media/1")" 401
check_eq "media-nommer: key in the path" "$(code nommer-client/0.1 --data-urlencode source_path=http://x/d.mp4 --data-urlencode dest_path=d.mp4 --data-urlencode 'job_options=[{"outfile_options":[["vcodec","libx264"]]}]' "$API/nommer/$K/job/submit/")" 200
check_eq "media-nommer: key in a header (an empty job: success False)" "$(code nommer-client/0.1 -H "X-API-Key: $K" -H 'Content-Type: application/json' --data-binary '{}' "$API/job/submit/")" 200

rows() { sql "SELECT CONCAT_WS('|', IFNULL(account_id, 'none'), action, application, code, remote_addr) FROM api_calls ORDER BY id"; }
logged() { [ "$(sql "SELECT COUNT(*) FROM api_calls")" = 4 ]; }
check "four calls logged" wait_for 10 logged
rows > "$T/rows"
check_eq "REST call: account, method and path, agent, status, address" "$(sed -n 1p "$T/rows")" "$ACC|GET /v1/media/424242|rest-client/1.0|404|127.0.0.1"
check_eq "REST call with an unknown key: no account" "$(sed -n 2p "$T/rows")" "none|GET /v1/media/1|rest-client/1.0|401|127.0.0.1"
check_eq "media-nommer call: the path masked" "$(sed -n 3p "$T/rows")" "$ACC|POST /nommer/****/job/submit/|nommer-client/0.1|200|127.0.0.1"
check_eq "media-nommer call, key in a header" "$(sed -n 4p "$T/rows")" "$ACC|POST /job/submit/|nommer-client/0.1|200|127.0.0.1"
check_eq "the key is stored nowhere in the call log" "$(sql "SELECT COUNT(*) FROM api_calls WHERE LOCATE('$K', CONCAT(action, application, version)) > 0")" 0
check "log lines: the calls" grep -q "call api=nommer action=POST /nommer/\*\*\*\*/job/submit/ account=$ACC application=nommer-client/0.1 code=200" "$APID_LOG"
check "log lines: REST too" grep -q "call api=rest action=GET /v1/media/424242 account=$ACC .*code=404" "$APID_LOG"
check "the key is in no log line" bash -c "! grep -q '$K' '$APID_LOG'"
