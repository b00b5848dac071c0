#!/bin/bash
# bench/lexec.sh: per-call overhead of lexec (`lexec pc1 -- true`), the same
# with 10 concurrent callers, and stdin/stdout throughput over the guest's
# serial line. Starts labs-examples/two-hosts in a private runtime dir and
# hostwd, cleans it up at the end.
#
# usage: bench/lexec.sh [BIN [CALLS]]   BIN: directory holding lstart, lexec...
#        (default: build/cmd); CALLS: sequential calls to time (default 200)
# Target (issue 6): median under 50 ms for `lexec pc1 -- true`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
BIN=${1:-$src/build/cmd}
CALLS=${2:-200}
export PATH="$BIN:$PATH"
export UMLAB_GUEST_LAUNCH=${UMLAB_GUEST_LAUNCH:-$src/share/guest-launch}
[ -n "${UMLAB_HUB:-}" ] || { [ -x "$BIN/../hub/hub" ] && export UMLAB_HUB="$BIN/../hub/hub"; }
T=$(mktemp -d /tmp/umlab-bench-lexec.XXXXXX)
export UMLAB_RUNDIR=$T/run
lab=$src/labs-examples/two-hosts
WD=$T/wd
trap 'lclean -d "$lab" -w "$WD" >/dev/null 2>&1 || true; rm -rf "$T"' EXIT

lstart -d "$lab" -w "$WD" --headless -q >/dev/null
lx() { lexec -d "$lab" -w "$WD" "$@"; }
lx pc1 -- true # the first call starts the bridge; not counted

# Milliseconds of each of n runs of a command, one per line.
times_ms() {
	local n=$1 i s e
	shift
	for ((i = 0; i < n; i++)); do
		s=$(date +%s%N)
		"$@" >/dev/null
		e=$(date +%s%N)
		echo $(((e - s) / 1000))
	done
}
# "median p90 max" in ms of microsecond values on stdin.
summary() {
	sort -n | awk '{a[NR] = $1} END {
		printf "median %.1f ms  p90 %.1f ms  max %.1f ms  (n=%d)\n",
			a[int((NR + 1) / 2)] / 1000, a[int(NR * 0.9)] / 1000, a[NR] / 1000, NR }'
}

echo "lexec pc1 -- true, $CALLS sequential calls:"
times_ms "$CALLS" lx pc1 -- true | tee "$T/seq" | summary
echo "floor: the same binary failing fast before any I/O (lab load + arguments):"
times_ms "$CALLS" lexec -d "$lab" -w "$WD" pc1 2>/dev/null | summary || true

echo "10 concurrent callers (5 per host), 20 calls each:"
for c in $(seq 10); do
	times_ms 20 lx pc$((c % 2 + 1)) -- true >"$T/par.$c" &
done
wait
cat "$T"/par.* | summary

mb=4
head -c $((mb * 1000000)) /dev/urandom >"$T/blob"
s=$(date +%s%N)
lx pc1 -- sh -c 'cat >/dev/null' <"$T/blob"
e=$(date +%s%N)
echo "stdin into the guest: $mb MB in $(((e - s) / 1000000)) ms ($(echo "scale=2; $mb * 1000000000 / ($e - $s)" | bc) MB/s)"
s=$(date +%s%N)
lx pc1 -- head -c $((mb * 10000000)) /dev/zero >/dev/null
e=$(date +%s%N)
echo "stdout from the guest: $((mb * 10)) MB in $(((e - s) / 1000000)) ms ($(echo "scale=2; $mb * 10000000000 / ($e - $s)" | bc) MB/s)"
