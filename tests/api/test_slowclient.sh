#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_slowclient - slow and greedy clients cannot take apid down
# (connguard.h): hundreds of connections trickling one header line at a
# time from 200 loopback addresses, plus more than per_ip_connections
# from 127.0.0.1 itself, while /health is probed from 127.0.0.1: every
# probe answers 200 in under a second, and every trickler is closed by
# header_timeout.  Then a body trickling past body_timeout is cut, a
# client whose connections are all busy gets 503 on one more (but /health
# answers), and oversized request heads get a 4xx from MHD.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/api_lib.sh"
omkt_setup api_slowclient
ctl db init >/dev/null || exit 1
start_apid "max_connections = 256
per_ip_connections = 4
header_timeout = 3s
body_timeout = 3s
max_header = 16K
admin_key = op-key"
PORT=${API##*:}

# --- 400 tricklers from 127.0.0.2-201 and 10 from 127.0.0.1
python3 "$TOP/tests/tools/slowclient.py" --port "$PORT" --spread 400 \
    --local 10 --watch 8 > "$T/slow.json"
# the verdicts
read -r probes not200 probe_ms still_open late local_early < <(python3 - "$T/slow.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
lives, srcs = d["lives"], d["srcs"]
local = [l for l, s in zip(lives, srcs) if s == "127.0.0.1"]
print("%d %d %d %d %d %d" % (
    len(d["probes"]), sum(1 for p in d["probes"] if p != 200),
    int((d["probe_max_s"] or 99) * 1000),
    sum(1 for l in lives if l is None),
    sum(1 for l in lives if l is not None and l > 3 + 1.5),
    sum(1 for l in local if l is not None and l < 1.5)))
PY
)
check "probes ran throughout ($probes)" [ "$probes" -ge 20 ]
check_eq "every /health probe answered 200" "$not200" 0 ||
    python3 -c 'import json, sys; print("# failed probes:", json.load(open(sys.argv[1]))["probe_fails"])' "$T/slow.json"
check "slowest /health under 1 s ($probe_ms ms)" [ "$probe_ms" -lt 1000 ]
check_eq "no trickler left open" "$still_open" 0
check_eq "none lived past header_timeout (+1.5 s)" "$late" 0
check "127.0.0.1 beyond per_ip_connections closed at once ($local_early)" \
    [ "$local_early" -ge 6 ]

# --- a body sent a byte at a time is cut at body_timeout
python3 - "$PORT" > "$T/body.txt" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /api/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
          b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")
t0 = time.monotonic()
s.settimeout(0.5)
got = b""
while time.monotonic() - t0 < 10:
    try:
        s.send(b"a")
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
    except socket.timeout:
        continue
    except OSError:
        break
print("%.1f %d" % (time.monotonic() - t0, len(got)))
PY
read -r secs _ < "$T/body.txt"
check "slow body cut after body_timeout ($secs s)" \
    python3 -c "import sys; sys.exit(not 2.5 <= $secs <= 5)"

# --- per_ip_connections busy reading bodies (nothing to close): a fifth
# connection from that address is admitted in the reserve, for /health
python3 - "$PORT" > "$T/reserve.txt" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
def ask(path):  # keep-alive asked: a reserve connection closes anyway
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data[9:12].decode() if data.startswith(b"HTTP/1.1 ") else "none"
busy = []
for _ in range(4):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /api/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\na")
    busy.append(s)
time.sleep(0.5)  # their heads are read: now in the body phase
print(ask(b"/metrics"), ask(b"/api/?action=app_get_settings"), ask(b"/health"))
PY
read -r other api health < "$T/reserve.txt"
check_eq "over per_ip_connections with all busy: other paths 503" "$other" 503
check_eq "over per_ip_connections with all busy: OMKT 500 (its 503 is another thing)" "$api" 500
check_eq "over per_ip_connections with all busy: /health 200" "$health" 200

# --- request heads over max_header: MHD answers 431 / 414
big=$(head -c 20000 /dev/zero | tr '\0' a)
check_eq "header over max_header: 431" \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$API/health")" 431
check_eq "URL over max_header: 414" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$API/health?x=$big")" 414
curl -s -H 'Authorization: Bearer op-key' "$API/metrics" > "$T/metrics"
metric() { sed -n "s/^omkt_api_connections_$1 //p" "$T/metrics"; }
check "metrics: closed for header_timeout ($(metric 'closed_total{reason="header_timeout"}'))" \
    [ "$(metric 'closed_total{reason="header_timeout"}')" -gt 0 ]
check "metrics: closed to make room ($(metric 'closed_total{reason="make_room"}'))" \
    [ "$(metric 'closed_total{reason="make_room"}')" -gt 0 ]
check "metrics: body_timeout ($(metric 'closed_total{reason="body_timeout"}'))" \
    [ "$(metric 'closed_total{reason="body_timeout"}')" -gt 0 ]
check "metrics: reserve ($(metric reserve_total))" [ "$(metric reserve_total)" -ge 3 ]
check_eq "still healthy" "$(curl -s -o /dev/null -w '%{http_code}' "$API/health")" 200
check "apid still running" kill -0 "$APID_PID"
