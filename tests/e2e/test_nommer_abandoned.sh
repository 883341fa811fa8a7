#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_nommer_abandoned - a media-nommer job whose workers die on every
# attempt (here its one attempt: the downloader SIGKILLed mid-transfer) is
# given up by whoever reaps it, and its notify_url is told ABANDONED with
# the reason, after PENDING and DOWNLOADING, as form POSTs.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib.sh"
omkt_setup e2enommer_abandoned
cms_start --sign-key ck
e2e_conf
ctl db init >/dev/null || { fail "db init"; exit 1; }
e2e_account
start_apid
start notifierd "$OMKT_BIN/notifierd" -c "$CONF"
head -c 3000000 /dev/urandom > "$CMS_ROOT/big.bin"
states() { # the job_state of each delivered POST to /hook, in order
    cmslog 'path^/hook' mode=ok --get body | python3 -c '
import sys, urllib.parse
print(" ".join(dict(urllib.parse.parse_qsl(l.rstrip("\n"), keep_blank_values=True))["job_state"] for l in sys.stdin))'
}
field() { # field STATE NAME - NAME of the delivered STATE notification
    cmslog 'path^/hook' mode=ok --get body | python3 -c '
import sys, urllib.parse
for l in sys.stdin:
    d = dict(urllib.parse.parse_qsl(l.rstrip("\n"), keep_blank_values=True))
    if d["job_state"] == sys.argv[1]: print(d.get(sys.argv[2], ""))' "$1" "$2"
}
curl -s -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary "{\"source_path\":\"http://127.0.0.1:$CMS_PORT/slow/big.bin\",\"dest_path\":\"out/a.mp4\",\"notify_url\":\"http://127.0.0.1:$CMS_PORT/hook\",\"job_options\":[{}]}" \
    "$API/nommer/$KEY/job/submit" > "$T/body"
M=$(jfield job_id < "$T/body")
check "submitted" test -n "$M"
sql "UPDATE jobs SET max_attempts = 1 WHERE task = 'download' AND media_id = $M"
start dl1 "$OMKT_BIN/downloaderd" -c "$CONF"
dl1=$LAST_PID
running() { [ "$(sql "SELECT state FROM jobs WHERE task = 'download' AND media_id = $M")" = running ]; }
check "the download runs" wait_for 20 running
told() { [ "$(states)" = "$1" ]; } # re-read at each try of wait_for
check "DOWNLOADING told" wait_for 20 told "PENDING DOWNLOADING"
kill -KILL "$dl1"
wait_exit "$dl1" 5
start dl2 "$OMKT_BIN/downloaderd" -c "$CONF" # reaps it once the lease is gone
check "ABANDONED told" wait_for 30 told "PENDING DOWNLOADING ABANDONED"
check "the details say why" grep -q "died on every attempt" <<<"$(field ABANDONED job_state_details)"
check_eq "unique_id" "$(field ABANDONED unique_id)" "$M"
check_eq "signed" "$(cmslog 'path^/hook' --get sig_ok | sort -u)" true
check_eq "no ERROR besides" "$(cmslog 'path^/hook' --get body | grep -c 'job_state=ERROR')" 0
