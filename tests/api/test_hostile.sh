#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_hostile - every hostile request of issue 10 against apid (the
# sanitizer build under make check), over raw sockets: more than 64 ids
# in settings_id_list, invalid UTF-8 in every place, huge urls and
# notify_urls, extreme Range and content_range values, dest_path ".",
# id 0, oversized heads and bodies, truncated multipart, random bytes
# (tests/tools/hostile.py lists them with what each must get).  Then:
# apid is the same process (never restarted), its log has no sanitizer
# report, and the per-call log still records calls.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_hostile
ctl db init >/dev/null || exit 1
K=$(new_account h@example.com --adapters http,local)
start_apid
PID0=$APID_PID

# a media of the account with a processed setting 11 file (app_get_media)
curl -s -o /dev/null "$API/api/" -d action=app_new_media -d transcoder_key="$K" \
    -d application=t -d version=1 -d id=77 -d url=http://x/77
M=$(sql "SELECT id FROM media WHERE account_id = 1 AND remote_id = 77")
mkdir -p "$T/docroot/media/1/$M"
head -c 100000 /dev/urandom > "$T/docroot/media/1/$M/11.mp4"
sql "INSERT INTO transcodes (media_id, setting_id, state, cardinality, path, metadata) VALUES
 ($M, 11, 'processed', 1, 'media/1/$M/11.mp4', '{\"mime\":\"video/mp4\",\"cardinality\":1}')"

python3 "$TOP/tests/tools/hostile.py" --port "${API##*:}" --key "$K" --media 77 \
    > "$T/hostile.tap"
while IFS= read -r line; do
    case $line in
        "ok - "*) pass "${line#ok - }" ;;
        "not ok - "*) fail "${line#not ok - }" ;;
    esac
done < "$T/hostile.tap"
check "every hostile request was sent ($(grep -c ok "$T/hostile.tap"))" \
    [ "$(grep -c ok "$T/hostile.tap")" -ge 70 ]

check "apid is the same process (no crash, no restart)" kill -0 "$PID0"
check_eq "apid answers /health" "$(curl -s -o /dev/null -w '%{http_code}' "$API/health")" 200
check "no sanitizer report in apid's log" sanitizer_clean

# the per-call log still works after invalid UTF-8 in application=
curl -s -o /dev/null "$API/api/" -d action=app_new_media -d transcoder_key="$K" \
    -d application=after -d version=1 -d id=78 -d url=http://x/78
logged_after() { [ "$(sql "SELECT COUNT(*) FROM api_calls WHERE application = 'after'")" -ge 1 ]; }
check "the call log records calls after the hostile ones" wait_for 5 logged_after
