#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_fuzz_smoke - every fuzz harness fuzz/fuzz_<target>.c (but probe,
# which tests/media/test_fuzz_smoke.sh covers): its committed corpus
# fuzz/corpus/<target> replayed under the gcc sanitizer build
# ($OMKT_BIN/tests/fuzz_replay_<target>), then a short libFuzzer run
# (OMKT_FUZZ_SMOKE_S seconds, default 3, 60 under OMKT_HEAVY; seed 1) of
# the clang build build/fuzz/bin/fuzz/fuzz_<target> when `make BUILD=fuzz
# fuzzers` made it (`make check` does).  Any sanitizer report or broken
# invariant fails.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OMKT_BIN=${OMKT_BIN:-$TOP/build/sanitize/bin}
case $OMKT_BIN in /*) ;; *) OMKT_BIN=$TOP/$OMKT_BIN ;; esac
FUZZ_BIN=${OMKT_FUZZ_BIN:-$TOP/build/fuzz/bin/fuzz}
SECS=${OMKT_FUZZ_SMOKE_S:-$([ -n "${OMKT_HEAVY:-}" ] && echo 60 || echo 3)}
TMP=$(mktemp -d "${OMKT_TMP:-/tmp}/fuzz-smoke.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:allocator_may_return_null=1
export LSAN_OPTIONS=suppressions=$TOP/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
N=0
FAILED=0
ran=0

ok() { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); FAILED=1; echo "not ok $N - $*"; }
# report LOG - the first lines of a failure, as TAP comments.
report() {
    grep -E 'invariant|ERROR|SUMMARY|runtime error|#[0-9]+ 0x.* in ' "$1" |
        grep -vE 'fuzzer::|__sanitizer|libc\.so|nptl|sysdeps|stdlib/|csu/| in (main|_start) ' |
        sed 's/ (BuildId: [0-9a-f]*)//' | head -12 | sed 's/^/#   /'
}

for src in "$TOP"/fuzz/fuzz_*.c; do
    t=${src##*/fuzz_}
    t=${t%.c}
    [ "$t" = probe ] && continue
    corpus=$TOP/fuzz/corpus/$t
    replay=$OMKT_BIN/tests/fuzz_replay_$t
    if [ ! -x "$replay" ]; then
        not_ok "$t: no $replay (make tests)"
        continue
    fi
    if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
        not_ok "$t: no seed corpus in fuzz/corpus/$t"
        continue
    fi
    "$replay" "$corpus" > "$TMP/$t.replay" 2>&1
    rc=$?
    if [ $rc -eq 0 ] &&
        ! grep -qE 'Sanitizer|runtime error|invariant' "$TMP/$t.replay"; then
        ok "$t: corpus replayed ($(find "$corpus" -type f | wc -l) inputs)"
    else
        not_ok "$t: corpus replay (exit $rc)"
        report "$TMP/$t.replay"
    fi
    [ -x "$FUZZ_BIN/fuzz_$t" ] || continue
    ran=$((ran + 1))
    mkdir -p "$TMP/$t.new"
    dict=()
    [ -f "$TOP/fuzz/$t.dict" ] && dict=(-dict="$TOP/fuzz/$t.dict")
    (cd "$TMP" && "$FUZZ_BIN/fuzz_$t" "${dict[@]}" -seed=1 -max_total_time="$SECS" \
        -max_len=16384 -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 \
        -print_final_stats=1 -artifact_prefix="$TMP/$t-" \
        "$TMP/$t.new" "$corpus") > "$TMP/$t.fuzz" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        ok "$t: libFuzzer ${SECS}s"
    else
        not_ok "$t: libFuzzer ${SECS}s (exit $rc; reproducer below)"
        report "$TMP/$t.fuzz"
        for a in "$TMP/$t"-*; do
            [ -f "$a" ] && echo "#   $(basename "$a"): $(head -c 300 "$a" |
                od -An -c | tr -s ' ' | head -4 | tr '\n' ' ')"
        done
    fi
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec)|DONE' \
        "$TMP/$t.fuzz" | tr '\n' ' ' | sed 's/^/# /;s/$/\n/'
done
[ $ran -eq 0 ] && echo "# no libFuzzer binaries in $FUZZ_BIN: replay only"
echo "1..$N"
exit $FAILED
