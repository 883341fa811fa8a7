#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""streamcheck - validate a streaming package (setting 1001) from its files.

    streamcheck.py CHECK PKG SRC [GOP_S] [LADDER]

CHECKs: structure, files, bandwidth, durations, keyframes, boundaries,
heights, frames, dash, preview, audio, noaudio.  Exit 0 when it holds, 1
(with the reason on stderr) when not.  Every number is measured here
from the files (sizes, ffprobe), never read back from our metadata.
"""
import json
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

GOP = 2.0
LADDER = [240, 360, 480, 720, 1080]
SPRITE_EVERY = 2.0
TILE_W = 160
MPD_NS = {"m": "urn:mpeg:dash:schema:mpd:2011"}


def fail(msg):
    print("streamcheck: " + msg, file=sys.stderr)
    sys.exit(1)


def ffprobe(*args):
    out = subprocess.run(["ffprobe", "-v", "error", "-of", "json", *args],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def attrs(text):
    """The attribute list of an HLS tag: KEY=value or KEY="value"."""
    out = {}
    for m in re.finditer(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)', text):
        out[m.group(1)] = m.group(2).strip('"')
    return out


def read_master(pkg):
    lines = open(os.path.join(pkg, "master.m3u8")).read().splitlines()
    if lines[0] != "#EXTM3U":
        fail("master: no #EXTM3U")
    variants, media, tags = [], [], set()
    for i, line in enumerate(lines):
        tags.add(line.split(":")[0])
        if line.startswith("#EXT-X-STREAM-INF:"):
            a = attrs(line.split(":", 1)[1])
            a["URI"] = lines[i + 1]
            variants.append(a)
        elif line.startswith("#EXT-X-MEDIA:"):
            media.append(attrs(line.split(":", 1)[1]))
    if "#EXT-X-VERSION:7" not in lines:
        fail("master: not #EXT-X-VERSION:7")
    return variants, media, lines


def read_media(pkg, uri):
    path = os.path.join(pkg, uri)
    lines = open(path).read().splitlines()
    pl = {"dir": os.path.dirname(path), "segs": [], "map": None,
          "target": None, "lines": lines}
    dur = None
    for line in lines:
        if line.startswith("#EXT-X-TARGETDURATION:"):
            pl["target"] = int(line.split(":")[1])
        elif line.startswith("#EXT-X-MAP:"):
            pl["map"] = attrs(line.split(":", 1)[1])["URI"]
        elif line.startswith("#EXTINF:"):
            dur = float(line[8:].split(",")[0])
        elif line and not line.startswith("#"):
            pl["segs"].append((line, dur))
    for want in ("#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-ENDLIST",
                 "#EXT-X-PLAYLIST-TYPE:VOD"):
        if want not in lines:
            fail("%s: no %s" % (uri, want))
    if pl["map"] != "init.mp4" or pl["target"] is None or not pl["segs"]:
        fail("%s: no EXT-X-MAP init.mp4, target duration or segment" % uri)
    return pl


def renditions(pkg):
    variants, media, _ = read_master(pkg)
    vids = [(v, read_media(pkg, v["URI"])) for v in variants]
    auds = [(m, read_media(pkg, m["URI"])) for m in media]
    return vids, auds


def seg_sizes(pl):
    return [(os.path.getsize(os.path.join(pl["dir"], u)), d)
            for u, d in pl["segs"]]


def peak_rate(pl):
    """RFC 8216bis: the highest rate of any run of segments lasting 0.5 to
    1.5 target durations."""
    s, t, best = seg_sizes(pl), pl["target"], 0.0
    for i in range(len(s)):
        b = d = 0
        for size, dur in s[i:]:
            b += size
            d += dur
            if d > 1.5 * t:
                break
            if d >= 0.5 * t:
                best = max(best, b * 8 / d)
    return max(best, avg_rate(pl))


def avg_rate(pl):
    s = seg_sizes(pl)
    return sum(b for b, _ in s) * 8 / sum(d for _, d in s)


def source_video(src):
    st = ffprobe("-count_packets", "-select_streams", "v:0", "-show_entries",
                 "stream=nb_read_packets,width,height", src)["streams"][0]
    return int(st["nb_read_packets"]), st["width"], st["height"]


def concat(pl, out):
    with open(out, "wb") as f:
        for name in [pl["map"]] + [u for u, _ in pl["segs"]]:
            f.write(open(os.path.join(pl["dir"], name), "rb").read())
    return out


def key_positions(pl, tmp):
    """For each segment, the keyframe flags of its packets, in order."""
    path = concat(pl, tmp)
    pk = ffprobe("-select_streams", "v:0", "-show_entries",
                 "packet=pos,flags,pts_time", path)["packets"]
    bounds, off = [], os.path.getsize(os.path.join(pl["dir"], pl["map"]))
    for size, _ in seg_sizes(pl):
        bounds.append((off, off + size))
        off += size
    per = [[] for _ in bounds]
    for p in pk:
        pos = int(p["pos"])
        for i, (a, b) in enumerate(bounds):
            if a <= pos < b:
                per[i].append((p["flags"].startswith("K"),
                               float(p["pts_time"])))
    return per


def check_structure(pkg, src):
    variants, media, lines = read_master(pkg)
    if "#EXT-X-INDEPENDENT-SEGMENTS" not in lines:
        fail("master: no EXT-X-INDEPENDENT-SEGMENTS")
    for i, v in enumerate(variants):
        for k in ("BANDWIDTH", "AVERAGE-BANDWIDTH", "RESOLUTION", "CODECS",
                  "FRAME-RATE"):
            if k not in v:
                fail("variant %d: no %s" % (i, k))
        if v["URI"] != "v%d/index.m3u8" % i:
            fail("variant %d is %s" % (i, v["URI"]))
        if not re.fullmatch(r"avc1\.[0-9a-f]{6}(,mp4a\.40\.2)?", v["CODECS"]):
            fail("variant %d: CODECS %s" % (i, v["CODECS"]))
        if media and (v.get("AUDIO") != "aac" or "mp4a" not in v["CODECS"]):
            fail("variant %d: not in the audio group" % i)
    for m in media:
        if (m.get("TYPE"), m.get("GROUP-ID"), m.get("URI")) != \
                ("AUDIO", "aac", "a0/index.m3u8"):
            fail("EXT-X-MEDIA: %s" % m)
    heights = [int(v["RESOLUTION"].split("x")[1]) for v in variants]
    if heights != sorted(heights) or len(set(heights)) != len(heights):
        fail("variants not lowest first: %s" % heights)
    renditions(pkg)


def check_files(pkg, src):
    vids, auds = renditions(pkg)
    referenced = {"master.m3u8", "manifest.mpd", "preview/thumbs.vtt"}
    for _, pl in vids + auds:
        rel = os.path.relpath(pl["dir"], pkg)
        referenced |= {rel + "/index.m3u8", rel + "/" + pl["map"]}
        referenced |= {rel + "/" + u for u, _ in pl["segs"]}
        for i, (u, _) in enumerate(pl["segs"]):
            if u != "seg_%05d.m4s" % (i + 1):
                fail("%s: segment %d named %s" % (rel, i + 1, u))
    for line in open(os.path.join(pkg, "preview/thumbs.vtt")):
        if "#xywh=" in line:
            referenced.add("preview/" + line.split("#")[0])
    present = set()
    for root, _, files in os.walk(pkg):
        present |= {os.path.relpath(os.path.join(root, f), pkg) for f in files}
    if referenced - present:
        fail("missing: %s" % sorted(referenced - present))
    if present - referenced:
        fail("not referenced: %s" % sorted(present - referenced))
    for f in present:
        if os.path.getsize(os.path.join(pkg, f)) == 0:
            fail("empty file %s" % f)


def check_bandwidth(pkg, src):
    vids, auds = renditions(pkg)
    a_peak = peak_rate(auds[0][1]) if auds else 0
    a_avg = avg_rate(auds[0][1]) if auds else 0
    for v, pl in vids:
        peak, avg = peak_rate(pl) + a_peak, avg_rate(pl) + a_avg
        bw, abw = int(v["BANDWIDTH"]), int(v["AVERAGE-BANDWIDTH"])
        if abs(bw - peak) > 0.10 * peak:
            fail("%s: BANDWIDTH %d, measured peak %.0f" % (v["URI"], bw, peak))
        if abs(abw - avg) > 0.05 * avg:
            fail("%s: AVERAGE-BANDWIDTH %d, measured %.0f" %
                 (v["URI"], abw, avg))
        if abw > bw:
            fail("%s: average above peak" % v["URI"])


def check_durations(pkg, src):
    vids, auds = renditions(pkg)
    for v, pl in vids:
        durs = [d for _, d in pl["segs"]]
        if pl["target"] != math.ceil(GOP - 1e-9):
            fail("%s: TARGETDURATION %d for GOP %g" %
                 (v["URI"], pl["target"], GOP))
        if any(abs(d - GOP) > 1e-3 for d in durs[:-1]) or \
                durs[-1] > GOP + 1e-3 or durs[-1] <= 0:
            fail("%s: segment durations %s, GOP %g" % (v["URI"], durs, GOP))
    for m, pl in auds:
        durs = [d for _, d in pl["segs"]]
        if any(round(d) > pl["target"] for d in durs) or \
                any(abs(d - GOP) > 0.05 for d in durs[:-2]):
            fail("audio: segment durations %s, target %d" %
                 (durs, pl["target"]))
    vdur = sum(d for _, d in vids[0][1]["segs"])
    for v, pl in vids + auds:
        total = sum(d for _, d in pl["segs"])
        if abs(total - vdur) > 0.1:
            fail("%s lasts %.3f s, video %.3f s" % (pl["dir"], total, vdur))


def check_keyframes(pkg, src):
    vids, _ = renditions(pkg)
    for i, (v, pl) in enumerate(vids):
        per = key_positions(pl, os.path.join(pkg, "..", ".kf-%d.mp4" % i))
        for k, pk in enumerate(per):
            if not pk or not pk[0][0]:
                fail("%s: segment %d does not start on a keyframe" %
                     (v["URI"], k + 1))
            if any(key for key, _ in pk[1:]):
                fail("%s: segment %d has a second keyframe" %
                     (v["URI"], k + 1))
        os.unlink(os.path.join(pkg, "..", ".kf-%d.mp4" % i))


def check_boundaries(pkg, src):
    vids, _ = renditions(pkg)
    ref = None
    for i, (v, pl) in enumerate(vids):
        per = key_positions(pl, os.path.join(pkg, "..", ".kb-%d.mp4" % i))
        os.unlink(os.path.join(pkg, "..", ".kb-%d.mp4" % i))
        starts = [round(min(t for _, t in pk), 4) for pk in per]
        got = ([d for _, d in pl["segs"]], starts)
        if ref is not None and got != ref:
            fail("%s: boundaries %s differ from v0's %s" %
                 (v["URI"], got, ref))
        ref = got
        want = [round(starts[0] + k * GOP, 4) for k in range(len(starts))]
        if starts != want:
            fail("%s: segments start at %s, not every %g s" %
                 (v["URI"], starts, GOP))


def check_heights(pkg, src):
    _, sw, sh = source_video(src)
    vids, _ = renditions(pkg)
    hs = []
    for v, pl in vids:
        st = ffprobe("-show_entries", "stream=width,height",
                     os.path.join(pl["dir"], "init.mp4"))["streams"][0]
        if "%dx%d" % (st["width"], st["height"]) != v["RESOLUTION"]:
            fail("%s: RESOLUTION %s, init %dx%d" %
                 (v["URI"], v["RESOLUTION"], st["width"], st["height"]))
        if st["height"] > sh or st["width"] % 2 or st["height"] % 2:
            fail("%s: %dx%d from a %dx%d source" %
                 (v["URI"], st["width"], st["height"], sw, sh))
        if abs(st["width"] / st["height"] - sw / sh) > 0.02:
            fail("%s: aspect %dx%d" % (v["URI"], st["width"], st["height"]))
        hs.append(st["height"])
    want = [h for h in LADDER if h <= sh] or [sh & ~1]
    if hs != want:
        fail("rungs %s, want %s for a %d px source" % (hs, want, sh))


def check_frames(pkg, src):
    n, _, _ = source_video(src)
    vids, _ = renditions(pkg)
    for i, (v, pl) in enumerate(vids):
        path = concat(pl, os.path.join(pkg, "..", ".fr-%d.mp4" % i))
        got = int(ffprobe("-count_frames", "-select_streams", "v:0",
                          "-show_entries", "stream=nb_read_frames",
                          path)["streams"][0]["nb_read_frames"])
        os.unlink(path)
        if got != n:
            fail("%s: %d frames, source %d" % (v["URI"], got, n))


def timeline(rep):
    tmpl = rep.find("m:SegmentTemplate", MPD_NS)
    scale = int(tmpl.get("timescale"))
    durs, t = [], 0
    for s in tmpl.find("m:SegmentTimeline", MPD_NS).findall("m:S", MPD_NS):
        if s.get("t") is not None and int(s.get("t")) != t:
            fail("%s: timeline gap at %s" % (rep.get("id"), s.get("t")))
        for _ in range(int(s.get("r", "0")) + 1):
            durs.append(int(s.get("d")) / scale)
            t += int(s.get("d"))
    return tmpl, durs


def check_dash(pkg, src):
    root = ET.parse(os.path.join(pkg, "manifest.mpd")).getroot()
    vids, auds = renditions(pkg)
    hls = {os.path.relpath(pl["dir"], pkg): pl for _, pl in vids + auds}
    if root.get("type") != "static":
        fail("MPD not static")
    reps = root.findall(".//m:Representation", MPD_NS)
    if sorted(r.get("id") for r in reps) != sorted(hls):
        fail("MPD lists %s, HLS %s" % ([r.get("id") for r in reps],
                                       sorted(hls)))
    for rep in reps:
        rid, pl = rep.get("id"), hls[rep.get("id")]
        tmpl, durs = timeline(rep)
        if tmpl.get("initialization") != rid + "/init.mp4" or \
                tmpl.get("media") != rid + "/seg_$Number%05d$.m4s" or \
                tmpl.get("startNumber") != "1":
            fail("%s: template %s" % (rid, tmpl.attrib))
        hd = [d for _, d in pl["segs"]]
        if len(durs) != len(hd) or \
                any(abs(a - b) > 0.002 for a, b in zip(durs, hd)):
            fail("%s: MPD durations %s, HLS %s" % (rid, durs, hd))
        for k in range(1, len(durs) + 1):
            if not os.path.exists(os.path.join(pkg, rid,
                                               "seg_%05d.m4s" % k)):
                fail("%s: segment %d missing" % (rid, k))


def vtt_time(s):
    h, m, rest = s.split(":")
    return int(h) * 3600 + int(m) * 60 + float(rest)


def check_preview(pkg, src):
    vids, _ = renditions(pkg)
    dur = sum(d for _, d in vids[0][1]["segs"])
    text = open(os.path.join(pkg, "preview/thumbs.vtt")).read()
    if not text.startswith("WEBVTT\n"):
        fail("thumbs.vtt: no WEBVTT header")
    cues = re.findall(r"([\d:.]+) --> ([\d:.]+)\n(\S+)#xywh=(\d+),(\d+),"
                      r"(\d+),(\d+)", text)
    if not cues:
        fail("thumbs.vtt: no cue")
    prev, sizes = 0.0, {}
    for a, b, img, x, y, w, h in cues:
        a, b, x, y, w, h = vtt_time(a), vtt_time(b), int(x), int(y), \
            int(w), int(h)
        if abs(a - prev) > 1e-3 or b <= a or b - a > SPRITE_EVERY + 1e-3:
            fail("thumbs.vtt: cue %.3f --> %.3f after %.3f" % (a, b, prev))
        if img not in sizes:
            st = ffprobe("-show_entries", "stream=width,height",
                         os.path.join(pkg, "preview", img))["streams"][0]
            sizes[img] = (st["width"], st["height"])
        iw, ih = sizes[img]
        if w != TILE_W or x + w > iw or y + h > ih or iw != 10 * TILE_W:
            fail("thumbs.vtt: %s#xywh=%d,%d,%d,%d in %dx%d" %
                 (img, x, y, w, h, iw, ih))
        prev = b
    if abs(prev - dur) > 0.1:
        fail("thumbs.vtt ends at %.3f, video lasts %.3f" % (prev, dur))
    if len(cues) != math.ceil(dur / SPRITE_EVERY - 1e-6):
        fail("%d cues for %.3f s" % (len(cues), dur))


def check_audio(pkg, src):
    _, auds = renditions(pkg)
    if len(auds) != 1:
        fail("%d audio renditions" % len(auds))
    path = concat(auds[0][1], os.path.join(pkg, "..", ".au.mp4"))
    st = ffprobe("-show_entries", "stream=codec_name,profile,sample_rate",
                 path)["streams"][0]
    os.unlink(path)
    if st["codec_name"] != "aac" or st.get("profile") != "LC":
        fail("audio rendition: %s" % st)


def check_noaudio(pkg, src):
    _, media, _ = read_master(pkg)
    if media or os.path.exists(os.path.join(pkg, "a0")):
        fail("an audio rendition for a source without audio")


def main():
    global GOP, LADDER
    if len(sys.argv) < 4:
        fail(__doc__)
    if len(sys.argv) > 4:
        GOP = float(sys.argv[4])
    if len(sys.argv) > 5:
        LADDER = [int(h) for h in sys.argv[5].split(",")]
    globals()["check_" + sys.argv[1]](sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    main()
