#!/bin/bash
# Delay is added on top of what the hub costs anyway: the median one-way
# latency of 200 frames rises by at least the delay over an undelayed run
# made just before on the same hub (and not absurdly more: this machine is
# slow and shared, so the upper bound is generous). Jitter spreads the
# latencies; reorder sends some frames ahead of their elders; the delay is
# changed on the running hub through its mgmt socket.
. "$(dirname "$0")/lib.sh"

start_hub
transfer base 100 200 2000
b=$(measured base median_us)
"$HUB" --command 'impair domain delay=50ms,seed=1' "$D" >/dev/null || fail "impair command"
transfer slow 100 200 2000
s=$(measured slow median_us)
echo "median one-way latency: ${b}us undelayed, ${s}us with delay=50ms"
[ $((s - b)) -ge 50000 ] || fail "delay added only $((s - b))us"
[ $((s - b)) -le 150000 ] || fail "delay added $((s - b))us, far beyond 50ms"
[ "$(measured slow reordered)" = 0 ] || fail "plain delay reordered frames"
[ "$(counter delayed)" = 200 ] || fail "delayed counter $(counter delayed)"

"$HUB" --command 'impair domain delay=50ms,jitter=10ms,seed=2' "$D" >/dev/null || fail "jitter"
transfer jit 100 200 2000
p10=$(measured jit p10_us) p90=$(measured jit p90_us)
echo "jitter=10ms: p10 ${p10}us, p90 ${p90}us"
[ $((p90 - p10)) -ge 4000 ] || fail "jitter spread only $((p90 - p10))us"
[ "$(measured jit reordered)" = 0 ] || fail "jitter reordered frames"

"$HUB" --command 'impair domain delay=20ms,jitter=5ms,distribution=normal,reorder=25%,seed=3' "$D" \
	>/dev/null || fail "reorder"
transfer ro 100 400 1000
r=$(counter reordered) o=$(measured ro reordered)
echo "reorder=25% of 400: hub sent $r ahead, receiver saw $o out of order"
[ "$r" -ge 60 ] && [ "$r" -le 140 ] || fail "reordered $r of 400"
[ "$o" -gt 0 ] || fail "nothing arrived out of order"
stop_hub
echo "ok: impair-delay"
