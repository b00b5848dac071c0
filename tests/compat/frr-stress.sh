#!/bin/bash
# tests/compat/frr-stress.sh [ROUNDS]: FRR under load, not in CI. Each round
# starts labs-examples/ospf-frr and labs-examples/rip-frr at the same time
# (two labs booting at once on this machine's cores), waits until a ping
# crosses every router of both (bounded: 60 tries, 2 s apart), looks in the
# startup logs for a daemon that did not come up, then cleans both. Prints
# one line per round and "N of ROUNDS rounds converged".
#   BIN=DIR     the commands (default: build/cmd of this checkout, else PATH)
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-10}
BIN=${BIN:-$here/build/cmd}
[ -x "$BIN/lstart" ] || BIN=$(dirname "$(command -v lstart)")
T=$(mktemp -d /tmp/frr-stress.XXXXXX)
export UMLAB_RUNDIR=$T/run
mkdir -m 0700 "$UMLAB_RUNDIR"
ospf=$here/labs-examples/ospf-frr rip=$here/labs-examples/rip-frr
cleanup() {
	"$BIN/lclean" -d "$ospf" -w "$T/w1" >/dev/null 2>&1
	"$BIN/lclean" -d "$rip" -w "$T/w2" >/dev/null 2>&1
}
trap 'cleanup; rm -rf "$T"' EXIT

ok=0
for ((r = 1; r <= rounds; r++)); do
	"$BIN/lstart" -d "$ospf" -w "$T/w1" --headless -q >/dev/null 2>&1 &
	"$BIN/lstart" -d "$rip" -w "$T/w2" --headless -q >/dev/null 2>&1 &
	wait
	conv=0
	for ((t = 1; t <= 60; t++)); do
		a=$("$BIN/lexec" -d "$ospf" -w "$T/w1" pc1 -- ping -c1 -W1 10.2.3.10 2>&1)
		b=$("$BIN/lexec" -d "$rip" -w "$T/w2" pc1 -- ping -c1 -W1 10.1.3.10 2>&1)
		if [[ $a == *" 1 received"* && $b == *" 1 received"* ]]; then
			conv=1
			break
		fi
		sleep 2
	done
	bad=$(grep -l 'did not come up\|failed to start' "$T"/w*/*/*.startup.log 2>/dev/null | wc -l)
	echo "round $r: converged=$conv after $t tries; startup logs with a daemon down: $bad"
	[ $conv = 1 ] && [ "$bad" = 0 ] && ok=$((ok + 1))
	cleanup
done
echo "$ok of $rounds rounds converged"
[ "$ok" = "$rounds" ]
