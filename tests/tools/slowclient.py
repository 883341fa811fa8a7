#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""slowclient.py - slow-client attack on apid for tests/api/test_slowclient.sh.

Opens --spread trickling connections from other loopback addresses
(127.0.0.2, ... two per address; Linux routes all of 127/8 to lo) and
--local more from 127.0.0.1, each sending one header line every
--every seconds and never finishing its request head.  Meanwhile a probe
asks GET /health from 127.0.0.1 every 100 ms.  Prints one JSON object:
probe statuses and latencies, and for each trickler how long it lived.
"""
import argparse
import json
import selectors
import socket
import threading
import time


def probe_loop(host, port, stop, out):
    """GET /health until @stop; appends (status, seconds) to @out."""
    while not stop.is_set():
        t0 = time.monotonic()
        status = 0
        try:
            s = socket.create_connection((host, port), timeout=3)
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            s.close()
            if data.startswith(b"HTTP/1.1 "):
                status = int(data[9:12])
        except OSError:
            status = -1
        out.append((status, time.monotonic() - t0, t0))
        time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--spread", type=int, default=400)
    ap.add_argument("--local", type=int, default=10)
    ap.add_argument("--every", type=float, default=0.5)
    ap.add_argument("--watch", type=float, default=8.0,
                    help="seconds to watch after the last connection")
    a = ap.parse_args()

    t_start = time.monotonic()
    stop = threading.Event()
    probes = []
    prober = threading.Thread(target=probe_loop,
                              args=("127.0.0.1", a.port, stop, probes))
    prober.start()
    time.sleep(0.3)  # a few probes before the attack

    sel = selectors.DefaultSelector()
    conns = []  # dicts: sock, opened, closed, src
    srcs = ["127.0.0.%d" % (2 + i // 2) for i in range(a.spread)]
    srcs += ["127.0.0.1"] * a.local
    for src in srcs:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c = {"sock": s, "opened": time.monotonic(), "closed": None,
             "src": src, "refused": False}
        try:
            s.bind((src, 0))
            s.connect(("127.0.0.1", a.port))
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, c)
        except OSError:
            c["closed"] = time.monotonic()
            c["refused"] = True
        conns.append(c)
    last_open = time.monotonic()

    next_send = time.monotonic()
    while time.monotonic() - last_open < a.watch:
        for key, _ in sel.select(timeout=0.05):
            c = key.data
            try:
                data = c["sock"].recv(4096)
            except OSError:
                data = b""
            if not data:  # closed by apid (a reply would also count)
                c["closed"] = time.monotonic()
                sel.unregister(c["sock"])
        if time.monotonic() >= next_send:
            next_send += a.every
            for c in conns:
                if c["closed"] is None:
                    try:
                        c["sock"].send(b"X-Slow: 1\r\n")
                    except OSError:
                        c["closed"] = time.monotonic()
                        sel.unregister(c["sock"])
        if all(c["closed"] is not None for c in conns) and \
                time.monotonic() - last_open > 1:
            break
    stop.set()
    prober.join()
    lives = [None if c["closed"] is None else c["closed"] - c["opened"]
             for c in conns]
    for c in conns:
        c["sock"].close()
    print(json.dumps({
        "probes": [p[0] for p in probes],
        "probe_max_s": max(p[1] for p in probes) if probes else None,
        "probe_fails": [{"status": p[0], "secs": round(p[1], 3),
                         "at": round(p[2] - t_start, 3)}
                        for p in probes if p[0] != 200],
        "lives": lives,
        "srcs": srcs,
        "refused": sum(1 for c in conns if c["refused"]),
    }))


if __name__ == "__main__":
    main()
