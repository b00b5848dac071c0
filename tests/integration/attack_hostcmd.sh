#!/bin/bash
# tests/integration/attack_hostcmd.sh: issue 11's recipe 1 (and 4), tried by
# pc1's root through its real hostfs mounts: a guest must not make the host
# run a command nor signal a process. It looks for the lab's tmux.conf, pid
# files and instance records in everything it can reach (RUNDIR/ID, its
# /hostwd, the sandbox's view of RUNDIR) and must find none: they live in
# the host-only RUNDIR/ID.h. It then plants a tmux.conf with run-shell, a
# forged record and pid files naming a host process everywhere it can
# write; after lhalt; lstart and lclean the planted command must not have
# run, the host's tmux.conf must be umlab's own and the process must live.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
attack_setup

# A host process that is none of the lab's: planted pid files name it.
sleep 100000 &
victim=$!
trap 's=$?; set +e; kill "$victim" 2>/dev/null; (exit $s); cleanup' EXIT
vstart=$(awk '{print $22}' "/proc/$victim/stat")

lstart -d "$lab" -w "$WD" --headless --timeout 240 -q >/dev/null || fail "lstart"
run=$(rundir_of "$lab")
[ -f "$run.h/tmux.conf" ] || fail "no host-only tmux.conf in $run.h"

rc=0
lx pc1 -- sh -c '
	run=$(sed -n "s/.*uml_dir=\([^ ]*\)\/uml.*/\1/p" /proc/cmdline)
	[ -n "$run" ] || { echo "no uml_dir on /proc/cmdline"; exit 8; }
	mkdir -p /r /m
	mount -t hostfs none /r -o / && mount -t hostfs none /m -o "$run" || exit 7
	# What a guest can see of the host-side records: nothing.
	found=$(find /m /hostwd "/r${run%/*}" /r/umlab \( -name tmux.conf -o -name instance \
		-o -name .umlab-instance -o -name "guest-*" -o -name "hub-*" -o -name pids \
		-o -name tmux -o -name "*.h" \) 2>/dev/null)
	if [ -n "$found" ]; then echo "visible: $found"; exit 9; fi
	# The same search does find what the guest may see.
	find /m -name mconsole | grep -q . || { echo "find sees no mconsole socket"; exit 5; }
	if [ -e "/r$run.h" ]; then echo "host-only dir visible: $run.h"; exit 9; fi
	# Plant everywhere it can write.
	cmd="run-shell \"touch '"$V"'/pwned\""
	# (notify/ is read-only here: nothing can be planted in it.)
	for d in /m /m/hub /m/uml /hostwd /hostwd/shared; do
		echo "$cmd" >"$d/tmux.conf" || exit 6
		printf "labdir=/\nhostwd=/\nhost=etc\n" >"$d/instance"
	done
	printf "labdir=/\nhostwd=/\nhost=etc\ndomain=etc\n" >/hostwd/.umlab-instance
	mkdir -p /m/pids /hostwd/pids
	for d in /m/pids /hostwd/pids; do
		for f in guest-pc1 guest-pc2 hub-A hub-A.daemon tmux; do
			printf "pid='"$victim"'\nstart='"$vstart"'\nmatch=%s\n" "$run" >"$d/$f"
		done
	done
	# The host may try to write here: make each a symlink to a planted config.
	ln -sf "$run/tmux.conf" /m/tmux 2>/dev/null || true
	echo planted
' >"$T/guest" 2>&1 || rc=$?
[ "$rc" = 0 ] && grep -q planted "$T/guest" ||
	fail "pc1 saw host-side records or could not plant (exit $rc): $(cat "$T/guest")"
echo "ok: pc1 finds no tmux.conf, pid file nor record; planted its own"

timeout 120 "$BIN/lhalt" -d "$lab" -w "$WD" >"$T/halt" 2>&1 || fail "lhalt (exit $?): $(cat "$T/halt")"
kill -0 "$victim" 2>/dev/null || fail "lhalt killed a host process named by a planted pid file"
timeout 240 "$BIN/lstart" -d "$lab" -w "$WD" --headless --timeout 240 -q >"$T/start" 2>&1 ||
	fail "lstart after the planting (exit $?): $(cat "$T/start")"
[ ! -e "$V/pwned" ] || fail "the host ran a command the guest planted"
! grep -q pwned "$run.h/tmux.conf" || fail "the host's tmux.conf holds the planted command"
grep -q remain-on-exit "$run.h/tmux.conf" || fail "the host's tmux.conf is not umlab's"
[ "$(host_state "$lab" pc1)" = ready ] || fail "pc1 is $(host_state "$lab" pc1) after lstart"
echo "ok: lhalt; lstart ran nothing planted"

timeout 120 "$BIN/lclean" -d "$lab" -w "$WD" >"$T/clean" 2>&1 || fail "lclean (exit $?): $(cat "$T/clean")"
[ ! -e "$V/pwned" ] || fail "the host ran a command the guest planted"
kill -0 "$victim" 2>/dev/null || fail "lclean killed a host process named by a planted pid file"
[ -d /etc ] && [ -d "$V" ] || fail "lclean removed a directory named by a planted record"
echo "ok: lclean signalled and removed nothing planted"
assert_nothing_left
echo PASS
