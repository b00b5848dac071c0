#!/bin/bash
# tests/integration/impair_dup_corrupt.sh: duplicate= and corrupt= on pc2's
# port, seen from inside the guests, against the hub's counters.
#
# duplicate=5%, 2000 pings from pc1: each duplicated request reaches pc2
# twice and is answered twice.
# - pc2's Icmp InEchos grows by 2000 + the hub's `duplicated`, exactly.
# - ping's DUP! count equals `duplicated`, or is one less: ping exits on the
#   reply to its last request, and the duplicate's reply may come after.
#
# corrupt=5%, 1000 pings: pc2 captures every frame it receives (tcpdump,
# promiscuous, so even a frame whose destination MAC got the flipped bit)
# and a check in the guest counts the frames that are not an intact echo
# request from pc1: the one flipped bit is always detected, in the MAC
# addresses or type by comparison, in the IPv4 header or the ICMP message by
# their checksums (a ones'-complement sum detects any single-bit error).
# - The count equals the hub's `corrupted`, exactly, and pc2 received 1000
#   frames (quiet_domain leaves the pings as the only frames towards pc2).
# - Pings lost <= corrupted: most corrupted requests are dropped by pc2's
#   checks, but one with a flipped bit in the source MAC is answered.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/impair_lib.sh"
quiet_two_hosts

# --- duplication ---
n=2000
impair_port "$PC2" duplicate=5%
d0=$(counter "$PC2" duplicated)
e0=$(icmp_counter pc2 InEchos)
lx pc1 -- ping -q -c "$n" -i 0.002 -W 1 10.0.0.2 >"$T/ping" || fail "ping: $(cat "$T/ping")"
d=$(($(counter "$PC2" duplicated) - d0))
e=$(($(icmp_counter pc2 InEchos) - e0))
dups=$(sed -n 's/.* +\([0-9]*\) duplicates.*/\1/p' "$T/ping")
dups=${dups:-0}
echo "duplicate=5%: hub duplicated $d, pc2 received $e echo requests, ping saw $dups DUP!"
[ "$d" -ge 56 ] && [ "$d" -le 144 ] || fail "hub duplicated $d of $n (binomial 100 +- 4.5 sd: 56..144)"
[ "$e" = $((n + d)) ] || fail "pc2 received $e echo requests, not $n + $d"
[ "$dups" = "$d" ] || [ "$dups" = $((d - 1)) ] || fail "ping saw $dups DUP!, the hub made $d"
[ "$(counter "$PC1" duplicated)" = 0 ] || fail "frames towards pc1 were duplicated too"

# --- corruption ---
n=1000
impair_port "$PC2" corrupt=5%
cat >"$WD/pc2/frames.py" <<'PY'
# Counts the frames of a pcap file that are not an intact echo request
# from MAC A to MAC B: prints "FRAMES BAD".
import struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s
data = open(sys.argv[1], "rb").read()
e = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
a, b = bytes.fromhex(sys.argv[2].replace(":", "")), bytes.fromhex(sys.argv[3].replace(":", ""))
off, frames, bad = 24, 0, 0
while off + 16 <= len(data):
    incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
    f = data[off + 16:off + 16 + incl]
    off += 16 + incl
    frames += 1
    ok = (len(f) == 98 and f[0:6] == b and f[6:12] == a and f[12:14] == b"\x08\x00"
          and f[14] == 0x45 and csum(f[14:34]) == 0xffff and f[34] == 8 and csum(f[34:98]) == 0xffff)
    bad += not ok
print(frames, bad)
PY
m1=$(lx pc1 -- cat /sys/class/net/eth0/address)
m2=$(lx pc2 -- cat /sys/class/net/eth0/address)
# The capture runs in the background in pc2 and stops by itself after n
# frames; the test waits until it listens.
lx pc2 -- sh -c "setsid tcpdump -Z root -i eth0 -Q in --immediate-mode -c $n -w /tmp/cap.pcap \
	</dev/null >/tmp/cap.log 2>&1 & echo \$! >/tmp/cap.pid
	for i in \$(seq 100); do grep -q listening /tmp/cap.log && exit 0; sleep 0.1; done; exit 1" ||
	fail "tcpdump in pc2: $(lx pc2 -- cat /tmp/cap.log)"
c0=$(counter "$PC2" corrupted)
lx pc1 -- ping -q -c "$n" -i 0.005 -W 1 10.0.0.2 >"$T/ping" || true # exits 1 when replies are missing
lx pc2 -- sh -c 'for i in $(seq 100); do kill -0 $(cat /tmp/cap.pid) 2>/dev/null || exit 0; sleep 0.1; done
	kill -INT $(cat /tmp/cap.pid); exit 1' || fail "pc2 captured fewer than $n frames: $(lx pc2 -- cat /tmp/cap.log)"
c=$(($(counter "$PC2" corrupted) - c0))
out=$(lx pc2 -- python3 /hostwd/frames.py /tmp/cap.pcap "$m1" "$m2") || fail "frames.py: $out"
read -r frames bad <<<"$out"
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T/ping")
echo "corrupt=5%: hub corrupted $c, pc2 received $frames frames, $bad not intact; $((n - got)) pings lost"
[ "$frames" = "$n" ] || fail "pc2 captured $frames frames, not $n"
[ "$bad" = "$c" ] || fail "pc2 saw $bad corrupted frames, the hub corrupted $c"
[ "$c" -ge 19 ] && [ "$c" -le 81 ] || fail "hub corrupted $c of $n (binomial 50 +- 4.5 sd: 19..81)"
[ $((n - got)) -le "$c" ] || fail "$((n - got)) pings lost, more than the $c frames corrupted"
halt_lab
echo "ok: impair_dup_corrupt"
