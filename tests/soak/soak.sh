#!/bin/bash
# tests/soak/soak.sh: issue 11's soak. N cycles (default 200) of: lstart of
# a small lab (labs-examples/two-hosts), kill -9 of one random part (a
# guest's bwrap pid, a process inside its sandbox such as UML, its hub, the
# tmux server, lstart itself half way, or nothing), then lclean. After every
# cycle no process, socket, directory or tmux server of the lab may be left;
# every pid it kills is one the soak started (read from the lab's host-only
# pid files or found by its instance directory, checked again just before
# the kill), and decoy processes it did not start as part of the lab (one
# naming a sibling instance directory, one naming a longer path that begins
# with the lab's) must still live at the end.
#
#   tests/soak/soak.sh [-n CYCLES] [-s SEED]
#
# BIN (the directory of lstart) and SRC (the source tree) default to
# build/cmd and the checkout holding this script. Not in CI; a bounded
# version runs as the ctest soak_ci (-n 5).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cycles=200 seed=$$
while getopts n:s: o; do
	case $o in
	n) cycles=$OPTARG ;;
	s) seed=$OPTARG ;;
	*)
		echo "usage: soak.sh [-n CYCLES] [-s SEED]" >&2
		exit 2
		;;
	esac
done
export SRC=${SRC:-$(cd "$here/../.." && pwd)}
export BIN=${BIN:-$SRC/build/cmd}
. "$SRC/tests/integration/lib.sh"
lab=$SRC/labs-examples/two-hosts
use_lab "$lab"
need_image
RANDOM=$seed
echo "soak: $cycles cycles, seed $seed, lab $lab, scratch $T"

run=$(rundir_of "$lab")
[ -n "$run" ] || fail "no instance directory for $lab"
started=$T/started killed=$T/killed
: >"$started"
: >"$killed"

# Decoys: processes of ours that lclean must never take for the lab's.
decoys=()
bash -c 'exec -a "$0" sleep 100000' "${run%/*}/000000000000/uml" &
decoys+=($!)
bash -c 'exec -a "$0" sleep 100000' "${run}0/uml" &
decoys+=($!)
trap 's=$?; set +e; kill "${decoys[@]}" 2>/dev/null; (exit $s); cleanup' EXIT

# Remember every process of the lab (they name its instance directory).
record() {
	local p d
	for p in $(pgrep -f -- "$run" || true); do
		for d in "${decoys[@]}"; do [ "$p" != "$d" ] || continue 2; done
		echo "$p" >>"$started"
	done
	sort -u -o "$started" "$started"
}

# The pid in a host-only pid file, if the process still runs as the lab's.
pid_of() {
	local f=$run.h/pids/$1 pid
	[ -f "$f" ] || return 1
	pid=$(sed -n 's/^pid=//p' "$f")
	[ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$run" || return 1
	echo "$pid"
}

# kill -9 a pid the soak started (recorded and still naming the lab).
kill_ours() {
	local what=$1 pid=$2
	record
	grep -qx -- "$pid" "$started" || fail "refusing to kill $pid ($what): not started by the soak"
	if [ "$what" != lstart ]; then
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$run" ||
			{ echo "  ($what $pid already gone)"; return 0; }
	fi
	kill -9 "$pid" 2>/dev/null || true
	echo "$pid" >>"$killed"
	echo "  killed $what $pid"
}

# Nothing of the lab left: processes, sockets, directories, tmux server.
check_clean() {
	local left
	left=$(pgrep -a -f -- "$run" | grep -v -e "${run%/*}/000000000000/uml" -e "${run}0/uml" || true)
	[ -z "$left" ] || fail "cycle $1: processes left: $left"
	[ ! -e "$run" ] || fail "cycle $1: $run left: $(find "$run" | head)"
	[ ! -e "$run.h" ] || fail "cycle $1: $run.h left: $(find "$run.h" | head)"
	left=$(find "$UMLAB_RUNDIR" -mindepth 1 \( -type s -o -type f -o -type p \) 2>/dev/null || true)
	[ -z "$left" ] || fail "cycle $1: files left in the runtime dir: $left"
	! tmux -S "$run.h/tmux" list-sessions >/dev/null 2>&1 || fail "cycle $1: the tmux server runs"
	if [ -d "$WD" ]; then
		left=$(find "$WD" -mindepth 1 \( -type s -o -type f -o -type p -o -type l \) || true)
		[ -z "$left" ] || fail "cycle $1: files left in hostwd: $left"
	fi
}

parts=(guest sandbox hub tmux lstart none)
declare -A count
t0=$SECONDS
for ((c = 1; c <= cycles; c++)); do
	part=${parts[RANDOM % ${#parts[@]}]}
	count[$part]=$((${count[$part]:-0} + 1))
	echo "cycle $c/$cycles: $part"
	if [ "$part" = lstart ]; then
		lstart -d "$lab" -w "$WD" --headless --timeout 240 -q >"$T/lstart.out" 2>&1 &
		lpid=$!
		echo "$lpid" >>"$started"
		# Half way: between 0.1 and 4 s into the start.
		sleep "$((RANDOM % 40 / 10)).$((RANDOM % 10 + 1))"
		kill_ours lstart "$lpid"
		wait "$lpid" 2>/dev/null || true
	else
		timeout 300 "$BIN/lstart" -d "$lab" -w "$WD" --headless --timeout 240 -q >"$T/lstart.out" 2>&1 &
		lpid=$!
		echo "$lpid" >>"$started"
		wait "$lpid" || fail "cycle $c: lstart failed: $(cat "$T/lstart.out")"
		record
		h=pc$((RANDOM % 2 + 1))
		case $part in
		guest) pid=$(pid_of "guest-$h") || fail "cycle $c: no running guest $h" ;;
		sandbox)
			g=$(pid_of "guest-$h") || fail "cycle $c: no running guest $h"
			# A process inside the sandbox (bwrap's child, UML and its helpers).
			kids=$(pgrep -P "$g" || true)
			for k in $kids; do kids="$kids $(pgrep -P "$k" || true)"; done
			# shellcheck disable=SC2206 # pids, split on blanks
			kids=($kids)
			[ ${#kids[@]} -gt 0 ] || fail "cycle $c: guest $h ($g) has no process in its sandbox"
			pid=${kids[RANDOM % ${#kids[@]}]}
			part="sandbox of $h"
			;;
		hub) pid=$(pid_of hub-A) || fail "cycle $c: no running hub" ;;
		tmux) pid=$(pid_of tmux) || fail "cycle $c: no tmux server" ;;
		none) pid= ;;
		esac
		[ -z "$pid" ] || kill_ours "$part" "$pid"
	fi
	rc=0
	timeout 120 "$BIN/lclean" -d "$lab" -w "$WD" >"$T/lclean.out" 2>&1 || rc=$?
	[ "$rc" != 124 ] || fail "cycle $c: lclean did not finish within 120 s"
	[ "$rc" = 0 ] || fail "cycle $c: lclean failed (exit $rc): $(cat "$T/lclean.out")"
	check_clean "$c"
done

for d in "${decoys[@]}"; do
	kill -0 "$d" 2>/dev/null || fail "decoy $d was killed: not started by the soak as the lab's"
done
while read -r p; do
	grep -qx -- "$p" "$started" || fail "pid $p was killed but not started by the soak"
done <"$killed"
echo "soak: $cycles cycles in $((SECONDS - t0)) s, seed $seed"
for p in "${parts[@]}"; do echo "  $p: ${count[$p]:-0}"; done
echo "  processes started by the labs: $(wc -l <"$started"), killed by the soak: $(wc -l <"$killed")"
echo "  nothing left after any cycle; decoys alive"
echo PASS
