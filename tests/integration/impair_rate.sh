#!/bin/bash
# tests/integration/impair_rate.sh: rate=10mbit on pc2's port, measured by
# iperf3 from pc1 to pc2 (TCP, then UDP at twice the rate).
#
# The hub's rate counts whole frames (no preamble or FCS) while iperf3 counts
# payload, so the expected goodput is 10 Mbit/s x payload / frame:
# - TCP: each full segment carries MSS bytes (1448 with timestamps) in a frame
#   of MSS + 66 bytes (Ethernet 14, IPv4 20, TCP 20 + 12 of timestamps):
#   10 x 1448 / 1514 = 9.56 Mbit/s. The ACKs go the other way, unlimited.
# - UDP, 1472-byte datagrams (one full frame: 14 + 20 + 8 + 1472 = 1514):
#   10 x 1472 / 1514 = 9.72 Mbit/s; the hub drops the other half
#   (rate_drops).
# Both must be within 10 % of the expectation, measured at the receiver
# (iperf3's sum_received). queue=100 frames holds 121 ms at 10 Mbit/s, far
# more than the path's bandwidth-delay product (about 1 ms of RTT), so TCP
# keeps the bottleneck busy without the seconds-long standing queue of the
# default 1000 frames (which stretches the receiver's measured interval).
# Measured on the 2-core development VM: TCP 9.38-9.56, UDP 9.72 Mbit/s.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/impair_lib.sh"
need_image
boot_two_hosts
lx pc1 -- which iperf3 >/dev/null || fail "no iperf3 in the model filesystem"
lx pc2 -- iperf3 -s -D || fail "iperf3 -s on pc2"
lx pc2 -- sh -c 'for i in $(seq 100); do ss -ltn | grep -q ":5201 " && exit 0; sleep 0.1; done; exit 1' ||
	fail "iperf3 does not listen on pc2"
lx pc1 -- ping -c 1 -W 5 10.0.0.2 >/dev/null || fail "pc1 cannot reach pc2"

impair_port "$PC2" rate=10mbit,queue=100

# within NAME BITS EXPECTED: BITS/s within 10 % of EXPECTED bit/s.
within() {
	echo "$1: $2 bit/s, expected $3 bit/s +- 10 %"
	awk -v m="$2" -v e="$3" 'BEGIN { exit !(m >= e * 0.9 && m <= e * 1.1) }' ||
		fail "$1: $2 bit/s is not within 10 % of $3"
}

lx pc1 -- iperf3 -c 10.0.0.2 -t 5 -J >"$T/tcp.json" || fail "iperf3 TCP: $(cat "$T/tcp.json")"
mss=$(jq -r '.start.tcp_mss_default // 1448' "$T/tcp.json")
bps=$(jq -r '.end.sum_received.bits_per_second' "$T/tcp.json")
within "TCP, mss $mss" "$bps" "$((10000000 * mss / (mss + 66)))"
# iperf3 warns that a 1472-byte datagram exceeds the TCP MSS: not on this link.
lx pc1 -- iperf3 -c 10.0.0.2 -t 5 -u -b 20M -l 1472 -J 2>/dev/null >"$T/udp.json" ||
	fail "iperf3 UDP: $(cat "$T/udp.json")"
bps=$(jq -r '.end.sum_received.bits_per_second' "$T/udp.json")
within "UDP, 1472-byte datagrams at 20 Mbit/s" "$bps" "$((10000000 * 1472 / 1514))"
[ "$(counter "$PC2" rate_drops)" -gt 0 ] || fail "UDP at twice the rate, yet no rate_drops"
halt_lab
echo "ok: impair_rate"
