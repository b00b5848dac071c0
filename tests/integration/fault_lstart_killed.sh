#!/bin/bash
# lstart killed half way (one guest launched, one still booting): lclean
# removes everything.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lab=$here/labs/faults
use_lab "$lab"
need_image

lstart -d "$lab" -w "$WD" --headless --timeout 120 -q good slow >/dev/null 2>&1 &
lpid=$!
dir=$(lstatus -d "$lab" -w "$WD" --json | sed -n 's/^  "rundir": "\(.*\)",$/\1/p')
wait_file "$dir.h/pids/guest-slow" 60 || fail "lstart never launched slow"
kill -9 "$lpid"
wait "$lpid" 2>/dev/null || true
pgrep -f -- "$dir" >/dev/null || fail "nothing of the lab runs: the test proves nothing"
lclean -d "$lab" -w "$WD"
assert_nothing_left
echo PASS
