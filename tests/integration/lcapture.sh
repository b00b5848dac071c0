#!/bin/bash
# tests/integration/lcapture.sh: lcapture on a running two-host lab sees a
# counted ping between the hosts: the pcap stream, read back by tcpdump,
# holds exactly its echo requests and replies. The capture is known to be
# live when its pcap header arrives (read through a fifo); it ends by its own
# frame count (-c), driven by a second, plain ping.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lab=$SRC/labs-examples/two-hosts
use_lab "$lab"
need_image
command -v tcpdump >/dev/null || { echo "SKIP: no tcpdump" >&2; exit 77; }

lstart -d "$lab" -w "$WD" --headless --timeout 240 -q >/dev/null || fail "lstart"
lx pc1 -- ping -c 1 -W 5 10.0.0.2 >/dev/null || fail "pc1 cannot ping pc2"

# Errors first: unknown domain, terminal refused is not testable here.
rc=0
lcapture -d "$lab" --hostwd "$WD" NOPE -w "$T/x.pcap" 2>"$T/err" || rc=$?
[ "$rc" != 0 ] && grep -q "no collision domain 'NOPE'" "$T/err" || fail "unknown domain: $(cat "$T/err")"

mkfifo "$T/cap"
lcapture -d "$lab" --hostwd "$WD" A -c 30 >"$T/cap" &
cpid=$!
exec 3<"$T/cap"
head -c 24 <&3 >"$T/a.pcap" # the pcap header: the capture is live
[ "$(stat -c %s "$T/a.pcap")" = 24 ] || fail "no pcap header"
lx pc1 -- ping -c 3 -i 0.2 -s 123 10.0.0.2 >/dev/null || fail "counted ping"
# Filler frames until the capture's count is reached.
lx pc1 -- ping -c 20 -i 0.05 10.0.0.2 >/dev/null || fail "filler ping"
cat <&3 >>"$T/a.pcap"
exec 3<&-
wait "$cpid" || fail "lcapture exited $?"
tcpdump -n -r "$T/a.pcap" >"$T/a.txt" 2>/dev/null || fail "tcpdump cannot read the capture"
req=$(grep -c '10.0.0.1 > 10.0.0.2: ICMP echo request.*length 131' "$T/a.txt" || true)
rep=$(grep -c '10.0.0.2 > 10.0.0.1: ICMP echo reply.*length 131' "$T/a.txt" || true)
[ "$req" = 3 ] && [ "$rep" = 3 ] || fail "wanted 3 requests and 3 replies, got $req/$rep: $(cat "$T/a.txt")"
[ "$(wc -l <"$T/a.txt")" = 30 ] || fail "wanted 30 frames (-c 30), got $(wc -l <"$T/a.txt")"
echo "ok: the counted ping is in the capture, -c honoured"

# Piped straight into tcpdump.
lcapture -d "$lab" --hostwd "$WD" A -c 2 | tcpdump -n -r - >"$T/b.txt" 2>/dev/null &
ppid=$!
# Traffic until the pipe has its two frames (the capture may start late).
for ((i = 0; i < 50; i++)); do
	kill -0 "$ppid" 2>/dev/null || break
	lx pc2 -- ping -c 1 10.0.0.1 >/dev/null || fail "ping for the pipe"
done
wait "$ppid" || fail "lcapture | tcpdump failed"
[ "$(grep -c ICMP "$T/b.txt")" -ge 1 ] || fail "nothing through the pipe: $(cat "$T/b.txt")"
echo "ok: lcapture | tcpdump -r -"

lhalt -d "$lab" -w "$WD" >/dev/null || fail "lhalt"
assert_nothing_left
echo "PASS: lcapture"
