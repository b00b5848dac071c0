#!/bin/bash
# tests/integration/attack_plant.sh: issue 11's recipes, planted by a guest's
# root through its real hostfs mount: symlinks from RUNDIR/ID/uml, notify
# and hostwd files to host paths, a FIFO as a marker, a forged host= in
# hostwd's record. lhalt and lclean must finish within a bound and leave
# every host path untouched; the host-only RUNDIR/ID.h (pid files, tmux
# socket and tmux.conf) must not even be visible from the guest.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
attack_setup

mkdir -p "$V/pc1" "$V/pc2" "$V/victimsub"
echo precious >"$V/file"
echo precious >"$V/file2"

lstart -d "$lab" -w "$WD" --headless --timeout 240 -q >/dev/null || fail "lstart"
run=$(rundir_of "$lab")
[ -d "$run.h" ] || fail "no host-only directory $run.h"

lx pc1 -- sh -c '
	set -e
	run=$(sed -n "s/.*uml_dir=\([^ ]*\)\/uml.*/\1/p" /proc/cmdline)
	mkdir -p /r /m
	mount -t hostfs none /r -o /
	if [ -e "/r$run.h" ]; then echo "host-only dir visible: $run.h"; exit 9; fi
	mount -t hostfs none /m -o "$run"
	mv /m/uml /m/uml.old && ln -s "'"$V"'" /m/uml
	# notify/ is read-only inside the sandbox: it cannot be swapped.
	if mv /m/notify /m/notify.old 2>/dev/null; then echo "notify/ swapped"; exit 8; fi
	ln -sf "'"$V"'/file" /hostwd/pc1.console.log
	ln -sf "'"$V"'/file2" /hostwd/.pc1.conf.tmp
	rm -f /hostwd/pc2.ready && mkfifo /hostwd/pc2.ready
	echo host=victimsub >>/hostwd/.umlab-instance
' || fail "the guest could not plant (exit $?)"
echo "ok: planted from pc1"

rc=0
timeout 120 "$BIN/lhalt" -d "$lab" -w "$WD" >"$T/halt" 2>&1 || rc=$?
[ "$rc" != 124 ] || fail "lhalt did not finish within 120 s"
rc=0
timeout 60 "$BIN/lclean" -d "$lab" -w "$WD" >"$T/clean" 2>&1 || rc=$?
[ "$rc" != 124 ] || fail "lclean did not finish within 60 s"
[ "$(cat "$V/file")" = precious ] || fail "a host file was written through a planted symlink"
[ "$(cat "$V/file2")" = precious ] || fail "a host file was written through .pc1.conf.tmp"
for d in pc1 pc2 victimsub; do
	[ -d "$V/$d" ] || fail "lhalt/lclean removed host directory $V/$d"
done
echo "ok: host paths untouched, lhalt and lclean bounded"
assert_nothing_left
echo PASS
