#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""segcheck - is a segment-joined output indistinguishable in timing from
a whole-file encode?  Prints one "ok"/"not ok" line per property and exits
1 when any fails.

  segcheck.py OUT SRC WHOLE FLOOR_DB

- OUT has exactly WHOLE's number of video frames;
- OUT's video packet decoding times and frame times strictly increase;
- every frame i of OUT is closer (PSNR against SRC scaled to OUT's size)
  to source frame i than to frames i-1 and i+1 (nothing duplicated,
  dropped or shifted, at the seams or elsewhere), and no frame is under
  FLOOR_DB;
- audio as the whole-file encode's, video's start and length within a
  frame of it, and audio and video start together and last alike within
  a frame (or no worse than in WHOLE, for a source whose tracks differ).
"""
import json
import subprocess
import sys
import tempfile

FAILED = []


def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        FAILED.append(what)


def probe(path, entries, kind="frame", sel="v:0"):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", sel,
                          "-show_entries", kind + "=" + entries, "-of",
                          "json", path], check=True,
                         capture_output=True).stdout
    return json.loads(out).get(kind + "s", [])


def streams(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of",
                          "json", path], check=True,
                         capture_output=True).stdout
    return json.loads(out)["streams"]


def span(path, sel):
    """(start, duration) in seconds of stream SEL from its packets."""
    ps = probe(path, "pts_time,duration_time", "packet", sel)
    start = min(float(p["pts_time"]) for p in ps)
    end = max(float(p["pts_time"]) + float(p.get("duration_time", 0) or 0)
              for p in ps)
    return start, end - start


def psnrs(out, src, w, h):
    """Per-frame PSNR (dB) of OUT frame i against SRC frames i, i + 1 and
    i - 1 scaled to w x h (frames paired by index), in one decode."""
    shifts = ((0, 0), (0, 1), (1, 0))  # (frames skipped in OUT, in SRC)
    logs = [tempfile.NamedTemporaryFile("r", suffix=".log") for _ in shifts]
    graph = ["[0:v]split=3[o0][o1][o2]",
             "[1:v]scale=%d:%d:flags=bicubic,format=yuv420p,split=3"
             "[r0][r1][r2]" % (w, h)]
    for k, (so, sr) in enumerate(shifts):
        graph.append("[o%d]trim=start_frame=%d,settb=1,setpts=N[a%d]"
                     % (k, so, k))
        graph.append("[r%d]trim=start_frame=%d,settb=1,setpts=N[b%d]"
                     % (k, sr, k))
        graph.append("[a%d][b%d]psnr=stats_file=%s[p%d]"
                     % (k, k, logs[k].name, k))
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", out, "-i", src,
           "-filter_complex", ";".join(graph)]
    for k in range(len(shifts)):
        cmd += ["-map", "[p%d]" % k, "-fps_mode", "passthrough", "-f",
                "null", "-"]
    subprocess.run(cmd, check=True)
    res = []
    for log in logs:
        vals = []
        for line in log:
            f = dict(kv.split(":", 1) for kv in line.split())
            v = f["psnr_avg"]
            vals.append(100.0 if v == "inf" else float(v))
        log.close()
        res.append(vals)
    return res


def main():
    out, src, whole, floor = sys.argv[1], sys.argv[2], sys.argv[3], \
        float(sys.argv[4])
    fr = probe(out, "best_effort_timestamp,best_effort_timestamp_time")
    wh = probe(whole, "best_effort_timestamp_time")
    check(len(fr) == len(wh), "%d frames, the whole-file encode's %d"
          % (len(fr), len(wh)))
    ts = [int(f["best_effort_timestamp"]) for f in fr]
    check(all(b > a for a, b in zip(ts, ts[1:])),
          "frame times strictly increase")
    diff = [i for i, (a, b) in enumerate(zip(fr, wh))
            if abs(float(a["best_effort_timestamp_time"]) -
                   float(b["best_effort_timestamp_time"])) > 0.001]
    check(not diff, "frame times those of the whole-file encode (1 ms)%s"
          % ("; not: %s" % diff[:10] if diff else ""))
    dts = [int(p["dts"]) for p in probe(out, "dts", "packet")]
    check(all(b > a for a, b in zip(dts, dts[1:])),
          "packet decoding times strictly increase")
    st = streams(out)
    v = next(s for s in st if s["codec_type"] == "video")
    same, nxt, prv = psnrs(out, src, v["width"], v["height"])
    bad = [i for i in range(len(same))
           if (i + 1 < len(same) and nxt[i] >= same[i]) or
           (i > 0 and prv[i - 1] >= same[i])]
    check(len(same) == len(fr) and not bad,
          "each of %d frames closest to its own source frame%s"
          % (len(same), "; not: %s" % bad[:10] if bad else ""))
    check(min(same) >= floor, "lowest frame PSNR %.2f dB >= %.1f"
          % (min(same), floor))
    if any(s["codec_type"] == "audio" for s in st):
        rate = v["avg_frame_rate"].split("/")
        frame = float(rate[1]) / float(rate[0])
        (sv, dv), (sa, da) = span(out, "v:0"), span(out, "a:0")
        (wsv, wdv), (wsa, wda) = span(whole, "v:0"), span(whole, "a:0")
        check(abs(sa - wsa) < 0.001 and abs(da - wda) < 0.001,
              "audio from %.3f s for %.3f s, as the whole-file encode's"
              % (sa, da))
        check(abs(sv - wsv) <= frame and abs(dv - wdv) <= frame,
              "video from %.3f s for %.3f s, the whole-file encode's "
              "%.3f s for %.3f s within a frame" % (sv, dv, wsv, wdv))
        check(abs(sv - sa) <= max(frame, abs(wsv - wsa) + 0.001) and
              abs(dv - da) <= max(frame, abs(wdv - wda) + 0.001),
              "audio and video start and last alike within a frame "
              "(or as the whole-file encode's): %.3f/%.3f s, %.3f/%.3f s"
              % (sa, sv, da, dv))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
