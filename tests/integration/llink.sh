#!/bin/bash
# tests/integration/llink.sh: llink on a running three-host lab, observed
# from inside the guests: an interface's own impairments from lab.yaml
# (one crossing of the delay), set/reset at run time, an interface and the
# whole domain down and up, a partition and its healing, changes kept
# across a hub that lstart starts again, lstart plugging an interface the
# lab file gained into running guests, and the errors.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need_image
lab=$T/lab
mkdir -p "$lab"
cat >"$lab/lab.yaml" <<'YAML'
name: llink-test
hosts:
  pc1: { interfaces: [A] }
  pc2:
    interfaces:
      eth0: { domain: A, delay: 40ms }
  pc3: { interfaces: [A] }
YAML
for i in 1 2 3; do
	echo "ip addr add 10.0.0.$i/24 dev eth0; ip link set eth0 up" >"$lab/pc$i.startup"
done
use_lab "$lab"
L=(-d "$lab" -w "$WD")

# ping_ok FROM IP: an answer within 10 s (a neighbour entry that failed
# while the link was down takes a while to be probed again).
ping_ok() { lexec "${L[@]}" "$1" -- ping -c 1 -w 10 "$2" >/dev/null 2>&1; }
# no_ping FROM IP: none of 3 pings answered.
no_ping() { ! lexec "${L[@]}" "$1" -- ping -c 3 -i 0.2 -W 1 "$2" >/dev/null 2>&1; }
# min_rtt FROM IP: the smallest of 5 RTTs, whole ms.
min_rtt() {
	lexec "${L[@]}" "$1" -- ping -c 5 -i 0.2 -W 3 "$2" |
		sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n | head -1 | cut -d. -f1
}

linfo "${L[@]}" | grep -q 'pc2:eth0 \[impair delay=40ms\]' || fail "linfo: no delay on pc2:eth0"
lstart "${L[@]}" --headless --timeout 240 -q >/dev/null || fail "lstart"

# The lab file's delay on pc2:eth0 applies towards pc2 only: one crossing.
ping_ok pc1 10.0.0.2 || fail "pc1 cannot reach pc2"
r=$(min_rtt pc1 10.0.0.2)
[ "$r" -ge 40 ] || fail "RTT to pc2 $r ms, under the 40 ms delay of pc2:eth0"
r3=$(min_rtt pc1 10.0.0.3)
[ "$r3" -lt 40 ] || fail "RTT to pc3 $r3 ms: pc2's delay applies to pc3"
llink "${L[@]}" --json | jq -e '.domains[0].interfaces[] | select(.name == "pc2:eth0") |
	.impair == "delay=40ms" and .own_impair and .plugged and .link == "up"' >/dev/null ||
	fail "llink --json: $(llink "${L[@]}" --json)"

# set / reset at run time.
llink "${L[@]}" -q set pc2:eth0 none || fail "llink set none"
r=$(min_rtt pc1 10.0.0.2)
[ "$r" -lt 40 ] || fail "RTT to pc2 still $r ms after llink set pc2:eth0 none"
llink "${L[@]}" -q reset pc2:eth0 || fail "llink reset"
r=$(min_rtt pc1 10.0.0.2)
[ "$r" -ge 40 ] || fail "RTT to pc2 $r ms after llink reset: the lab's delay is gone"

# One interface down stops it both ways; up restores it.
llink "${L[@]}" -q down pc3:eth0 || fail "llink down pc3:eth0"
no_ping pc1 10.0.0.3 || fail "pc1 reached pc3 through a link that is down"
no_ping pc3 10.0.0.1 || fail "pc3 reached pc1 through a link that is down"
ping_ok pc1 10.0.0.2 || fail "pc1 lost pc2 when pc3's link went down"
llink "${L[@]}" | grep -Eq '^ +pc3:eth0 +[0-9]+ down' || fail "llink show: pc3:eth0 not down"
lstatus "${L[@]}" | grep -q '1 interface(s) down' || fail "lstatus does not show the link down"
llink "${L[@]}" -q up pc3:eth0 || fail "llink up pc3:eth0"
ping_ok pc1 10.0.0.3 || fail "pc1 cannot reach pc3 after llink up"

# The whole domain.
llink "${L[@]}" -q down A || fail "llink down A"
no_ping pc1 10.0.0.3 || fail "pc1 reached pc3 through a domain that is down"
llink "${L[@]}" -q up A || fail "llink up A"
ping_ok pc1 10.0.0.3 || fail "pc1 cannot reach pc3 after llink up A"

# A partition: pc1 alone, pc2 with pc3.
llink "${L[@]}" -q partition A pc1 pc2,pc3:eth0 || fail "llink partition"
no_ping pc1 10.0.0.3 || fail "pc1 reached pc3 across the partition"
ping_ok pc3 10.0.0.2 || fail "pc3 cannot reach pc2 in its own group"
llink "${L[@]}" --json | jq -e '.domains[0].partition | test("pc1:eth0 \\| ")' >/dev/null ||
	fail "llink --json: partition not shown: $(llink "${L[@]}" --json)"
llink "${L[@]}" -q heal A || fail "llink heal"
ping_ok pc1 10.0.0.3 || fail "pc1 cannot reach pc3 after llink heal"

# A change survives a hub that lstart starts again; the guests plug into it
# again when they restart, on the same ports.
llink "${L[@]}" -q set A loss=100% || fail "llink set A loss=100%"
dir=$(rundir_of "$lab")
hubpid=$(head -1 "$dir.h/pids/hub-A.daemon")
kill "$hubpid"
for ((i = 0; i < 100; i++)); do kill -0 "$hubpid" 2>/dev/null || break; sleep 0.1; done
lstart "${L[@]}" --headless -q >"$T/restart.out" 2>&1 || fail "lstart after the hub died: $(cat "$T/restart.out")"
grep -q 'the hub of domain A had stopped' "$T/restart.out" ||
	fail "lstart did not say the guests lost their hub: $(cat "$T/restart.out")"
"$UMLAB_HUB" --command impair "$dir/hub/A" | grep -q '"domain":"loss=100%"' ||
	fail "the new hub lost the change: $("$UMLAB_HUB" --command impair "$dir/hub/A")"
lrestart "${L[@]}" -q pc1 pc3 >/dev/null || fail "lrestart"
no_ping pc1 10.0.0.3 || fail "frames crossed a domain with loss=100%"
llink "${L[@]}" -q reset A || fail "llink reset A"
ping_ok pc1 10.0.0.3 || fail "pc1 cannot reach pc3 on the restarted hub"

# lstart on the running lab plugs in what the lab file gained.
cat >>"$lab/lab.yaml" <<'YAML'
  pc4: { interfaces: [B] }
YAML
sed -i 's/  pc1: { interfaces: \[A\] }/  pc1: { interfaces: [A, B] }/' "$lab/lab.yaml"
echo "ip addr add 10.0.1.4/24 dev eth0; ip link set eth0 up" >"$lab/pc4.startup"
lstart "${L[@]}" --headless -q >"$T/plug.out" 2>&1 || fail "lstart with pc1:eth1 added: $(cat "$T/plug.out")"
grep -q 'pc1: eth1 plugged into domain B' "$T/plug.out" || fail "no hot-plug: $(cat "$T/plug.out")"
lexec "${L[@]}" pc1 -- sh -c 'ip addr add 10.0.1.1/24 dev eth1 && ip link set eth1 up' ||
	fail "configuring the plugged eth1"
ping_ok pc1 10.0.1.4 || fail "pc1 cannot reach pc4 through its plugged eth1"

# lstatus shows what runs, and what the lab file says when that differs.
sed -i 's/  pc3: { interfaces: \[A\] }/  pc3: { interfaces: [B] }/' "$lab/lab.yaml"
lstatus "${L[@]}" | grep -Eq '^pc3 .* eth0@A  \(lab file: eth0@B\)' ||
	fail "lstatus does not show pc3's running interface: $(lstatus "${L[@]}")"
lstatus "${L[@]}" | grep -Eq '^pc1 .* eth0@A eth1@B$' ||
	fail "lstatus does not show pc1's plugged eth1: $(lstatus "${L[@]}")"
sed -i 's/  pc3: { interfaces: \[B\] }/  pc3: { interfaces: [A] }/' "$lab/lab.yaml"

# Errors name what is wrong and change nothing.
out=$(llink "${L[@]}" set A delay=fast 2>&1) && fail "llink accepted delay=fast"
grep -q "delay 'fast'" <<<"$out" || fail "bad value not named: $out"
out=$(llink "${L[@]}" down pc9:eth0 2>&1) && fail "llink accepted an unknown host"
grep -q "no host 'pc9'" <<<"$out" || fail "unknown host not named: $out"
rc=0
llink "${L[@]}" frobnicate A >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "an unknown action is not a usage error (status $rc)"

lhalt "${L[@]}" -q >/dev/null 2>&1 || true
[ ! -e "$dir.h/links" ] || fail "lhalt left the link changes behind"
echo "ok: llink"
