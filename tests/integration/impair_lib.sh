# shellcheck shell=bash
# tests/integration/impair_lib.sh: shared set-up of the impairment accuracy
# tests (impair_*.sh), sourced after lib.sh.
#
# They boot labs-examples/two-hosts, impair only the frames on their way to
# pc2 (`impair port N`, N = pc2's port on the hub of domain A), measure from
# inside the guests and compare with the hub's own per-port counters.
hub=${UMLAB_HUB:-$BIN/../hub/hub}
command -v jq >/dev/null || fail "jq is needed to read hub --stats"

# boot_two_hosts: starts a copy of two-hosts; sets LAB, HUBDIR (domain A's
# hub), PC1 and PC2 (the hub ports of pc1's and pc2's eth0).
boot_two_hosts() {
	LAB=$T/lab
	cp -r "$SRC/labs-examples/two-hosts" "$LAB"
	use_lab "$LAB"
	lstart -d "$LAB" -w "$WD" --headless --timeout 240 -q >/dev/null || fail "lstart"
	HUBDIR=$(rundir_of "$LAB")/hub/A
	PC1=$(port_of pc1) || fail "no hub port of pc1: $("$hub" --stats "$HUBDIR")"
	PC2=$(port_of pc2) || fail "no hub port of pc2: $("$hub" --stats "$HUBDIR")"
	echo "hub ports: pc1 $PC1, pc2 $PC2"
}

# lx HOST CMD...: lexec in the lab, stdin not read.
lx() {
	lexec -d "$LAB" -w "$WD" -n "$@"
}

# port_of HOST: the hub port whose client process (the peer of its ctl
# connection, a vde_plug that UML starts) descends from HOST's process.
port_of() {
	local top pid p n
	top=$(host_pid "$LAB" "$1")
	[ -n "$top" ] || return 1
	while read -r p pid; do
		for ((n = 0; n < 16 && pid > 1; n++)); do
			[ "$pid" = "$top" ] && { echo "$p"; return 0; }
			pid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || break
			[ -n "$pid" ] || break
		done
	done < <("$hub" --stats "$HUBDIR" | jq -r '.ports[] | "\(.port) \(.pid)"')
	return 1
}

# counter PORT FIELD: one per-port counter of the hub's stats.
counter() {
	"$hub" --stats "$HUBDIR" | jq -r --argjson p "$1" ".ports[] | select(.port == \$p) | .$2"
}

# impair_port PORT SPEC: changes the impairments towards one port.
impair_port() {
	"$hub" --command "impair port $1 $2" "$HUBDIR" >/dev/null || fail "impair port $1 $2"
}

# quiet_domain: makes the test's traffic the only traffic on the domain, so
# that every frame the hub impairs towards pc2 is one the test counts:
# permanent neighbour entries (no ARP) and IPv6 off (no ND, MLD, RS).
quiet_domain() {
	local m1 m2
	m1=$(lx pc1 -- cat /sys/class/net/eth0/address) || fail "pc1 MAC"
	m2=$(lx pc2 -- cat /sys/class/net/eth0/address) || fail "pc2 MAC"
	for h in pc1 pc2; do
		lx "$h" -- sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
			fail "$h: sysctl"
	done
	lx pc1 -- ip neigh replace 10.0.0.2 lladdr "$m2" dev eth0 nud permanent || fail "pc1: neigh"
	lx pc2 -- ip neigh replace 10.0.0.1 lladdr "$m1" dev eth0 nud permanent || fail "pc2: neigh"
}

# quiet_two_hosts: the set-up of the tests that count frames: two-hosts
# booted (boot_two_hosts), its domain quiet (quiet_domain), pc1 reaching pc2.
quiet_two_hosts() {
	need_image
	boot_two_hosts
	quiet_domain
	lx pc1 -- ping -c 1 -W 5 10.0.0.2 >/dev/null || fail "pc1 cannot reach pc2"
}

# icmp_counter HOST NAME: an Icmp counter of HOST's /proc/net/snmp.
icmp_counter() {
	lx "$1" -- awk -v k="$2" '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) n[i] = $i; h = 1 }
		else for (i = 1; i <= NF; i++) if (n[i] == k) print $i }' /proc/net/snmp
}

# halt_lab: lhalt at the end (the trap's lclean is the fallback).
halt_lab() {
	lhalt -d "$LAB" -w "$WD" -q >/dev/null 2>&1 || true
}
