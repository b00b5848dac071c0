#!/bin/bash
# tests/integration/impair_delay.sh: a lab.yaml domain with delay: 50ms
# delays real guests' frames: the median ping RTT between two UML guests is
# at least 100 ms (the delay, once each way) above the RTT on the same
# domain with the delay removed through the running hub's mgmt socket
# (hub --command 'impair domain none'), measured in the same boot.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need_image
lab=$T/lab
cp -r "$SRC/labs-examples/two-hosts" "$lab"
cat >>"$lab/lab.yaml" <<'YAML'

domains:
  A: { delay: 50ms }
YAML
use_lab "$lab"
hub=${UMLAB_HUB:-$BIN/../hub/hub}

# median_rtt: median of 15 pings from pc1 to pc2, in whole ms.
median_rtt() {
	lexec -d "$lab" -w "$WD" pc1 -- ping -c 15 -i 0.2 -W 3 10.0.0.2 >"$T/ping" ||
		fail "ping: $(cat "$T/ping")"
	sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' "$T/ping" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; printf "%d\n", v[int((NR + 1) / 2)] }'
}

lstart -d "$lab" -w "$WD" --headless --timeout 240 -q >/dev/null || fail "lstart"
dir=$(rundir_of "$lab")/hub/A
"$hub" --command impair "$dir" | grep -q '"domain":"delay=50ms"' || fail "hub has no delay"
lexec -d "$lab" -w "$WD" pc1 -- ping -c 1 -W 5 10.0.0.2 >/dev/null || true # ARP
slow=$(median_rtt) || fail "no RTT with delay"
"$hub" --command 'impair domain none' "$dir" >/dev/null || fail "impair domain none"
fast=$(median_rtt) || fail "no RTT without delay"
echo "median RTT: ${slow} ms with delay: 50ms, ${fast} ms without"
[ $((slow - fast)) -ge 99 ] || fail "delay added only $((slow - fast)) ms to the RTT"
[ $((slow - fast)) -le 300 ] || fail "delay added $((slow - fast)) ms to the RTT"
lhalt -d "$lab" -w "$WD" -q >/dev/null 2>&1 || true
echo "ok: impair_delay"
