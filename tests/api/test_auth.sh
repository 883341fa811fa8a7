#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_auth - one door for API keys (src/apid/auth.c): the OMKT, REST and
# media-nommer fronts judge a key the same way (unknown, disabled, over
# the shared calls per minute) and take it in the same header forms
# (X-API-Key, Authorization: Bearer, Authorization: Basic with the key as
# password), each answering in its own wire format.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_auth
ctl db init >/dev/null || exit 1
K=$(new_account a@example.com)
KD=$(new_account d@example.com)
KR=$(new_account r@example.com --rate 4)
ctl account disable 2 >/dev/null 2>&1
start_apid
NOBODY=0123456789abcdef0123456789abcdef
JOB='{"source_path":"http://x/a","dest_path":"a.mp4","job_options":[{}]}'

omkt_code() { # omkt_code KEY - "HTTP CODE" of an authenticated OMKT call
    local st
    st=$(curl -s -o "$T/body" -w '%{http_code}' -G "$API/api/" -d action=app_get_media \
        -d transcoder_key="$1" -d application=t -d version=1 -d id=1 -d settings_id=11)
    echo "$st $(jget "$(cat "$T/body")" result.code)"
}
rest_code() { # rest_code CURL_HEADER_ARGS... - "HTTP CODE" of GET /v1/settings
    local st
    st=$(curl -s -o "$T/body" -w '%{http_code}' "$@" "$API/v1/settings")
    echo "$st $(jget "$(cat "$T/body")" error.code)"
}
nom_code() { # nom_code CURL_HEADER_ARGS... - "success error_code" of a submission
    curl -s -o "$T/body" -H 'Content-Type: application/json' --data-binary "$JOB" "$@" "$API/job/submit/"
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["success"], d.get("error_code", "-"))' "$T/body"
}
basic() { printf 'Authorization: Basic %s' "$(printf 'cms:%s' "$1" | base64 -w0)"; }

# The same verdicts, each front's own answer.
check_eq "unknown key: OMKT 502" "$(omkt_code $NOBODY)" "502 502"
check_eq "unknown key: REST 401" "$(rest_code -H "X-API-Key: $NOBODY")" "401 unauthorized"
check_eq "unknown key: nommer 401" "$(nom_code -H "X-API-Key: $NOBODY")" "False 401"
check_eq "disabled: OMKT 503" "$(omkt_code "$KD")" "503 503"
check_eq "disabled: REST 403" "$(rest_code -H "X-API-Key: $KD")" "403 account_disabled"
check_eq "disabled: nommer 403" "$(nom_code -H "X-API-Key: $KD")" "False 403"
check_eq "no key: REST 401" "$(rest_code)" "401 unauthorized"
check_eq "no key: nommer 401" "$(nom_code)" "False 401"

# The same credential forms on REST and media-nommer.
check_eq "REST X-API-Key" "$(rest_code -H "X-API-Key: $K" | cut -c1-3)" 200
check_eq "REST Bearer" "$(rest_code -H "Authorization: Bearer $K" | cut -c1-3)" 200
check_eq "REST Basic (key as password)" "$(rest_code -H "$(basic "$K")" | cut -c1-3)" 200
check_eq "REST Basic, unknown key" "$(rest_code -H "$(basic $NOBODY)")" "401 unauthorized"
check_eq "nommer X-API-Key" "$(nom_code -H "X-API-Key: $K")" "True -"
check_eq "nommer Bearer" "$(nom_code -H "Authorization: Bearer $K")" "True -"
check_eq "nommer Basic (key as password)" "$(nom_code -H "$(basic "$K")")" "True -"
check_eq "nommer api_key field" "$(curl -s -H 'Content-Type: application/json' --data-binary \
    "{\"api_key\":\"$K\",\"source_path\":\"http://x/a\",\"dest_path\":\"b.mp4\",\"job_options\":[{}]}" \
    "$API/job/submit/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["success"])')" True

# One rate limit across the fronts: 4 calls a minute, whichever front.
check_eq "rate: OMKT call 1" "$(curl -s -o /dev/null -w '%{http_code}' "$API/api/" -d action=app_new_media \
    -d transcoder_key="$KR" -d application=t -d version=1 -d id=1 -d url=http://x/1)" 200
check_eq "rate: REST call 2" "$(rest_code -H "X-API-Key: $KR" | cut -c1-3)" 200
check_eq "rate: nommer call 3" "$(nom_code -H "X-API-Key: $KR")" "True -"
check_eq "rate: REST call 4" "$(rest_code -H "Authorization: Bearer $KR" | cut -c1-3)" 200
check_eq "rate: then OMKT 504" "$(curl -s -o "$T/body" -w '%{http_code}' "$API/api/" -d action=app_new_media \
    -d transcoder_key="$KR" -d application=t -d version=1 -d id=2 -d url=http://x/2)" 504
check_eq "rate: then REST 429" "$(rest_code -H "X-API-Key: $KR")" "429 rate_limited"
check_eq "rate: then nommer 429" "$(nom_code -H "X-API-Key: $KR")" "False 429"
check_eq "rate: downloads are not limited (REST)" \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $KR" "$API/v1/media/1/transcodes/11/file")" 404
check_eq "rate: downloads are not limited (OMKT)" "$(omkt_code "$KR")" "404 404"

# Disabling an account reaches every front within the cache's life (1 s).
ctl account disable 1 >/dev/null 2>&1
sleep 1.2
check_eq "disabled later: OMKT 503" "$(omkt_code "$K")" "503 503"
check_eq "disabled later: REST 403" "$(rest_code -H "X-API-Key: $K")" "403 account_disabled"
check_eq "disabled later: nommer 403" "$(nom_code -H "X-API-Key: $K")" "False 403"
check "apid still running" kill -0 "$APID_PID"
