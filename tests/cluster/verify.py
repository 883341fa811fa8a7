#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""verify - the cluster test's checks over many media at once; prints the
problems found (nothing when all is well).

  verify.py callbacks CMS_LOG SETTINGS RID...
      one transcoder_send_metadata per media and one transcoder_send_format
      per media and setting (SETTINGS: comma-separated ids), no more.
  verify.py outputs EXPORT TSV
      TSV rows "remote_id setting_id state path cardinality" (transcodes):
      every processed output readable by ffprobe (for a setting of
      cardinality > 1, the thumbnails, path is the directory holding
      hNN.jpg and lNN.jpg: the count matches and the first and last
      pictures are probed).
  verify.py partial EXPORT TSV
      TSV rows "media_dir setting_id" of processed transcodes: no temp file
      anywhere under EXPORT/media, and every file other than "original"
      belongs to a processed transcode of its media.
"""
import collections
import json
import os
import re
import subprocess
import sys
import urllib.parse


def callbacks(log, settings, rids):
    seen = collections.Counter()
    for line in open(log):
        r = json.loads(line)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(r["path"]).query)
        action = q.get("action", [""])[0]
        rid = q.get("id", [""])[0]
        if action == "transcoder_send_metadata":
            seen[(rid, "metadata")] += 1
        elif action == "transcoder_send_format":
            seen[(rid, q.get("settings_id", [""])[0])] += 1
    bad = []
    for rid in rids:
        for what in ["metadata"] + settings.split(","):
            if seen[(rid, what)] != 1:
                bad.append("%s/%s:%d" % (rid, what, seen[(rid, what)]))
    return bad


# The thumbnails (setting 101) as the reference names them.
THUMB = re.compile(r"^[hl][0-9][0-9]\.jpg$")
THUMB_SETTING = "101"


def probe(path):
    return subprocess.run(["ffprobe", "-v", "error", path],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def outputs(export, tsv):
    bad = []
    for line in open(tsv):
        rid, sid, state, path, card = line.rstrip("\n").split("\t")
        if state != "processed":
            bad.append("%s/%s:%s" % (rid, sid, state))
            continue
        full = os.path.join(export, path)
        if int(card) > 1:
            files = sorted(f for f in os.listdir(full) if THUMB.match(f))
            if len(files) != int(card):
                bad.append("%s/%s:%d files, cardinality %s" % (
                    rid, sid, len(files), card))
            elif not (probe(os.path.join(full, files[0])) and
                      probe(os.path.join(full, files[-1]))):
                bad.append("%s/%s:unreadable" % (rid, sid))
        elif not probe(full):
            bad.append("%s/%s:unreadable %s" % (rid, sid, path))
    return bad


def partial(export, tsv):
    done = set()
    for line in open(tsv):
        mdir, sid = line.rstrip("\n").split("\t")
        done.add((mdir, sid))
    bad = []
    for root, _, files in os.walk(os.path.join(export, "media")):
        rel = os.path.relpath(root, export)
        for f in files:
            if ".tmp-" in f:
                bad.append("temp " + os.path.join(rel, f))
            elif f != "original":
                sid = THUMB_SETTING if THUMB.match(f) else f.split(".")[0]
                if (rel, sid) not in done:
                    bad.append("orphan " + os.path.join(rel, f))
    return bad


def main():
    cmd = sys.argv[1]
    if cmd == "callbacks":
        bad = callbacks(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif cmd == "outputs":
        bad = outputs(sys.argv[2], sys.argv[3])
    else:
        bad = partial(sys.argv[2], sys.argv[3])
    print(" ".join(bad if cmd == "callbacks" else bad[:10]))


if __name__ == "__main__":
    main()
