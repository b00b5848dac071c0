#!/bin/bash
# tests/integration/example_lab.sh LAB: start an example lab, prove from
# inside its guests that it works (the checks below, per lab), halt it, and
# check that nothing is left; then start it again from its COW files and
# lclean.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
name=$1
lab=$SRC/labs-examples/$name
use_lab "$lab"
need_image

lstart -d "$lab" -w "$WD" --headless --timeout 240 || fail "lstart $name"
for h in $(lstatus -d "$lab" -w "$WD" --json | sed -n 's/^      "name": "\(.*\)",$/\1/p'); do
	[ "$(host_state "$lab" "$h")" = ready ] || fail "$h is not ready"
done

# Every interface is plugged in by the transport asked for (UMLAB_TRANSPORT;
# by default the vector driver's bess, which Debian's kernel has).
want=bess
[ "${UMLAB_TRANSPORT:-}" = vde ] && want=vde
run=$(rundir_of "$lab")
for d in "$run"/hub/*/; do
	got=$("$UMLAB_HUB" --stats "$d" | jq -r '[.ports[].transport] | unique | join(",")')
	[ "$got" = "$want" ] || fail "hub $d: ports by '$got', not $want"
done

# Every guest runs the kernel asked for: $UMLAB_KERNEL, else the default
# (umlab-mkkernel's when built, else Debian's linux.uml; rt/include/locate.h).
case ${UMLAB_KERNEL:-} in
"") kernel=$("$SRC/templates/umlab-mkkernel" --print-path 2>/dev/null) ||
	kernel=$(command -v linux.uml) ;;
*/*) kernel=$UMLAB_KERNEL ;;
*) kernel=$(command -v "$UMLAB_KERNEL") || kernel=/var/lib/umlab/kernels/$UMLAB_KERNEL/linux.uml ;;
esac
release=$("$kernel" --version | head -n1 | tr -d '[:space:]')
for h in $(lstatus -d "$lab" -w "$WD" --json | sed -n 's/^      "name": "\(.*\)",$/\1/p'); do
	guest_ok "$lab" "$h" "uname -r" "^$release\$"
done

case $name in
two-hosts)
	guest_ok "$lab" pc1 "ping -c 2 -W 2 10.0.0.2" "2 received"
	guest_ok "$lab" pc2 "ping -c 2 -W 2 10.0.0.1" "2 received"
	;;
static-routing)
	guest_ok "$lab" pc1 "ping -c 1 -W 2 10.0.2.10" "ttl=62" 30
	guest_ok "$lab" pc2 "ping -c 1 -W 2 10.0.1.10" "ttl=62" 30
	guest_ok "$lab" r1 "ip -4 route show 10.0.2.0/24" "via 10\.0\.12\.2 dev eth1"
	;;
netkit-legacy)
	guest_ok "$lab" pc1 "ping -c 1 -W 2 10.10.2.10" "ttl=63" 30
	guest_ok "$lab" pc2 "cat /tmp/shared-startup-ran" "pc2: shared.startup ran"
	;;
rip-frr)
	guest_ok "$lab" pc1 "ping -c 1 -W 2 10.1.3.10" "1 received" 90
	;;
ospf-frr)
	guest_ok "$lab" pc1 "ping -c 1 -W 2 10.2.3.10" "1 received" 90
	;;
bgp-frr)
	guest_ok "$lab" pc1 "ping -c 1 -W 2 10.3.2.10" "1 received" 120
	;;
esac

lhalt -d "$lab" -w "$WD" || fail "lhalt"
assert_nothing_left
ls "$WD"/*/*.disk >/dev/null || fail "lhalt removed the COW files"
# The next lstart resumes from the COW files: not a first boot any more.
lstart -d "$lab" -w "$WD" --headless --timeout 240 -q >/dev/null || fail "second lstart"
grep -q '^first_boot=0' "$WD"/*/*.ready || fail "second boot was a first boot"
rm -rf "$WD"/*/.it # the test's own files
lclean -d "$lab" -w "$WD" || fail "lclean"
assert_nothing_left
[ ! -e "$WD" ] || [ -z "$(ls -A "$WD")" ] || fail "lclean left files in hostwd: $(ls -A "$WD")"
echo "PASS: $name"
