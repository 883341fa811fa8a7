#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_fail_refused - a failure the database refuses to record still ends
# the job.  A trigger stands in for MariaDB refusing the fail UPDATE (as it
# refused a reason cut inside a UTF-8 character): the worker records the
# failure again with a plain reason instead of leaving the job running
# until its lease expires, attempt after attempt ("workers died").
. "$(dirname "$0")/../lib/common.sh"
omkt_setup failrefused
ctl db init >/dev/null
# (a scalar subquery of two rows: MariaDB refuses the UPDATE, error 1242)
sql "CREATE TRIGGER refuse_reason BEFORE UPDATE ON jobs FOR EACH ROW
    SET NEW.error = IF(NEW.error = 'asked to fail',
        (SELECT 'refused by the test' UNION SELECT 'twice'), NEW.error)"
id=$(sql "INSERT INTO jobs (task, payload, max_attempts) VALUES ('test', 'fail', 1);
    SELECT LAST_INSERT_ID()")
start qworker "$OMKT_BIN/tests/qworker" -c "$CONF"
jstate() { sql "SELECT CONCAT(state, ' ', attempts) FROM jobs WHERE id = $id"; }
failed() { [ "$(jstate)" = "failed 1" ]; }
check "the job ends failed on its one attempt" wait_for 10 failed
check "at once, not when its lease (3 s) lapsed" test "$(sql "SELECT
    TIMESTAMPDIFF(MICROSECOND, started, finished) < 1500000 FROM jobs
    WHERE id = $id")" = 1
check "its reason says the real one could not be stored" \
    grep -q "^input/output error (its reason could not be stored)$" \
    <<<"$(sql "SELECT error FROM jobs WHERE id = $id")"
check "the worker logged why" grep -q "recording the failure: .*more than 1 row.*plain reason" "$LAST_LOG"
