#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check.py - compare the engine's probe JSON and outputs against ffprobe.

  check.py probe OURS.json FILE       probe fields agree with ffprobe
  check.py output FILE KEY=VALUE...   an output has these properties

Output keys: format (a name in ffprobe's format_name), vcodec, acodec,
profile, width, height, sar, fps, rate, channels, duration (seconds, within
tol=, default one frame), novideo, noaudio, faststart, meta (our probe JSON
file to compare too).  Prints TAP-like lines, exits 1 on any mismatch.
"""
import json
import subprocess
import sys

bad = []


def ffprobe(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
         "-show_streams", path], check=True, capture_output=True).stdout
    return json.loads(out)


def expect(cond, what):
    if not cond:
        bad.append(what)
        print("not ok - %s" % what)


def first(ff, kind):
    for s in ff["streams"]:
        if s["codec_type"] == kind and \
                not s.get("disposition", {}).get("attached_pic"):
            return s
    return None


def probe_cmp(ours_path, path):
    ours = json.load(open(ours_path))
    ff = ffprobe(path)
    fmt = ff["format"]
    expect(ours["file_size"] == int(fmt["size"]), "file_size %s vs %s" %
           (ours["file_size"], fmt["size"]))
    expect(fmt["format_name"].split(",")[0] == ours["box"],
           "box %s vs %s" % (ours["box"], fmt["format_name"]))
    if "duration" in fmt:
        expect(abs(float(ours["time"]) - float(fmt["duration"])) <= 0.010,
               "time %s vs %s" % (ours["time"], fmt["duration"]))
    if "bit_rate" in fmt:
        expect(int(ours["bitrate"]) == int(fmt["bit_rate"]) // 1000,
               "bitrate %s vs %s" % (ours["bitrate"], fmt["bit_rate"]))
    expect(len(ours["tracks"]) == len(ff["streams"]), "track count")
    for t, s in zip(ours["tracks"], ff["streams"]):
        expect(t["codec"] == s["codec_name"], "codec %s vs %s" %
               (t["codec"], s["codec_name"]))
        if s["codec_type"] == "audio":
            expect(t["samplerate"] == s["sample_rate"], "samplerate")
            expect(t["channels"] == s["channels"], "channels")
        if s["codec_type"] == "video" and t["type"] == "video":
            expect(t["width"] == str(s["width"]), "width")
            expect(t["height"] == str(s["height"]), "height")
            expect(t["pixelfmt"] == s.get("pix_fmt"), "pixelfmt")
            if s.get("display_aspect_ratio", "0:1") != "0:1":
                dar = s["display_aspect_ratio"].split(":")
                expect([t["DAR1"], t["DAR2"]] == dar, "DAR %s:%s vs %s" %
                       (t["DAR1"], t["DAR2"], s["display_aspect_ratio"]))
            num, den = s["avg_frame_rate"].split("/")
            if int(den) > 0 and int(num) > 0:
                expect(abs(float(t["fps"]) - int(num) / int(den)) < 0.01,
                       "fps %s vs %s" % (t["fps"], s["avg_frame_rate"]))
        lang = s.get("tags", {}).get("language", "und")
        if lang != "und":
            expect(t.get("lang") == lang, "lang %s vs %s" %
                   (t.get("lang"), lang))
    has_video = any(t["type"] == "video" for t in ours["tracks"])
    expect(ours["type"] == ("video" if has_video else ours["type"]), "type")


def top_boxes(path):
    """Names of the top-level MP4 boxes, in file order."""
    names = []
    with open(path, "rb") as f:
        while True:
            head = f.read(8)
            if len(head) < 8:
                return names
            size = int.from_bytes(head[:4], "big")
            names.append(head[4:8].decode("latin1"))
            if size == 1:
                size = int.from_bytes(f.read(8), "big") - 8
            elif size == 0:
                return names
            f.seek(size - 8, 1)


def output_cmp(path, args):
    ff = ffprobe(path)
    want = dict(a.split("=", 1) for a in args)
    v, a = first(ff, "video"), first(ff, "audio")
    fmt = ff["format"]
    fps = 25.0
    if v and v.get("avg_frame_rate", "0/0") != "0/0":
        n, d = v["avg_frame_rate"].split("/")
        fps = int(n) / int(d) if int(d) else fps
    for k, val in want.items():
        if k == "format":
            expect(val in fmt["format_name"].split(","),
                   "format %s in %s" % (val, fmt["format_name"]))
        elif k == "vcodec":
            expect(v is not None and v["codec_name"] == val, "vcodec " + val)
        elif k == "acodec":
            expect(a is not None and a["codec_name"] == val, "acodec " + val)
        elif k == "profile":
            expect(v is not None and v.get("profile") == val, "profile %s/%s"
                   % (val, v and v.get("profile")))
        elif k in ("width", "height"):
            expect(v is not None and str(v[k]) == val, "%s %s vs %s" %
                   (k, val, v and v[k]))
        elif k == "sar":
            got = v.get("sample_aspect_ratio", "1:1") if v else None
            expect(got in (val, "N/A") if val == "1:1" else got == val,
                   "sar %s vs %s" % (val, got))
        elif k == "fps":
            expect(abs(fps - float(val)) < 0.01, "fps %s vs %s" % (val, fps))
        elif k == "rate":
            expect(a is not None and a["sample_rate"] == val, "rate " + val)
        elif k == "channels":
            expect(a is not None and str(a["channels"]) == val,
                   "channels " + val)
        elif k == "duration":
            tol = float(want.get("tol", 1.0 / fps + 0.001))
            got = float(fmt.get("duration", "-1"))
            expect(abs(got - float(val)) <= tol, "duration %s vs %s (tol %s)"
                   % (val, got, tol))
        elif k == "novideo":
            expect(v is None, "no video stream")
        elif k == "noaudio":
            expect(a is None, "no audio stream")
        elif k == "faststart":
            boxes = top_boxes(path)
            expect("moov" in boxes and "mdat" in boxes and
                   boxes.index("moov") < boxes.index("mdat"),
                   "moov before mdat: %s" % boxes)
        elif k == "meta":
            probe_cmp(val, path)
        elif k != "tol":
            expect(False, "unknown key " + k)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "probe":
        probe_cmp(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 3 and sys.argv[1] == "output":
        output_cmp(sys.argv[2], sys.argv[3:])
    else:
        print(__doc__)
        return 2
    return 1 if bad else 0


sys.exit(main())
