#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""fake_cms - a CMS for the pipeline tests: serves originals and records
callbacks.  Binds --bind (127.0.0.1) on port 0 and writes the port to
--port-file.  Every request is appended to --log as one JSON line:
{"method", "path", "headers" (lower-case names), "body", "sig_ok",
"mode" (how a callback was answered)}.

Originals (files under --root):
  /f/NAME            the file, honouring "Range: bytes=N-" (206)
  /norange/NAME      the file, ignoring Range (always 200)
  /nolen/NAME        the file without Content-Length (connection close)
  /slow/NAME         without Range: 16 KiB every 50 ms; with Range: fast
  /trickle/NAME      one byte a second (the whole length announced)
  /flaky/N/NAME      HTTP 500 for the first N requests, then the file
  /status/CODE/NAME  that HTTP status
  /redirect?to=URL   302 to URL
With --app-key K, file requests whose query lacks app_key=K get 403.

Anything else is a callback.  The answer follows the file CTL/cb_mode
(--ctl DIR), or CTL/cb_mode.SITE for a request whose query has site=SITE:
absent or "ok": 200 {"result":{"code":200,...}}; "500": HTTP 500;
"badjson": 200 with a non-JSON body; "code404": 200 with code 404;
"code226": 200 with the original client's answer to an action it does not
handle (code 226 "Unknown action requested"); "slow": "ok" after 8 s.
With --sign-key K, X-Omkt-Signature is checked as docs/callbacks.md says
and the result stored in sig_ok.
"""
import argparse
import hashlib
import hmac
import json
import os
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()
COUNTS = {}


def expected_signature(key, t, cid, method, target, body):
    """The v1 value of X-Omkt-Signature (docs/callbacks.md)."""
    digest = hashlib.sha256(body).hexdigest()
    msg = "%s.%s.%s.%s.%s" % (t, cid, method, digest, target)
    return hmac.new(key.encode(), msg.encode(), hashlib.sha256).hexdigest()


def check_signature(headers, method, target, body):
    sig = headers.get("X-Omkt-Signature")
    cid = headers.get("X-Omkt-Callback-Id", "")
    if ARGS.sign_key is None:
        return None
    if not sig:
        return False
    parts = dict(p.split("=", 1) for p in sig.split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts:
        return False
    if abs(time.time() - int(parts["t"])) > 300:
        return False
    want = expected_signature(ARGS.sign_key, parts["t"], cid, method,
                              target, body)
    return hmac.compare_digest(want, parts["v1"])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, body, sig_ok, mode=None):
        line = json.dumps({"mode": mode,
            "method": self.command, "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"), "sig_ok": sig_ok,
            "time": time.time()})
        with LOCK, open(ARGS.log, "a") as f:
            f.write(line + "\n")

    def send(self, code, body, ctype="application/json", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        m = re.match(
            r"^/(f|norange|nolen|slow|trickle|flaky/\d+|status/\d+)/(.+)$",
                     url.path)
        if url.path == "/redirect":
            self.record(body, None)
            self.send(302, b"", extra={"Location": query["to"][0]})
        elif m:
            self.record(body, None)
            self.serve_file(m.group(1), m.group(2), query)
        else:
            self.callback(body)

    do_POST = do_GET

    def cb_mode(self):
        site = urllib.parse.parse_qs(
            urllib.parse.urlsplit(self.path).query).get("site", [""])[0]
        for name in ("cb_mode." + site if site else None, "cb_mode"):
            path = os.path.join(ARGS.ctl or "", name or "")
            if ARGS.ctl and name and os.path.exists(path):
                with open(path) as f:
                    return f.read().strip() or "ok"
        return "ok"

    def callback(self, body):
        mode = self.cb_mode()
        self.record(body, check_signature(self.headers, self.command,
                                          self.path, body), mode)
        if mode == "500":
            self.send(500, b"down")
        elif mode == "badjson":
            self.send(200, b"hello", "text/plain")
        elif mode == "code404":
            self.send(200, b'{"result":{"code":404,"message":"no"}}')
        elif mode == "code226":
            self.send(200, b'{"result":{"code":226,"message":'
                      b'"Unknown action requested: transcoder_send_alert"}}')
        elif mode == "slow":
            time.sleep(8)
            self.send(200, b'{"result":{"code":200,"message":"OK"}}')
        else:
            self.send(200, b'{"result":{"code":200,"message":"OK"}}')

    def serve_file(self, mode, name, query):
        if ARGS.app_key is not None and \
                query.get("app_key", [None])[-1] != ARGS.app_key:
            return self.send(403, b"bad app_key", "text/plain")
        if mode.startswith("status/"):
            return self.send(int(mode[7:]), b"status", "text/plain")
        if mode.startswith("flaky/"):
            with LOCK:
                COUNTS[self.path] = COUNTS.get(self.path, 0) + 1
                seen = COUNTS[self.path]
            if seen <= int(mode[6:]):
                return self.send(500, b"flaky", "text/plain")
        path = os.path.join(ARGS.root, os.path.basename(name))
        if not os.path.isfile(path):
            return self.send(404, b"not found", "text/plain")
        with open(path, "rb") as f:
            data = f.read()
        self.send_data(mode, data)

    def send_data(self, mode, data):
        rng = re.match(r"bytes=(\d+)-$", self.headers.get("Range", ""))
        if mode == "norange":
            rng = None
        start = int(rng.group(1)) if rng else 0
        if start >= len(data) and rng:
            return self.send(416, b"", "text/plain",
                             {"Content-Range": "bytes */%d" % len(data)})
        self.send_response(206 if rng else 200)
        self.send_header("Content-Type", "application/octet-stream")
        if rng:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (
                start, len(data) - 1, len(data)))
        if mode == "nolen":
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        chunk = 16384 if mode == "slow" and not rng else len(data)
        pause = 0.05
        if mode == "trickle":
            chunk, pause = 1, 1.0
        for i in range(start, len(data), max(chunk, 1)):
            self.wfile.write(data[i:i + chunk])
            self.wfile.flush()
            if chunk < len(data):
                time.sleep(pause)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--app-key")
    p.add_argument("--sign-key")
    p.add_argument("--ctl")
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer((ARGS.bind, 0), Handler)
    srv.daemon_threads = True
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
