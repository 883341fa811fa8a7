#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_stream_serve - apid serving a streaming package (docs/streaming.md)
# over real HTTP: the signed URLs the REST API hands out, the MIME type of
# every kind of file, Range (206/416), caching headers and conditional
# GET, per-account CORS with preflight, the API key form, expired,
# tampered, foreign and malformed signatures (403), revocation by key
# rotation, and path escapes (4xx, never a byte outside the package).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
. "$(dirname "$0")/stream_lib.sh"
omkt_setup api_stream_serve
ctl db init >/dev/null || exit 1
KA=$(new_account a@example.com)
KB=$(new_account b@example.com)
start_apid "stream_url_ttl = 1h"
M=$(stream_media "$KA" 1)
MB=$(stream_media "$KB" 2)
P=$T/docroot/media/1/$M/1001

# The REST API hands out the signed URLs.
eval "$(stream_urls "$KA" "$M")"
check "REST: a signed master playlist URL" grep -qE "^$API/v1/signed/[0-9]+\.[0-9a-f]{64}/media/$M/package/1001/master\.m3u8$" <<<"$HLS_URL"
check "REST: the MPD beside it" grep -qE "/media/$M/package/1001/manifest\.mpd$" <<<"$DASH_URL"
check "REST: the preview track" grep -qE "/package/1001/preview/thumbs\.vtt$" <<<"$VTT_URL"
now=$(date +%s)
check "REST: expires in stream_url_ttl (1 h)" test $((EXPIRES - now)) -ge 3590 -a $((EXPIRES - now)) -le 3610
BASE=${HLS_URL%master.m3u8}

# hdr FILE NAME - one header's value (last response).
hdr() { tr -d '\r' < "$1" | sed -n "s/^$2: //Ip" | tail -1; }
# fetch URL [CURL ARGS] - status; body in $T/out, headers in $T/hdr.
fetch() { local u=$1; shift; rm -f "$T/out"; touch "$T/out"; curl -s --path-as-is -D "$T/hdr" -o "$T/out" -w '%{http_code}' "$@" "$u"; }

# Every kind of file: status, type, bytes, caching.
while read -r f type cache; do
    check_eq "signed $f: 200" "$(fetch "$BASE$f")" 200
    check_eq "signed $f: $type" "$(hdr "$T/hdr" Content-Type)" "$type"
    check "signed $f: the package's bytes" cmp -s "$T/out" "$P/$f"
    check "signed $f: Cache-Control $cache" grep -q "^$cache" <<<"$(hdr "$T/hdr" Cache-Control)"
done <<EOF2
master.m3u8 application/vnd.apple.mpegurl public,.max-age=10$
manifest.mpd application/dash+xml public,.max-age=10$
v0/index.m3u8 application/vnd.apple.mpegurl public,.max-age=10$
v0/init.mp4 video/mp4 public,.max-age=3[0-9]*,.immutable
v1/seg_00002.m4s video/mp4 public,.max-age=3[0-9]*,.immutable
a0/seg_00001.m4s audio/mp4 public,.max-age=3[0-9]*,.immutable
preview/thumbs.vtt text/vtt public,.max-age=10$
preview/sprite_001.jpg image/jpeg public,.max-age=3[0-9]*,.immutable
EOF2
fetch "$BASE/v1/seg_00002.m4s" >/dev/null
left=$(hdr "$T/hdr" Cache-Control | sed -n 's/.*max-age=\([0-9]*\).*/\1/p')
check "signed segments are not cached past the URL's expiry ($left s)" test "$left" -le 3600 -a "$left" -ge 3500
check "the manifests' references are relative" bash -c "! grep -q -e http -e '^/' '$P/master.m3u8' '$P/v0/index.m3u8'"

# Range on a segment, as RFC 9110: 206 with Content-Range, 416.
S=$P/v1/seg_00001.m4s
size=$(stat -c %s "$S")
check_eq "Range 100-299: 206" "$(fetch "${BASE}v1/seg_00001.m4s" -H 'Range: bytes=100-299')" 206
check_eq "206: Content-Range" "$(hdr "$T/hdr" Content-Range)" "bytes 100-299/$size"
check "206: the 200 bytes" cmp -s "$T/out" <(tail -c +101 "$S" | head -c 200)
check_eq "suffix Range -50: 206" "$(fetch "${BASE}v1/seg_00001.m4s" -H 'Range: bytes=-50')" 206
check_eq "suffix: 50 bytes" "$(stat -c %s "$T/out")" 50
check_eq "Range past the end: 416" "$(fetch "${BASE}v1/seg_00001.m4s" -H "Range: bytes=$size-")" 416
check_eq "416: Content-Range */size" "$(hdr "$T/hdr" Content-Range)" "bytes */$size"
check_eq "HEAD: 200" "$(fetch "${BASE}v1/seg_00001.m4s" -I)" 200
check_eq "HEAD: Content-Length" "$(hdr "$T/hdr" Content-Length)" "$size"

# Validators and conditional GET.
fetch "${BASE}master.m3u8" >/dev/null
etag=$(hdr "$T/hdr" ETag)
lastmod=$(hdr "$T/hdr" Last-Modified)
check "an ETag" grep -qE '^"[0-9a-f-]+"$' <<<"$etag"
check_eq "If-None-Match: 304" "$(fetch "${BASE}master.m3u8" -H "If-None-Match: $etag")" 304
check_eq "304: no body" "$(stat -c %s "$T/out")" 0
check_eq "If-Modified-Since: 304" "$(fetch "${BASE}master.m3u8" -H "If-Modified-Since: $lastmod")" 304
check_eq "another ETag: 200" "$(fetch "${BASE}master.m3u8" -H 'If-None-Match: "x"')" 200

# The API key form.
KEYED=$API/v1/media/$M/package/1001
check_eq "API key: 200" "$(fetch "$KEYED/master.m3u8" -H "X-API-Key: $KA")" 200
check "API key: a private cache only" grep -q "^private, max-age=10$" <<<"$(hdr "$T/hdr" Cache-Control)"
check_eq "API key: a segment" "$(fetch "$KEYED/v0/seg_00001.m4s" -H "Authorization: Bearer $KA")" 200
check_eq "no key: 401" "$(fetch "$KEYED/master.m3u8")" 401
check_eq "another account's key: 404" "$(fetch "$KEYED/master.m3u8" -H "X-API-Key: $KB")" 404
check_eq "its own package with B's key" "$(fetch "$API/v1/media/$MB/package/1001/master.m3u8" -H "X-API-Key: $KB")" 200
check_eq "a setting that is no package: 404" "$(fetch "$API/v1/media/$M/package/11/master.m3u8" -H "X-API-Key: $KA")" 404

# Signatures: expired, tampered, moved to another media, malformed.
# sign ACCOUNT MEDIA EXPIRES KEY - a token as pkgsign.h defines it.
sign() {
    python3 -c 'import hmac, hashlib, sys
a, m, e, k = sys.argv[1:]
msg = "omkt-pkg-v1\n%s\n/media/%s/package/1001/\n%s" % (a, m, e)
print("%s.%s" % (e, hmac.new(k.encode(), msg.encode(), hashlib.sha256).hexdigest()))' "$@"
}
tok=$(sign 1 "$M" "$EXPIRES" "$KA")
check_eq "the documented signature is the server's" "$BASE" "$API/v1/signed/$tok/media/$M/package/1001/"
old=$(sign 1 "$M" $((now - 5)) "$KA")
check_eq "expired: 403" "$(fetch "$API/v1/signed/$old/media/$M/package/1001/master.m3u8")" 403
check "expired: says so" grep -q "signature expired" "$T/out"
bad=$(python3 -c 'import sys; t = sys.argv[1]; print(t[:-1] + ("1" if t[-1] == "0" else "0"))' "$tok")
check "tampered token differs" test "$bad" != "$tok"
check_eq "tampered: 403" "$(fetch "$API/v1/signed/$bad/media/$M/package/1001/master.m3u8")" 403
check_eq "tampered expiry: 403" "$(fetch "$API/v1/signed/$((EXPIRES + 1)).${tok#*.}/media/$M/package/1001/master.m3u8")" 403
check_eq "A's signature on B's media: 403" "$(fetch "$API/v1/signed/$tok/media/$MB/package/1001/master.m3u8")" 403
check_eq "signed with the wrong key: 403" "$(fetch "$API/v1/signed/$(sign 1 "$M" "$EXPIRES" "$KB")/media/$M/package/1001/master.m3u8")" 403
check_eq "a media that does not exist: 403" "$(fetch "$API/v1/signed/$tok/media/999999/package/1001/master.m3u8")" 403
check_eq "malformed token: 403" "$(fetch "$API/v1/signed/123.xyz/media/$M/package/1001/master.m3u8")" 403
check_eq "upper-case hex: 403" "$(fetch "$API/v1/signed/$(tr a-f A-F <<<"$tok")/media/$M/package/1001/master.m3u8")" 403
check_eq "no file: 404" "$(fetch "${BASE}")" 404

# Path escapes: never a byte from outside the package.
ln -s /etc/passwd "$P/v0/evil.m4s"
echo secret > "$T/docroot/media/1/$M/secret.mp4"
for p in "../secret.mp4" "v0/../../secret.mp4" "%2e%2e/secret.mp4" "v0/%2e%2e/%2e%2e/secret.mp4" \
    "..%2fsecret.mp4" "/etc/passwd" "v0//seg_00001.m4s" "./master.m3u8" "v0/evil.m4s" \
    "../../../../../../etc/passwd" "v0" "v0/index.txt"; do
    code=$(fetch "$BASE$p")
    check "escape $p: 4xx ($code)" test "$code" -ge 400 -a "$code" -lt 500
    check "escape $p: nothing of it" bash -c "! grep -q -e secret -e root: '$T/out'"
done
check_eq "a NUL ends the path (MHD): what is left is inside the package" "$(fetch "${BASE}v0/seg_00001.m4s%00/../../x")" 200
check "... and it is that segment" cmp -s "$T/out" "$P/v0/seg_00001.m4s"

# CORS per account.
check "omktctl account cors" ctl account cors 1 "https://player.example, https://other.example"
check "omktctl refuses junk" bash -c "! '$OMKT_BIN/omktctl' -c '$CONF' account cors 1 'https://x.example/<script>' 2>/dev/null"
fetch "${BASE}master.m3u8" -H 'Origin: https://player.example' >/dev/null
check_eq "allowed origin echoed" "$(hdr "$T/hdr" Access-Control-Allow-Origin)" "https://player.example"
check_eq "Vary: Origin" "$(hdr "$T/hdr" Vary)" "Origin"
check "Content-Range exposed" grep -q Content-Range <<<"$(hdr "$T/hdr" Access-Control-Expose-Headers)"
fetch "${BASE}master.m3u8" -H 'Origin: https://evil.example' >/dev/null
check_eq "other origin: no CORS header" "$(hdr "$T/hdr" Access-Control-Allow-Origin)" ""
check_eq "preflight: 204" "$(fetch "${BASE}v0/seg_00001.m4s" -X OPTIONS -H 'Origin: https://other.example' -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: range')" 204
check_eq "preflight: origin" "$(hdr "$T/hdr" Access-Control-Allow-Origin)" "https://other.example"
check "preflight: GET allowed" grep -q GET <<<"$(hdr "$T/hdr" Access-Control-Allow-Methods)"
check "preflight: Range allowed" grep -q Range <<<"$(hdr "$T/hdr" Access-Control-Allow-Headers)"
check_eq "preflight on the key form: 204" "$(fetch "$KEYED/master.m3u8" -X OPTIONS -H 'Origin: https://player.example' -H 'Access-Control-Request-Headers: x-api-key')" 204
check "preflight on the key form: X-API-Key allowed" grep -q X-API-Key <<<"$(hdr "$T/hdr" Access-Control-Allow-Headers)"
fetch "$API/v1/media/$MB/package/1001/master.m3u8" -H "X-API-Key: $KB" -H 'Origin: https://player.example' >/dev/null
check_eq "B lists no origin: no CORS header" "$(hdr "$T/hdr" Access-Control-Allow-Origin)" ""
ctl account cors 2 "*"
fetch "$API/v1/media/$MB/package/1001/master.m3u8" -H "X-API-Key: $KB" -H 'Origin: https://any.example' >/dev/null
check_eq "B lists *: any origin" "$(hdr "$T/hdr" Access-Control-Allow-Origin)" "https://any.example"
check_eq "POST: 405" "$(fetch "${BASE}master.m3u8" -X POST -d x=1)" 405

# Rotating the key revokes the signed URLs; the new key signs new ones.
ctl account key 1 >/dev/null
sleep 1.2 # the account cache's TTL
check_eq "after key rotation: 403" "$(fetch "${BASE}master.m3u8")" 403
check_eq "a 403 carries no 5xx" "$(grep -c '"code":"forbidden"' "$T/out")" 1
exit 0
