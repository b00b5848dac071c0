#!/bin/bash
# tests/integration/attack_fifo.sh: issue 11's recipe 5, planted by pc1's
# root through its real hostfs mounts: FIFOs wherever a guest can write (its
# part of hostwd, /hostwd/shared, RUNDIR/ID's notify/, uml/, hub/ and a
# pids/ of its own making) must not make lstatus, linfo, lhalt or lclean
# hang, and ready markers that are FIFOs or symlinks are refused: a
# running guest whose marker is one is "booting", never ready nor failed
# from what the planted file says.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
attack_setup

printf 'status=startup-failed\nstartup_status=42\nfailed_script=planted\n' >"$V/marker"

lstart -d "$lab" -w "$WD" --headless --timeout 240 -q >/dev/null || fail "lstart"
run=$(rundir_of "$lab")
[ "$(host_state "$lab" pc1)" = ready ] || fail "pc1 is not ready before the planting"

rc=0
lx pc1 -- sh -c '
	set -e
	run=$(sed -n "s/.*uml_dir=\([^ ]*\)\/uml.*/\1/p" /proc/cmdline)
	mkdir -p /m && mount -t hostfs none /m -o "$run"
	mkdir -p /m/pids /hostwd/pids
	# notify/ (the host binds its sockets there by path) is read-only here.
	if mkfifo /m/notify/fifo 2>/dev/null || mv /m/notify /m/notify.x 2>/dev/null; then
		echo "notify/ is writable from the guest"
		exit 1
	fi
	for d in /m /m/uml /m/uml/pc1 /m/uml/pc2 /m/hub /m/hub/A /m/pids \
		/hostwd /hostwd/pids /hostwd/shared; do
		for f in fifo tmux.conf instance guest-pc1 guest-pc2 hub-A tmux pc1 pc2 \
			.mc-1-1 pc1.console.log .umlab-instance; do
			rm -f "$d/$f" && mkfifo "$d/$f"
		done
	done
	# Its own files in hostwd: the marker is a FIFO, logs and temporaries too.
	for f in pc1.ready .pc1.ready.tmp pc1.startup.log .pc1.conf.tmp; do
		rm -f "/hostwd/$f" && mkfifo "/hostwd/$f"
	done
	find /m /hostwd -type p | wc -l
' >"$T/guest" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "pc1 could not plant (exit $rc): $(cat "$T/guest")"
[ "$(tail -n 1 "$T/guest")" -gt 100 ] || fail "pc1 planted too few FIFOs: $(cat "$T/guest")"
[ -p "$WD/pc1/pc1.ready" ] && [ -p "$run/hub/A/fifo" ] ||
	fail "the FIFOs are not on the host"
# pc2's marker: a symlink to a host file saying the startup failed.
lx pc2 -- sh -c "rm -f /hostwd/pc2.ready && ln -s '$V/marker' /hostwd/pc2.ready" ||
	fail "pc2 could not plant its symlink"
[ -L "$WD/pc2/pc2.ready" ] || fail "the symlink is not on the host"
echo "ok: planted FIFOs and a symlinked marker"

# Bounded: a blocking open of any FIFO would hang these for good.
for c in "lstatus -d $lab -w $WD" "lstatus -d $lab -w $WD --json" "linfo -d $lab" "linfo -d $lab --json"; do
	rc=0
	# shellcheck disable=SC2086 # a command and its arguments
	timeout 30 "$BIN/"$c >"$T/out" 2>&1 || rc=$?
	[ "$rc" != 124 ] || fail "$c did not finish within 30 s"
	[ "$rc" = 0 ] || fail "$c failed (exit $rc): $(cat "$T/out")"
done
for h in pc1 pc2; do
	s=$(timeout 30 "$BIN/lstatus" -d "$lab" -w "$WD" --json | tr -d '\n ' |
		grep -o "\"name\":\"$h\",\"state\":\"[a-z-]*\"" | sed 's/.*"state":"\(.*\)"/\1/')
	[ "$s" = booting ] || fail "$h's planted marker was not refused: lstatus says $s"
done
! timeout 30 "$BIN/lstatus" -d "$lab" -w "$WD" | grep -q planted ||
	fail "lstatus read the marker through the symlink"
echo "ok: lstatus and linfo bounded; a FIFO or symlink marker is refused"

rc=0
timeout 120 "$BIN/lhalt" -d "$lab" -w "$WD" >"$T/halt" 2>&1 || rc=$?
[ "$rc" != 124 ] || fail "lhalt did not finish within 120 s"
[ "$(head -n 1 "$V/marker")" = status=startup-failed ] || fail "the symlink's target changed"
rc=0
timeout 60 "$BIN/lclean" -d "$lab" -w "$WD" >"$T/clean" 2>&1 || rc=$?
[ "$rc" != 124 ] || fail "lclean did not finish within 60 s"
[ "$rc" = 0 ] || fail "lclean failed (exit $rc): $(cat "$T/clean")"
[ -f "$V/marker" ] || fail "lclean removed the symlink's target"
echo "ok: lhalt and lclean bounded"
assert_nothing_left
[ ! -e "$run" ] || fail "lclean left $run: $(find "$run")"
echo PASS
