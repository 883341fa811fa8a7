#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_rest - the JSON REST API (/v1/, docs/openapi.yaml): API key
# authentication, settings, submission with settings, callback, priority
# and idempotency key, details with transcodes/progress/download links,
# listing with filters and paging, cancel, retry, downloads with Range,
# errors in {"error":{"code","message"}} form, and account isolation.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_rest
ctl db init >/dev/null || exit 1
KA=$(new_account a@example.com)
KB=$(new_account b@example.com)
KD=$(new_account d@example.com)
KR=$(new_account r@example.com --rate 2)
ctl account disable 3 2>/dev/null
start_apid

req() { # req KEY METHOD PATH [CURL ARGS] - "STATUS" ; body in $T/body
    local key=$1 m=$2 p=$3; shift 3
    curl -s -o "$T/body" -w '%{http_code}' -X "$m" ${key:+-H "X-API-Key: $key"} "$API$p" "$@"
}
body() { cat "$T/body"; }
field() { jget "$(body)" "$1"; }
post() { req "$1" POST /v1/media -H 'Content-Type: application/json' --data-binary "$2" "${@:3}"; }

# --- authentication
check_eq "no key: 401" "$(req '' GET /v1/media)" 401
check_eq "401 error shape" "$(field error.code)" unauthorized
check_eq "unknown key: 401" "$(req 0123456789abcdef0123456789abcdef GET /v1/media)" 401
check_eq "disabled: 403" "$(req "$KD" GET /v1/media)" 403
check_eq "Bearer works too" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KA" "$API/v1/media")" 200

# --- settings
check_eq "settings: 200" "$(req "$KA" GET /v1/settings)" 200
check_eq "settings: 13 is 480p mp4" "$(python3 -c 'import json,sys; d={s["id"]:s for s in json.load(open(sys.argv[1]))["settings"]}; print(d[13]["extension"], d[13]["size_169"], d[101]["cardinality"])' "$T/body")" "mp4 854x480 40"

# --- submission errors
check_eq "not JSON: 400" "$(post "$KA" '{nope')" 400
check_eq "invalid_json code" "$(field error.code)" invalid_json
check_eq "invalid UTF-8: 400" "$(post "$KA" "$(printf '{"url":"http://x/\xff"}')")" 400
check_eq "no url: 400" "$(post "$KA" '{"settings":[11]}')" 400
check_eq "invalid_request code" "$(field error.code)" invalid_request
check_eq "ftp url: 400" "$(post "$KA" '{"url":"ftp://x/a"}')" 400
check_eq "unknown setting: 400" "$(post "$KA" '{"url":"http://x/a","settings":[11,999]}')" 400
check "names the problem" grep -q "unknown setting" "$T/body"
check_eq "priority out of range: 400" "$(post "$KA" '{"url":"http://x/a","priority":1000}')" 400
check_eq "bad callback: 400" "$(post "$KA" '{"url":"http://x/a","callback_url":"file:///etc"}')" 400
check_eq "bad notify_url alias: 400" "$(post "$KA" '{"url":"http://x/a","notify_url":"file:///etc"}')" 400
check_eq "callback_url and notify_url differ: 400" "$(post "$KA" '{"url":"http://x/a","callback_url":"http://x/1","notify_url":"http://x/2"}')" 400
check_eq "external_id not a string: 400" "$(post "$KA" '{"url":"http://x/a","external_id":42}')" 400
check_eq "array body: 400" "$(post "$KA" '[1]')" 400
# Client errors are 400s, never 5xx: the documented limits (docs/api.md).
long=$(head -c 2049 /dev/zero | tr '\0' a)
check_eq "url of 2,049 bytes: 400" "$(post "$KA" "{\"url\":\"http://x/${long:0:2040}\"}")" 400
check_eq "callback_url of 2,049 bytes: 400" "$(post "$KA" "{\"url\":\"http://x/a\",\"callback_url\":\"http://x/${long:0:2040}\"}")" 400
check_eq "external_id of 256 bytes: 400" "$(post "$KA" "{\"url\":\"http://x/a\",\"external_id\":\"${long:0:256}\"}")" 400
check_eq "idempotency key of 65 bytes: 400" "$(post "$KA" '{"url":"http://x/a"}' -H "Idempotency-Key: ${long:0:65}")" 400
check_eq "idempotency key not UTF-8: 400" "$(post "$KA" '{"url":"http://x/a"}' -H "$(printf 'Idempotency-Key: k\xff')")" 400
check_eq "33 settings: 400" "$(post "$KA" "{\"url\":\"http://x/a\",\"settings\":[$(seq -s, 1 33)]}")" 400
check_eq "nothing recorded" "$(sql "SELECT COUNT(*) FROM media")" 0

# --- submission
check_eq "submit: 201" "$(post "$KA" '{"url":"http://cms.example/a.mp4","settings":[11,101],"callback_url":"http://cms.example/done","priority":5,"external_id":"cms-42"}' -H 'Idempotency-Key: k-1')" 201
ID1=$(field id)
check_eq "submit: external_id" "$(field external_id)" cms-42
check_eq "submit: status" "$(field status)" processing
check_eq "submit: settings" "$(field settings)" "[11, 101]"
check_eq "submit: callback" "$(field callback_url)" http://cms.example/done
check_eq "submit: row" "$(sql "SELECT CONCAT_WS(',', remote_id, want_settings, notify_url, idempotency_key, priority, state) FROM media WHERE id = $ID1")" \
    "-$ID1,11,101,http://cms.example/done,k-1,5,remote"
check_eq "submit: download job with priority" "$(sql "SELECT CONCAT_WS(',', task, state, priority, account_id) FROM jobs WHERE media_id = $ID1")" "download,queued,5,1"
check_eq "same key: 200" "$(post "$KA" '{"url":"http://cms.example/a.mp4","settings":[11,101]}' -H 'Idempotency-Key: k-1')" 200
check_eq "same key: same media" "$(field id)" "$ID1"
check_eq "same key: no second job" "$(sql "SELECT COUNT(*) FROM jobs")" 1
check_eq "key in the body: 201" "$(post "$KA" '{"url":"http://cms.example/b.mp4","idempotency_key":"k-2"}')" 201
ID2=$(field id)
check_eq "key in the body again: same" "$(post "$KA" '{"url":"http://cms.example/b.mp4","idempotency_key":"k-2"}'; echo " $(field id)")" "200 $ID2"
check_eq "another account, same key: its own media" "$(post "$KB" '{"url":"http://cms.example/c.mp4"}' -H 'Idempotency-Key: k-1')" 201
IDB=$(field id)
check "B's media is new" test "$IDB" != "$ID1"
check_eq "no key: always new" "$(post "$KA" '{"url":"http://cms.example/d.mp4"}')" 201
ID3=$(field id)

# --- details, isolation
check_eq "get: 200" "$(req "$KA" GET /v1/media/"$ID1")" 200
check_eq "get: url" "$(field url)" http://cms.example/a.mp4
check_eq "get: jobs" "$(field jobs.0.task)" download
check_eq "B cannot read A's media" "$(req "$KB" GET /v1/media/"$ID1")" 404
check_eq "404 shape" "$(field error.code)" not_found
check_eq "unknown media: 404" "$(req "$KA" GET /v1/media/999999)" 404
check_eq "bad id: 404" "$(req "$KA" GET /v1/media/abc)" 404

# --- list, filters, paging
check_eq "list: 200" "$(req "$KA" GET '/v1/media?limit=2')" 200
check_eq "list: newest first, 2" "$(field items.0.id),$(field items.1.id)" "$ID3,$ID2"
CUR=$(field next_cursor)
check_eq "list: next page" "$(req "$KA" GET "/v1/media?limit=2&cursor=$CUR"; echo " $(field items.0.id) $(field next_cursor)")" "200 $ID1 None"
check_eq "list: only A's" "$(req "$KA" GET /v1/media; python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$T/body")" "2003"
check_eq "list: B sees one" "$(req "$KB" GET /v1/media; python3 -c 'import json,sys; print([i["id"] for i in json.load(open(sys.argv[1]))["items"]])' "$T/body")" "200[$IDB]"
sql "UPDATE media SET state = 'metadata_ok' WHERE id = $ID2"
check_eq "list: state filter" "$(req "$KA" GET '/v1/media?state=metadata_ok'; echo " $(field items.0.id) $(jget "$(body)" items.1 || echo none)")" "200 $ID2 none"
check_eq "list: bad state 400" "$(req "$KA" GET '/v1/media?state=bogus')" 400
check_eq "list: bad limit 400" "$(req "$KA" GET '/v1/media?limit=0')" 400

# --- cancel and retry
check_eq "B cannot cancel A's media" "$(req "$KB" POST /v1/media/"$ID1"/cancel)" 404
check_eq "A's job untouched" "$(sql "SELECT state FROM jobs WHERE media_id = $ID1")" queued
check_eq "cancel: 200" "$(req "$KA" POST /v1/media/"$ID1"/cancel)" 200
check_eq "cancel: status" "$(field status)" cancelled
check_eq "cancel: job row" "$(sql "SELECT state FROM jobs WHERE media_id = $ID1 AND task <> 'notify'")" cancelled
cbody=$(sql "SELECT payload FROM jobs WHERE media_id = $ID1 AND task = 'notify'")
check_eq "cancel: one media.cancelled callback queued" \
    "$(jget "$cbody" kind) $(jget "$cbody" url) $(jget "$cbody" body.event) $(jget "$cbody" body.state) $(jget "$cbody" body.media_id) $(jget "$cbody" body.settings)" \
    "url http://cms.example/done media.cancelled cancelled $ID1 []"
check_eq "cancel again: 409" "$(req "$KA" POST /v1/media/"$ID1"/cancel)" 409
check_eq "retry without failure: 409" "$(req "$KA" POST /v1/media/"$ID2"/retry)" 409
sql "UPDATE jobs SET state = 'failed', error = 'connection refused', attempts = 5 WHERE media_id = $ID2;
     UPDATE media SET state = 'download_failed' WHERE id = $ID2"
check_eq "failed: status" "$(req "$KA" GET /v1/media/"$ID2"; echo " $(field status) $(field jobs.0.error)")" "200 failed connection refused"
check_eq "B cannot retry A's media" "$(req "$KB" POST /v1/media/"$ID2"/retry)" 404
check_eq "retry: 200" "$(req "$KA" POST /v1/media/"$ID2"/retry)" 200
check_eq "retry: queued again" "$(sql "SELECT CONCAT(state, ' ', attempts) FROM jobs WHERE media_id = $ID2")" "queued 0"
check_eq "retry: the media is to be downloaded again" "$(sql "SELECT state FROM media WHERE id = $ID2")" remote
check_eq "cancel with GET: 405" "$(req "$KA" GET /v1/media/"$ID2"/cancel)" 405

# --- transcodes, progress, downloads
D=$T/docroot/media/1/$ID2; mkdir -p "$D"
head -c 200000 /dev/urandom > "$D/11.mp4"
sql "INSERT INTO transcodes (media_id, setting_id, state, progress, cardinality, path, metadata) VALUES
 ($ID2, 11, 'processed', 100, 1, 'media/1/$ID2/11.mp4', '{\"mime\":\"video/mp4\"}'),
 ($ID2, 13, 'running', 40, 0, NULL, NULL)"
check_eq "details: 200" "$(req "$KA" GET /v1/media/"$ID2")" 200
check_eq "details: progress is the mean" "$(field progress)" 70
check_eq "details: transcode states" "$(field transcodes.0.state),$(field transcodes.1.state),$(field transcodes.1.progress)" "processed,running,40"
LINK=$(field transcodes.0.download_url)
check_eq "details: download link" "$LINK" "$API/v1/media/$ID2/transcodes/11/file"
check_eq "details: no link while running" "$(field transcodes.1.download_url)" None
check_eq "download: 200" "$(curl -s -o "$T/out" -w '%{http_code}' -H "X-API-Key: $KA" "$LINK")" 200
check "download: bytes" cmp -s "$T/out" "$D/11.mp4"
check_eq "download range: 206" "$(curl -s -o "$T/out" -w '%{http_code}' -H "X-API-Key: $KA" -H 'Range: bytes=-10' "$LINK")" 206
check_eq "download bad range: 416" "$(curl -s -o "$T/out" -w '%{http_code}' -H "X-API-Key: $KA" -H 'Range: bytes=999999-' "$LINK")" 416
check_eq "download range to INT64_MAX: 206, clipped" "$(curl -s -o "$T/out" -D "$T/hdr" -w '%{http_code}' -H "X-API-Key: $KA" -H 'Range: bytes=0-9223372036854775807' "$LINK") $(grep -i '^content-range:' "$T/hdr" | tr -d '\r' | sed 's/.*\///')" "206 $(stat -c %s "$T/out")"
check_eq "download without key: 401" "$(curl -s -o /dev/null -w '%{http_code}' "$LINK")" 401
check_eq "download by B: 404" "$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $KB" "$LINK")" 404
check_eq "download of a running output: 404" "$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $KA" "$API/v1/media/$ID2/transcodes/13/file")" 404

# --- misc
check_eq "unknown resource: 404" "$(req "$KA" GET /v1/nothing)" 404
check_eq "unknown path outside /v1: 404 JSON" "$(req "$KA" GET /nothing; echo " $(field error.code)")" "404 not_found"
req "$KR" GET /v1/media >/dev/null; req "$KR" GET /v1/media >/dev/null
check_eq "rate limit: 429" "$(req "$KR" GET /v1/media)" 429
check_eq "rate_limited code" "$(field error.code)" rate_limited
check "openapi.yaml parses and documents every route and callback event" python3 -c "
import yaml
d = yaml.safe_load(open('$TOP/docs/openapi.yaml'))
assert set(d['paths']) == {'/v1/settings', '/v1/media', '/v1/media/{id}', '/v1/media/{id}/cancel', '/v1/media/{id}/retry', '/v1/media/{id}/transcodes/{setting_id}/file', '/v1/media/{id}/package/{setting_id}/{file}', '/v1/signed/{token}/media/{id}/package/{setting_id}/{file}'}
cb = d['paths']['/v1/media']['post']['callbacks']['events']['{\$request.body#/callback_url}']['post']
m = cb['requestBody']['content']['application/json']['schema']['discriminator']['mapping']
assert set(m) == {'format.done', 'format.failed', 'media.done', 'media.failed', 'media.cancelled'}, m
assert 'external_id' in d['components']['schemas']['Submission']['properties']
"

# --- one idempotency key, eight clients at once: one media
racers=()
for i in 1 2 3 4 5 6 7 8; do
    curl -s -o "$T/race.$i" -H "X-API-Key: $KB" -H 'Idempotency-Key: race' \
        -H 'Content-Type: application/json' --data-binary '{"url":"http://x/race"}' "$API/v1/media" &
    racers+=($!)
done
wait "${racers[@]}" # not the daemons
check_eq "concurrent same key: one media" "$(sql "SELECT COUNT(*) FROM media WHERE idempotency_key = 'race'")" 1
check_eq "concurrent same key: every answer names it" "$(cat "$T"/race.* | python3 -c 'import sys,json; print(len({json.loads(l)["id"] for l in sys.stdin.read().replace("}{", "}\n{").splitlines()}))')" 1
