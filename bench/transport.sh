#!/usr/bin/env bash
# bench/transport.sh: UML's legacy vde transport against the vector driver's
# bess transport into the same hub (a benchmark, not a test).
#
#   bench/transport.sh [BINDIR]      BINDIR holds lstart etc. (default build/cmd)
#   REPS=3 SECS=5 bench/transport.sh
#
# Boots labs-examples/two-hosts once per transport and round (alternating,
# so that other load on the machine hits both alike) and measures: iperf3
# TCP throughput pc1 -> pc2 (and retransmits), the median of 50 ping RTTs,
# and the lab's time to ready. Prints the medians over the rounds and the
# vector/vde ratios.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build/cmd}
reps=${REPS:-3}
secs=${SECS:-5}
export PATH=$bin:$PATH
tmp=$(mktemp -d /tmp/transportbench.XXXXXX)
export UMLAB_RUNDIR=$tmp/run
lab=$tmp/lab
cp -r "$here/labs-examples/two-hosts" "$lab"
cleanup() {
	lclean -d "$lab" -w "$tmp/wd" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
L=(-d "$lab" -w "$tmp/wd")

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "nan") }'; }

for ((r = 1; r <= reps; r++)); do
	for t in vde vector; do
		t0=$(date +%s.%N)
		UMLAB_TRANSPORT=$t lstart "${L[@]}" --headless -q >/dev/null
		t1=$(date +%s.%N)
		echo "$t boot $(echo "$t1 - $t0" | bc)" >>"$tmp/raw"
		lexec "${L[@]}" pc2 -- sh -c 'iperf3 -s -D -1 >/dev/null 2>&1'
		sleep 0.3
		lexec "${L[@]}" pc1 -- iperf3 -J -c 10.0.0.2 -t "$secs" >"$tmp/iperf.json"
		jq -r --arg t "$t" '"\($t) gbit \(.end.sum_received.bits_per_second / 1e9)",
			"\($t) retrans \(.end.sum_sent.retransmits)"' "$tmp/iperf.json" >>"$tmp/raw"
		lexec "${L[@]}" pc1 -- ping -c 50 -i 0.02 10.0.0.2 |
			sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | median |
			sed "s/^/$t rtt_ms /" >>"$tmp/raw"
		lcrash "${L[@]}" >/dev/null
	done
done
printf '%-10s %10s %10s %10s %10s\n' metric vde vector ratio rounds
for m in gbit retrans rtt_ms boot; do
	a=$(awk -v m=$m '$1 == "vde" && $2 == m { print $3 }' "$tmp/raw" | median)
	b=$(awk -v m=$m '$1 == "vector" && $2 == m { print $3 }' "$tmp/raw" | median)
	ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a + 0 > 0) printf "%.2f", b / a; else print "-" }')
	printf '%-10s %10s %10s %10s %10s\n' "$m" "$a" "$b" "$ratio" "$reps"
done
