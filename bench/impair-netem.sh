#!/bin/bash
# bench/impair-netem.sh: the hub's delay against netem inside a guest, the
# accuracy reference (a benchmark, not a test).
#
# usage: bench/impair-netem.sh [BIN]   BIN: directory holding lstart, lexec...
#        (default: build/cmd); PINGS=500 REPS=3 in the environment
#
# Starts labs-examples/two-hosts in a private runtime dir and hostwd and
# measures pc1's ping RTT to pc2 (PINGS pings at 20 ms, per run) three ways,
# alternating, REPS times:
#   base   no impairment;
#   netem  `tc qdisc add dev eth0 root netem delay 50ms` in pc1: its
#          requests wait in pc1's kernel;
#   hub    `impair port N delay=50ms` on domain A's hub, N = pc2's port: the
#          same requests wait in the hub instead.
# Prints the median, p99 and max RTT of each, and the median minus the base's
# median (the delay as the guests see it; ideal: 50 ms). ping prints RTTs
# over 10 ms to 0.1 ms.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
BIN=${1:-$src/build/cmd}
PINGS=${PINGS:-500}
REPS=${REPS:-3}
export PATH="$BIN:$PATH"
export UMLAB_GUEST_LAUNCH=${UMLAB_GUEST_LAUNCH:-$src/share/guest-launch}
[ -n "${UMLAB_HUB:-}" ] || { [ -x "$BIN/../hub/hub" ] && export UMLAB_HUB="$BIN/../hub/hub"; }
hub=${UMLAB_HUB:-$(command -v hub)}
T=$(mktemp -d /tmp/umlab-bench-netem.XXXXXX)
export UMLAB_RUNDIR=$T/run
lab=$src/labs-examples/two-hosts
WD=$T/wd
trap 'lclean -d "$lab" -w "$WD" >/dev/null 2>&1 || true; rm -rf "$T"' EXIT

lstart -d "$lab" -w "$WD" --headless -q >/dev/null
lx() { lexec -d "$lab" -w "$WD" -n "$@"; }
dir=$(lstatus -d "$lab" -w "$WD" --json | jq -r .rundir)/hub/A

# pc2's hub port: the port whose client process descends from pc2's.
top=$(lstatus -d "$lab" -w "$WD" --json | jq -r '.hosts[] | select(.name == "pc2") | .pid')
pc2=
while read -r p pid; do
	while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
		[ "$pid" = "$top" ] && { pc2=$p; break 2; }
		pid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
	done
done < <("$hub" --stats "$dir" | jq -r '.ports[] | "\(.port) \(.pid)"')
[ -n "$pc2" ] || { echo "bench/impair-netem.sh: no hub port of pc2" >&2; exit 1; }
lx pc1 -- modprobe sch_netem
lx pc1 -- ping -c 3 -W 5 10.0.0.2 >/dev/null # ARP, warm caches

# rtts NAME: PINGS RTTs (ms) appended to $T/NAME.
rtts() {
	lx pc1 -- ping -q -c 1 -W 5 10.0.0.2 >/dev/null || true
	lx pc1 -- ping -c "$PINGS" -i 0.02 -W 3 10.0.0.2 | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' >>"$T/$1"
}
for _ in $(seq "$REPS"); do
	rtts base
	lx pc1 -- tc qdisc add dev eth0 root netem delay 50ms
	rtts netem
	lx pc1 -- tc qdisc del dev eth0 root
	"$hub" --command "impair port $pc2 delay=50ms" "$dir" >/dev/null
	rtts hub
	"$hub" --command "impair port $pc2 none" "$dir" >/dev/null
done

echo "ping RTT pc1 -> pc2, $REPS x $PINGS pings at 20 ms each, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %8s %8s %8s %8s %12s\n' "one-way delay" "pings" "median" "p99" "max" "added (ms)"
for n in base netem hub; do
	sort -n "$T/$n" >"$T/$n.s"
	read -r cnt med p99 max < <(awk '{ v[NR] = $1 } END {
		printf "%d %.3f %.3f %.3f\n", NR, v[int((NR + 1) / 2)], v[int(NR * 0.99)], v[NR] }' "$T/$n.s")
	[ "$n" = base ] && bmed=$med
	case $n in
	base) what="none" ;;
	netem) what="netem delay 50ms in pc1" ;;
	hub) what="hub: impair port $pc2 delay=50ms" ;;
	esac
	printf '%-34s %8s %8s %8s %8s %12s\n' "$what" "$cnt" "$med" "$p99" "$max" \
		"$(awk -v a="$med" -v b="$bmed" 'BEGIN { printf "%.3f", a - b }')"
done
lhalt -d "$lab" -w "$WD" -q >/dev/null 2>&1 || true
