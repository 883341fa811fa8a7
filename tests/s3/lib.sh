# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - the npm S3 server for the S3 tests and benchmarks: installed
# at test time into $OMKT_NPM_CACHE (default build/npm; CI has nothing
# preinstalled) and started through its Node API (it ships no bin/).

S3_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/lib/npm.sh
. "$S3_TOP/tests/lib/npm.sh"
S3RVER_PKG=@20minutes/s3rver@5.0.0
S3_BUCKET=omkt-test

# s3rver_install - 0 when the package is there (installed if needed);
# 77 when npm or the registry is unreachable.  s3rver 5 declares node >=
# 24 but runs on Debian's node 20.
s3rver_install() {
    npm_need "$S3RVER_PKG" @20minutes/s3rver --engine-strict=false
}

# s3rver_start DATA_DIR [PORT] - sets S3_PID, S3_PORT, S3_ENDPOINT.
s3rver_start() {
    local data=$1 port=${2:-0} out=$1.log
    mkdir -p "$data"
    # s3rver encrypts continuation tokens with DES: OpenSSL 3 keeps it in
    # the legacy provider
    port_server S3_PORT "$out" node --openssl-legacy-provider \
        "$S3_TOP/tests/s3/s3rver.js" "$OMKT_NPM_CACHE" "$data" "$port" \
        "$S3_BUCKET"
    local rc=$?
    S3_PID=$PORT_SERVER_PID
    [ "$rc" -eq 0 ] || return 1
    export S3_ENDPOINT=http://127.0.0.1:$S3_PORT
}

# s3rver_stop - stop the server this script started.
s3rver_stop() {
    [ -n "${S3_PID:-}" ] || return 0
    kill "$S3_PID" 2>/dev/null
    wait "$S3_PID" 2>/dev/null
    S3_PID=
}
