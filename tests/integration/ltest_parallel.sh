#!/bin/bash
# tests/integration/ltest_parallel.sh: two copies of the same lab (same host
# names, same addresses: labs-examples/ipsec-net2net) run ltest at the same
# time on this machine, each with its own hostwd; both must pass, their
# captures must stay apart, and nothing may be left.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/ltest_lib.sh"
need_image
need_lexec
# Two hostwds: lib.sh's trap knows one, so this trap cleans both copies.
par_cleanup() {
	local rc=$?
	for c in a b; do
		lclean -d "$T/$c" -w "$T/wd-$c" >/dev/null 2>&1 || true
	done
	rm -rf "$T"
	exit $rc
}
trap par_cleanup EXIT
for c in a b; do
	cp -r "$SRC/labs-examples/ipsec-net2net" "$T/$c"
done
pids=()
for c in a b; do
	ltest -d "$T/$c" -w "$T/wd-$c" --results "$T/res-$c" --start-timeout 300 -q \
		>"$T/$c.out" 2>&1 &
	pids+=($!)
done
rc_a=0 rc_b=0
wait "${pids[0]}" || rc_a=$?
wait "${pids[1]}" || rc_b=$?
[ "$rc_a" = 0 ] || fail "copy a exited $rc_a: $(cat "$T/a.out")"
[ "$rc_b" = 0 ] || fail "copy b exited $rc_b: $(cat "$T/b.out")"
# Each copy's capture saw only its own tunnel: one IKE SA pair, its own SPIs.
spis() { tcpdump -n -r "$1" 2>/dev/null | grep -o 'ESP(spi=0x[0-9a-f]*' | sort -u; }
sa=$(spis "$T/res-a/captures/internet.pcap")
sb=$(spis "$T/res-b/captures/internet.pcap")
[ -n "$sa" ] && [ -n "$sb" ] || fail "a capture without ESP"
[ -z "$(comm -12 <(echo "$sa") <(echo "$sb"))" ] || fail "the copies saw each other's ESP"
assert_nothing_left
echo "PASS: two copies of ipsec-net2net in parallel"
