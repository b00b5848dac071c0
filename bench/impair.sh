#!/usr/bin/env bash
# bench/impair.sh: what impairments cost the hub, and how exact its delay is
# (a benchmark, not a test).
#
#   bench/impair.sh          uses $UMLAB_HUB, else build/hub/hub, else hub on PATH
#   FRAMES=200000 REPS=3 SECONDS_PER_LOAD=2 bench/impair.sh
#
# 1. Throughput: one hub, one sender and one receiver (bench/hubload.c,
#    64-byte frames), the same workload with the domain unimpaired, with
#    delay=1ms, and with a rate far above what the hub forwards
#    (rate=100gbit, queue=100000: every frame goes through the bottleneck's
#    timed queue but none is dropped).  The impairment is changed on the
#    running hub between runs, and runs alternate, so that other load on the
#    machine hits all three alike.  Prints frames/s, the ratio to the
#    unimpaired hub (the target is >= 0.90), and the hub's CPU time
#    (user+system, /proc/PID/stat) per million delivered frames.
# 2. Delay jitter: bench/hublat.c offers 1 k, 10 k and 100 k frames/s
#    (64 bytes, paced, each stamped with its send time) through the hub with
#    no impairment, delay=1ms and delay=10ms, and prints the lateness of
#    each frame beyond the configured delay (for "none": the hub's own
#    forwarding latency), p50, p99 and max, in microseconds.  The hub's
#    timers have millisecond resolution: a frame is never early and late by
#    under a millisecond plus scheduling (share/doc/hub-control.md).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
hub=${UMLAB_HUB:-$here/build/hub/hub}
[ -x "$hub" ] || hub=$(command -v hub) || { echo "bench/impair.sh: no hub binary" >&2; exit 1; }
frames=${FRAMES:-200000}
reps=${REPS:-3}
secs=${SECONDS_PER_LOAD:-2}

tmp=$(mktemp -d /tmp/impairbench.XXXXXX)
hubpid=
cleanup() {
	[ -z "$hubpid" ] || kill "$hubpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
cc -O2 -o "$tmp/hubload" "$here/bench/hubload.c" -lvdeplug -lpthread
cc -O2 -o "$tmp/hublat" "$here/bench/hublat.c" -lvdeplug -lpthread
"$hub" -d --pidfile "$tmp/hub.pid" "$tmp/h"
hubpid=$(cat "$tmp/hub.pid")
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$hubpid/stat"; }

names=(none delay rate)
specs=(none delay=1ms rate=100gbit,queue=100000)
declare -A d s l c
for n in "${names[@]}"; do d[$n]=0 s[$n]=0 l[$n]=0 c[$n]=0; done
for _ in $(seq "$reps"); do
	for i in 0 1 2; do
		"$hub" --command "impair domain ${specs[$i]}" "$tmp/h" >/dev/null
		t0=$(ticks)
		set -- $("$tmp/hubload" "vde://$tmp/h" 1 "$frames" 64)
		t1=$(ticks)
		n=${names[$i]}
		d[$n]=$((d[$n] + $6)) l[$n]=$((l[$n] + $8)) c[$n]=$((c[$n] + t1 - t0))
		s[$n]=$(awk -v a="${s[$n]}" -v b="${10}" 'BEGIN { print a + b }')
	done
done

echo "1. throughput, $reps x $frames frames per impairment, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %12s %8s %10s %14s\n' "64-byte frames, 1 -> 1" "frames/s" "ratio" "lost" "CPU ms/Mframe"
for i in 0 1 2; do
	n=${names[$i]}
	rate=$(awk -v d="${d[$n]}" -v s="${s[$n]}" 'BEGIN { printf "%.0f", d / s }')
	[ "$n" = none ] && base=$rate
	printf '%-34s %12s %8s %10s %14s\n' "${specs[$i]}" "$rate" \
		"$(awk -v a="$rate" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" "${l[$n]}" \
		"$(awk -v c="${c[$n]}" -v d="${d[$n]}" -v hz="$hz" 'BEGIN { printf "%.0f", c * 1000 / hz / d * 1e6 }')"
done
"$hub" --stats "$tmp/h" | jq -c '.totals | {delayed, limit_drops, rate_drops}' 2>/dev/null || true

echo
echo "2. lateness beyond the configured delay (us), ${secs} s per load, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s %10s %14s %10s %10s %10s\n' "impairment" "frames/s" "received" "p50" "p99" "max"
for spec in none delay=1ms delay=10ms; do
	"$hub" --command "impair domain $spec" "$tmp/h" >/dev/null
	us=0
	case $spec in delay=*ms) us=$((${spec//[!0-9]/} * 1000)) ;; esac
	for load in 1000 10000 100000; do
		set -- $("$tmp/hublat" "vde://$tmp/h" "$load" "$secs" 64 "$us")
		printf '%-12s %10s %14s %10s %10s %10s\n' "$spec" "$load" "$4/$2" "$6" "$8" "${10}"
	done
done
