#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_omktctl - the admin command line as operators use it: --help after
# any command prints that command's usage and does nothing (`drain --help`
# once drained a host named "--help"), -c and --json anywhere, arguments
# and options in any order, a misspelled host refused, drained hosts
# listed, the client key rotated, every listing as valid JSON, and one
# frame of `top`.
. "$(dirname "$0")/../lib/common.sh"
omkt_setup omktctl
ctl db init >/dev/null || exit 1
ctl account add --email a@example.com --url http://127.0.0.1:9/cb \
    --client-key old-secret >/dev/null
sql "INSERT INTO processes (host, pid, role) VALUES ('web1', 11, 'transcoderd'),
     ('web2', 12, 'downloaderd');
     INSERT INTO jobs (task, state, created) VALUES
       ('transcode', 'queued', NOW() - INTERVAL 1 HOUR),
       ('transcode', 'failed', NOW())"
OMKTCTL=$OMKT_BIN/omktctl

# --- help: per command, anywhere, does nothing else
for cmd in db account jobs workers drain hosts top; do
    out=$("$OMKTCTL" -c "$CONF" "$cmd" --help 2>&1); rc=$?
    check "$cmd --help: usage on stdout, exit 0" \
        [ "$rc" -eq 0 ] && [[ $out == usage:\ omktctl\ $cmd* ]]
done
check_eq "drain --help drained nothing" \
    "$(sql "SELECT COUNT(*) FROM drained_hosts")" 0
check "omktctl --help: exit 0" "$OMKTCTL" --help
check "omktctl help jobs: the jobs usage" \
    bash -c '"$1" help jobs | grep -q "omktctl jobs list"' _ "$OMKTCTL"
check "unknown command: exit 2" \
    bash -c '"$1" -c "$2" frobnicate 2>/dev/null; [ $? -eq 2 ]' _ "$OMKTCTL" "$CONF"

# --- -c anywhere, options before arguments
check "-c after the command" "$OMKTCTL" account list -c "$CONF"
check_eq "options before the argument: jobs list --task T" \
    "$("$OMKTCTL" jobs --json -c "$CONF" list --task transcode --state failed |
       python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 1

# --- drain: misspelled host refused, known host drained and listed
out=$(ctl drain web3 2>&1); rc=$?
check "drain of a host never seen: refused (exit 1)" [ "$rc" -eq 1 ]
check "  ... and says why" grep -q "no process has run on host 'web3'" <<<"$out"
check_eq "  ... nothing drained" "$(sql "SELECT COUNT(*) FROM drained_hosts")" 0
check "drain --force of a host not seen yet" ctl drain --force web9
check "drain a known host (option first)" ctl drain --undo web9
check "drain web1" ctl drain web1
check_eq "web1 drained, its process draining" \
    "$(sql "SELECT state FROM processes WHERE host = 'web1'")" draining
ctl hosts > "$T/hosts.txt"
check "hosts: web1 drained" grep -qP '^web1\t0\t1\tyes\t' "$T/hosts.txt"
check "hosts: web2 not drained" grep -qP '^web2\t1\t0\tno\t' "$T/hosts.txt"

# --- the client key (app_key and callback signing secret) rotated
check "account client-key 1 --client-key new-secret" \
    ctl account client-key --client-key new-secret 1
check_eq "  ... stored" "$(sql "SELECT client_key FROM accounts WHERE id = 1")" new-secret
key=$(ctl account client-key 1)
check_eq "  ... a random one printed and stored" \
    "$(sql "SELECT client_key FROM accounts WHERE id = 1")" "$key"
check "  ... 32 characters" [ "${#key}" -eq 32 ]
check "client key over 32 characters refused" \
    bash -c '! "$1" -c "$2" account client-key 1 --client-key "$3" 2>/dev/null' \
    _ "$OMKTCTL" "$CONF" "$(head -c 33 /dev/zero | tr '\0' k)"

# --- --json on every listing: valid JSON, numbers as numbers
jsonck() { # jsonck DESCRIPTION PYTHON-EXPR ARGS...: EXPR true of the JSON in `d`
    local what=$1 expr=$2; shift 2
    check "$what" bash -c '"$@" | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(not ($0))"' \
        "$expr" "$OMKTCTL" -c "$CONF" "$@"
}
jsonck "account list --json" 'd[0]["id"] == 1 and d[0]["email"] == "a@example.com"' account list --json
jsonck "workers list --json" 'sorted(w["host"] for w in d) == ["web1", "web2"] and isinstance(d[0]["pid"], int)' --json workers list
jsonck "hosts --json" '[h["drained"] for h in d] == ["yes", "no"]' hosts --json
jsonck "jobs list --json" 'len(d) == 2 and d[0]["task"] == "transcode"' jobs list --json
jsonck "jobs show ID --json" 'd["id"] == 1 and d["state"] == "queued"' jobs show 1 --json
jsonck "db status --json" 'd["schema_version"] == d["programs_need"] and all(m["state"] == "applied" for m in d["migrations"])' db status --json

# --- top: one frame
ctl top --once > "$T/top.txt"
check "top --once: the queue line of transcode (1 queued, 1 failed, oldest queued 1 h ago)" \
    grep -qE '^transcode +1 +0 +1 +0 +3[67][0-9][0-9]s$' "$T/top.txt"
check "top --once: the workers" grep -qE '^web2 +downloaderd +12 +running' "$T/top.txt"
check "top: a bad --interval refused" \
    bash -c '! "$1" -c "$2" top --interval 0s 2>/dev/null' _ "$OMKTCTL" "$CONF"

