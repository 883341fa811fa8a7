#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - `make run`: the whole system on this machine, for trying it out.
# A private MariaDB under ./var (never the system service), the schema, a
# demo account (key in ./var/demo.key), a demo CMS that records callbacks,
# apid on 127.0.0.1:$PORT and one of each worker daemon.  Ctrl-C or
# SIGTERM stops everything cleanly.  SOURCE=file.mp4 also pushes that file
# through (probe + the recommended settings) and prints the outputs.
# SEGMENT_MIN=10s (SEGMENT_LENGTH=4s) splits long sources into segments.
# Each daemon runs under a small supervisor that restarts it when it
# dies (logged to var/log/run.log, backing off up to 30 s); when apid
# cannot start at all (its port is taken), run.sh says so and stops.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
. tests/lib/mariadb.sh
PORT=${PORT:-8080}
# Tests run it elsewhere: OMKT_RUN_VAR (default ./var), OMKT_RUN_BIN
# (default ./bin, the release build).
VAR=${OMKT_RUN_VAR:-$TOP/var}
BIN=${OMKT_RUN_BIN:-$TOP/bin}
mkdir -p "$VAR/log" "$VAR/docroot" "$VAR/import" "$VAR/cms" "$VAR/run"
PIDS=()

stop_all() {
    local rc=${1:-0} p f
    trap - INT TERM EXIT
    echo; echo "stopping..."
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
    done
    for f in "$VAR"/run/*.pid; do # a daemon whose supervisor was killed
        [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
        rm -f "$f"
    done
    mariadb_stop "$VAR/mariadb"
    echo "stopped (data kept in ./var; rm -rf var to start afresh)"
    exit "$rc"
}
trap stop_all INT TERM EXIT

dbport=$(cat "$VAR/mariadb/port" 2>/dev/null || true)
mariadb_start "$VAR/mariadb" "${dbport:-}" || exit 1
mariadb_new_db "$VAR/mariadb" omkt omkt omktdemo
cat > "$VAR/omkt.conf" <<CONF
# Written by \`make run\` (tools/run.sh); rewritten at every start.
[db]
socket = $VAR/mariadb/mysqld.sock
user = omkt
password = omktdemo
name = omkt

[common]
docroot = $VAR/docroot
log = stderr
heartbeat = 2s
lease = 30s
shutdown_grace = 5s

[apid]
listen = 127.0.0.1
port = $PORT

[downloaderd]
# A local demo serves its originals on loopback; production configs don't.
allow_private = yes
import_dir = $VAR/import

[notifierd]
# ... and its fake CMS takes callbacks on loopback too.
allow_private = yes
# Streaming packages' signed URLs in callbacks are absolute (apid above).
stream_base_url = http://127.0.0.1:$PORT
CONF
# S3_ENDPOINT (and S3_REGION): a local S3-compatible store (MinIO,
# s3rver...) for s3:// sources and media-nommer destinations; its keys
# come from the URI or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, which
# the daemons inherit from this shell.
if [ -n "${S3_ENDPOINT:-}" ]; then
    cat >> "$VAR/omkt.conf" <<CONF

[s3]
endpoint = $S3_ENDPOINT
region = ${S3_REGION:-us-east-1}
addressing = path
# the demo's store is usually on loopback
allow_private = yes
CONF
fi
# SEGMENT_MIN (and SEGMENT_LENGTH, default 60s): segment-parallel
# transcoding of sources at least that long (docs/media.md), with two
# transcoder workers so that segments run side by side.
if [ -n "${SEGMENT_MIN:-}" ]; then
    cat >> "$VAR/omkt.conf" <<CONF

[transcoderd]
workers = 2
segment_min = $SEGMENT_MIN
segment_length = ${SEGMENT_LENGTH:-60s}
CONF
fi
ctl() { "$BIN/omktctl" -c "$VAR/omkt.conf" "$@"; }
if [ "$(ctl db status 2>/dev/null | sed -n 's/^schema version: //p')" = 0 ]; then
    ctl db init || exit 1
else
    ctl db upgrade >/dev/null || exit 1
fi
if [ ! -s "$VAR/demo.key" ]; then
    ctl account add --email demo@localhost --admin --adapters http,local \
        --url "http://127.0.0.1:9/callback" --client-key demo \
        > "$VAR/demo.key" 2>/dev/null || exit 1
fi
KEY=$(cat "$VAR/demo.key")

# The demo CMS: serves var/cms/NAME at /f/NAME, logs callbacks.
rm -f "$VAR/cms.port"
python3 tests/servers/fake_cms.py --root "$VAR/cms" --log "$VAR/callbacks.jsonl" \
    --port-file "$VAR/cms.port" >"$VAR/log/democms.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do [ -s "$VAR/cms.port" ] && break; sleep 0.1; done
CMS_PORT=$(cat "$VAR/cms.port")
ctl account url 1 "http://127.0.0.1:$CMS_PORT/callback" >/dev/null
# supervise NAME - run $BIN/NAME until TERM, restarting it when it dies
# (a crash must not leave the demo half up); a clean exit (status 0: it
# was signalled, e.g. the whole group by kill -INT, or drained) ends it.  Its pid is in var/run/.
supervise() {
    local d=$1 pid=0 rc t0 delay=1
    trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; rm -f "$VAR/run/$d.pid"; exit 0' TERM
    while true; do
        t0=$(date +%s)
        "$BIN/$d" -c "$VAR/omkt.conf" >>"$VAR/log/$d.log" 2>&1 &
        pid=$!
        echo "$pid" > "$VAR/run/$d.pid"
        wait "$pid"
        rc=$?
        if [ "$rc" -eq 0 ]; then # asked to stop (a signal, omktctl drain)
            echo "$(date '+%F %T') $d (pid $pid) exited cleanly; not restarted" |
                tee -a "$VAR/log/run.log" >&2
            rm -f "$VAR/run/$d.pid"
            exit 0
        fi
        [ $(($(date +%s) - t0)) -ge 60 ] && delay=1 # it had been running
        echo "$(date '+%F %T') $d (pid $pid) exited with status $rc;" \
            "restarting in ${delay}s (see var/log/$d.log)" | tee -a "$VAR/log/run.log" >&2
        sleep "$delay" & wait $!
        delay=$((delay * 2 > 30 ? 30 : delay * 2))
    done
}

# apid_up OFFSET - apid, started after byte OFFSET of its log, listens.
apid_up() { tail -c +$(($1 + 1)) "$VAR/log/apid.log" | grep -q "listening on"; }
# apid_died OFFSET - it exited since run.log had OFFSET bytes.
apid_died() { tail -c +$(($1 + 1)) "$VAR/log/run.log" | grep -q " apid (pid"; }

touch "$VAR/log/apid.log" "$VAR/log/run.log"
log_at=$(stat -c %s "$VAR/log/apid.log")
run_at=$(stat -c %s "$VAR/log/run.log")
SUPS=()
for d in apid downloaderd metadatad transcoderd notifierd; do
    supervise "$d" &
    PIDS+=($!)
    SUPS+=($!)
done
for _ in $(seq 1 100); do
    apid_up "$log_at" && break
    apid_died "$run_at" && break
    sleep 0.1
done
if ! apid_up "$log_at"; then
    echo "apid did not start on 127.0.0.1:$PORT; its log (var/log/apid.log) says:" >&2
    tail -c +$((log_at + 1)) "$VAR/log/apid.log" | tail -5 >&2
    echo "(port in use? try: make run PORT=8081)" >&2
    stop_all 1
fi

cat <<TXT

omkt is running (logs in var/log/, config var/omkt.conf, data var/docroot/).
  dashboard:  http://127.0.0.1:$PORT/   (Authorization: Bearer $KEY)
  API key:    $KEY   (saved in var/demo.key)
  admin CLI:  bin/omktctl -c var/omkt.conf workers list
Try it (the demo CMS on :$CMS_PORT serves files put in var/cms/ at /f/NAME
and logs the callbacks it receives to var/callbacks.jsonl):
  curl 'http://127.0.0.1:$PORT/api/?action=app_get_settings'
  cp clip.mp4 var/cms/ && curl 'http://127.0.0.1:$PORT/api/?action=app_new_media&transcoder_key=$KEY&application=demo&version=1&id=1&url=http://127.0.0.1:$CMS_PORT/f/clip.mp4'
  curl -g 'http://127.0.0.1:$PORT/api/?action=app_request_format&transcoder_key=$KEY&application=demo&version=1&id=1&settings_id_list=[12,101]'
  (curl needs -g for the [ ] of the list; id=1 is taken once used: pick another)
Press Ctrl-C to stop.
TXT

if [ -n "${SOURCE:-}" ]; then
    bash tools/push.sh "$SOURCE" "$PORT" "$KEY" "$VAR" || echo "push of $SOURCE failed"
fi
# the supervisors do the work; Ctrl-C or TERM ends it, and so does every
# daemon having stopped cleanly (kill -INT to the group of a background
# make run, where this shell ignores INT)
while true; do
    sleep 5 &
    wait $!
    alive=0
    for p in "${SUPS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" -eq 1 ] || { echo "every daemon has stopped; stopping" >&2; exit 0; }
done
