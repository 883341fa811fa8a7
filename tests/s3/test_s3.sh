#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_s3.sh - common/s3 against a real S3 server that checks SigV4
# signatures (npm @20minutes/s3rver 5, key pair S3RVER:S3RVER): the
# test_s3_ops cases, then the server SIGKILLed in the middle of a
# multipart upload and restarted on the same data: no partial object.
set -u
# shellcheck source=tests/s3/lib.sh
. "$(dirname "$0")/lib.sh"
OMKT_BIN=${OMKT_BIN:-$S3_TOP/build/sanitize/bin}
case $OMKT_BIN in /*) ;; *) OMKT_BIN=$S3_TOP/$OMKT_BIN ;; esac
OPS=$OMKT_BIN/tests/test_s3_ops
[ -x "$OPS" ] || { echo "not ok - $OPS not built"; exit 1; }

s3rver_install || exit $?
T=$(mktemp -d /tmp/omkt-s3.XXXXXX)
trap 's3rver_stop; rm -rf "$T"' EXIT
mkdir -p "$T/scratch"
s3rver_start "$T/data" || exit 1
export OMKT_S3_ENDPOINT=$S3_ENDPOINT OMKT_S3_BUCKET=$S3_BUCKET
export OMKT_S3_DIR=$T/scratch
fail=0

echo "# cases against $S3_ENDPOINT"
"$OPS" || fail=1

echo "# the server is killed after part 1 of a multipart upload"
OMKT_S3_PID=$S3_PID "$OPS" killmid kill/obj || fail=1
wait "$S3_PID" 2>/dev/null   # reaps the SIGKILLed server
S3_PID=
s3rver_start "$T/data" "$S3_PORT" || exit 1
"$OPS" gone kill/obj || fail=1

[ $fail -eq 0 ] && echo "ok - s3 client against s3rver"
exit $fail
