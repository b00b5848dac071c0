#!/bin/bash
# Hub semantics with real clients: a libvdeplug client's frames of 14, 60,
# 1514 and 9000 bytes reach every other client intact (another libvdeplug
# client, vde_plug in stream mode, a client speaking UML's eth=daemon
# protocol) and never come back to the sender; a 10-byte runt is dropped and
# counted; frames over 1518 are counted.
. "$(dirname "$0")/lib.sh"

start_hub
events_start
# b stays connected after its marker (wait-stdin); a client that leaves at
# once after its last frame is last-frame.sh's case.
client b -i 2 -D recv-b "vde:$D" ready recv-until-marker marker wait-stdin
client_nowait c -i 3 -D plug-c "plug:$D" recv-until-marker
event_wait "join * plug-c *"
client d -i 4 "daemon:$D/ctl" ready recv-until-marker
# a's own marker ends b, c and d; b's marker, sent only after b has seen all
# of a's frames, ends a: anything a got back from the hub arrives before it.
client a -i 1 -D sender "vde:$D" ready send 10 send 14 send 60 send 1514 send 9000 marker \
	recv-until-marker
for n in a b c d; do finish $n; done

want='frame 14 1 0 ok
frame 60 1 2 ok
frame 1514 1 3 ok
frame 9000 1 4 ok
marker'
for n in b c d; do
	[ "$(cat "$T/$n.out")" = "$want" ] || { cat "$T/$n.out"; fail "$n did not get exactly a's frames"; }
done
[ "$(cat "$T/a.out")" = marker ] || { cat "$T/a.out"; fail "the sender got frames back"; }

s=$(stats)
echo "$s" | jq -e '.totals | .frames_in == 6 and .runts == 1 and .jumbo == 1 and
	.oversize == 0 and .requests_rejected == 0 and .clients_total == 4' >/dev/null ||
	fail "counters: $s"
stop_hub
echo "ok: delivery"
