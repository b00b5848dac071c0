#!/bin/bash
# The hub's DIR/bess, where UML's vector driver plugs in (transport=bess):
# a client that binds DIR/bess.7 gets port 7 (the hub removes that file),
# a second client asking for a taken port is refused, one that binds
# nothing gets a free port; frames pass from a libvdeplug client to a bess
# client and between bess clients; closing the connection is leaving.
. "$(dirname "$0")/lib.sh"
BESS=(python3 "$(dirname "$0")/bess.py")

start_hub
events_start
"${BESS[@]}" "$D" "$D/bess.7" recv 3 >"$T/b7.out" 2>&1 &
b7=$!
PIDS+=($b7)
event_wait "join 7 UML vector bess bess.7"
[ -e "$D/bess.7" ] && fail "the hub left the client's socket file $D/bess.7"
"${BESS[@]}" "$D" "$D/bess.7" >/dev/null 2>&1
[ "$(stats | jq '.totals.requests_rejected')" = 1 ] || fail "a second client got port 7: $(stats)"
"$VDECLIENT" -t 10 -i 9 "vde:$D" ready send 60 send 60 send 60 >/dev/null 2>&1 || fail "vde sender"
wait "$b7" || fail "bess client: $(cat "$T/b7.out")"
[ "$(grep -c '^frame 60 ' "$T/b7.out")" = 3 ] || fail "bess client got: $(cat "$T/b7.out")"
event_wait "leave 7 *"

"${BESS[@]}" "$D" "$D/bess.8" recv 2 >"$T/b8.out" 2>&1 &
b8=$!
PIDS+=($b8)
event_wait "join 8 *"
"${BESS[@]}" "$D" - send 2 >"$T/anon.out" 2>&1 || fail "anonymous client: $(cat "$T/anon.out")"
event_wait "join * UML vector bess"
wait "$b8" || fail "bess receiver: $(cat "$T/b8.out")"
[ "$(cat "$T/b8.out")" = "connected
frame 60 0
frame 60 1" ] || fail "bess receiver got: $(cat "$T/b8.out")"
s=$(stats)
echo "$s" | jq -e '.totals.frames_in == 5 and .totals.clients_total == 4' >/dev/null ||
	fail "counters: $s"
stop_hub
echo "ok: bess"
