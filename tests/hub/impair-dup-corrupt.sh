#!/bin/bash
# Duplication and corruption counts seen by the receiver equal the hub's
# counters; every frame arrives (once more when duplicated), and a corrupted
# frame differs from what was sent (its checksum fails). An mtu drops the
# frames over it, counted, and passes the others.
. "$(dirname "$0")/lib.sh"

start_hub --impair duplicate=10%,seed=3
transfer dup 100 1000 0
n=$(counter duplicated)
echo "duplicate=10%: hub $n, receiver $(measured dup dups)"
[ "$(measured dup dups)" = "$n" ] && [ "$n" -gt 50 ] || fail "dups $(measured dup dups), counter $n"
[ "$(measured dup received)" = 1000 ] || fail "received $(measured dup received)"
stop_hub

start_hub --impair corrupt=5%,seed=4
transfer cor 100 1000 0
n=$(counter corrupted)
echo "corrupt=5%: hub $n, receiver $(measured cor corrupt)"
[ "$(measured cor corrupt)" = "$n" ] && [ "$n" -gt 20 ] || fail "corrupt $(measured cor corrupt), counter $n"
[ $(($(measured cor received) + n)) = 1000 ] || fail "frames missing: $(cat $T/cor.out), $(stats)"
stop_hub

start_hub --impair mtu=500
client m -i 2 "vde:$D" ready measure 10 1000
client m_tx -i 1 "vde:$D" ready stamp 600 10 0 stamp 514 10 0 stamp 515 10 0 wait-stdin
finish m
finish m_tx
[ "$(measured m received)" = 10 ] || fail "mtu: received $(measured m received)"
# The 515-byte frames come after the last one the receiver waits for: the
# hub may still be reading them. Wait for the counter (bounded), no sleep.
for ((i = 0; i < 100; i++)); do
	[ "$(counter mtu_drops)" -ge 20 ] && break
	sleep 0.05
done
[ "$(counter mtu_drops)" = 20 ] || fail "mtu_drops $(counter mtu_drops)"
stop_hub
echo "ok: impair-dup-corrupt"
