#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""hostile.py - hostile requests against apid for tests/api/test_hostile.sh.

Sends every request of the issue-10 list over raw sockets (so heads and
bodies can be malformed at will) and prints one TAP line per request:
"ok - NAME" when the answer is what a hostile client must get, else
"not ok - NAME (why)".  Expectations:
  client     a non-empty HTTP reply, 4xx (on /api/ also the OMKT
             protocol's client codes 501-505, 507, 508 with the same
             result.code, and code 13 "url refused by the adapter",
             which the protocol sends with HTTP 200)
  nommer     media-nommer's HTTP 200 {"success":false,"error_code":4xx}
  sane       a non-empty HTTP reply that is not a server error (any
             status below 500, or an OMKT client code)
  =NNN       exactly that status
  junk       (bytes that are not HTTP) a 4xx reply, or the connection
             closed at once without one (MHD's choice; never a hang)
Arguments: --port P --key K (account 1's API key) --media ID (a media of
that account with a processed setting 11 file).
"""
import argparse
import json
import random
import select
import socket
import sys
import time
import urllib.parse

OMKT_CLIENT = {501, 502, 503, 504, 505, 507, 508}


def exchange(port, raw, timeout=10.0):
    """Send @raw (the body in pieces, stopping early when the server
    answers first, as a client watching for a 413 would), read until the
    server closes; (status, body) or (None, why)."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except OSError as e:
        return None, "cannot connect (apid gone?): %s" % e
    head, sep, body = raw.partition(b"\r\n\r\n")
    data = b""
    try:
        s.sendall(head + sep)
        for i in range(0, len(body), 65536):
            if select.select([s], [], [], 0)[0]:
                break  # answered (or closed) before the whole body
            s.sendall(body[i:i + 65536])
    except OSError:
        pass  # closed while sending: what was answered is still readable
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        if not data:
            return None, "no answer within %ss" % timeout
    except OSError as e:
        if not data:
            return None, "connection error %s" % e
    finally:
        s.close()
    if not data:
        return None, "empty reply (connection closed)"
    if not data.startswith(b"HTTP/1."):
        return None, "not HTTP: %r" % data[:40]
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        status = int(head[9:12])
    except ValueError:
        return None, "bad status line %r" % head[:40]
    return status, body


def req(method, path, headers=(), body=b"", host=True):
    """A request with Connection: close and a Content-Length when a body
    is given."""
    if isinstance(body, str):
        body = body.encode()
    lines = ["%s %s HTTP/1.1" % (method, path)] if isinstance(path, str) \
        else None
    raw = (lines[0].encode() if lines else
           method.encode() + b" " + path + b" HTTP/1.1")
    raw += b"\r\n"
    if host:
        raw += b"Host: test\r\n"
    raw += b"Connection: close\r\n"
    has_len = False
    for h in headers:
        hb = h.encode() if isinstance(h, str) else h
        has_len = has_len or hb.lower().startswith(b"content-length:")
        raw += hb + b"\r\n"
    if body and not has_len:
        raw += b"Content-Length: %d\r\n" % len(body)
    return raw + b"\r\n" + body


def form(pairs):
    """x-www-form-urlencoded body; values already encoded when bytes."""
    out = []
    for k, v in pairs:
        k = k if isinstance(k, bytes) else urllib.parse.quote_plus(k).encode()
        v = v if isinstance(v, bytes) else urllib.parse.quote_plus(v).encode()
        out.append(k + b"=" + v)
    return b"&".join(out)


FORM = "Content-Type: application/x-www-form-urlencoded"


def multipart(fields, boundary="XyZ", cut=0):
    """A multipart/form-data body (@cut bytes removed from its end)."""
    b = b""
    for k, v in fields:
        v = v if isinstance(v, bytes) else v.encode()
        b += (b"--" + boundary.encode() + b"\r\nContent-Disposition: "
              b"form-data; name=\"" + k.encode() + b"\"\r\n\r\n" + v +
              b"\r\n")
    b += b"--" + boundary.encode() + b"--\r\n"
    return b[:len(b) - cut] if cut else b


def cases(key, media):
    auth = [("transcoder_key", key), ("application", "hostile"),
            ("version", "1")]
    ids64 = "[" + ",".join(str(i) for i in range(1, 65)) + "]"
    big_list = form([("action", "app_request_format")] + auth +
                    [("id", "7")] + [("settings_id_list", ids64)] * 40)
    many_fields = form([("action", "app_request_format")] + auth +
                       [("id", "7")] +
                       [("settings_id_list[]", str(i)) for i in range(70)])
    new = [("action", "app_new_media")] + auth
    long_url = "http://cms.example/" + "a" * 2114  # 2,133 characters
    get_media = "/api/?action=app_get_media&transcoder_key=%s" \
        "&application=h&version=1&id=%s&settings_id=11" % (key, media)
    nk = ["X-API-Key: " + key, "Content-Type: application/json"]

    def nom(obj):
        return json.dumps(obj, ensure_ascii=False).encode()

    base = {"source_path": "http://cms.example/a.mp4",
            "dest_path": "out/a.mp4", "job_options": [{}]}
    cut_key = "a" * 39 + "\u00e9"  # "%.40s" cuts the é in half
    cut_val = "libx264; " + "b" * 70 + "\u00e9\u00e9"
    rnd = random.Random(10)
    c = [
        # --- OMKT: invalid UTF-8 everywhere
        ("OMKT: application=%FF (GET)", "client",
         req("GET", "/api/?action=app_new_media&transcoder_key=%s"
             "&application=%%FF&version=1&id=5&url=http://x/a" % key)),
        ("OMKT: application=%FF without a key", "client",
         req("GET", "/api/?action=app_new_media&application=%FF")),
        ("OMKT: version=%C3%28 (POST)", "client",
         req("POST", "/api/", [FORM], form(
             [("action", "app_new_media"), ("transcoder_key", key),
              ("application", "h"), ("version", b"%C3%28"), ("id", "5"),
              ("url", "http://x/a")]))),
        ("OMKT: key name %FF", "client",
         req("POST", "/api/", [FORM], form(new + [(b"%FF", b"1"), ("id", "5"),
                                                  ("url", "http://x/a")]))),
        ("OMKT: url with invalid UTF-8", "client",
         req("POST", "/api/", [FORM], form(new + [
             ("id", "6"), ("url", b"http%3A%2F%2Fx%2F%ED%A0%80")]))),
        ("OMKT: action=%FF", "client",
         req("GET", "/api/?action=%FF%FE")),
        ("OMKT: transcoder_key=%FF", "client",
         req("GET", "/api/?action=app_new_media&transcoder_key=%FF"
             "&application=a&version=1&id=5&url=http://x/a")),
        ("OMKT: NUL in a query value", "client",
         req("GET", "/api/?action=app_new_media&transcoder_key=%s"
             "&application=h&version=1&id=8&url=http://x/%%00a" % key)),
        ("OMKT: NUL in a query key", "client",
         req("GET", "/api/?action=app_new_media&transcoder_key=%s"
             "&application=h&version=1&id=8&url=http://x/a&u%%00rl=1" % key)),
        ("OMKT: NUL in a form value", "client",
         req("POST", "/api/", [FORM], form(new + [("id", "8"),
                                                  ("url", b"http://x/%00a")]))),
        # --- OMKT: sizes and ids
        ("OMKT: 2,133-character url", "client",
         req("POST", "/api/", [FORM], form(new + [("id", "9"),
                                                  ("url", long_url)]))),
        ("OMKT: 100,000-character url", "client",
         req("POST", "/api/", [FORM], form(new + [
             ("id", "10"), ("url", "http://x/" + "u" * 100000)]))),
        ("OMKT: id 0", "client",
         req("POST", "/api/", [FORM], form(new + [("id", "0"),
                                                  ("url", "http://x/0")]))),
        ("OMKT: id -1", "client",
         req("POST", "/api/", [FORM], form(new + [("id", "-1"),
                                                  ("url", "http://x/0")]))),
        ("OMKT: id 2^63", "client",
         req("POST", "/api/", [FORM], form(new + [
             ("id", "9223372036854775808"), ("url", "http://x/0")]))),
        ("OMKT: 300 parameters", "client",
         req("POST", "/api/", [FORM], form(
             new + [("p%d" % i, "v") for i in range(300)]))),
        ("OMKT: app_subscribe with a 100,000-byte app_key", "sane",
         req("POST", "/api/", [FORM], form(
             [("action", "app_subscribe"), ("email", "a@b"),
              ("url", "http://x/cb"), ("app_key", "k" * 100000),
              ("application", "a"), ("version", "1")]))),
        # --- OMKT: app_get_media ranges
        ("OMKT: Range: bytes=0-9223372036854775807 is 206", "=206",
         req("GET", get_media, ["Range: bytes=0-9223372036854775807"])),
        ("OMKT: Range: bytes=0-99999999999999999999", "sane",
         req("GET", get_media, ["Range: bytes=0-99999999999999999999"])),
        ("OMKT: Range: bytes=9223372036854775807-", "sane",
         req("GET", get_media, ["Range: bytes=9223372036854775807-"])),
        ("OMKT: Range: bytes=-9223372036854775808", "sane",
         req("GET", get_media, ["Range: bytes=-9223372036854775808"])),
        ("OMKT: Range: bytes=5-1", "sane",
         req("GET", get_media, ["Range: bytes=5-1"])),
        ("OMKT: Range: bytes=0-0,2-2", "sane",
         req("GET", get_media, ["Range: bytes=0-0,2-2"])),
        ("OMKT: Range: bytes=\\xff", "sane",
         req("GET", get_media, [b"Range: bytes=\xff-\xfe"])),
        ("OMKT: content_range=0-9223372036854775807", "sane",
         req("GET", get_media + "&content_range=0-9223372036854775807")),
        ("OMKT: content_range=-5-", "sane",
         req("GET", get_media + "&content_range=-5-")),
        ("OMKT: content_range=99999999999999999999999-", "sane",
         req("GET", get_media + "&content_range=99999999999999999999999-")),
        ("OMKT: content_range=%FF", "sane",
         req("GET", get_media + "&content_range=%FF")),
        # --- multipart
        ("multipart: truncated body", "client",
         req("POST", "/api/", ["Content-Type: multipart/form-data; "
                               "boundary=XyZ"],
             multipart(new + [("id", "11"), ("url", "http://x/m")], cut=9))),
        ("multipart: no boundary", "client",
         req("POST", "/api/", ["Content-Type: multipart/form-data"],
             multipart(new + [("id", "11"), ("url", "http://x/m")]))),
        ("multipart: 300 fields", "client",
         req("POST", "/api/", ["Content-Type: multipart/form-data; "
                               "boundary=XyZ"],
             multipart(new + [("f%d" % i, "v") for i in range(300)]))),
        ("multipart: NUL in a field", "client",
         req("POST", "/api/", ["Content-Type: multipart/form-data; "
                               "boundary=XyZ"],
             multipart(new + [("id", "12"), ("url", b"http://x/\x00m")]))),
        ("multipart: invalid UTF-8 field", "client",
         req("POST", "/api/", ["Content-Type: multipart/form-data; "
                               "boundary=XyZ"],
             multipart(new + [("id", "12"), ("url", b"http://x/\xffm")]))),
        ("multipart: boundary of 200 bytes", "client",
         req("POST", "/api/", ["Content-Type: multipart/form-data; "
                               "boundary=" + "b" * 200],
             multipart(new, boundary="b" * 200))),
        # --- sizes of heads and bodies
        ("head: a 40K header", "client",
         req("GET", "/health", ["X-Big: " + "h" * 40000])),
        ("head: a 40K URL", "client",
         req("GET", "/api/?action=app_get_settings&x=" + "u" * 40000)),
        ("head: 5000 headers", "client",
         req("GET", "/health", ["X-H%d: v" % i for i in range(5000)])),
        ("body: 2M declared", "client",
         req("POST", "/api/", [FORM, "Content-Length: 2097152"],
             b"x" * 2097152)),
        ("body: 2M chunked", "client",
         req("POST", "/api/", [FORM, "Transfer-Encoding: chunked"],
             b"".join(b"10000\r\n" + b"y" * 65536 + b"\r\n"
                      for _ in range(32)) + b"0\r\n\r\n")),
        ("body: Content-Length 99999999999999999999", "client",
         req("POST", "/api/", [FORM, "Content-Length: 99999999999999999999"],
             b"")),
        ("body: Content-Length -1", "client",
         req("POST", "/api/", [FORM, "Content-Length: -1"], b"")),
        # --- media-nommer
        ("nommer: 2,049-character notify_url", "nommer",
         req("POST", "/job/submit/", nk, nom(dict(
             base, notify_url="http://cms.example/" + "n" * 2030)))),
        ("nommer: 100,000-character source_path", "nommer",
         req("POST", "/job/submit/", nk, nom(dict(
             base, source_path="http://x/" + "s" * 100000)))),
        ("nommer: dest_path \".\"", "nommer",
         req("POST", "/job/submit/", nk, nom(dict(base, dest_path=".")))),
        ("nommer: dest_path \"dotdir/.\"", "nommer",
         req("POST", "/job/submit/", nk,
             nom(dict(base, dest_path="dotdir/.")))),
        ("nommer: dest_path \"a//b\"", "nommer",
         req("POST", "/job/submit/", nk, nom(dict(base, dest_path="a//b")))),
        ("nommer: option name cut inside a UTF-8 character", "nommer",
         req("POST", "/job/submit/", nk, nom(dict(base, job_options=[
             {"outfile_options": [[cut_key, "1"]]}])))),
        ("nommer: option value cut inside a UTF-8 character", "nommer",
         req("POST", "/job/submit/", nk, nom(dict(base, job_options=[
             {"outfile_options": [["vcodec", cut_val]]}])))),
        ("nommer: invalid UTF-8 in the JSON", "nommer",
         req("POST", "/job/submit/", nk,
             b'{"source_path":"http://x/\xff","dest_path":"a.mp4"}')),
        ("nommer: truncated JSON", "nommer",
         req("POST", "/job/submit/", nk, b'{"source_path":"http://x/')),
        ("nommer: X-API-Key \\xff", "nommer",
         req("POST", "/job/submit/", [b"X-API-Key: \xff\xfe"], nom(base))),
        ("nommer: form body with %FF", "nommer",
         req("POST", "/job/submit/", ["X-API-Key: " + key, FORM],
             b"source_path=http%3A%2F%2Fx%2F%FF&dest_path=a.mp4")),
        # --- REST
        ("REST: 3,000-character url and callback_url", "client",
         req("POST", "/v1/media", ["X-API-Key: " + key,
                                   "Content-Type: application/json"],
             json.dumps({"url": "http://x/" + "u" * 3000,
                         "callback_url": "http://x/" + "c" * 3000}))),
        ("REST: invalid UTF-8 in the JSON", "client",
         req("POST", "/v1/media", ["X-API-Key: " + key],
             b'{"url":"http://x/\xc3\x28"}')),
        ("REST: \\u0000 in a string", "client",
         req("POST", "/v1/media", ["X-API-Key: " + key],
             b'{"url":"http://x/\\u0000a"}')),
        ("REST: Idempotency-Key \\xff", "client",
         req("POST", "/v1/media", ["X-API-Key: " + key,
                                   b"Idempotency-Key: \xff"],
             b'{"url":"http://x/i"}')),
        ("REST: media id 0", "client",
         req("GET", "/v1/media/0", ["X-API-Key: " + key])),
        ("REST: media id 2^64", "client",
         req("GET", "/v1/media/18446744073709551616",
             ["X-API-Key: " + key])),
        ("REST: media id %FF", "client",
         req("GET", "/v1/media/%FF", ["X-API-Key: " + key])),
        ("REST: 1000 path segments", "client",
         req("GET", "/v1/" + "a/" * 1000, ["X-API-Key: " + key])),
        # --- anything
        ("path %FF%FE", "client", req("GET", "/%FF%FE")),
        ("raw \\xff in the path", "client", req("GET", b"/\xff\xfe")),
        ("method FOO", "client", req("FOO", "/api/")),
        ("no Host header", "sane", req("GET", "/health", host=False)),
        ("Authorization: Basic garbage", "client",
         req("GET", "/metrics", ["Authorization: Basic " + "%" * 5000])),
        ("Authorization: Basic of \\xff", "client",
         req("GET", "/metrics", [b"Authorization: Basic /w=="])),
        ("Authorization: Bearer 10K", "client",
         req("GET", "/metrics", ["Authorization: Bearer " + "k" * 10000])),
    ]
    for i in range(8):
        junk = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 3000)))
        c.append(("random bytes #%d" % i, "junk", junk + b"\r\n\r\n"))
    # last: before the fix the first of these killed apid
    c += [
        # --- OMKT: the stack overflow and other list abuse
        ("OMKT: 40 x settings_id_list=[1..64] in one POST", "client",
         req("POST", "/api/", [FORM], big_list)),
        ("OMKT: 70 settings_id_list[] fields", "client",
         req("POST", "/api/", [FORM], many_fields)),
        ("OMKT: settings_id_list of 10000 ids", "client",
         req("POST", "/api/", [FORM], form(
             [("action", "app_request_format")] + auth + [("id", "7"), (
                 "settings_id_list", ",".join(["11"] * 10000))]))),
        ("OMKT: settings_id_list huge numbers", "client",
         req("POST", "/api/", [FORM], form(
             [("action", "app_request_format")] + auth + [("id", "7"), (
                 "settings_id_list",
                 "[99999999999999999999999,-9223372036854775808]")]))),
    ]
    return c


def judge(expect, path_is_omkt, status, body):
    """None when the answer is right, else why not."""
    if status is None and expect == "junk" and body.startswith("empty"):
        return None
    if status is None:
        return body
    if expect.startswith("="):
        return None if status == int(expect[1:]) else "status %d" % status
    if expect == "nommer":
        try:
            d = json.loads(body)
        except ValueError:
            return "status %d, body not JSON: %r" % (status, body[:60])
        code = d.get("error_code", 0)
        if status != 200 or d.get("success") is not False or \
                not 400 <= code < 500:
            return "status %d, %r" % (status, body[:120])
        return None
    code = None
    if path_is_omkt:
        try:
            code = json.loads(body).get("result", {}).get("code")
        except (ValueError, AttributeError):
            code = None
    if expect == "junk":
        return None if 400 <= status < 500 else "status %d" % status
    is_client = 400 <= status < 500 or (
        path_is_omkt and status in OMKT_CLIENT and code == status) or (
        path_is_omkt and status == 200 and code == 13)  # url refused
    if expect == "client" and not is_client:
        return "status %d, %r" % (status, body[:120])
    if expect == "sane" and not (status < 500 or is_client) or \
            (path_is_omkt and code in (15, 506)):
        return "status %d, %r" % (status, body[:120])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--media", required=True)
    a = ap.parse_args()
    failed = 0
    for name, expect, raw in cases(a.key, a.media):
        t0 = time.monotonic()
        status, body = exchange(a.port, raw)
        why = judge(expect, b" /api/" in raw[:12], status, body)
        if why is None and expect == "junk" and time.monotonic() - t0 > 5:
            why = "closed only after %.1fs" % (time.monotonic() - t0)
        if why is None:
            print("ok - %s" % name)
        else:
            failed += 1
            print("not ok - %s (%s)" % (name, why))
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
