#!/bin/bash
# Port requests: vde://DIR[5] gets port 5 and a second request for it is
# refused; free ports are handed out lowest first; vde://DIR[0] gets the
# management port 0, which is never flooded to.
. "$(dirname "$0")/lib.sh"

start_hub
client five -i 5 -D five "vde:vde://$D[5]" ready wait-stdin
client zero -i 9 -D zero "vde:vde://$D[0]" ready wait-stdin
"$VDECLIENT" -t 10 "vde:vde://$D[5]" ready >/dev/null 2>&1 && fail "port 5 given twice"
client r -i 2 -D recv "vde:$D" ready recv-until-marker wait-stdin
client s -i 1 -D send "vde:$D" ready send 60 3 marker wait-stdin
wait_line r marker

s=$(stats)
echo "$s" | jq -e '[.ports[] | [.port, (.descr | split(" ")[0]), .transport]] ==
	[[0, "zero", "vde"], [1, "recv", "vde"], [2, "send", "vde"], [5, "five", "vde"]]' \
	>/dev/null || fail "ports: $s"
[ "$(grep -c '^frame 60 1 .* ok$' "$T/r.out")" = 3 ] || fail "receiver: $(cat "$T/r.out")"
s=$(stats)
echo "$s" | jq -e '(.ports[] | select(.port == 0) | .frames_out == 0) and
	(.ports[] | select(.port == 5) | .frames_out == 4) and
	.totals.requests_rejected == 1' >/dev/null || fail "port 0 was flooded to, or counts: $s"
for n in r s five zero; do finish $n; done
stop_hub
echo "ok: explicit ports"
