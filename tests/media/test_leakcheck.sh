#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_leakcheck - the negative control of tests/lsan.supp: an encoder
# that we open and forget (tests/tools/leakcheck.c, libx264 through
# libavcodec) is still reported by LeakSanitizer under the suppressions
# every test runs with, and would not be under a libx264 suppression;
# the same encoder closed is not reported.  Skips without ASan.
# shellcheck source=tests/media/lib.sh
. "$(dirname "$0")/lib.sh"

LC=$OMKT_BIN/tests/leakcheck
ldd "$LC" | grep -q libasan || { echo "1..0 # SKIP $LC: no ASan"; exit 77; }

"$LC" leak > "$OMKT_TMP/leak.out" 2>&1
rc=$?
check "a forgotten encoder: the sanitizer's exit status (86), got $rc" test $rc = 86
check "a forgotten encoder: LeakSanitizer reports it" \
    grep -q "ERROR: LeakSanitizer" "$OMKT_TMP/leak.out"
check "a forgotten encoder: libavutil's blocks (its context) among them" \
    grep -q "in av_malloc" "$OMKT_TMP/leak.out"
# Why tests/lsan.supp names no codec library: a suppressed block's
# pointers count as roots, and libx264's point back to the context.
cp "$MEDIA_TOP/tests/lsan.supp" "$OMKT_TMP/x264.supp"
echo "leak:libx264" >> "$OMKT_TMP/x264.supp"
LSAN_OPTIONS="suppressions=$OMKT_TMP/x264.supp:print_suppressions=0" \
    "$LC" leak > "$OMKT_TMP/hidden.out" 2>&1
rc=$?
check "the same leak under leak:libx264: hidden (exit $rc)" test $rc = 0
"$LC" free > "$OMKT_TMP/free.out" 2>&1
rc=$?
check "the same encoder freed: exit 0, got $rc" test $rc = 0
check "the same encoder freed: nothing printed" \
    test ! -s "$OMKT_TMP/free.out"

done_testing
