#!/bin/bash
# Frames a client sends just before it disconnects are delivered: the hub
# reads what is left on the port's socket before closing the port (its ctl
# stream's end may be seen first). Each round a fresh sender sends two
# frames and a marker and exits at once, for every transport that leaves
# by closing its ctl stream; the receiver must get all three.
. "$(dirname "$0")/lib.sh"

start_hub
events_start
rounds=${ROUNDS:-20}
for ((i = 1; i <= rounds; i++)); do
	for tr in vde daemon; do
		if [ $tr = vde ]; then addr="vde:$D"; else addr="daemon:$D/ctl"; fi
		client r -i 2 -t 5 -D recv "vde:$D" ready recv-until-marker
		client s -i 1 -D "sender-$tr" "$addr" ready send 60 2 marker
		finish s
		finish r
		want='frame 60 1 0 ok
frame 60 1 1 ok
marker'
		[ "$(cat "$T/r.out")" = "$want" ] ||
			fail "round $i ($tr): the receiver got '$(cat "$T/r.out")', not the sender's last frames"
		rm -f "$T/r.out" "$T/s.out" "$T"/[rs].fifo "$T"/[rs].in
		event_wait "leave * recv *"
	done
done
s=$(stats)
echo "$s" | jq -e '.clients == 0 and .totals.drops == 0' >/dev/null || fail "counters: $s"
stop_hub
echo "ok: last frames of $rounds senders per transport delivered"
