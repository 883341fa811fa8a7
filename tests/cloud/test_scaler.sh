#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_scaler.sh - the EC2 scaler (common/scaler, through
# tests/tools/scaler_cli) against tests/servers/fake_ec2.py and the
# suite's MariaDB: a backlog starts instances whose user-data really runs
# (the rendered configuration has queue = sqs and no secret; each
# instance, a network namespace of its own when root may make one, reads
# its id from its own metadata endpoint and reaches EC2 through the
# fake's forward but nothing else); two candidates: one leads, the other
# takes over when the leader is killed, and racing from the start they
# never pass max_instances; idle instances terminate themselves and are
# counted down; RequestLimitExceeded backs off; a wrong secret starts
# nothing and says why.  Most scenarios exec a stand-in worker (below)
# from the user-data, for speed and control; one runs the real cloud
# worker (transcoderd, queue = sqs) against local-aws-sqs.
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=tests/cloud/lib.sh
. "$(dirname "$0")/lib.sh"
SCLI=$OMKT_BIN/tests/scaler_cli
[ -x "$SCLI" ] || { echo "not ok - $SCLI not built"; exit 1; }
omkt_setup scaler
trap 'cloud_stop_all; omkt_teardown' EXIT
ctl db init >/dev/null || { fail "db init"; exit 1; }
mkdir -p "$T/instances"

# SQS (local-aws-sqs behind the verifying proxy) for the real worker
npm_need "$SQS_PKG" local-aws-sqs || exit $?
sqs_start "$T" || exit 1
sqs_port=${SQS_EP##*:}
# another loopback service an instance must not reach (netns mode)
other=
fake_aws other "$T/other" --mode ec2 --dir "$T/instances" || exit 1
fake_aws port "$T/ec2" --mode ec2 --isolate auto --forward "$sqs_port" \
    --dir "$T/instances" || exit 1
EC2_EP=http://127.0.0.1:$port
EC2_PID=$PORT_SERVER_PID
isolate=$(fake_ctl "$EC2_EP" GET /_fake/stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["isolate"])')
echo "# instances are isolated by: $isolate"
live() { "$CLI" ec2 "$EC2_EP" describe "omkt:cluster=$1" 2>/dev/null | wc -l; }
live_is() { [ "$(live "$1")" = "$2" ]; } # live_is CLUSTER N (for wait_for)

# The stand-in cloud worker: checks its configuration, reads its id from
# its metadata endpoint, probes what it can reach, then terminates its
# own instance (TerminateInstances, as the real worker does after
# idle_terminate) once the backlog file says 0 for IDLE polls.
cat > "$T/standin.sh" <<SH
#!/bin/bash
[ "\$1" = -c ] || exit 2
conf=\$2
cp "\$conf" conf.seen
imds=\$(sed -n 's/^imds_endpoint = //p' "\$conf" | tail -1)
ec2=\$(sed -n 's/^ec2_endpoint = //p' "\$conf")
cluster=\$(sed -n 's/^cluster = //p' "\$conf")
id=\$("$CLI" imds "\$imds" id) || exit 3
echo "\$id" > imds-id
reach() { (exec 3<>"/dev/tcp/127.0.0.1/\$1") 2>/dev/null && echo ok || echo no; }
echo "ec2 \$(reach "${port}") other \$(reach "${other}")" > reach
idle=0
for _ in \$(seq 1 600); do
    read -r w f < "$T/backlog.\$cluster" 2>/dev/null || w=0 f=0
    if [ "\$w\$f" = 00 ]; then idle=\$((idle + 1)); else idle=0; fi
    [ \$idle -ge 5 ] && break
    sleep 0.2
done
"$CLI" ec2 "\$ec2" terminate "\$id" 2> terminate.err
sleep 5 # TerminateInstances ends us
SH
chmod +x "$T/standin.sh"

# candidate NAME CLUSTER [K=V...] - a scaler candidate in the background
# (pid in CAND_PID, output $T/logs/NAME.log).
candidate() {
    local name=$1 cl=$2 holder=$1; shift 2
    [ "$name" = r3 ] && holder=- # named host:pid, as in a daemon
    "$SCLI" "$CONF" "$EC2_EP" "$holder" "$T/backlog.$cl" cluster="$cl" max=3 \
        per=2 program="$T/standin.sh" conf_path=etc/omkt.conf "$@" \
        > "$T/logs/$name.log" 2>&1 &
    CAND_PID=$!
    PIDS+=("$CAND_PID")
}
instance_dirs() { # instance_dirs CLUSTER - the dirs of its instances
    grep -l "^cluster = $1\$" "$T"/instances/*/etc/omkt.conf 2>/dev/null |
        sed 's,/etc/omkt.conf$,,'
}

echo "# a backlog starts instances; the user-data runs"
echo "5 0" > "$T/backlog.one"
candidate a one
A=$CAND_PID
check "ceil(5 / 2) = 3 instances start" wait_for 15 live_is one 3
# (the candidate logs its tick after the fake EC2 has the instances)
wait_for 5 grep -q 'started=3' "$T/logs/a.log"
check_eq "in one RunInstances of 3" "$(grep -c 'started=3' "$T/logs/a.log")" 1
mapfile -t dirs < <(instance_dirs one)
check_eq "three user-data scripts wrote their configuration" "${#dirs[@]}" 3
for d in "${dirs[@]}"; do
    id=${d##*/}
    check "$id: its id from its own metadata endpoint" wait_for 10 \
        grep -qx "$id" "$d/imds-id"
done
d=${dirs[0]}
check "the worker's configuration says queue = sqs" \
    grep -A1 -x '\[transcoderd\]' "$d/conf.seen"
check "the user-data holds no secret" \
    bash -c "! grep -rqF -e '$AWS_SECRET_ACCESS_KEY' -e '$AWS_ACCESS_KEY_ID' '$T'/instances/*/user-data"
check "it execs the worker with its configuration" grep -q "exec '$T/standin.sh' -c" "$d/user-data"
if [ "$isolate" = netns ]; then
    check_eq "in its namespace the instance reaches EC2, nothing else" \
        "$(cat "$d/reach")" "ec2 ok other no"
else
    echo "# no network namespaces here: instances are process groups"
fi

echo "# two candidates: one leads; the other takes over when it dies"
candidate b one
B=$CAND_PID
sleep 1.5
check "b does not lead while a does" bash -c "! grep -q 'leader=1' '$T/logs/b.log'"
echo "9 0" > "$T/backlog.one"
sleep 1
check_eq "demand past the maximum: still 3 live" "$(live one)" 3
kill -9 "$A"
check "b leads once a's lease expires" wait_for 10 grep -q 'leader=1' "$T/logs/b.log"
check_eq "and starts nothing past the maximum" "$(ec2_stat max_live one)" 3

echo "# idle instances terminate themselves and are counted down"
echo "0 0" > "$T/backlog.one"
check "all three terminated their own instance" wait_for 20 live_is one 0
check "the leader counts them down" wait_for 5 grep -q 'leader=1 instances=0' "$T/logs/b.log"
check_eq "started 3 in all" "$(ec2_stat started one)" 3
kill "$B"

echo "# three candidates racing from the start never pass max_instances"
echo "100 0" > "$T/backlog.race"
candidate r1 race
candidate r2 race
candidate r3 race
check "3 instances start" wait_for 15 live_is race 3
sleep 2
check_eq "never more than 3 live" "$(ec2_stat max_live race)" 3
check_eq "started exactly 3" "$(ec2_stat started race)" 3
check_eq "one leader among the candidates" \
    "$(grep -l 'leader=1' "$T"/logs/r[123].log | wc -l)" 1
echo "0 0" > "$T/backlog.race"
check "they terminate when idle" wait_for 20 live_is race 0

echo "# the real cloud worker, started by the user-data, terminates itself when idle"
for q in omkt-jobs omkt-results; do
    "$CLI" sqs "$SQS_EP" create "$q" >/dev/null 2>>"$T/logs/cli.err" ||
        fail "create queue $q"
done
echo "1 0" > "$T/backlog.real"
candidate real real program="$OMKT_BIN/transcoderd" sqs_endpoint="$SQS_EP" \
    idle_terminate_ms=4000
check "one instance starts" wait_for 15 live_is real 1
# no message is sent: the worker finds the queue empty and idles out
echo "0 0" > "$T/backlog.real"
mapfile -t dirs < <(instance_dirs real)
d=${dirs[0]:-none}
id=${d##*/}
check "transcoderd runs there as a cloud worker named by its IMDS" \
    wait_for 30 grep -q "cloud worker $id" "$d/log"
check "idle, it terminates its own instance" wait_for 40 live_is real 0
check "with TerminateInstances on its own id" \
    grep -q "idle: instance $id terminating" "$d/log"
check_eq "one instance started in all" "$(ec2_stat started real)" 1
check "no sanitizer report from the worker" \
    bash -c "! grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error' '$d/log'"
kill "$CAND_PID"

echo "# RequestLimitExceeded backs off"
fake_ctl "$EC2_EP" POST "/_fake/fail?n=3&status=503&code=RequestLimitExceeded&action=RunInstances" >/dev/null
echo "2 0" > "$T/backlog.limit"
candidate lim limit backoff_ms=2000
check "then one instance starts" wait_for 20 live_is limit 1
check "the failure is reported with EC2's code" \
    grep -q "error: .*RunInstances: HTTP 503 RequestLimitExceeded" "$T/logs/lim.log"
runs=$(python3 - "$T/ec2.jsonl" <<'PY'
import json, sys
r = [json.loads(x) for x in open(sys.argv[1])]
r = [x for x in r if x['action'] == 'RunInstances']
failed = [x['t'] for x in r if x['fault'] == 'RequestLimitExceeded']
ok = [x['t'] for x in r if not x['fault']]
gap = ok[-1] - failed[0] if failed and ok else -1
print(len(failed), gap >= 1.9)
PY
)
check_eq "3 attempts failed; the next start 2 s after the first" "$runs" "3 True"
echo "0 0" > "$T/backlog.limit"
kill "$CAND_PID"

echo "# a wrong secret starts nothing, with a clear error"
echo "4 0" > "$T/backlog.badkey"
AWS_SECRET_ACCESS_KEY=not-the-secret candidate bad badkey seconds=2
wait_exit "$CAND_PID" 15
check_eq "the candidate ran and stopped" "$EXIT_STATUS" 0
check "it says: not permitted, SignatureDoesNotMatch" \
    grep -q "error: not permitted: ec2 DescribeInstances: HTTP 403 SignatureDoesNotMatch" "$T/logs/bad.log"
check "the secret is not shown" bash -c "! grep -q not-the-secret '$T/logs/bad.log'"
check_eq "nothing started" "$(ec2_stat started badkey)" 0

echo "# max_instances = 0: scaling is off"
echo "4 0" > "$T/backlog.off"
candidate off off max=0 seconds=1
wait_exit "$CAND_PID" 15
check "it says so" grep -q "max_instances is 0: scaling off" "$T/logs/off.log"
check_eq "nothing started" "$(ec2_stat started off)" 0

check "every instance is gone" wait_for 20 live_is limit 0
[ "$isolate" = netns ] &&
    check "their namespaces are deleted" wait_for 10 \
        bash -c "! ip netns list | grep -q 'omkt-ec2-$EC2_PID-'"
[ "$FAILS" -eq 0 ] && echo "ok - scaler against fake_ec2.py"
