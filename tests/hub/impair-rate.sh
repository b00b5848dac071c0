#!/bin/bash
# A 10 Mbit/s rate is a bottleneck: a sender offering 20 Mbit/s (1000-byte
# frames every 400us) gets 10 Mbit/s +-10% through, measured from first to
# last frame at the receiver; what overflows the 1000-frame queue is dropped
# and counted (rate_drops + received = sent).  The offer is twice the rate
# and the queue holds 0.8 s so that the link stays busy even when this
# shared machine deschedules the sender or the hub for a while.
. "$(dirname "$0")/lib.sh"

start_hub --impair rate=10mbit,queue=1000,seed=1
transfer a 1000 2500 400
r=$(measured a received) by=$(measured a bytes) us=$(measured a span_us)
kbit=$(((by - 1000) * 8 * 1000 / us))
echo "rate=10mbit: $r of 2500 frames, ${kbit} kbit/s"
[ "$kbit" -ge 9000 ] && [ "$kbit" -le 11000 ] || fail "throughput ${kbit} kbit/s"
d=$(counter rate_drops)
[ "$d" -gt 0 ] || fail "no rate drops while offering 12.5 Mbit/s"
[ $((d + r)) = 2500 ] || fail "rate_drops $d + received $r != 2500"
stop_hub
echo "ok: impair-rate"
