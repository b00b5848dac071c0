#!/bin/bash
# lclean of a lab whose lab.yaml was broken, or whose whole directory was
# deleted, after lstart: it cleans from what lstart recorded (RUNDIR/ID and
# hostwd) and leaves nothing behind, with -w and with the default hostwd.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lab=$T/lab
cp -r "$SRC/labs-examples/two-hosts" "$lab"
use_lab "$lab"
need_image

# 1. -w DIR; lab.yaml no longer parses.
lstart -d "$lab" -w "$WD" --headless --timeout 120 -q >/dev/null || fail "lstart"
dir=$(rundir_of "$lab")
[ -d "$dir" ] || fail "no runtime dir $dir"
pgrep -f -- "$dir" >/dev/null || fail "nothing of the lab runs: the test proves nothing"
ls "$WD"/pc1/pc1.disk "$WD"/pc2/pc2.ready >/dev/null || fail "lstart made no files in hostwd"
echo 'hosts: [ this is : not yaml' >"$lab/lab.yaml"
lstatus -d "$lab" -w "$WD" >/dev/null 2>&1 && fail "the broken lab still loads: the test proves nothing"
lclean -d "$lab" -w "$WD" 2>"$T/err" || { cat "$T/err"; fail "lclean of a broken lab"; }
grep -q "cannot load the lab" "$T/err" || fail "lclean did not say it could not load the lab"
assert_nothing_left
[ ! -e "$dir" ] || fail "runtime dir $dir left"
left=$(ls -A "$WD")
[ -z "$left" ] || fail "lclean left files in the -w hostwd: $left"
# Nothing left to clean is an error that says so, not a silent success.
if lclean -d "$lab" -w "$WD" 2>"$T/err"; then fail "lclean of nothing succeeded"; fi
grep -q "no trace" "$T/err" || fail "lclean of nothing: $(cat "$T/err")"

# 2. The default hostwd (under XDG_STATE_HOME); the lab directory is deleted.
cp "$SRC/labs-examples/two-hosts/lab.yaml" "$lab/lab.yaml"
export XDG_STATE_HOME=$T/state
lstart -d "$lab" --headless --timeout 120 -q >/dev/null || fail "lstart (default hostwd)"
dir=$(lstatus -d "$lab" --json | sed -n 's/^  "rundir": "\(.*\)",$/\1/p')
wd=$(lstatus -d "$lab" --json | sed -n 's/^  "hostwd": "\(.*\)",$/\1/p')
case $wd in "$T/state/umlab/labs/two-hosts-"*) ;; *) fail "unexpected default hostwd $wd" ;; esac
pgrep -f -- "$dir" >/dev/null || fail "nothing of the lab runs (default hostwd)"
rm -rf "$lab"
lclean -d "$lab" 2>"$T/err" || { cat "$T/err"; fail "lclean of a deleted lab"; }
assert_nothing_left
[ ! -e "$dir" ] || fail "runtime dir $dir left"
[ ! -e "$wd" ] || fail "default hostwd $wd left"
echo PASS
