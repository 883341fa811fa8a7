# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# lib.sh - shared helpers of the media shell tests (sourced, not run).
# Env from tests/run.sh: OMKT_BIN (sanitizer build dir), OMKT_TMP.

MEDIA_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OMKT_BIN=${OMKT_BIN:-$MEDIA_TOP/build/sanitize/bin}
case $OMKT_BIN in /*) ;; *) OMKT_BIN=$MEDIA_TOP/$OMKT_BIN ;; esac
OMKT_TMP=${OMKT_TMP:-$(mktemp -d /tmp/omkt-media.XXXXXX)}
CLI=$OMKT_BIN/tests/media_cli
MKCLIP=$MEDIA_TOP/tests/tools/mkclip.sh
# check_py ARGS... - tests/media/check.py (ffprobe comparisons).
check_py() { python3 "$MEDIA_TOP/tests/media/check.py" "$@"; }
CLIPS=$OMKT_TMP/media-clips
# Sanitizer reports exit with codes of their own, told apart from failures.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}:exitcode=86
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}:exitcode=87
export LSAN_OPTIONS="suppressions=$MEDIA_TOP/tests/lsan.supp:print_suppressions=0"
export OMKT_TEST_THREADS=${OMKT_TEST_THREADS:-1} # media_cli -j (tests/lsan.supp)
FAILED=0
N=0

for tool in ffmpeg ffprobe python3; do
    command -v $tool > /dev/null || { echo "1..0 # SKIP no $tool"; exit 77; }
done
[ -x "$CLI" ] || { echo "1..0 # SKIP no $CLI (make tests)"; exit 77; }
mkdir -p "$CLIPS"

ok() { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); FAILED=1; echo "not ok $N - $*"; }
# check DESC COMMAND... - one TAP line from a command's exit status.
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
done_testing() {
    echo "1..$N"
    exit $FAILED
}

# clip KIND [SECONDS] [WxH] [RATE] - path of a generated clip (cached).
clip() {
    local kind=$1 dur=${2:-1} size=${3:-320x240} rate=${4:-25} ext
    case $kind in
    mkv) ext=mkv ;; webm) ext=webm ;; flv) ext=flv ;; avi) ext=avi ;;
    mpegps | dv43) ext=mpg ;; movrot) ext=mov ;; mp3) ext=mp3 ;;
    palts) ext=ts ;; palmjpeg) ext=avi ;;
    ogg) ext=ogg ;; wav) ext=wav ;; huge) ext=y4m ;; *) ext=mp4 ;;
    esac
    local out=$CLIPS/$kind-$dur-$size-$rate.$ext
    [ -s "$out" ] || sh "$MKCLIP" "$kind" "$out" "$dur" "$size" "$rate" ||
        { echo "# mkclip $kind failed" >&2; return 1; }
    echo "$out"
}

# probe_field FILE KEY - a top-level field of our probe JSON.
json_get() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d=d[int(k)] if isinstance(d,list) else d.get(k)
    if d is None: break
print("" if d is None else d)' "$1" "$2"
}

# no_leftovers DIR - no temporary files remain in DIR.
no_leftovers() {
    local f
    for f in "$1"/.*.tmp-*; do
        [ -e "$f" ] && return 1
    done
    return 0
}

# cli_rc WANT ARGS... - run the CLI (output in $OMKT_TMP/cli.out/.err);
# true when it exits WANT ("0", "1" or "01") without a sanitizer report.
cli_rc() {
    local want=$1 rc
    shift
    "$CLI" "$@" > "$OMKT_TMP/cli.out" 2> "$OMKT_TMP/cli.err"
    rc=$?
    if grep -qE 'Sanitizer|runtime error' "$OMKT_TMP/cli.err"; then
        sed 's/^/# /' "$OMKT_TMP/cli.err" | head -30
        return 1
    fi
    case $want in *"$rc"*) return 0 ;; esac
    echo "# exit $rc, want $want: $(head -c 300 "$OMKT_TMP/cli.err")"
    return 1
}

# err_has TEXT - the last CLI run's stderr mentions TEXT.
err_has() { grep -q -- "$1" "$OMKT_TMP/cli.err"; }
