#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_get_media - app_get_media: the file straight from disk, RFC 7233
# ranges (206, Content-Range, 416), the OMKT content_range parameter
# (200 as the reference answers it, 216), HEAD, the stored zip of a multi-file setting, and account
# isolation (a key only ever reads its own media's files).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_get_media
ctl db init >/dev/null || exit 1
KA=$(new_account a@example.com)
KB=$(new_account b@example.com)
start_apid

add() { # add KEY ID
    curl -s -o /dev/null "$API/api/" -d action=app_new_media -d transcoder_key="$1" \
        -d application=t -d version=1 -d id="$2" -d url=http://x/"$2"
}
add "$KA" 12; add "$KB" 12; add "$KB" 13
MA=$(sql "SELECT id FROM media WHERE account_id = 1 AND remote_id = 12")
MB=$(sql "SELECT id FROM media WHERE account_id = 2 AND remote_id = 12")
MB2=$(sql "SELECT id FROM media WHERE account_id = 2 AND remote_id = 13")
DA=$T/docroot/media/1/$MA
mkdir -p "$DA" "$T/docroot/media/2/$MB"
head -c 1500000 /dev/urandom > "$DA/11.mp4"
N=1500000
for i in 01 02 03; do
    head -c 3000 /dev/urandom > "$DA/101_$i.jpg"
    head -c 500 /dev/urandom > "$DA/101_${i}_100x100.jpg"
done
head -c 1000 /dev/urandom > "$T/docroot/media/2/$MB/11.mp4"
sql "INSERT INTO transcodes (media_id, setting_id, state, cardinality, path, metadata) VALUES
 ($MA, 11, 'processed', 1, 'media/1/$MA/11.mp4', '{\"mime\":\"video/mp4\",\"cardinality\":1}'),
 ($MA, 101, 'processed', 6, 'media/1/$MA', '{\"cardinality\":6,\"files\":[\"101_01.jpg\",\"101_02.jpg\",\"101_03.jpg\",\"101_01_100x100.jpg\",\"101_02_100x100.jpg\",\"101_03_100x100.jpg\"]}'),
 ($MA, 13, 'running', 0, NULL, NULL),
 ($MA, 21, 'processed', 1, 'media/1/$MA/21.webm', '{\"mime\":\"video/webm\"}'),
 ($MB, 11, 'processed', 1, 'media/2/$MB/11.mp4', '{\"mime\":\"video/mp4\"}'),
 ($MB2, 11, 'processed', 1, 'media/1/$MA/11.mp4', '{\"mime\":\"video/mp4\"}'),
 ($MB2, 12, 'processed', 1, '../../etc/passwd', '{\"mime\":\"text/plain\"}')"

get() { # get KEY ID SETTING [CURL ARGS] - body in $T/out, headers in $T/hdr
    local key=$1 id=$2 s=$3; shift 3
    curl -s -D "$T/hdr" -o "$T/out" -w '%{http_code}' -G "$API/api/" \
        -d action=app_get_media -d transcoder_key="$key" -d application=t \
        -d version=1 -d id="$id" -d settings_id="$s" "$@"
}
hdr() { grep -i "^$1:" "$T/hdr" | head -1 | sed 's/^[^:]*: *//; s/\r$//'; }

check_eq "full: 200" "$(get "$KA" 12 11)" 200
check "full: same bytes" cmp -s "$T/out" "$DA/11.mp4"
check_eq "full: content-type from metadata" "$(hdr Content-Type)" video/mp4
check_eq "full: accept-ranges" "$(hdr Accept-Ranges)" bytes
check_eq "full: length" "$(hdr Content-Length)" $N

check_eq "range 0-99: 206" "$(get "$KA" 12 11 -H 'Range: bytes=0-99')" 206
check_eq "range 0-99: content-range" "$(hdr Content-Range)" "bytes 0-99/$N"
check "range 0-99: bytes" cmp -s "$T/out" <(head -c 100 "$DA/11.mp4")
check_eq "range 1000-: 206" "$(get "$KA" 12 11 -H 'Range: bytes=1000-')" 206
check_eq "range 1000-: content-range" "$(hdr Content-Range)" "bytes 1000-$((N - 1))/$N"
check "range 1000-: bytes" cmp -s "$T/out" <(tail -c +1001 "$DA/11.mp4")
check_eq "suffix -50: 206" "$(get "$KA" 12 11 -H 'Range: bytes=-50')" 206
check_eq "suffix -50: content-range" "$(hdr Content-Range)" "bytes $((N - 50))-$((N - 1))/$N"
check "suffix -50: bytes" cmp -s "$T/out" <(tail -c 50 "$DA/11.mp4")
check_eq "end past size is clipped" "$(get "$KA" 12 11 -H "Range: bytes=$((N - 10))-99999999")" 206
check_eq "clipped: content-range" "$(hdr Content-Range)" "bytes $((N - 10))-$((N - 1))/$N"
check_eq "1 MiB range" "$(get "$KA" 12 11 -H 'Range: bytes=0-1048575')" 206
check_eq "1 MiB range: length" "$(stat -c %s "$T/out")" 1048576
check_eq "start at size: 416" "$(get "$KA" 12 11 -H "Range: bytes=$N-")" 416
check_eq "416: content-range */size" "$(hdr Content-Range)" "bytes */$N"
check_eq "suffix of 0: 416" "$(get "$KA" 12 11 -H 'Range: bytes=-0')" 416
check_eq "reversed range ignored: 200" "$(get "$KA" 12 11 -H 'Range: bytes=9-2')" 200
check_eq "end at INT64_MAX: 206" "$(get "$KA" 12 11 -H 'Range: bytes=0-9223372036854775807')" 206
check_eq "end at INT64_MAX: clipped" "$(hdr Content-Range)" "bytes 0-$((N - 1))/$N"
check_eq "end past INT64_MAX: 206" "$(get "$KA" 12 11 -H 'Range: bytes=10-99999999999999999999999')" 206
check_eq "end past INT64_MAX: clipped" "$(hdr Content-Range)" "bytes 10-$((N - 1))/$N"
check_eq "start past INT64_MAX: 416" "$(get "$KA" 12 11 -H 'Range: bytes=99999999999999999999999-')" 416
check_eq "several ranges: whole file" "$(get "$KA" 12 11 -H 'Range: bytes=0-1,5-6')" 200
check_eq "other unit ignored" "$(get "$KA" 12 11 -H 'Range: items=0-1')" 200

ETAG=$(get "$KA" 12 11 >/dev/null; hdr ETag)
LM=$(hdr Last-Modified)
check "ETag is strong" grep -qE '^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$' <<<"$ETAG"
check "Last-Modified is an HTTP-date" grep -qE '^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT$' <<<"$LM"
check_eq "If-Range with the ETag: 206" "$(get "$KA" 12 11 -H 'Range: bytes=0-9' -H "If-Range: $ETAG")" 206
check_eq "If-Range with the date: 206" "$(get "$KA" 12 11 -H 'Range: bytes=0-9' -H "If-Range: $LM")" 206
check_eq "stale If-Range: the whole file" "$(get "$KA" 12 11 -H 'Range: bytes=0-9' -H 'If-Range: "0-0-0"')" 200
check_eq "stale If-Range: all bytes" "$(stat -c %s "$T/out")" $N
# content_range as the reference's controller (omk-server modules/api,
# http adapter sendMedia) answers it: HTTP 200 with the bytes and no
# Content-Range (the original client refuses anything but 200); END is
# exclusive and clipped to the size; an empty side means 0 / to the end;
# START > END (both non-zero) and START at or past the size are 216;
# garbage means the whole file.
cr() { # cr VALUE WANT_STATUS WANT_FIRST WANT_LEN - one content_range case
    local st
    st=$(get "$KA" 12 11 --data-urlencode "content_range=$1")
    check_eq "content_range '$1': http" "$st" "$2"
    [ "$2" = 200 ] || return 0
    check_eq "content_range '$1': length" "$(stat -c %s "$T/out")" "$4"
    check "content_range '$1': bytes" cmp -s "$T/out" <(tail -c +$(($3 + 1)) "$DA/11.mp4" | head -c "$4")
    check_eq "content_range '$1': no Content-Range" "$(hdr Content-Range)" ""
}
cr 0- 200 0 $N
cr 10-20 200 10 10
cr 1000- 200 1000 $((N - 1000))
cr "0-$((N + 1))" 200 0 $N
cr "$((N - 10))-9223372036854775807" 200 $((N - 10)) 10
cr "$((N - 10))-99999999999999999999999" 200 $((N - 10)) 10
cr -100 200 0 100
cr - 200 0 $N
cr 0-0 200 0 $N
cr 100-0 200 100 $((N - 100))
cr 20-20 200 20 0
cr abc 200 0 $N
cr 1-2-3 200 0 $N
cr 0 200 0 $N
cr 20-10 216
check "216 is an OMKT error" grep -q '"code":216' "$T/out"
check "216 says start > end" grep -q 'start > end' "$T/out"
cr "$N-" 216
check "216 says start > size" grep -q 'start > size' "$T/out"
cr "99999999999999999999999-" 216
check_eq "content_range wins over Range" "$(get "$KA" 12 11 -d content_range=0-10 -H 'Range: bytes=0-99')" 200
check_eq "content_range wins: its length" "$(stat -c %s "$T/out")" 10
check_eq "empty content_range: the Range header applies" "$(get "$KA" 12 11 -d content_range= -H 'Range: bytes=0-99')" 206
# The original client's exact request (omk-client Request::app_get_media:
# GET with the query it builds, content_range "SIZE-" or "SIZE-SIZE+CHUNK").
omk_client_get() { # omk_client_get CONTENT_RANGE
    curl -s -D "$T/hdr" -o "$T/out" -w '%{http_code}' \
        "$API/api/?content_range=$1&id=12&settings_id=11&adapter=http&serial=1&transcoder_key=$KA&application=omk-client&version=1.0&action=app_get_media"
}
check_eq "omk-client first chunk (0-1000000): 200" "$(omk_client_get 0-1000000)" 200
check_eq "omk-client first chunk: length" "$(stat -c %s "$T/out")" 1000000
check_eq "omk-client last chunk (1000000-): 200" "$(omk_client_get 1000000-)" 200
check "omk-client chunks make the file" cmp -s "$T/out" <(tail -c +1000001 "$DA/11.mp4")
check_eq "zip with content_range 0-: 200" "$(get "$KA" 12 101 -d content_range=0-)" 200
check_eq "zip with content_range 0-: type" "$(hdr Content-Type)" application/zip

code=$(curl -s -I -o "$T/hdr" -w '%{http_code}' "$API/api/?action=app_get_media&transcoder_key=$KA&application=t&version=1&id=12&settings_id=11")
check_eq "HEAD: 200" "$code" 200
check_eq "HEAD: length" "$(hdr Content-Length)" $N
check_eq "HEAD range: 206" "$(curl -s -I -o "$T/hdr" -w '%{http_code}' -H 'Range: bytes=0-9' "$API/api/?action=app_get_media&transcoder_key=$KA&application=t&version=1&id=12&settings_id=11")" 206

check_eq "zip: 200" "$(get "$KA" 12 101)" 200
check_eq "zip: type" "$(hdr Content-Type)" application/zip
check "zip: stored, every file, same bytes" python3 - "$T/out" "$DA" <<'PY'
import sys, zipfile, os
z = zipfile.ZipFile(sys.argv[1])
names = sorted(z.namelist())
want = sorted(f for f in os.listdir(sys.argv[2]) if f.startswith("101_"))
assert names == want, (names, want)
for i in z.infolist():
    assert i.compress_type == zipfile.ZIP_STORED, i
    assert z.read(i) == open(os.path.join(sys.argv[2], i.filename), "rb").read()
PY
zlen=$(stat -c %s "$T/out"); cp "$T/out" "$T/full.zip"
check_eq "zip range: 206" "$(get "$KA" 12 101 -H 'Range: bytes=10-19')" 206
check_eq "zip range: content-range" "$(hdr Content-Range)" "bytes 10-19/$zlen"
check "zip range: bytes" cmp -s "$T/out" <(tail -c +11 "$T/full.zip" | head -c 10)
check_eq "zip If-Range (no validator): whole" "$(get "$KA" 12 101 -H 'Range: bytes=10-19' -H 'If-Range: "x"')" 200

check_eq "transcode not processed: 404" "$(get "$KA" 12 13)" 404
check_eq "setting never asked: 404" "$(get "$KA" 12 14)" 404
check_eq "file missing on disk: 404" "$(get "$KA" 12 21)" 404
check_eq "unknown media: 404" "$(get "$KA" 99 11)" 404
check_eq "missing settings_id: 505" "$(get "$KA" 12 '')" 505

# Isolation: B's media 12 is B's file, never A's.
check_eq "B reads its own 12" "$(get "$KB" 12 11)" 200
check "B gets B's bytes" cmp -s "$T/out" "$T/docroot/media/2/$MB/11.mp4"
check_eq "a row of B pointing into A's directory: 404" "$(get "$KB" 13 11)" 404
check_eq "a row escaping the docroot: 404" "$(get "$KB" 13 12)" 404
check "refusals logged" grep -q "path .* refused" "$APID_LOG"
