#!/bin/bash
# A host that never becomes ready: lstart gives up after --timeout with a
# verdict naming it; with --abort-on-failure the guests of the run go too.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lab=$here/labs/faults
use_lab "$lab"
need_image

if lstart -d "$lab" -w "$WD" --headless --timeout 15 slow >"$T/out" 2>"$T/err"; then
	fail "lstart succeeded although slow never became ready"
fi
cat "$T/out" "$T/err"
grep -q "^slow .*timeout.*no ready marker after 15 s" "$T/out" || fail "no timeout verdict"
grep -q "slow.startup: waiting forever" "$T/err" || fail "the startup log tail is missing"
[ "$(host_state "$lab" slow)" = booting ] || fail "slow should still run (booting)"
lclean -d "$lab" -w "$WD"
assert_nothing_left

# --abort-on-failure: good is stopped once slow has failed.
if lstart -d "$lab" -w "$WD" --headless --timeout 15 --abort-on-failure good slow \
	>"$T/out" 2>"$T/err"; then
	fail "lstart --abort-on-failure succeeded"
fi
cat "$T/out"
grep -q "^slow .*timeout" "$T/out" || fail "no timeout verdict with --abort-on-failure"
for h in good slow; do
	st=$(host_state "$lab" $h)
	[ "$st" = halted ] || [ "$st" = absent ] || fail "$h still $st after --abort-on-failure"
done
lclean -d "$lab" -w "$WD"
assert_nothing_left
echo PASS
