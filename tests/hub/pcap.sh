#!/bin/bash
# Capture: --pcap writes every frame from the first one, readable by
# tcpdump -r with the right count and sizes; hub --capture -c N streams N
# frames live as pcap that tcpdump -r - reads.
. "$(dirname "$0")/lib.sh"

start_hub --pcap "$T/all.pcap"
# b stays connected after its marker (wait-stdin): the hub may drop the last
# frame of a client that leaves at once, before it reads it.
client b -i 2 "vde:$D" ready recv-until-marker marker wait-stdin

# The live stream's 24-byte pcap header proves the capture is registered.
mkfifo "$T/cap.fifo"
noinherit "$HUB" --capture "$D" -c 5 </dev/null >"$T/cap.fifo" &
cap_pid=$!
PIDS+=($cap_pid)
exec {cap}<"$T/cap.fifo"
head -c 24 <&$cap >"$T/live.pcap"
[ "$(stat -c %s "$T/live.pcap")" = 24 ] || fail "no pcap header from --capture"

client a -i 1 "vde:$D" ready send 100 10 marker recv-until-marker
finish a
finish b
cat <&$cap >>"$T/live.pcap"
wait $cap_pid || fail "hub --capture failed"
# tcpdump prints one line per frame, starting with its time, then hex lines.
frames() { grep -c '^[0-9][0-9]:[0-9][0-9]:'; }
n=$(tcpdump -r - -n <"$T/live.pcap" 2>/dev/null | frames)
[ "$n" = 5 ] || fail "live capture has $n frames, want 5"

stop_hub
n=$(tcpdump -r "$T/all.pcap" -n -e 2>/dev/null | grep -c 'length 100:')
[ "$n" = 10 ] || fail "pcap has $n 100-byte frames, want 10"
n=$(tcpdump -r "$T/all.pcap" -n 2>/dev/null | frames)
[ "$n" = 12 ] || fail "pcap has $n frames, want 12 (10 + two markers)"
echo "ok: pcap"
