#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_sqs.sh - common/sqs (through tests/tools/cloud_cli) against npm
# local-aws-sqs behind a SigV4-checking proxy: send, receive, extend and
# release the visibility lease, delete; a message received more than
# max_receive_count times lands in the dead-letter queue; a long poll
# returns as soon as a message arrives; a wrong secret or unknown key is
# refused with a clear error that shows no secret, and nothing is sent;
# temporary credentials (a session token) are signed too; SIGTERM
# interrupts a long poll at once; the address policy refuses a loopback
# endpoint unless allowed; throttling and 5xx answers are retried with backoff (and a send whose
# answer was lost is sent again: SQS is at-least-once); an unreachable
# endpoint is retried, then reported as retryable.
# XXX: local-aws-sqs 2.0.2 counts every ChangeMessageVisibility as a
# receive (real SQS does not), so the lease queue allows 10 receives and
# the dead-letter case has a queue of its own.
set -u
# shellcheck source=tests/cloud/lib.sh
. "$(dirname "$0")/lib.sh"
[ -x "$CLI" ] || { echo "not ok - $CLI not built"; exit 1; }
npm_need "$SQS_PKG" local-aws-sqs || exit $?
T=$(mktemp -d /tmp/omkt-sqs.XXXXXX)
trap 'cloud_stop_all; rm -rf "$T"' EXIT
sqs_start "$T" || exit 1
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
sqs() { "$CLI" sqs "$SQS_EP" "$@" 2>>"$T/cli.err"; }
# field N of the first line of stdin (recv: 1 count, 2 receipt, 3 body)
col() { awk -F'\t' -v n="$1" 'NR == 1 {print $n}'; }

dlq=$(sqs create omkt-dlq) || { bad "create dlq"; exit 1; }
arn=$(sqs info "$dlq" | awk '{print $8}')
case $arn in arn:aws:sqs:*:omkt-dlq) ok "dead-letter queue $arn" ;;
    *) bad "dlq arn: '$arn'" ;; esac
q=$(sqs create omkt-jobs 2 "$arn" 10) || { bad "create queue"; exit 1; }
qp=$(sqs create omkt-poison 1 "$arn" 2) || { bad "create queue"; exit 1; }
[ "$(sqs url omkt-jobs)" = "$q" ] && ok "GetQueueUrl finds $q" ||
    bad "GetQueueUrl"

echo "# send, receive, extend, release, delete"
id=$(sqs send "$q" '{"job":1}')
[ -n "$id" ] && ok "sent message $id" || bad "send"
m=$(sqs recv "$q" 1 1)
[ "$(col 3 <<<"$m")" = '{"job":1}' ] && [ "$(col 1 <<<"$m")" = 1 ] &&
    ok "received once, ApproximateReceiveCount 1" || bad "recv 1: '$m'"
rh=$(col 2 <<<"$m")
sqs vis "$q" "$rh" 30 && ok "lease extended to 30 s" || bad "extend"
sleep 3   # past the queue's 2 s visibility timeout
[ -z "$(sqs recv "$q" 1 1)" ] && ok "extended message stays invisible" ||
    bad "extended message came back"
sqs vis "$q" "$rh" 0 && ok "lease released (visibility 0)" || bad "release"
m=$(sqs recv "$q" 2 1 30)
[ "$(col 3 <<<"$m")" = '{"job":1}' ] && ok "released message received again (count $(col 1 <<<"$m"))" ||
    bad "recv after release: '$m'"
sqs del "$q" "$(col 2 <<<"$m")" && ok "deleted" || bad "delete"
sleep 0.5
info=$(sqs info "$q")
[ "$info" = "visible 0 notvisible 0 delayed 0 arn arn:aws:sqs:us-east-1:123456789012:omkt-jobs" ] &&
    ok "queue empty after delete" || bad "after delete: $info"
# as SQS: a second delete of the same receipt is no error (a worker may
# retry a delete whose answer it lost)
sqs del "$q" "$(col 2 <<<"$m")" && ok "a second delete is no error" ||
    bad "second delete"

echo "# a message received more than max_receive_count (2) times"
sqs send "$qp" poison >/dev/null
for n in 1 2; do
    m=$(sqs recv "$qp" 3 1)
    [ "$(col 1 <<<"$m")" = "$n" ] || bad "poison receive $n: '$m'"
    sleep 1.5   # the 1 s lease runs out
done
[ -z "$(sqs recv "$qp" 1 1)" ] && ok "poison message left the queue" ||
    bad "poison message still in the queue"
m=$(sqs recv "$dlq" 2 1)
[ "$(col 3 <<<"$m")" = poison ] && ok "poison message is in the DLQ" ||
    bad "DLQ holds '$m'"

echo "# long poll returns on a new message"
t0=$(date +%s%N)
sqs recv "$q" 20 1 > "$T/poll.out" &
poll=$!
sleep 1
sqs send "$q" late >/dev/null
wait "$poll"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ "$(col 3 < "$T/poll.out")" = late ] && [ "$ms" -lt 10000 ]; then
    ok "long poll answered with the new message after $ms ms"
else
    bad "long poll: '$(cat "$T/poll.out")' after $ms ms"
fi

echo "# wrong secret, unknown key"
before=$(sqs info "$q" | awk '{print $2}')
err=$(AWS_SECRET_ACCESS_KEY=not-the-secret "$CLI" sqs "$SQS_EP" send "$q" x 2>&1)
rc=$?
echo "# $err" | head -2
if [ $rc -eq 1 ] && grep -q "HTTP 403 SignatureDoesNotMatch" <<<"$err" &&
    grep -q "retries 0" <<<"$err" && ! grep -q "not-the-secret" <<<"$err"; then
    ok "wrong secret: refused, not retried, no secret in the text"
else
    bad "wrong secret: rc $rc: $err"
fi
[ "$(sqs info "$q" | awk '{print $2}')" = "$before" ] &&
    ok "nothing was sent with the wrong secret" || bad "message went through"
err=$(AWS_ACCESS_KEY_ID=AKIDUNKNOWN "$CLI" sqs "$SQS_EP" url omkt-jobs 2>&1)
grep -q "HTTP 403 UnrecognizedClientException" <<<"$err" &&
    ok "unknown key: UnrecognizedClientException" || bad "unknown key: $err"
n=$(grep -c '"sig": "ok"' "$T/proxy.jsonl")
echo "# the proxy checked $n good signatures"

echo "# session token, stop hook, address policy"
AWS_SESSION_TOKEN=FQoGZXIvYXdzEXAMPLE "$CLI" sqs "$SQS_EP" url omkt-jobs >/dev/null 2>&1 &&
    ok "a request with X-Amz-Security-Token passes the signature check" ||
    bad "session token"
idle=$(sqs create omkt-idle)
"$CLI" sqs "$SQS_EP" recv "$idle" 20 1 > /dev/null 2> "$T/term.err" &
poll=$!
sleep 1
t0=$(date +%s%N)
kill -TERM "$poll"
wait "$poll"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ $rc -eq 1 ] && grep -q "interrupted by shutdown: sqs ReceiveMessage: interrupted" "$T/term.err" &&
    [ "$ms" -lt 2000 ]; then
    ok "SIGTERM interrupted a long poll after $ms ms"
else
    bad "SIGTERM: rc $rc after $ms ms: $(cat "$T/term.err")"
fi
err=$(OMKT_CLOUD_PUBLIC_ONLY=1 "$CLI" sqs "$SQS_EP" url omkt-jobs 2>&1)
if grep -q "not permitted: sqs GetQueueUrl: refused loopback address 127.0.0.1" <<<"$err" &&
    grep -q "retries 0" <<<"$err"; then
    ok "address policy: loopback refused, not retried"
else
    bad "address policy: $err"
fi

echo "# transient errors"
fail_next() { # fail_next N STATUS CODE [after]
    python3 -c 'import sys, urllib.request as u
u.urlopen(u.Request(sys.argv[1], method="POST", data=b""))' \
        "$SQS_EP/_fake/fail?n=$1&status=$2&code=$3&after=${4:-0}"
}
fail_next 2 400 ThrottlingException
err=$("$CLI" sqs "$SQS_EP" send "$q" throttled 2>&1 >/dev/null)
[ $? -eq 0 ] && grep -q "retries 2" <<<"$err" &&
    ok "two ThrottlingException answers retried, then sent" || bad "throttled: $err"
fail_next 4 500 InternalFailure
err=$("$CLI" sqs "$SQS_EP" url omkt-jobs 2>&1)
if grep -q "retries 3" <<<"$err" &&
    grep -q "sqs GetQueueUrl: HTTP 500 InternalFailure: injected (retryable)" <<<"$err"; then
    ok "4 x HTTP 500: 3 retries, then a retryable error"
else
    bad "500s: $err"
fi
fail_next 1 503 ServiceUnavailable 1
err=$("$CLI" sqs "$SQS_EP" send "$q" lost-answer 2>&1 >/dev/null)
m=$(sqs recv "$q" 1 10 30 | cut -f3 | sort | tr '\n' ' ')
[ "$(grep -o lost-answer <<<"$m" | wc -l)" = 2 ] &&
    ok "a send whose answer was lost went twice (at-least-once: consumers dedupe)" ||
    bad "lost answer: '$m' $err"

echo "# unreachable endpoint"
err=$("$CLI" sqs http://127.0.0.1:1 url omkt-jobs 2>&1)
if grep -q "network error.*(retryable)" <<<"$err" && grep -q "retries 3" <<<"$err"; then
    ok "unreachable: 3 retries, then a retryable network error"
else
    bad "unreachable: $err"
fi
[ $fail -eq 0 ] && echo "ok - sqs client against local-aws-sqs"
exit $fail
