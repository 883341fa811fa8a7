#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_nginx - etc/nginx/omkt.conf, run by a real nginx (Debian's) with a
# self-signed certificate made here (openssl), in front of a real apid
# and its workers, configured as MULTISERVER says (tests/deploy/lib.sh).
# Only the file's certificate and log paths are changed.  Through it,
# over https, checked against what MULTISERVER step 7 promises:
#  - OMKT calls (a media through the whole pipeline);
#  - a ranged download: 206, Content-Range, the very bytes of the output;
#  - a media-nommer path; a body over client_max_body_size: 413;
#  - the access log holds no key (neither transcoder_key= nor the
#    /nommer/KEY/ path), and shows the client's address and the paths;
#  - apid's audit row records 127.0.0.1 (it ignores X-Forwarded-For).
# Exits 77 when nginx is not installed (Debian package nginx); OMKT_NGINX
# may name another nginx binary.
. "$(dirname "$0")/lib.sh"
NGINX=${OMKT_NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ -x "$NGINX" ] || skip "nginx is not installed (Debian package nginx): etc/nginx/omkt.conf is not tested"
command -v openssl >/dev/null || skip "openssl is not installed"
in_netns "$@"
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../e2e/lib.sh"
T=$OMKT_TMP/deploy_nginx
rm -rf "$T"
mkdir -p "$T"
trap omkt_teardown EXIT
SITE=$TOP/etc/nginx/omkt.conf
NAME=transcoder.example.com

# MULTISERVER's database, accounts and omkt.conf; every daemon on this
# one host, the CMS on the loopback.
front_db
actl db init >/dev/null || { fail "db init"; exit 1; }
cat >> "$CONF" <<CONF

[downloaderd]
allow_private = yes

[notifierd]
allow_private = yes
CONF
sed -i -e 's/^\[transcoderd\]$/[transcoderd]\nmin_free = 1M\nthreads = 2/' "$CONF"
# shellcheck disable=SC2119 # no arguments for the fake CMS
cms_start
KEY=$(ctl account add --email cms@example.com --url "http://127.0.0.1:$CMS_PORT/cb" \
    --client-key ck | grep -oE '[0-9a-f]{32}' | head -1)
[ -n "$KEY" ] || { fail "account add"; exit 1; }
for d in apid downloaderd metadatad transcoderd notifierd; do
    start "$d" "$OMKT_BIN/$d" -c "$CONF"
done
check "apid on 127.0.0.1:8080, the file's upstream" \
    wait_for 30 curl -sf http://127.0.0.1:8080/health
check "the file proxies to 127.0.0.1:8080" grep -q '^ *server 127.0.0.1:8080;' "$SITE"

# The certificate, and the file with its paths moved under $N.  nginx
# runs as root here (user root): the test's directory is private.
N=$T/nginx
mkdir -p "$N/tmp"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$NAME" \
    -addext "subjectAltName=DNS:$NAME" -keyout "$N/privkey.pem" \
    -out "$N/fullchain.pem" 2>"$N/openssl.log" || { cat "$N/openssl.log"; fail "openssl"; exit 1; }
sed -e "s|/etc/ssl/omkt/|$N/|" -e "s|/var/log/nginx/|$N/|" "$SITE" > "$N/omkt.conf"
check_eq "only the certificate and log paths changed" \
    "$(diff "$SITE" "$N/omkt.conf" | grep -c '^>')" 4
cat > "$N/nginx.conf" <<NGINX
user root;
worker_processes 1;
pid $N/nginx.pid;
events { worker_connections 64; }
http {
    client_body_temp_path $N/tmp/body;
    proxy_temp_path $N/tmp/proxy;
    fastcgi_temp_path $N/tmp/fastcgi;
    uwsgi_temp_path $N/tmp/uwsgi;
    scgi_temp_path $N/tmp/scgi;
    access_log $N/default.access.log;
    include $N/omkt.conf;
}
NGINX
check "nginx -t accepts the file" "$NGINX" -t -q -p "$N" -c "$N/nginx.conf" -e "$N/stderr.log"
start nginx "$NGINX" -p "$N" -c "$N/nginx.conf" -e "$N/stderr.log" -g "daemon off;"
# curl finds the name and trusts the certificate through its own rc file.
mkdir -p "$T/curl"
printf 'resolve = %s:443:127.0.0.1\ncacert = %s\n' "$NAME" "$N/fullchain.pem" > "$T/curl/.curlrc"
export CURL_HOME=$T/curl
check "https://$NAME/health through nginx" wait_for 30 curl -sf "https://$NAME/health"
check_eq "no plain http listener" "$(curl -s -o /dev/null -w '%{http_code}' "http://$NAME:80/health" --resolve "$NAME:80:127.0.0.1")" 000

# OMKT calls through nginx: a media through the pipeline.
API=https://$NAME
clip "$CMS_ROOT/a.mp4" 2 320x240
check_eq "app_new_media over https" \
    "$(new_media 1 "http://127.0.0.1:$CMS_PORT/f/a.mp4")" 200
check "metadata callback" wait_for 60 has_acked transcoder_send_metadata 1
api app_request_format --data-urlencode id=1 --data-urlencode 'settings_id_list=[11]' >/dev/null
check "format 11 callback" wait_for 90 has_acked transcoder_send_format 1 11
check_eq "app_get_media over https: 200" "$(get_media 1 11 "$T/whole.mp4")" 200
size=$(stat -c %s "$T/whole.mp4")
check "the whole output came through ($size bytes)" test "$size" -gt 4096
ranged() { # ranged RANGE OUT: app_get_media with a Range header
    curl -s -G -D "$T/headers" -o "$2" -w '%{http_code}' -H "Range: bytes=$1" \
        "$API/api/" --data-urlencode action=app_get_media \
        --data-urlencode "transcoder_key=$KEY" --data-urlencode application=e2e \
        --data-urlencode version=1 --data-urlencode id=1 --data-urlencode settings_id=11
}
check_eq "Range: bytes=1000-3047 through nginx: 206" "$(ranged 1000-3047 "$T/part")" 206
check "Content-Range: bytes 1000-3047/$size" \
    grep -qi "^content-range: bytes 1000-3047/$size" "$T/headers"
check "the 2048 bytes of the output at 1000" \
    cmp "$T/part" <(tail -c +1001 "$T/whole.mp4" | head -c 2048)
check_eq "a suffix range (bytes=-100): 206" "$(ranged -100 "$T/tail")" 206
check "the last 100 bytes" cmp "$T/tail" <(tail -c 100 "$T/whole.mp4")

# media-nommer's key is in the path; a body over 1m is refused by nginx.
body=$(curl -s -X POST --data 'job=' "$API/nommer/$KEY/job/submit/")
check "a media-nommer submission reached apid ($body)" grep -q '"success":false' <<<"$body"
head -c 1100000 /dev/zero > "$T/big"
check_eq "a body over client_max_body_size: 413" \
    "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$T/big" "$API/api/?transcoder_key=$KEY")" 413

# The access log: paths without query strings, no key anywhere.
LOG=$N/omkt.access.log
kill -USR1 "$(cat "$N/nginx.pid")" # reopen: flushes nothing, but wait for writes
check "the access log has the OMKT calls" wait_for 10 grep -q '"GET /api/ HTTP/[0-9.]*" 206 ' "$LOG"
check "the access log shows /nommer/****/job/submit/" grep -qF '"POST /nommer/****/job/submit/ ' "$LOG"
check "the access log has the client's address" grep -q '^127\.0\.0\.1 \[' "$LOG"
check_eq "the access log holds no key" "$(grep -cF "$KEY" "$LOG")" 0
check_eq "nor any query string" "$(grep -c 'transcoder_key\|?' "$LOG")" 0
echo "# access log, first lines:"
head -4 "$LOG" | sed 's/^/#   /'

# apid sees nginx, not the client (MULTISERVER says so).
check_eq "apid's audit rows record the proxy's address" \
    "$(mariadb_sql "$DBDIR" "SELECT DISTINCT remote_addr FROM omkt.api_calls")" 127.0.0.1
