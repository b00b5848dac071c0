#!/bin/bash
# kill -9 of a guest and of a hub while the lab runs: lstatus tells, lclean
# leaves nothing.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lab=$SRC/labs-examples/two-hosts
use_lab "$lab"
need_image

lstart -d "$lab" -w "$WD" --headless --timeout 120 -q >/dev/null || fail "lstart"
dir=$(rundir_of "$lab")
pid=$(host_pid "$lab" pc1)
[ -n "$pid" ] || fail "no pid for pc1"
kill -9 "$pid"
hub=$(sed -n 's/^pid=//p' "$dir.h/pids/hub-A")
kill -9 "$hub"
# Both are gone once their pidfds say so; wait on them with a bound.
for p in "$pid" "$hub"; do
	timeout 10 tail --pid="$p" -f /dev/null || fail "pid $p did not die"
done
[ "$(host_state "$lab" pc1)" = crashed ] || fail "lstatus: pc1 is $(host_state "$lab" pc1), not crashed"
[ "$(host_state "$lab" pc2)" = ready ] || fail "pc2 should still be ready"
lstatus -d "$lab" -w "$WD" | grep -q "^A  *-" || fail "lstatus shows the dead hub running"
lclean -d "$lab" -w "$WD"
assert_nothing_left
echo PASS
