#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_omkt - the OMKT protocol of apid (PROTOCOL.md section 1) against a
# real MariaDB: every action's success path, every documented error code
# with its HTTP status, the parameter forms and edge cases, the rate
# limit and the per-call log.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_omkt
ctl db init >/dev/null || exit 1

K=$(new_account a@example.com)
KL=$(new_account l@example.com --adapters http,local)
KR=$(new_account r@example.com --rate 3)
KD=$(new_account d@example.com)
ctl account disable 4 2>/dev/null
start_apid "admin_key = test-admin-key"
AUTH=(-d transcoder_key="$K" -d application=cms -d version=1.2)
code_of() { jget "${1#* }" result.code; }
status_of() { echo "${1%% *}"; }
expect() { # expect DESC "STATUS BODY" HTTP CODE
    check_eq "$1: http" "$(status_of "$2")" "$3"
    check_eq "$1: code" "$(code_of "$2")" "$4"
}

# --- app_get_settings (public), on every accepted path and by POST
out=$(omkt -d action=app_get_settings)
check_eq "settings: 200" "$(status_of "$out")" 200
check_eq "settings: 11 is mp4" "$(jget "${out#* }" 11.extension)" mp4
check_eq "settings: 101 cardinality" "$(jget "${out#* }" 101.cardinality)" 40
check "settings: no encoder options" bash -c "! grep -qE 'vopts|mux_opts|vcodec' '$T/body'"
check_eq "settings: content-type" \
    "$(curl -s -o /dev/null -w '%{content_type}' "$API/api/?action=app_get_settings")" application/json
for p in /api /api/index.php; do
    check_eq "settings on $p" "$(curl -s -o /dev/null -w '%{http_code}' "$API$p?action=app_get_settings")" 200
done
out=$(omkt_post -d action=app_get_settings)
check_eq "settings by POST" "$(status_of "$out")" 200
# The reference's catalogue, field for field and in its order: the golden
# file holds the data of omk-server's modules/api/libs/settings.php (ids,
# type, slug, name, technical, extension, recommend, size_43, size_169,
# cardinality; never a command line).
check "settings: the reference's catalogue, field for field" python3 - "$T/body" "$(dirname "$0")/omkt_catalogue.json" <<'PY'
import json, sys, collections
got = json.load(open(sys.argv[1]), object_pairs_hook=collections.OrderedDict)
want = json.load(open(sys.argv[2]), object_pairs_hook=collections.OrderedDict)
# Beyond the reference: 1001, the adaptive-streaming package (ids > 1000
# are the site's range, which the reference's clients already accept).
stream = got.pop("1001")
assert stream["type"] == "streaming" and stream["extension"] == "stream", stream
assert list(got) == list(want), (list(got), list(want))
for k, w in want.items():
    g = got[k]
    assert list(g) == list(w), (k, list(g), list(w))
    for f, v in w.items():
        assert g[f] == v, (k, f, g[f], v)
assert all(e["type"] == "video" for e in got.values())
assert [k for k, e in got.items() if e.get("recommend") == "1"] == ["11", "14", "15", "101"]
PY

# --- unknown / missing action: a real 404 JSON error
expect "unknown action" "$(omkt -d action=app_frobnicate "${AUTH[@]}")" 404 404
expect "missing action" "$(omkt "${AUTH[@]}")" 404 404

# --- 501 502 503 504
expect "no key" "$(omkt -d action=app_new_media -d application=a -d version=1 -d id=1 -d url=http://x/a)" 501 501
expect "no application" "$(omkt -d action=app_new_media -d transcoder_key="$K" -d version=1 -d id=1 -d url=http://x/a)" 501 501
expect "no version" "$(omkt -d action=app_new_media -d transcoder_key="$K" -d application=a -d id=1 -d url=http://x/a)" 501 501
expect "unknown key" "$(omkt -d action=app_new_media -d transcoder_key=0123456789abcdef0123456789abcdef -d application=a -d version=1 -d id=1 -d url=http://x/a)" 502 502
expect "disabled account" "$(omkt -d action=app_new_media -d transcoder_key="$KD" -d application=a -d version=1 -d id=1 -d url=http://x/a)" 503 503
for i in 1 2 3; do
    omkt -d action=app_new_media -d transcoder_key="$KR" -d application=a -d version=1 -d id=$i -d url=http://x/$i >/dev/null
done
expect "rate limit" "$(omkt -d action=app_new_media -d transcoder_key="$KR" -d application=a -d version=1 -d id=9 -d url=http://x/9)" 504 504
expect "app_get_media not rate-limited" "$(omkt -d action=app_get_media -d transcoder_key="$KR" -d application=a -d version=1 -d id=1 -d settings_id=11)" 404 404

# --- app_subscribe refused when not public
expect "subscribe not public" "$(omkt -d action=app_subscribe -d email=x@y -d url=http://cms/cb -d app_key=k -d application=a -d version=1)" 508 508

# --- app_new_media
expect "new media" "$(omkt_post -d action=app_new_media "${AUTH[@]}" -d id=12 -d url=http://cms.example/v.mp4)" 200 200
check_eq "new media: message" "$(jget "$(cat "$T/body")" result.message)" "OK, Download task queued"
check_eq "new media: row" "$(sql "SELECT CONCAT_WS(',', remote_id, url, adapter, do_metadata, state) FROM media WHERE account_id = 1")" \
    "12,http://cms.example/v.mp4,http,1,remote"
check_eq "new media: download job" "$(sql "SELECT CONCAT_WS(',', task, state, account_id) FROM jobs WHERE media_id = (SELECT id FROM media WHERE remote_id = 12 AND account_id = 1)")" "download,queued,1"
expect "duplicate id" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=12 -d url=http://cms.example/v.mp4)" 507 507
expect "unknown adapter" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=13 -d url=http://x/a -d adapter=ftp)" 400 400
expect "adapter not allowed" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=13 -d url=in/a.mp4 -d adapter=local)" 405 405
expect "url refused" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=13 -d url=ftp://x/a)" 200 13
expect "local adapter" "$(omkt -d action=app_new_media -d transcoder_key="$KL" -d application=a -d version=1 -d id=1 -d url=in/a.mp4 -d adapter=local)" 200 200
expect "local escaping path" "$(omkt -d action=app_new_media -d transcoder_key="$KL" -d application=a -d version=1 -d id=2 -d url=../etc/passwd -d adapter=local)" 200 13
expect "missing id" "$(omkt -d action=app_new_media "${AUTH[@]}" -d url=http://x/a)" 505 505
check "505 names the parameter" grep -q '"missing parameter: id"' "$T/body"
expect "missing url" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=14)" 505 505
expect "negative id" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=-3 -d url=http://x/a)" 505 505
expect "non-numeric id" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=abc -d url=http://x/a)" 505 505
expect "lenient id 15abc" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=15abc -d url=http://x/15 -d dometadata=0)" 200 200
check_eq "lenient id stored as 15, dometadata 0" "$(sql "SELECT do_metadata FROM media WHERE account_id = 1 AND remote_id = 15")" 0
expect "padded id ' 16 '" "$(omkt -d action=app_new_media "${AUTH[@]}" --data-urlencode 'id= 16 ' --data-urlencode 'url= http://x/16 ')" 200 200
check_eq "strings trimmed" "$(sql "SELECT url FROM media WHERE account_id = 1 AND remote_id = 16")" "http://x/16"
# Client errors are client codes, never server errors (506/5xx): a url
# over the documented 2048 bytes is refused by the adapter (13), an id of
# 0 is a bad parameter (505) like a negative one.
long=$(head -c 2125 /dev/zero | tr '\0' a)
expect "url of 2,133 bytes refused" "$(omkt_post -d action=app_new_media "${AUTH[@]}" -d id=17 -d "url=http://x/$long")" 200 13
check "url refused: says too long" grep -q 'too long' "$T/body"
expect "url of 2,048 bytes accepted" "$(omkt_post -d action=app_new_media "${AUTH[@]}" -d id=17 -d "url=http://x/${long:0:2039}")" 200 200
expect "local url too long refused" "$(omkt_post -d action=app_new_media -d transcoder_key="$KL" -d application=a -d version=1 -d id=3 -d adapter=local -d "url=in/$long")" 200 13
expect "local url with a . component" "$(omkt -d action=app_new_media -d transcoder_key="$KL" -d application=a -d version=1 -d id=4 -d url=in/./a.mp4 -d adapter=local)" 200 13
expect "local absolute url" "$(omkt -d action=app_new_media -d transcoder_key="$KL" -d application=a -d version=1 -d id=4 -d url=/etc/passwd -d adapter=local)" 200 13
expect "id 0" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=0 -d url=http://x/0)" 505 505
expect "id 0abc" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=0abc -d url=http://x/0)" 505 505
expect "format: id 0" "$(omkt -d action=app_request_format "${AUTH[@]}" -d id=0 -d 'settings_id_list[]=11')" 505 505
expect "get_media: id 0" "$(omkt -d action=app_get_media "${AUTH[@]}" -d id=0 -d settings_id=11)" 505 505
expect "get_media: settings_id 0" "$(omkt -d action=app_get_media "${AUTH[@]}" -d id=12 -d settings_id=0)" 505 505
expect "invalid UTF-8" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=18 --data-urlencode "url=http://x/$(printf '\xff\xfe')")" 505 505
many=$(for i in $(seq 1 300); do printf 'p%d=1&' "$i"; done)
expect "300 parameters" "$(omkt_post --data "${many}action=app_new_media")" 505 505
expect "empty list form" "$(omkt -d action=app_request_format "${AUTH[@]}" -d id=12 -d 'settings_id_list=')" 505 505
check_eq "huge body: 413" "$(head -c 2000000 /dev/zero | tr '\0' a | curl -s -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @- "$API/api/?action=app_new_media")" 413
check "huge body: JSON" grep -q '"code":413' "$T/body"

# --- app_request_format
expect "format: unknown media" "$(omkt -d action=app_request_format "${AUTH[@]}" -d id=999 -d 'settings_id_list[]=11')" 404 404
expect "format: missing list" "$(omkt -d action=app_request_format "${AUTH[@]}" -d id=12)" 505 505
expect "format: metadata not known" "$(omkt -d action=app_request_format "${AUTH[@]}" -d id=12 -d 'settings_id_list[]=11')" 505 505
sql "UPDATE media SET state = 'metadata_failed' WHERE account_id = 1 AND remote_id = 12"
expect "format: metadata failed" "$(omkt -d action=app_request_format "${AUTH[@]}" -d id=12 -d 'settings_id_list[]=11')" 505 505
sql "UPDATE media SET state = 'metadata_ok' WHERE account_id = 1 AND remote_id IN (12, 15)"
expect "format: empty JSON list" "$(omkt -d action=app_request_format "${AUTH[@]}" -d id=12 -d 'settings_id_list=[]')" 505 505
expect "format: unparseable list" "$(omkt -d action=app_request_format "${AUTH[@]}" -d id=12 -d 'settings_id_list=[1,')" 505 505
expect "format: no known id" "$(omkt -d action=app_request_format "${AUTH[@]}" -d id=12 -d 'settings_id_list[]=999' -d 'settings_id_list[]=-1')" 505 505
out=$(omkt_post -d action=app_request_format "${AUTH[@]}" -d id=12 -d 'settings_id_list[]=11' -d 'settings_id_list[]=999' -d 'settings_id_list[]=11')
check_eq "format []: http" "$(status_of "$out")" 200
check_eq "format []: 11 queued" "$(jget "${out#* }" 11.code)" 200
check_eq "format []: 999 unknown" "$(jget "${out#* }" 999.code)" 505
out=$(omkt -d action=app_request_format "${AUTH[@]}" -d id=12 -d 'settings_id_list[0]=11' -d 'settings_id_list[1]=13' -d 'settings_id_list[2]=101')
check_eq "format [K]: 11 already" "$(jget "${out#* }" 11.code)" 507
check_eq "format [K]: 13 queued" "$(jget "${out#* }" 13.code)" 200
check_eq "format [K]: 101 queued" "$(jget "${out#* }" 101.code)" 200
expect "format: all already requested" "$(omkt -d action=app_request_format "${AUTH[@]}" -d id=12 -d 'settings_id_list=[11,13]')" 507 507
# At most 64 ids per request, in every form together (documented in
# docs/api.md, "Limits"): more is a 505 naming the limit, never a crash
# (40 copies of a 64-id JSON list overflowed a stack buffer).
ids64=$(seq -s, 1 64)
args=(); for i in $(seq 1 40); do args+=(--data-urlencode "settings_id_list=[$ids64]"); done
expect "format: 40 x 64 ids (JSON)" "$(omkt_post -d action=app_request_format "${AUTH[@]}" -d id=12 "${args[@]}")" 505 505
check "format: the 505 names the limit" grep -q 'at most 64 ids per request' "$T/body"
expect "format: 65 ids in one JSON list" "$(omkt_post -d action=app_request_format "${AUTH[@]}" -d id=12 --data-urlencode "settings_id_list=[$ids64,65]")" 505 505
brackets=(); for i in $(seq 1 64); do brackets+=(-d "settings_id_list[]=$i"); done
expect "format: 64 [] then 1 JSON" "$(omkt_post -d action=app_request_format "${AUTH[@]}" -d id=12 "${brackets[@]}" --data-urlencode 'settings_id_list=[1]')" 505 505
commas=(); for i in $(seq 1 40); do commas+=(-d "settings_id_list=$ids64"); done
expect "format: 40 x 64 ids (comma list)" "$(omkt_post -d action=app_request_format "${AUTH[@]}" -d id=12 "${commas[@]}")" 505 505
check "apid survived the long lists" kill -0 "$APID_PID"
out=$(omkt -d action=app_request_format "${AUTH[@]}" -d id=15 --data-urlencode 'settings_id_list=[11,"12",21]')
check_eq "format JSON array" "$(jget "${out#* }" 21.code),$(jget "${out#* }" 12.code)" "200,200"
check_eq "format: transcode rows" "$(sql "SELECT GROUP_CONCAT(setting_id ORDER BY setting_id) FROM transcodes t JOIN media m ON m.id = t.media_id WHERE m.remote_id = 12 AND m.account_id = 1")" "11,13,101"
tid() { sql "SELECT t.id FROM transcodes t JOIN media m ON m.id = t.media_id WHERE m.account_id = 1 AND m.remote_id = $1 AND t.setting_id = $2"; }
check_eq "format: one job per call, listing its transcodes" \
    "$(sql "SELECT GROUP_CONCAT(payload ORDER BY id SEPARATOR ' ') FROM jobs WHERE task = 'transcode'")" \
    "{\"transcodes\":[$(tid 12 11)]} {\"transcodes\":[$(tid 12 13),$(tid 12 101)]} {\"transcodes\":[$(tid 15 11),$(tid 15 12),$(tid 15 21)]}"
expect "format: another account's media" "$(omkt -d action=app_request_format -d transcoder_key="$KL" -d application=a -d version=1 -d id=12 -d 'settings_id_list[]=11')" 404 404

# --- multipart/form-data (PHP's curl with an array of fields)
out=$(curl -s -w ' %{http_code}' "$API/api/" -F action=app_new_media -F transcoder_key="$K" -F application=php -F version=5 -F id=30 -F url=http://cms.example/30.mp4)
check_eq "multipart new media" "${out##* }" 200
check_eq "multipart: row" "$(sql "SELECT url FROM media WHERE account_id = 1 AND remote_id = 30")" http://cms.example/30.mp4
sql "UPDATE media SET state = 'metadata_ok' WHERE account_id = 1 AND remote_id = 30"
out=$(curl -s "$API/api/" -F action=app_request_format -F transcoder_key="$K" -F application=php -F version=5 -F id=30 -F 'settings_id_list[0]=51' -F 'settings_id_list[1]=61')
check_eq "multipart list" "$(jget "$out" 51.code),$(jget "$out" 61.code)" "200,200"

# --- the per-call log
sleep 1
check_eq "call log: application and version" \
    "$(sql "SELECT CONCAT_WS(',', application, version, code) FROM api_calls WHERE account_id = 1 AND action = 'app_new_media' ORDER BY id LIMIT 1")" "cms,1.2,200"
check "call log: every call" test "$(sql "SELECT COUNT(*) FROM api_calls")" -ge 40
check_eq "call log: not the public catalogue" "$(sql "SELECT COUNT(*) FROM api_calls WHERE action = 'app_get_settings'")" 0
check_eq "call log: failed authentications too" "$(sql "SELECT GROUP_CONCAT(DISTINCT code ORDER BY code) FROM api_calls WHERE code IN (501, 502, 503, 504)")" "501,502,503,504"
check "log line names application and version" grep -q "action=app_new_media account=1 application=cms version=1.2 code=200" "$APID_LOG"

# --- no row can stop the call log.  Invalid UTF-8 (unauthenticated, so
# anyone can send it) used to fail every later batch until a restart:
# client text is cleaned on the way in (U+FFFD), and a batch the database
# still refuses is written row by row, the refused rows dropped and logged.
logged() { sql "SELECT COUNT(*) FROM api_calls WHERE application = '$1'"; }
is_logged() { [ "$(logged "$1")" = 1 ]; }
expect "unauthenticated application=%FF" "$(omkt -d action=app_new_media -d application=%FF -d version=%C3)" 505 505
curl -s -o /dev/null "$API/api/?action=app_new_media&application=%FF&version=%C3&transcoder_key=$K"
curl -s -o /dev/null "$API/api/?action=app_new_media&application=after-ff&version=1&transcoder_key=$K"
check "a call after invalid UTF-8 is logged" wait_for 10 is_logged after-ff
check "invalid UTF-8 stored as U+FFFD" test "$(sql "SELECT COUNT(*) FROM api_calls WHERE HEX(application) = 'EFBFBD' AND HEX(version) = 'EFBFBD'")" -ge 2
cut=$(printf 'x%.0s' $(seq 1 126))$(printf '\xc3\xa9')
curl -s -o /dev/null -G "$API/api/" -d action=app_new_media --data-urlencode "application=$cut" -d version=1 -d transcoder_key="$K"
curl -s -o /dev/null "$API/api/?action=app_new_media&application=after-cut&version=1&transcoder_key=$K"
check "a call after a 2-byte char at the column's edge is logged" wait_for 10 is_logged after-cut
# shellcheck disable=SC2016 # backquotes are SQL identifier quotes
printf 'USE `%s`;\nDELIMITER //\nCREATE TRIGGER refuse_calls BEFORE INSERT ON api_calls FOR EACH ROW IF NEW.application = '"'poison'"' THEN SIGNAL SQLSTATE '"'45000'"' SET MESSAGE_TEXT = '"'poisoned row'"'; END IF//\nDELIMITER ;\n' "$DBNAME" |
    mariadb --no-defaults -uroot -S "$OMKT_DBDIR/mysqld.sock"
for a in before-poison poison after-poison; do
    curl -s -o /dev/null "$API/api/?action=app_new_media&application=$a&version=1&transcoder_key=$K"
done
check "a refused row does not hold back the others" wait_for 10 is_logged after-poison
check_eq "the calls beside it are kept" "$(logged before-poison),$(logged poison)" 1,0
check "the refused row is logged" grep -q "call log: row refused, dropped.*poisoned row" "$APID_LOG"
check "the refused row is counted in /metrics" bash -c "curl -s -H 'Authorization: Bearer test-admin-key' '$API/metrics' | grep -qE '^omkt_api_calls_dropped_total [1-9]'"
curl -s -o /dev/null "$API/api/?action=app_new_media&application=later&version=1&transcoder_key=$K"
check "and the log goes on" wait_for 10 is_logged later
sql "DROP TRIGGER refuse_calls"

# --- app_subscribe on a public server
cp "$CONF" "$T/public.conf"
sed -i 's/^port = 0$/port = 0\npublic = yes/' "$T/public.conf"
start apid "$OMKT_BIN/apid" -c "$T/public.conf"
wait_for 20 grep -q "listening on" "$LAST_LOG"
PUB=http://127.0.0.1:$(sed -n 's/.*listening on [^ ]*:\([0-9]*\).*/\1/p' "$LAST_LOG" | head -1)
out=$(curl -s -w ' %{http_code}' "$PUB/api/" -d action=app_subscribe -d email=new@cms.example -d url=http://cms.example/cb -d app_key=secret1 -d application=cms -d version=2)
check_eq "subscribe: 200" "${out##* }" 200
NK=$(jget "${out% *}" apikey)
check "subscribe: key" grep -qE '^[0-9a-f]{32}$' <<<"$NK"
check_eq "subscribe: catalogue" "$(jget "${out% *}" settings.13.extension)" mp4
check "subscribe: the same catalogue as app_get_settings" python3 -c '
import json, sys
a = json.loads(sys.argv[1])["settings"]
b = json.loads(sys.argv[2])
assert a == b and len(a) == 29' "${out% *}" "$(curl -s "$PUB/api/?action=app_get_settings")"
check_eq "subscribe: account row" "$(sql "SELECT CONCAT_WS(',', email, url, client_key) FROM accounts WHERE api_key = '$NK'")" "new@cms.example,http://cms.example/cb,secret1"
out=$(curl -s -w ' %{http_code}' "$PUB/api/" -d action=app_new_media -d transcoder_key="$NK" -d application=a -d version=1 -d id=1 -d url=http://x/1)
check_eq "subscribed key works" "${out##* }" 200
out=$(curl -s -w ' %{http_code}' "$PUB/api/" -d action=app_subscribe -d email=n2@cms.example -d url=http://cms.example/cb -d app_key=0123456789012345678901234567890123 -d application=cms -d version=2)
check_eq "subscribe: app_key over 32 chars" "${out##* }" 505
out=$(curl -s -w ' %{http_code}' "$PUB/api/" -d action=app_subscribe -d url=http://cms.example/cb -d app_key=k -d application=cms -d version=2)
check_eq "subscribe: missing email" "${out##* }" 505
out=$(curl -s -w ' %{http_code}' "$PUB/api/" -d action=app_subscribe -d email=n3@cms.example -d "url=http://cms.example/${long:0:1010}" -d app_key=k -d application=cms -d version=2)
check_eq "subscribe: url over 1024 bytes is 505, not 506" "${out##* }" 505
out=$(curl -s -w ' %{http_code}' "$PUB/api/" -d action=app_subscribe -d "email=${long:0:250}@cms.example" -d url=http://cms.example/cb -d app_key=k -d application=cms -d version=2)
check_eq "subscribe: email over 255 bytes is 505, not 506" "${out##* }" 505

# --- could not queue: 15, and nothing half-recorded (a trigger refuses
# the job's INSERT, as a full disk or a lost table would)
refuse_jobs() { # refuse_jobs TASK | ""
    # shellcheck disable=SC2016 # backquotes are SQL identifier quotes
    { printf 'USE `%s`;\nDROP TRIGGER IF EXISTS refuse_jobs;\n' "$DBNAME"
      [ -n "$1" ] && printf "DELIMITER //\nCREATE TRIGGER refuse_jobs BEFORE INSERT ON jobs FOR EACH ROW IF NEW.task = '%s' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF//\nDELIMITER ;\n" "$1"
    } | mariadb --no-defaults -uroot -S "$OMKT_DBDIR/mysqld.sock"
}
refuse_jobs download
expect "could not queue the download" "$(omkt -d action=app_new_media "${AUTH[@]}" -d id=40 -d url=http://x/40)" 200 15
check_eq "no media left behind" "$(sql "SELECT COUNT(*) FROM media WHERE account_id = 1 AND remote_id = 40")" 0
refuse_jobs transcode
expect "could not queue the transcode" "$(omkt -d action=app_request_format "${AUTH[@]}" -d id=15 -d 'settings_id_list[]=31')" 200 15
check_eq "no transcode left behind" "$(sql "SELECT COUNT(*) FROM transcodes WHERE setting_id = 31")" 0
refuse_jobs ""
check "the reason is logged" grep -q "refused by the test" "$APID_LOG"

# --- a clean stop on SIGTERM
kill -TERM "$APID_PID"
wait_exit "$APID_PID" 10
check_eq "SIGTERM: exit 0" "$EXIT_STATUS" 0
check "SIGTERM: logged" grep -q "stopped" "$APID_LOG"
check_eq "SIGTERM: process row stopped" "$(sql "SELECT state FROM processes WHERE role = 'apid' AND pid = $APID_PID")" stopped
