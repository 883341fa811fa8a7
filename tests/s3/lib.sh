# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - the npm S3 server for the S3 tests and benchmarks: installed
# at test time into $OMKT_NPM_CACHE (default build/npm; CI has nothing
# preinstalled) and started through its Node API (it ships no bin/).

S3_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OMKT_NPM_CACHE=${OMKT_NPM_CACHE:-$S3_TOP/build/npm}
case $OMKT_NPM_CACHE in /*) ;; *) OMKT_NPM_CACHE=$S3_TOP/$OMKT_NPM_CACHE ;; esac
export OMKT_NPM_CACHE
S3RVER_PKG=@20minutes/s3rver@5.0.0
S3_BUCKET=omkt-test

# s3rver_install - 0 when the package is there (installed if needed);
# 77 when npm or the registry is unreachable.
s3rver_install() {
    [ -f "$OMKT_NPM_CACHE/node_modules/@20minutes/s3rver/package.json" ] &&
        return 0
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "# SKIP node/npm not installed"; return 77
    fi
    mkdir -p "$OMKT_NPM_CACHE"
    # s3rver 5 declares node >= 24 but runs on Debian's node 20
    if ! npm install --prefix "$OMKT_NPM_CACHE" --no-audit --no-fund \
        --silent --engine-strict=false "$S3RVER_PKG" >&2; then
        echo "# SKIP npm could not install $S3RVER_PKG (registry unreachable?)"
        return 77
    fi
}

# s3rver_start DATA_DIR [PORT] - sets S3_PID, S3_PORT, S3_ENDPOINT.
s3rver_start() {
    local data=$1 port=${2:-0} out=$1.log
    mkdir -p "$data"
    # s3rver encrypts continuation tokens with DES: OpenSSL 3 keeps it in
    # the legacy provider
    node --openssl-legacy-provider "$S3_TOP/tests/s3/s3rver.js" "$OMKT_NPM_CACHE" "$data" "$port" \
        "$S3_BUCKET" > "$out" 2>&1 &
    S3_PID=$!
    for _ in $(seq 1 100); do
        S3_PORT=$(awk '/^PORT /{print $2}' "$out")
        [ -n "$S3_PORT" ] && break
        kill -0 "$S3_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$S3_PORT" ]; then
        echo "not ok - s3rver did not start"; cat "$out"; return 1
    fi
    export S3_ENDPOINT=http://127.0.0.1:$S3_PORT
}

# s3rver_stop - stop the server this script started.
s3rver_stop() {
    [ -n "${S3_PID:-}" ] || return 0
    kill "$S3_PID" 2>/dev/null
    wait "$S3_PID" 2>/dev/null
    S3_PID=
}
