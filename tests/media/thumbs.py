#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""thumbs.py - setting 101's pictures against the reference's recipe.

  thumbs.py same SRC DIR RATE     DIR's hNN.jpg are the frames that
                                  "ffmpeg -i SRC -vf fps=fps=RATE" gives
                                  (its first 20), as many and the same ones
  thumbs.py sizes DIR WxH SWxSH   every hNN.jpg is WxH, every lNN.jpg SWxSH,
                                  and there are as many of each
  thumbs.py combing MAX PICTURE   PICTURE's combing (below) is at most MAX
                                  (MAX "-N": at least N)
  thumbs.py psnr MIN PICTURE REF  the luma PSNR of PICTURE against REF (the
                                  same size) is at least MIN dB (MIN "-N":
                                  below N)

Frames are told apart by their mean luma: the sources are made with a
luma that grows by 2 per frame (geq=lum='20+2*N'), so a neighbour frame
is off by more than 2 while the same frame through JPEG is within 1.
"""
import glob
import math
import os
import subprocess
import sys


def frames_of(args, size):
    """Mean luma of each frame that ffmpeg ARGS (with a gray -vf) gives."""
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error"] + args +
        ["-f", "rawvideo", "-"], check=True, capture_output=True).stdout
    return [sum(raw[i:i + size]) / size for i in range(0, len(raw), size)]


def mean_of(path):
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-vf",
         "format=gray", "-f", "rawvideo", "-"],
        check=True, capture_output=True).stdout
    return sum(raw) / len(raw)


def dims(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=width,height",
         "-of", "csv=p=0", path], check=True, capture_output=True, text=True)
    return out.stdout.strip().replace(",", "x")


def same(src, d, rate):
    w, h = dims(src).split("x")
    size = int(w) * int(h)
    ref = frames_of(["-i", src, "-vf", "fps=fps=%s,format=gray" % rate],
                    size)[:20]
    ours = [mean_of(p) for p in sorted(glob.glob(os.path.join(d, "h*.jpg")))]
    if len(ours) != len(ref):
        print("# %d pictures, ffmpeg's fps filter gives %d" %
              (len(ours), len(ref)))
        return False
    bad = [(i, round(a, 1), round(b, 1)) for i, (a, b) in
           enumerate(zip(ours, ref)) if abs(a - b) > 1.0]
    if bad:
        print("# other frames (index, ours, ffmpeg's): %s" % bad)
    return not bad


def sizes(d, big, small):
    hs = sorted(glob.glob(os.path.join(d, "h[0-9][0-9].jpg")))
    ls = sorted(glob.glob(os.path.join(d, "l[0-9][0-9].jpg")))
    names = sorted(os.listdir(d))
    want = ["h%02d.jpg" % i for i in range(len(hs))] + \
        ["l%02d.jpg" % i for i in range(len(hs))]
    ok = names == want and len(hs) == len(ls) and hs
    if not ok:
        print("# names: %s" % names)
    for p in hs:
        if dims(p) != big:
            print("# %s is %s, want %s" % (p, dims(p), big))
            ok = False
    for p in ls:
        if dims(p) != small:
            print("# %s is %s, want %s" % (p, dims(p), small))
            ok = False
    return bool(ok)


def combing(path):
    """How much neighbour lines differ against lines two apart: woven
    fields of a moving picture (combing) make neighbours differ more
    (> 1); a progressive or deinterlaced picture less (~0.6)."""
    w, _ = dims(path).split("x")
    w = int(w)
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        check=True, capture_output=True).stdout
    rows = [raw[i:i + w] for i in range(0, len(raw) - w + 1, w)]
    d1 = sum(abs(a - b) for r in range(len(rows) - 1)
             for a, b in zip(rows[r], rows[r + 1]))
    d2 = sum(abs(a - b) for r in range(len(rows) - 2)
             for a, b in zip(rows[r], rows[r + 2]))
    return d1 / max(d2, 1)


def combing_within(limit, path):
    c = combing(path)
    print("# %s: combing %.2f" % (path, c))
    return c >= -float(limit) if limit.startswith("-") else c <= float(limit)


def gray(path):
    return subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        check=True, capture_output=True).stdout


def psnr_within(limit, path, ref):
    a, b = gray(path), gray(ref)
    if dims(path) != dims(ref) or len(a) != len(b):
        print("# %s is %s, %s is %s" % (path, dims(path), ref, dims(ref)))
        return False
    mse = sum((x - y) ** 2 for x, y in zip(a, b)) / len(a)
    db = 99.0 if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)
    print("# %s against %s: PSNR-Y %.2f dB" % (path, ref, db))
    return db < -float(limit) if limit.startswith("-") else db >= float(limit)


if __name__ == "__main__":
    if sys.argv[1] == "same":
        sys.exit(0 if same(sys.argv[2], sys.argv[3], sys.argv[4]) else 1)
    if sys.argv[1] == "sizes":
        sys.exit(0 if sizes(sys.argv[2], sys.argv[3], sys.argv[4]) else 1)
    if sys.argv[1] == "combing":
        sys.exit(0 if combing_within(sys.argv[2], sys.argv[3]) else 1)
    if sys.argv[1] == "psnr":
        sys.exit(0 if psnr_within(sys.argv[2], sys.argv[3], sys.argv[4])
                 else 1)
    sys.exit(2)
