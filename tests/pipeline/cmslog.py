#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""cmslog - query the fake CMS request log (JSON lines).

  cmslog.py LOG [FILTER...] [--get FIELD] [--count]
FILTER: q:NAME=VALUE (query parameter), h:NAME=VALUE (header), path^PREFIX,
method=M, mode=M, sig_ok=true|false.  FIELD: path, method, body, mode,
sig_ok, time, q:NAME, h:NAME.  Without --get prints the number of matches.
"""
import json
import sys
import urllib.parse


def field(rec, name):
    if name.startswith("q:"):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(rec["path"]).query,
                                  keep_blank_values=True)
        return q.get(name[2:], [None])[-1]
    if name.startswith("h:"):
        return rec["headers"].get(name[2:].lower())
    v = rec.get(name)
    return json.dumps(v) if isinstance(v, bool) else v


def matches(rec, flt):
    if "^" in flt and "=" not in flt.split("^")[0]:
        k, v = flt.split("^", 1)
        return (field(rec, k) or "").startswith(v)
    k, v = flt.split("=", 1)
    return str(field(rec, k)) == v


def main():
    args = sys.argv[1:]
    get = None
    if "--get" in args:
        i = args.index("--get")
        get = args[i + 1]
        del args[i:i + 2]
    log, flts = args[0], args[1:]
    recs = []
    with open(log) as f:
        for line in f:
            rec = json.loads(line)
            if all(matches(rec, x) for x in flts):
                recs.append(rec)
    if get is None:
        print(len(recs))
    else:
        for rec in recs:
            print(field(rec, get))


main()
