#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_lint - the tree is clang-format clean (STYLE.md section 13) and
# every shell script passes shellcheck (sourced libraries: errors only).
. "$(dirname "$0")/../lib/common.sh"
cd "$TOP" || exit 1
if ! command -v clang-format >/dev/null || ! command -v shellcheck >/dev/null; then
    echo "# clang-format or shellcheck missing (tools/ensure-deps.sh installs them)"
    exit 1
fi
bad=$(git ls-files '*.c' '*.h' | while read -r f; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"
done)
check_eq "clang-format clean" "$bad" ""
scripts=$(git ls-files '*.sh' 'bench/*' 'initscripts/sysv/*' | while read -r f; do
    head -1 "$f" | grep -qE '^#!.*(ba)?sh' && echo "$f"
done)
out=$(echo "$scripts" | xargs shellcheck -S warning -x 2>&1)
check "shellcheck clean ($(echo "$scripts" | wc -l) scripts)" test -z "$out"
[ -z "$out" ] || echo "$out" | head -40
# Libraries the tests source (no #! line) set variables for their callers,
# which shellcheck's warnings take for unused: errors only.
libs=$(git ls-files '*.sh' | while read -r f; do
    head -1 "$f" | grep -q '^#!' || echo "$f"
done)
out=$(echo "$libs" | xargs shellcheck -s bash -S error -x 2>&1)
check "shellcheck -S error: sourced libraries ($(echo "$libs" | wc -l))" test -z "$out"
[ -z "$out" ] || echo "$out" | head -40
