#!/bin/bash
# tests/integration/impair_loss.sh: loss=10% on pc2's port only (the echo
# requests), 2000 pings from pc1, one every 2 ms: each lost frame is one
# lost ping. (Not a flood ping: on a fast kernel it sends faster than ping
# reads its replies, and replies overflow its socket, lost where no counter
# of the hub's can see them.)
# - The hub's `lost` counter for pc2's port equals the pings lost, exactly:
#   quiet_domain leaves the pings as the only frames towards pc2, which the
#   test checks (pc1 sent exactly 2000 frames, hub frames_in).
# - The count is binomial, n = 2000, p = 0.1: mean 200, standard deviation
#   13.4; the test accepts 4.5 deviations either side, 140 to 260 (a false
#   failure about once in 150000 runs; no seed, so each run draws anew).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/impair_lib.sh"
quiet_two_hosts

n=2000
impair_port "$PC2" loss=10%
in0=$(counter "$PC1" frames_in)
lost0=$(counter "$PC2" lost)
lx pc1 -- ping -q -i 0.002 -c "$n" -W 1 10.0.0.2 >"$T/ping" || true # exits 1 when replies are missing
in1=$(counter "$PC1" frames_in)
lost1=$(counter "$PC2" lost)
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T/ping")
[ -n "$got" ] || fail "no ping summary: $(cat "$T/ping")"
sent=$((in1 - in0)) hub_lost=$((lost1 - lost0)) ping_lost=$((n - got))
echo "loss=10%: $ping_lost of $n pings lost, hub lost $hub_lost of $sent frames towards pc2"
[ "$sent" = "$n" ] || fail "pc1 sent $sent frames, not the $n pings: other traffic on the domain"
[ "$ping_lost" = "$hub_lost" ] || fail "pings lost $ping_lost, hub counted $hub_lost"
[ "$ping_lost" -ge 140 ] && [ "$ping_lost" -le 260 ] ||
	fail "$ping_lost lost of $n is outside 140..260 (binomial 200 +- 4.5 sd)"
[ "$(counter "$PC1" lost)" = 0 ] || fail "frames towards pc1 were lost too"
halt_lab
echo "ok: impair_loss"
