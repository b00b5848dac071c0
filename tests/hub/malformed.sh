#!/bin/bash
# Malformed control requests (short, wrong magic, wrong version, unknown
# type, port out of range, oversize description, garbage addresses, an
# unreachable client socket) are each rejected by closing the stream without
# a reply; the hub keeps running and clients connected before them still
# exchange frames.
. "$(dirname "$0")/lib.sh"

start_hub
# r stays connected after its marker (wait-stdin): the hub may drop the last
# frame of a client that leaves at once, before it reads it.
client r -i 2 "vde:$D" ready recv-until-marker marker wait-stdin
client s -i 1 "vde:$D" ready wait-stdin send 60 3 marker recv-until-marker
kinds="short magic version type port descr family relative unterminated unreachable"
for k in $kinds; do
	out=$("$VDECLIENT" -t 10 badreq "$k" "$D/ctl") || fail "$k: $out"
done
release s
finish s
finish r
[ "$(grep -c '^frame 60 1 .* ok$' "$T/r.out")" = 3 ] || fail "receiver: $(cat "$T/r.out")"
[ "$(cat "$T/s.out")" = marker ] || fail "sender: $(cat "$T/s.out")"
s=$(stats)
echo "$s" | jq -e '.totals.requests_rejected == 10 and .totals.clients_total == 2' >/dev/null ||
	fail "counters: $s"
stop_hub
echo "ok: malformed requests"
