#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_fuzz_smoke - a short run of the probe fuzz target's inputs under
# ASan/UBSan: generated seeds in every container, deterministic mutations
# of them (truncations, flipped bytes, zeroed and duplicated blocks), and
# the regression corpus fuzz/corpus.
# shellcheck source=tests/media/lib.sh
. "$(dirname "$0")/lib.sh"
REPLAY=$OMKT_BIN/tests/fuzz_replay_probe
[ -x "$REPLAY" ] || { echo "1..0 # SKIP no $REPLAY"; exit 77; }
S=$OMKT_TMP/fuzz-seeds
M=$OMKT_TMP/fuzz-mutants
rm -rf "$M"
mkdir -p "$M"
check "seeds generated" sh "$MEDIA_TOP/fuzz/mkseeds.sh" "$S"
python3 - "$S" "$M" << 'PY'
import os, random, sys
src, dst = sys.argv[1], sys.argv[2]
rnd = random.Random(20261122)
for name in sorted(os.listdir(src)):
    data = open(os.path.join(src, name), "rb").read()
    if not data:
        continue
    for i in range(12):
        b = bytearray(data)
        kind = i % 4
        if kind == 0:
            b = b[: rnd.randrange(1, len(b))]
        elif kind == 1:
            for _ in range(rnd.randrange(1, 16)):
                p = rnd.randrange(len(b))
                b[p] = rnd.randrange(256)
        elif kind == 2:
            p = rnd.randrange(len(b))
            b[p:p + 256] = bytes(min(256, len(b) - p))
        else:
            p = rnd.randrange(len(b))
            b[p:p] = b[p:p + rnd.randrange(1, 512)]
        open(os.path.join(dst, "%s.%d" % (name, i)), "wb").write(b)
PY
check "mutants generated" test "$(ls "$M" | wc -l)" -gt 100
"$REPLAY" "$S" "$M" "$MEDIA_TOP/fuzz/corpus" > "$OMKT_TMP/replay.out" \
    2> "$OMKT_TMP/replay.err"
rc=$?
check "replay exit 0 (got $rc)" test $rc -eq 0
check "no sanitizer report" \
    bash -c "! grep -qE 'Sanitizer|runtime error' '$OMKT_TMP/replay.err'"
grep -E 'inputs|Sanitizer|runtime error' "$OMKT_TMP/replay.out" \
    "$OMKT_TMP/replay.err" | head -5 | sed 's/^/# /'
done_testing
