#!/bin/bash
# lclean while lstart is starting the same lab: lstart must launch nothing
# into an instance lclean holds, nor into one it removed. The test plays
# lclean's part by hand so the interleaving is fixed: it holds the instance
# lock (an exclusive flock on RUNDIR/ID) while lstart creates the instance,
# removes RUNDIR/ID as lclean's last step does, then lets go. lstart must
# then fail, saying why, and leave no hub, tmux server or guest behind.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lab=$SRC/labs-examples/two-hosts
use_lab "$lab"
need_image
command -v flock >/dev/null || {
	echo "SKIP: no flock(1)" >&2
	exit 77
}

dir=$(rundir_of "$lab")
[ -n "$dir" ] || fail "lstatus gave no rundir"
mkdir -p -m 0700 "$UMLAB_RUNDIR" "$dir"
exec 9<"$dir"
flock -x 9 || fail "cannot lock $dir"

# fd 9 must not reach lstart: a copy of it would hold the lock for lstart too.
lstart -d "$lab" -w "$WD" --headless --timeout 120 >"$T/lstart.out" 2>&1 9<&- &
lpid=$!
# lstart makes its subdirectories, ID.h/agent last, then takes the lock.
# (Let go of the lock before failing: the trap's lclean takes it too.)
wait_file "$dir.h/agent" 60 || {
	exec 9<&-
	fail "lstart never created $dir.h/agent"
}
rm -rf "$dir" "$dir.h"
exec 9<&-

rc=0
wait "$lpid" || rc=$?
[ "$rc" != 0 ] || fail "lstart succeeded in an instance removed under it: $(cat "$T/lstart.out")"
grep -q "was removed (lclean?) while lstart was starting" "$T/lstart.out" ||
	fail "lstart did not say the lab was cleaned: $(cat "$T/lstart.out")"
echo "ok: lstart waited for the lock, then started nothing"
assert_nothing_left
echo PASS
