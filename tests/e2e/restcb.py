#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""restcb - what the fake CMS received on /hook?n=NAME (REST callbacks),
checked against docs/callbacks.md, as KEY=VALUE lines for the test.

  restcb.py LOG NAME MEDIA_ID [EXTERNAL_ID]

names (event names in the order received), acked (those acknowledged),
valid ("ok" or what is wrong with the fields, types and values of every
body, checked here and against the schemas of docs/openapi.yaml), sig (signature results), http (methods and content types),
distinct ("yes" when every acknowledged delivery has its own event id and
X-Omkt-Callback-Id), then per event E: E.state, E.stage, E.error,
E.settings ("11:done 52:failed"), and per format event and setting S:
E.S.path, E.S.mime, E.S.error.
"""
import json
import os
import re
import sys
import urllib.parse

import yaml

HEAD = ["event", "event_id", "created", "media_id", "external_id"]
API = yaml.safe_load(open(os.path.join(os.path.dirname(__file__), "..", "..",
                                       "docs", "openapi.yaml")))
TYPES = {"string": str, "integer": int, "object": dict, "array": list}


def deref(schema):
    """@schema with its $ref followed."""
    if "$ref" not in schema:
        return schema
    node = API
    for k in schema["$ref"].lstrip("#/").split("/"):
        node = node[k]
    return deref(node)


def merged(schema):
    """(properties in order, required) of @schema, allOf merged."""
    schema = deref(schema)
    props, req = {}, []
    for part in schema.get("allOf", [schema]):
        part = deref(part)
        props.update(part.get("properties", {}))
        req += part.get("required", [])
    return props, req


def conform(v, schema, where, bad):
    """Check value @v against the OpenAPI @schema (the subset used)."""
    schema = deref(schema)
    if v is None:
        if not schema.get("nullable"):
            bad.append("%s: null" % where)
        return
    t = "object" if "allOf" in schema else schema.get("type")
    if t and not (type(v) is TYPES[t]):
        bad.append("%s: %r is not %s" % (where, v, t))
        return
    if "enum" in schema and v not in schema["enum"]:
        bad.append("%s: %r not in %s" % (where, v, schema["enum"]))
    if "pattern" in schema and not re.search(schema["pattern"], v):
        bad.append("%s: %r does not match" % (where, v))
    if t == "array":
        if len(v) > schema.get("maxItems", len(v)):
            bad.append("%s: too many items" % where)
        for i, item in enumerate(v):
            conform(item, schema["items"], "%s[%d]" % (where, i), bad)
    if t == "object" and ("properties" in schema or "allOf" in schema):
        props, req = merged(schema)
        if list(v) != [k for k in props if k in v] or set(v) - set(props):
            bad.append("%s: keys %s, documented %s" % (where, list(v),
                                                       list(props)))
        for k in req:
            if k not in v:
                bad.append("%s: %s missing" % (where, k))
        for k in v:
            if k in props:
                conform(v[k], props[k], where + "." + k, bad)


def documented(b):
    """What in body @b differs from docs/openapi.yaml's callbacks."""
    op = API["paths"]["/v1/media"]["post"]["callbacks"]["events"]
    body = op["{$request.body#/callback_url}"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    ref = schema["discriminator"]["mapping"].get(b.get("event"))
    if ref is None:
        return ["undocumented event %r" % b.get("event")]
    bad = []
    conform(b, {"$ref": ref}, b["event"], bad)
    return bad


def problems(b, media, ext):
    """What is wrong with body @b (a list of strings)."""
    bad = []

    def need(cond, what):
        if not cond:
            bad.append("%s: %s" % (b.get("event"), what))
    ev = b.get("event")
    need(list(b)[:5] == HEAD, "head %s" % list(b)[:5])
    need(re.fullmatch(r"evt_[0-9a-f]{24}", str(b.get("event_id"))),
         "event_id")
    need(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                      str(b.get("created"))), "created")
    need(type(b.get("media_id")) is int and b["media_id"] == media,
         "media_id")
    need(b.get("external_id") == ext, "external_id %r" % b.get("external_id"))
    if ev in ("format.done", "format.failed"):
        need(list(b)[5:] == ["setting_id", "state", "output", "error"],
             "keys %s" % list(b)[5:])
        need(type(b["setting_id"]) is int, "setting_id")
        need(b["state"] == ev.split(".")[1], "state")
        if ev == "format.done":
            o = b["output"]
            need(b["error"] is None, "error not null")
            need(list(o) == ["path", "download_path", "cardinality",
                             "metadata"], "output keys")
            need(type(o["path"]) is str and o["path"].startswith("media/"),
                 "path")
            need(o["download_path"] == "/v1/media/%d/transcodes/%d/file" % (
                media, b["setting_id"]), "download_path")
            need(type(o["cardinality"]) is int and o["cardinality"] >= 1,
                 "cardinality")
            need(type(o["metadata"]) is dict and "mime" in o["metadata"],
                 "metadata")
        else:
            need(b["output"] is None, "output not null")
            need(type(b["error"]) is str and b["error"] != "", "error")
    elif ev in ("media.done", "media.cancelled", "media.failed"):
        want = ["state", "settings"] + (["stage"] if ev == "media.failed"
                                        else []) + ["error"]
        need(list(b)[5:] == want, "keys %s" % list(b)[5:])
        need(b["state"] in {"media.done": ("done", "partial", "failed"),
                            "media.cancelled": ("cancelled",),
                            "media.failed": ("failed",)}[ev], "state")
        need(type(b["settings"]) is list, "settings")
        for s in b["settings"]:
            need(list(s) == ["setting_id", "state", "error"], "setting keys")
            need(type(s["setting_id"]) is int, "setting_id type")
            need((s["error"] is None) == (s["state"] != "failed"),
                 "setting error")
        need(b["error"] is None or type(b["error"]) is str, "error type")
    else:
        bad.append("unknown event %r" % ev)
    return bad


def describe(b, out):
    """The KEY=VALUE facts of body @b into dict @out."""
    ev = b["event"]
    if ev.startswith("media."):
        out[ev + ".state"] = b["state"]
        out[ev + ".stage"] = b.get("stage")
        out[ev + ".error"] = b["error"]
        out[ev + ".settings"] = " ".join(
            "%d:%s" % (s["setting_id"], s["state"]) for s in b["settings"])
    else:
        k = "%s.%d." % (ev, b["setting_id"])
        o = b["output"] or {}
        out[k + "path"] = o.get("path")
        out[k + "mime"] = (o.get("metadata") or {}).get("mime")
        out[k + "error"] = b["error"]


def main():
    log, name, media = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ext = sys.argv[4] if len(sys.argv) > 4 else None
    recs = []
    for line in open(log, encoding="utf-8"):
        r = json.loads(line)
        u = urllib.parse.urlsplit(r["path"])
        if u.path == "/hook" and urllib.parse.parse_qs(u.query).get(
                "n") == [name]:
            recs.append(r)
    bodies = [json.loads(r["body"]) for r in recs]
    ok = [(r, b) for r, b in zip(recs, bodies) if r["mode"] in (None, "ok")]
    bad = [p for b in bodies for p in problems(b, media, ext) + documented(b)]
    out = {
        "names": " ".join(b["event"] for b in bodies),
        "acked": " ".join(b["event"] for _, b in ok),
        "valid": "; ".join(bad) or ("ok" if bodies else "nothing"),
        "sig": " ".join(sorted({json.dumps(r["sig_ok"]) for r in recs})),
        "http": " ".join(sorted({r["method"] + " " +
                                 r["headers"].get("content-type", "")
                                 for r in recs})),
        "distinct": "yes" if len({b["event_id"] for _, b in ok}) == len(ok)
        == len({r["headers"].get("x-omkt-callback-id") for r, _ in ok})
        else "no",
    }
    for _, b in ok:
        describe(b, out)
    for k, v in out.items():
        print("%s=%s" % (k, "null" if v is None else v))


if __name__ == "__main__":
    main()
