# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# npm.sh - what the tests and benchmarks that run npm servers (s3rver,
# local-aws-sqs) share: the package cache, installed at test time into
# $OMKT_NPM_CACHE (default build/npm; CI has nothing preinstalled), and
# starting a server that prints "PORT n" once it listens.

NPM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OMKT_NPM_CACHE=${OMKT_NPM_CACHE:-$NPM_TOP/build/npm}
case $OMKT_NPM_CACHE in /*) ;; *) OMKT_NPM_CACHE=$NPM_TOP/$OMKT_NPM_CACHE ;; esac
export OMKT_NPM_CACHE

# npm_need PKG@VER DIR_UNDER_NODE_MODULES [NPM_FLAG...] - 0 when
# installed (now or before), 77 when node/npm or the registry is
# unavailable.
npm_need() {
    local pkg=$1 dir=$2; shift 2
    [ -f "$OMKT_NPM_CACHE/node_modules/$dir/package.json" ] && return 0
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "# SKIP node/npm not installed"; return 77
    fi
    mkdir -p "$OMKT_NPM_CACHE"
    if ! npm install --prefix "$OMKT_NPM_CACHE" --no-audit --no-fund \
        --silent "$@" "$pkg" >&2; then
        echo "# SKIP npm could not install $pkg (registry unreachable?)"
        return 77
    fi
}

# port_server VAR LOG CMD... - start CMD in the background (its pid in
# PORT_SERVER_PID), wait for its "PORT n" line in LOG and set VAR to n;
# 1 (with LOG shown) when it does not come.
port_server() {
    local var=$1 log=$2 got=; shift 2
    "$@" > "$log" 2>&1 &
    PORT_SERVER_PID=$!
    for _ in $(seq 1 100); do
        got=$(awk '/^PORT /{print $2; exit}' "$log")
        [ -n "$got" ] && break
        kill -0 "$PORT_SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$got" ]; then
        echo "not ok - $* did not start"; cat "$log"; return 1
    fi
    printf -v "$var" '%s' "$got"
}
