#!/bin/bash
# tests/integration/ltop.sh: ltop in an 80x24 tmux pane, driven by
# send-keys, checked on capture-pane text: host names and states, domain A's
# frame counter rising with traffic, the help screen, halting a host from
# the keyboard, and quitting with the terminal given back. Also: ltop
# refuses to run without a terminal. Waits poll the screen with a deadline.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lab=$SRC/labs-examples/two-hosts
use_lab "$lab"
need_image
U=$T/tmux
cleanup_all() {
	local rc=$?
	set +e # under errexit, the (exit $rc) below would end the trap before cleanup
	tmux -S "$U" kill-server 2>/dev/null
	(exit $rc)
	cleanup
}
trap cleanup_all EXIT

lstart -d "$lab" -w "$WD" --headless --timeout 240 -q >/dev/null || fail "lstart"
rc=0
ltop -d "$lab" -w "$WD" >"$T/out" 2>"$T/err" </dev/null || rc=$?
[ "$rc" != 0 ] && grep -q "lstatus --json" "$T/err" || fail "ltop without a terminal: $(cat "$T/err")"
echo "ok: refuses without a terminal"

screen() { tmux -S "$U" capture-pane -p -t ltop; }
# Wait until the screen matches an extended regexp.
wait_screen() {
	local i
	for ((i = 0; i < 300; i++)); do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	screen >&2
	return 1
}
# Domain A's FRAMES column.
frames() { screen | awk '$1 == "A" && $2 == "up" { print $4 }'; }

tmux -S "$U" -f /dev/null new-session -d -s ltop -x 80 -y 24 \
	"env -u TMUX PATH=$PATH UMLAB_RUNDIR=$UMLAB_RUNDIR ltop -d '$lab' -w '$WD'; echo ltop-exit=\$?; sleep 600"
wait_screen '^pc1 +ready' || fail "pc1 ready not shown"
wait_screen '^pc2 +ready' || fail "pc2 ready not shown"
wait_screen '^A +up' || fail "domain A not shown"
echo "ok: hosts and states on the screen"

before=$(frames)
[[ $before =~ ^[0-9]+$ ]] || fail "no frame count for A: '$before'"
lexec -d "$lab" -w "$WD" pc1 -- ping -c 10 -i 0.05 10.0.0.2 >/dev/null || fail "ping"
for ((i = 0; i < 100; i++)); do
	after=$(frames)
	[[ $after =~ ^[0-9]+$ ]] && [ "$after" -ge $((before + 20)) ] && break
	sleep 0.1
done
[ "$after" -ge $((before + 20)) ] || fail "A's frames went from $before to $after only"
echo "ok: A's frames rose from $before to $after"

tmux -S "$U" send-keys -t ltop '?'
wait_screen 'ltop keys' || fail "no help on ?"
tmux -S "$U" send-keys -t ltop ' '
for ((i = 0; i < 50; i++)); do screen | grep -q 'ltop keys' || break; sleep 0.1; done
! screen | grep -q 'ltop keys' || fail "help did not close"
echo "ok: help"

# Select pc2 (second row), halt it, confirm.
tmux -S "$U" send-keys -t ltop j h
wait_screen 'Halt pc2\? \[y/N\]' || fail "no confirmation for halt"
tmux -S "$U" send-keys -t ltop y
wait_screen '^pc2 +halted' || fail "pc2 not shown halted"
[ "$(host_state "$lab" pc2)" = halted ] || fail "pc2 not halted"
echo "ok: halted pc2 from the keyboard"

tmux -S "$U" send-keys -t ltop q
wait_screen 'ltop-exit=0' || fail "q did not end ltop cleanly"
echo "ok: quit"

# Ctrl-C (SIGINT) also gives the terminal back: the shell after it prints.
tmux -S "$U" new-window -t ltop -n again \
	"env -u TMUX PATH=$PATH UMLAB_RUNDIR=$UMLAB_RUNDIR ltop -d '$lab' -w '$WD'; echo ltop-exit=\$?; stty -a | grep -o ' echo '; sleep 600"
screen() { tmux -S "$U" capture-pane -p -t ltop:again; }
wait_screen '^pc1 +ready' || fail "second ltop did not start"
tmux -S "$U" send-keys -t ltop:again C-c
wait_screen 'ltop-exit=130' || fail "Ctrl-C did not end ltop with 130"
wait_screen '^ echo ?$' || fail "terminal not restored (no echo) after Ctrl-C"
echo "ok: Ctrl-C restores the terminal"

tmux -S "$U" kill-server
lhalt -d "$lab" -w "$WD" >/dev/null || fail "lhalt"
assert_nothing_left
echo "PASS: ltop"
