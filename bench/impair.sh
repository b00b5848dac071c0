#!/usr/bin/env bash
# bench/impair.sh: what impairments cost the hub (a benchmark, not a test).
#
#   bench/impair.sh          uses $UMLAB_HUB, else build/hub/hub, else hub on PATH
#   FRAMES=200000 REPS=3 bench/impair.sh
#
# One hub, one sender and one receiver (bench/hubload.c, 64-byte frames), and
# the same workload with the domain unimpaired, with delay=1ms, and with a
# rate far above what the hub forwards (rate=100gbit, queue=100000: every
# frame goes through the bottleneck's timed queue but none is dropped).  The
# impairment is changed on the running hub between runs, and runs alternate,
# so that other load on the machine hits all three alike.  Prints frames/s
# and the ratio to the unimpaired hub (the target is >= 0.90).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
hub=${UMLAB_HUB:-$here/build/hub/hub}
[ -x "$hub" ] || hub=$(command -v hub) || { echo "bench/impair.sh: no hub binary" >&2; exit 1; }
frames=${FRAMES:-200000}
reps=${REPS:-3}

tmp=$(mktemp -d /tmp/impairbench.XXXXXX)
hubpid=
cleanup() {
	[ -z "$hubpid" ] || kill "$hubpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
cc -O2 -o "$tmp/hubload" "$here/bench/hubload.c" -lvdeplug -lpthread
"$hub" -d --pidfile "$tmp/hub.pid" "$tmp/h"
hubpid=$(cat "$tmp/hub.pid")

names=(none delay rate)
specs=(none delay=1ms rate=100gbit,queue=100000)
declare -A d s l
for n in "${names[@]}"; do d[$n]=0 s[$n]=0 l[$n]=0; done
for _ in $(seq "$reps"); do
	for i in 0 1 2; do
		"$hub" --command "impair domain ${specs[$i]}" "$tmp/h" >/dev/null
		set -- $("$tmp/hubload" "vde://$tmp/h" 1 "$frames" 64)
		n=${names[$i]}
		d[$n]=$((d[$n] + $6)) l[$n]=$((l[$n] + $8))
		s[$n]=$(awk -v a="${s[$n]}" -v b="${10}" 'BEGIN { print a + b }')
	done
done

printf '%-34s %12s %8s %10s\n' "64-byte frames, 1 -> 1" "frames/s" "ratio" "lost"
for i in 0 1 2; do
	n=${names[$i]}
	rate=$(awk -v d="${d[$n]}" -v s="${s[$n]}" 'BEGIN { printf "%.0f", d / s }')
	[ "$n" = none ] && base=$rate
	printf '%-34s %12s %8s %10s\n' "${specs[$i]}" "$rate" \
		"$(awk -v a="$rate" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" "${l[$n]}"
done
"$hub" --stats "$tmp/h" | jq -c '.totals | {delayed, limit_drops, rate_drops}' 2>/dev/null || true
