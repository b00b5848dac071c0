#!/bin/bash
# tests/integration/lconnect.sh: lconnect under a test tmux server of its
# own: attached in a pane (no $TMUX) it shows the guest's console, and
# typing there runs commands in the guest; from inside tmux it opens the
# console as a new window of the user's session; --all tiles every console,
# outside tmux and (twice) inside, without touching the lab's server.
# Waits poll capture-pane with a deadline (the screen has no other event).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lab=$SRC/labs-examples/two-hosts
use_lab "$lab"
need_image
U=$T/user-tmux
# The lab's trap (lib.sh) after ours, keeping the test's exit status.
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
lconnect -d "$lab" -w "$WD" pc9 2>"$T/err" || rc=$?
[ "$rc" != 0 ] && grep -q "no host 'pc9'" "$T/err" || fail "unknown host: $(cat "$T/err")"

# Wait until pane $1 of the user's server shows a line matching $2.
wait_screen() {
	local i
	for ((i = 0; i < 300; i++)); do
		tmux -S "$U" capture-pane -p -t "$1" 2>/dev/null | grep -Eq -- "$2" && return 0
		sleep 0.1
	done
	tmux -S "$U" capture-pane -p -t "$1" >&2 || true
	return 1
}

env="PATH=$PATH UMLAB_RUNDIR=$UMLAB_RUNDIR"
# Outside tmux: attach in this terminal.
tmux -S "$U" -f /dev/null new-session -d -s user -x 100 -y 30 \
	"env -u TMUX $env lconnect -d '$lab' -w '$WD' pc1; echo lconnect-ended; sleep 600"
tmux -S "$U" send-keys -t user 'echo "marker-$((6 * 7))-$(hostname)"' Enter
wait_screen user 'marker-42-pc1' || fail "pc1's console did not answer in the attached pane"
wait_screen user 'root@pc1' || fail "no prompt of pc1"
echo "ok: attached to pc1's console, prompt and command seen"
# Detach (prefix d): lconnect ends, the guest runs on.
tmux -S "$U" send-keys -t user C-b d
wait_screen user lconnect-ended || fail "detach did not end lconnect"
[ "$(host_state "$lab" pc1)" = ready ] || fail "pc1 not running after detach"
echo "ok: detached, pc1 still ready"

# Inside tmux: a new window of the user's session.
tmux -S "$U" new-window -t user -n caller "$env lconnect -d '$lab' -w '$WD' pc2; sleep 600"
wait_screen user:pc2 'root@pc2|pc2: ready' || fail "no window pc2 in the user's session"
tmux -S "$U" send-keys -t user:pc2 'echo "win-$((6 * 7))"' Enter
wait_screen user:pc2 'win-42' || fail "pc2's console did not answer in the new window"
echo "ok: inside tmux, pc2's console opened as a new window"

# --all: one tiled window, a pane per console.
tmux -S "$U" new-window -t user -n tiles "env -u TMUX $env lconnect -d '$lab' -w '$WD' --all; sleep 600"
wait_screen user:tiles 'root@pc1' || fail "--all: no pc1"
wait_screen user:tiles 'root@pc2' || fail "--all: no pc2"
echo "ok: --all shows both consoles"

# --all inside tmux, twice: two windows "lab" of the user's session, and the
# lab's own server untouched (it once killed the server and every guest).
for i in 1 2; do
	tmux -S "$U" new-window -t user -n "runner$i" "$env lconnect -d '$lab' -w '$WD' --all; sleep 600"
done
n=0
for ((i = 0; i < 300 && n < 2; i++)); do
	n=$(tmux -S "$U" list-windows -t user -F '#{window_name}' | grep -c '^lab' || true)
	sleep 0.1
done
[ "$n" = 2 ] || fail "--all inside tmux twice: $n view windows, not 2"
for h in pc1 pc2; do
	[ "$(host_state "$lab" $h)" = ready ] || fail "$h not running after --all twice inside tmux"
done
echo "ok: --all twice inside tmux, the lab runs on"

tmux -S "$U" kill-server
lhalt -d "$lab" -w "$WD" >/dev/null || fail "lhalt"
assert_nothing_left
echo "PASS: lconnect"
