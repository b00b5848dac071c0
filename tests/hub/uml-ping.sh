#!/bin/bash
# Two UML guests ping each other through the hub, over UML's vde transport
# (eth0=vde,DIR, which runs vde_plug), its daemon transport
# (eth0=daemon,MAC,unix,DIR/ctl) or its vector driver's bess transport
# (vec0:transport=bess,dst=DIR/bess,src=DIR/bess.N: ports 5 and 6 asked
# for by name).  Usage: uml-ping.sh vde|daemon|vector
# Needs UML_PING (tests/hub/uml-ping); the guests boot the host's / over
# hostfs with a two-line init script, and each has a 90-second deadline.
# KERNEL: the UML kernel, a path or a name umlab-mkkernel built (default:
# Debian's linux.uml); a kernel of that name not built skips the test (77).
. "$(dirname "$0")/lib.sh"
: "${UML_PING:?UML_PING must name tests/hub/uml-ping}"
transport=${1:?vde, daemon or vector}
kernel=${KERNEL:-linux.uml}
case $kernel in
*/*) ;;
linux.uml) kernel=$(command -v linux.uml) || fail "linux.uml not installed" ;;
*)
	kernel=/var/lib/umlab/kernels/$kernel/linux.uml
	[ -x "$kernel" ] || { echo "SKIP: $KERNEL not built (umlab-mkkernel --system)"; exit 77; }
	;;
esac

start_hub -v
events_start
for i in 1 2; do
	peer=$((3 - i))
	cat >"$T/init$i.sh" <<-INIT
	#!/bin/sh
	export PATH=/usr/sbin:/usr/bin:/sbin:/bin
	ip link set lo up
	ip link set vec0 name eth0 2>/dev/null
	ip link set eth0 up
	ip addr add 10.99.0.$i/24 dev eth0
	exec "$UML_PING" 10.99.0.$peer "$T/result$i" "$T/result$peer"
	INIT
	chmod +x "$T/init$i.sh"
	mac=02:00:00:99:00:0$i
	case $transport in
	vde) eth="eth0=vde,$D,$mac" ;;
	daemon) eth="eth0=daemon,$mac,unix,$D/ctl" ;;
	vector) eth="vec0:transport=bess,dst=$D/bess,src=$D/bess.$((i + 4)),mac=$mac" ;;
	*) fail "unknown transport $transport" ;;
	esac
	mkdir -p "$T/uml"
	"$kernel" umid=hubtest$i uml_dir="$T/uml" mem=64M root=/dev/root rootfstype=hostfs \
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
if [ "$transport" = vector ]; then
	# The ports the guests asked for, and no socket file left behind.
	seen=""
	while read -r -t 2 -u "$EV" line; do seen+="$line"$'\n'; done
	grep -q '^join 5 UML vector bess bess.5$' <<<"$seen" &&
		grep -q '^join 6 UML vector bess bess.6$' <<<"$seen" ||
		fail "bess ports 5 and 6 not joined: $seen"
	ls "$D"/bess.* >/dev/null 2>&1 && fail "bess client sockets left in $D"
fi
stop_hub
echo "ok: UML guests pinged each other over $transport"
