#!/bin/bash
# tests/integration/vstart_boot.sh: Netkit's machine commands on real
# guests: two machines on a shared domain ping each other (the manual's
# producer/consumer example); vconfig plugs a working interface into a
# running machine; vlist (table, detail, JSON); vhalt keeps the COW file,
# vcrash removes it unless -F; machines and an lstart lab with the same
# host and domain names run side by side without touching each other;
# -F and the consoles (this, xterm, --tmux-attached); vclean, from unused
# hubs to everything.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need_image
. "$here/vstart_lib.sh"
me=$(id -un)

# --- two machines on domain A (the manual's example), configured by -e ---
vstart producer --eth0=A -e "ip addr add 10.0.0.1/24 dev eth0" -e "ip link set eth0 up" -q ||
	fail "vstart producer"
vstart consumer --eth0=A -e "ip addr add 10.0.0.2/24 dev eth0 && ip link set eth0 up" -q ||
	fail "vstart consumer"
mx producer -- ping -c 3 -i 0.2 -W 2 10.0.0.2 >/dev/null || fail "producer cannot reach consumer"
mx consumer -- ping -c 3 -i 0.2 -W 2 10.0.0.1 >/dev/null || fail "consumer cannot reach producer"
echo "ok: two machines on domain A ping each other"
expect_err 1 "machine producer is already running" vstart producer --eth0=A

# --- vlist ---
vlist | grep -E "^$me +producer +ready +[0-9]+ +[0-9]+ KB +eth0@A$" >/dev/null || fail "vlist: $(vlist)"
vlist | grep "^Total machines: 2 running" >/dev/null || fail "vlist totals: $(vlist)"
vlist -n | grep USER >/dev/null && fail "vlist -n printed a header"
vlist --json | jq -e '[.machines[].name] == ["consumer", "producer"] and
	all(.machines[]; .state == "ready" and .pid > 0 and .memory_kb > 0 and .memory_mb == 128
	and .interfaces == [{"name": "eth0", "domain": "A"}])' >/dev/null ||
	fail "vlist --json: $(vlist --json)"
vlist producer | grep '^Boot command: ip link set eth0 up$' >/dev/null || fail "vlist producer: $(vlist producer)"
vlist producer | grep "^Console:      tmux: tmux -S .* attach -t =umlab:=producer$" >/dev/null ||
	fail "vlist producer: $(vlist producer)"
echo "ok: vlist"

# --- vconfig: eth1 on B, hot-plugged into the running producer ---
vstart server --eth0=B -e "ip addr add 10.0.1.2/24 dev eth0 && ip link set eth0 up" -q ||
	fail "vstart server"
vconfig producer --eth1=B 2>"$T/vconfig.err" || fail "vconfig: $(cat "$T/vconfig.err")"
grep -q "producer: eth1 plugged into domain B while it runs" "$T/vconfig.err" ||
	fail "vconfig said: $(cat "$T/vconfig.err")"
mx producer -- ip -o link show eth1 | grep 'state DOWN' >/dev/null || fail "eth1 not there, or up"
mx producer -- sh -c "ip addr add 10.0.1.1/24 dev eth1 && ip link set eth1 up" ||
	fail "configuring eth1"
mx producer -- ping -c 3 -i 0.2 -W 2 10.0.1.2 >/dev/null || fail "producer cannot reach server over eth1"
[ "$(vfield producer '[.interfaces[].domain] | join(",")')" = A,B ] || fail "vlist: eth1 not recorded"
grep -q 'interfaces: {eth0: A, eth1: B}' "$ML/lab.yaml" || fail "lab.yaml: $(cat "$ML/lab.yaml")"
echo "ok: vconfig plugged a working eth1"
expect_err 1 "producer has eth0 on A already" vconfig producer --eth0=C
expect_err 1 "eth3 without eth2" vconfig producer --eth3=C
expect_err 1 "no machine 'nobody'" vconfig nobody --eth0=A
vconfig producer --eth1=B 2>&1 | grep "eth1 is on B already" >/dev/null || fail "vconfig twice"

# --- Netkit's tap domain, rootless: the guest reaches the host at TAP ---
mkdir -p "$T/www"
echo "tap-token-$$" >"$T/www/token.txt"
(cd "$T/www" && exec python3 -u -m http.server --bind 127.0.0.1 0 >"$T/http.log" 2>&1) &
PIDS_HTTP=$!
# shellcheck disable=SC2154 # s is the trap's own
trap 's=$?; set +e; kill $PIDS_HTTP 2>/dev/null; vclean --clean-all -q >/dev/null 2>&1; (exit $s); cleanup' EXIT
for ((i = 0; i < 100; i++)); do grep -q ' port ' "$T/http.log" 2>/dev/null && break; sleep 0.1; done
hport=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$T/http.log")
[ -n "$hport" ] || fail "no HTTP server on the host's loopback"
vstart tapper --eth0=tap,10.9.0.1,10.9.0.2 -q || fail "vstart tapper --eth0=tap,..."
mx tapper -- ip -4 -o addr show eth0 | grep -q 'inet 10\.9\.0\.2/' || fail "tap: no 10.9.0.2"
mx tapper -- wget -q -T 5 -t 1 -O - "http://10.9.0.1:$hport/token.txt" | grep -q "tap-token-$$" ||
	fail "tapper cannot fetch from the host's loopback through the tap domain"
kill "$PIDS_HTTP"
vcrash tapper >/dev/null || fail "vcrash tapper"
echo "ok: tap domain through the NAT"

# --- vhalt keeps the COW file, vcrash removes it unless -F ---
hw=$(vfield consumer .hostwd)
vhalt consumer >/dev/null || fail "vhalt consumer"
[ -f "$hw/consumer.disk" ] || fail "vhalt removed the COW file"
[ "$(vfield consumer .state)" = halted ] || fail "consumer: $(vfield consumer .state)"
vlist --json | jq -e '[.machines[].name] == ["producer", "server"]' >/dev/null ||
	fail "vlist shows a halted machine: $(vlist)"
vstart consumer --eth0=A -q || fail "vstart consumer again"
vcrash -F consumer >/dev/null || fail "vcrash -F"
[ -f "$hw/consumer.disk" ] || fail "vcrash -F removed the COW file"
vcrash consumer >/dev/null || fail "vcrash of a stopped machine"
[ ! -e "$hw/consumer.disk" ] || fail "vcrash kept the COW file"
vstart consumer --eth0=A -q || fail "vstart consumer a third time"
vcrash consumer >/dev/null || fail "vcrash"
[ ! -e "$hw/consumer.disk" ] || fail "vcrash kept the COW file of a running machine"
vhalt -r server >/dev/null || fail "vhalt -r"
[ ! -e "$(vfield server .hostwd)/server.disk" ] || fail "vhalt -r kept the COW file"
echo "ok: vhalt, vhalt -r, vcrash, vcrash -F"

# --- side by side with a lab of the same host and domain names ---
lab=$SRC/labs-examples/two-hosts # pc1 10.0.0.1, pc2 10.0.0.2, both on A
use_lab "$lab"
vstart pc1 --eth0=A -e "ip addr add 10.0.0.11/24 dev eth0 && ip link set eth0 up" -q || fail "vstart pc1"
vstart pc2 --eth0=A -e "ip addr add 10.0.0.12/24 dev eth0 && ip link set eth0 up" -q || fail "vstart pc2"
lstart -d "$lab" -w "$WD" --headless -q >/dev/null || fail "lstart two-hosts beside the machines"
L=(-d "$lab" -w "$WD")
lexec "${L[@]}" pc1 -- ping -c 2 -W 2 10.0.0.2 >/dev/null || fail "lab pc1 cannot reach lab pc2"
mx pc1 -- ping -c 2 -W 2 10.0.0.12 >/dev/null || fail "machine pc1 cannot reach machine pc2"
lexec "${L[@]}" pc1 -- ping -c 2 -W 1 10.0.0.11 >/dev/null && fail "the lab's A reaches the machines' A"
mx pc1 -- ping -c 2 -W 1 10.0.0.2 >/dev/null && fail "the machines' A reaches the lab's pc2 (10.0.0.2 is the lab's)"
vhalt pc1 >/dev/null || fail "vhalt pc1"
[ "$(host_state "$lab" pc1)" = ready ] || fail "vhalt pc1 stopped the lab's pc1: $(host_state "$lab" pc1)"
lhalt "${L[@]}" >/dev/null || fail "lhalt the lab"
[ "$(vfield pc2 .state)" = ready ] || fail "lhalt stopped machine pc2: $(vfield pc2 .state)"
mx pc2 -- true || fail "machine pc2 unreachable after lhalt of the lab"
lclean "${L[@]}" || fail "lclean the lab"
[ "$(vfield pc2 .state)" = ready ] || fail "lclean stopped machine pc2"
vcrash pc1 pc2 >/dev/null || fail "vcrash pc1 pc2"
echo "ok: machines and a lab with the same names side by side"

# --- -F: vstart returns when the machine stops ---
vstart fg -F -q &
fgpid=$!
for ((i = 0; i < 600; i++)); do
	[ "$(vfield fg .state 2>/dev/null)" = ready ] && break
	sleep 0.1
done
[ "$(vfield fg .state)" = ready ] || fail "vstart -F: fg never ready"
kill -0 "$fgpid" 2>/dev/null || fail "vstart -F returned while fg runs"
vhalt fg >/dev/null || fail "vhalt fg"
wait_gone "$fgpid" 60 || fail "vstart -F still waiting after fg halted"
wait "$fgpid" || fail "vstart -F exited $?"
echo "ok: vstart -F"

# --- --con0=this: the terminal shows the console until the machine stops ---
if command -v script >/dev/null; then
	# script's terminal is an xterm to tmux (under env -i, as nonroot.sh runs, TERM is dumb).
	sleep 300 | TERM=xterm script -qfec "vstart th --con0=this -q" "$T/th.typescript" >/dev/null &
	thpid=$!
	for ((i = 0; i < 600; i++)); do
		[ "$(vfield th .state 2>/dev/null)" = ready ] && break
		sleep 0.1
	done
	[ "$(vfield th .state)" = ready ] || fail "--con0=this: th never ready"
	sleep 1
	kill -0 "$thpid" 2>/dev/null || fail "--con0=this returned while th runs: $(cat "$T/th.typescript")"
	vhalt th >/dev/null || fail "vhalt th"
	wait_gone "$thpid" 60 || fail "--con0=this: still attached after th halted"
	pkill -P $$ -x sleep || true
	grep -q 'exited' "$T/th.typescript" || fail "--con0=this: $(cat "$T/th.typescript")"
	echo "ok: --con0=this"
fi

# --- terminals: xterm, --tmux-attached, and TMUX_OPEN_TERMS=auto ---
mkdir -p "$T/fakebin"
for t in xterm x-terminal-emulator; do
	printf '#!/bin/sh\necho "%s $*" >>%s\n' "$t" "$T/terms" >"$T/fakebin/$t"
	chmod +x "$T/fakebin/$t"
done
DISPLAY=:99 PATH=$T/fakebin:$PATH vstart x1 --con0=xterm --xterm=xterm -q || fail "--con0=xterm"
printf 'TERM_TYPE=xterm\n' >"$XDG_CONFIG_HOME/umlab/umlab.conf"
DISPLAY=:99 PATH=$T/fakebin:$PATH vstart x2 --tmux-attached -q || fail "--tmux-attached"
rm "$XDG_CONFIG_HOME/umlab/umlab.conf"
DISPLAY=:99 PATH=$T/fakebin:$PATH vstart x3 -q || fail "vstart with a display"
vstart x4 --tmux-detached -q || fail "--tmux-detached"
for i in 1 2 3; do
	for ((k = 0; k < 50; k++)); do grep -q "select-window -t :=x$i\$" "$T/terms" 2>/dev/null && break; sleep 0.1; done
done
grep -Eq "^xterm -T x1 -e tmux -S [^ ]*/tmux new-session -t =umlab ; set destroy-unattached on ; select-window -t :=x1$" "$T/terms" ||
	fail "--con0=xterm ran: $(cat "$T/terms")"
grep -q "^xterm -T x2 -e tmux .*:=x2$" "$T/terms" || fail "--tmux-attached ran: $(cat "$T/terms")"
grep -q "^x-terminal-emulator -T x3 -e tmux .*:=x3$" "$T/terms" || fail "auto ran: $(cat "$T/terms")"
grep -q "x4" "$T/terms" && fail "--tmux-detached opened a terminal: $(cat "$T/terms")"
vcrash x1 x2 x3 x4 >/dev/null || fail "vcrash x1..x4"
echo "ok: terminals"

# --- vclean: an unused hub (its machine killed), then everything ---
vstart lone --eth0=Z -q || fail "vstart lone"
vstart keep --eth0=Y -q || fail "vstart keep"
pid=$(vfield lone .pid)
kill -9 "$pid"
wait_gone "$pid" 30 || fail "lone survived SIGKILL"
[ "$(vfield lone .state)" = crashed ] || fail "lone: $(vfield lone .state)"
pgrep -f -- "$UMLAB_RUNDIR/.*/hub/Z" >/dev/null || fail "no hub Z left to clean"
vclean --test 2>&1 | grep "would stop hub Z (unused)" >/dev/null || fail "vclean --test: $(vclean --test 2>&1)"
pgrep -f -- "$UMLAB_RUNDIR/.*/hub/Z" >/dev/null || fail "vclean --test stopped hub Z"
vclean -v 2>&1 | grep "stopping hub Z (unused)" >/dev/null || fail "vclean did not say it stops hub Z"
pgrep -f -- "$UMLAB_RUNDIR/.*/hub/Z" >/dev/null && fail "vclean left hub Z"
pgrep -f -- "$UMLAB_RUNDIR/.*/hub/Y" >/dev/null || fail "vclean stopped hub Y, which keep uses"
vclean -K -v 2>&1 | grep "crashing machine keep" >/dev/null || fail "vclean -K did not crash keep"
[ "$(vfield keep .state)" = halted ] || fail "vclean -K: keep is $(vfield keep .state), its disk not kept"
vlist --json | jq -e '.machines == []' >/dev/null || fail "vclean -K left machines: $(vlist)"
vstart keep --eth0=Y -q || fail "vstart keep after vclean -K"
vclean --clean-directories -v >/dev/null 2>&1 || fail "vclean --clean-directories"
[ ! -e "$state/machines" ] || fail "vclean --clean-directories left $state/machines"
[ -z "$(ls -A "$state/labs" 2>/dev/null)" ] || fail "vclean --clean-directories left $(ls "$state/labs")"
assert_nothing_left
echo PASS
