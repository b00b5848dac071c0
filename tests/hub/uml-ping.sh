#!/bin/bash
# Two UML guests ping each other through the hub, over UML's vde transport
# (eth0=vde,DIR, which runs vde_plug) or its daemon transport
# (eth0=daemon,MAC,unix,DIR/ctl).  Usage: uml-ping.sh vde|daemon
# Needs UML_PING (tests/hub/uml-ping); the guests boot the host's / over
# hostfs with a two-line init script, and each has a 90-second deadline.
. "$(dirname "$0")/lib.sh"
: "${UML_PING:?UML_PING must name tests/hub/uml-ping}"
transport=${1:?vde or daemon}
command -v linux.uml >/dev/null || fail "linux.uml not installed"

start_hub -v
events_start
for i in 1 2; do
	peer=$((3 - i))
	cat >"$T/init$i.sh" <<-INIT
	#!/bin/sh
	export PATH=/usr/sbin:/usr/bin:/sbin:/bin
	ip link set lo up
	ip link set eth0 up
	ip addr add 10.99.0.$i/24 dev eth0
	exec "$UML_PING" 10.99.0.$peer "$T/result$i" "$T/result$peer"
	INIT
	chmod +x "$T/init$i.sh"
	mac=02:00:00:99:00:0$i
	case $transport in
	vde) eth="eth0=vde,$D,$mac" ;;
	daemon) eth="eth0=daemon,$mac,unix,$D/ctl" ;;
	*) fail "unknown transport $transport" ;;
	esac
	mkdir -p "$T/uml"
	linux.uml umid=hubtest$i uml_dir="$T/uml" mem=64M root=/dev/root rootfstype=hostfs \
		rootflags=/ rw init="$T/init$i.sh" "$eth" con=null con0=null,fd:1 \
		</dev/null >"$T/uml$i.log" 2>&1 &
	PIDS+=($!)
	eval "uml$i=$!"
done
# Each guest powers off once both have their replies (or at its deadline).
wait "$uml1" || true
wait "$uml2" || true
for i in 1 2; do
	result=$(cat "$T/result$i" 2>/dev/null)
	case $result in
	ok*) echo "guest $i: $result" ;;
	*) tail -n 30 "$T/uml$i.log" >&2; fail "guest $i: ${result:-no result}" ;;
	esac
done
s=$(stats)
echo "$s" | jq -e '.totals.frames_in >= 6 and .totals.clients_total == 2' >/dev/null ||
	fail "counters: $s"
stop_hub
echo "ok: UML guests pinged each other over $transport"
