#!/bin/bash
# tests/integration/impair_oneway_delay.sh: a delay on one direction only is
# accurate as seen from inside the guests. With `impair port N delay=50ms`
# on pc2's port, only the echo requests wait, so the median RTT of pc1's
# pings grows by 50 ms plus the hub's lateness: its timers have millisecond
# resolution and a frame is never early (hub-control.md, "Impairments").
# Bounds: 50 ms <= delayed median - undelayed median <= 52 ms, both medians
# of 30 pings at 0.2 s measured in the same boot, undelayed first and last.
# (The difference of medians, not each ping: the guests' own RTT noise is
# up to a few ms on a busy machine; measured 50.3-50.4 ms on the 2-core
# development VM.)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/impair_lib.sh"
need_image
boot_two_hosts

# median_us: the median RTT of 30 pings from pc1 to pc2, in microseconds.
median_us() {
	lx pc1 -- ping -c 30 -i 0.2 -W 3 10.0.0.2 >"$T/ping" || fail "ping: $(cat "$T/ping")"
	sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' "$T/ping" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR < 25) exit 1; printf "%d\n", v[int((NR + 1) / 2)] * 1000 }' ||
		fail "too few replies: $(cat "$T/ping")"
}

lx pc1 -- ping -c 1 -W 5 10.0.0.2 >/dev/null || true # ARP
base1=$(median_us)
impair_port "$PC2" delay=50ms
"$hub" --stats "$HUBDIR" | jq -e --argjson p "$PC2" '.ports[] | select(.port == $p) | .impair == "delay=50ms"' >/dev/null ||
	fail "pc2's port has no delay: $("$hub" --stats "$HUBDIR")"
slow=$(median_us)
[ "$(counter "$PC2" delayed)" -ge 30 ] || fail "the hub delayed $(counter "$PC2" delayed) frames"
[ "$(counter "$PC1" delayed)" = 0 ] || fail "frames towards pc1 were delayed too"
impair_port "$PC2" none
base2=$(median_us)
base=$(((base1 + base2) / 2))
added=$((slow - base))
echo "median RTT: ${base1} us and ${base2} us undelayed, ${slow} us with delay=50ms on pc2's port: +${added} us"
[ "$added" -ge 50000 ] || fail "the delay added only $added us (expected 50000 to 52000)"
[ "$added" -le 52000 ] || fail "the delay added $added us (expected 50000 to 52000)"
halt_lab
echo "ok: impair_oneway_delay"
