# tests/hub/lib.sh: shared set-up for the hub's shell tests.
#
# Each test gets a private scratch directory (short, for the 108-byte
# socket path limit), a hub started with --daemon (so it accepts clients as
# soon as it returns) and a trap that stops every process the test started,
# by pid. Waits block on real events (a fifo line, EOF, wait) with bounds.
# Needs: HUB (hub binary) and VDECLIENT (tests/hub/vdeclient) in the environment.
set -u

: "${HUB:?HUB must name the hub binary}"
: "${VDECLIENT:?VDECLIENT must name the test client}"
T=$(mktemp -d /tmp/hubt.XXXXXX)
D=$T/h
PIDS=()

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		{ kill -KILL "$p" && wait "$p"; } 2>/dev/null
	done
	if [ -f "$T/hub.pid" ]; then
		kill -TERM "$(cat "$T/hub.pid")" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

# start_hub [OPTIONS...]: starts a daemonised hub on $D; HUB_PID is its pid.
start_hub() {
	"$HUB" -d --pidfile "$T/hub.pid" "$@" "$D" || fail "hub did not start"
	HUB_PID=$(cat "$T/hub.pid") || fail "no pid file"
}

# events_end: blocks (bounded) until the hub ends its events stream, which
# it does after removing every file when it stops; closes the stream.
events_end() {
	local line rc=0
	while [ $rc -eq 0 ]; do
		read -r -t 20 -u "$EV" line
		rc=$?
	done
	[ $rc -eq 1 ] || fail "hub did not end its events stream"
	exec {EV}<&-
	EV=
}

# stop_hub [SIGNAL]: SIGTERM (or SIGNAL), then waits for the hub to finish.
stop_hub() {
	[ -n "${EV:-}" ] || events_start
	kill -"${1:-TERM}" "$HUB_PID" || fail "hub $HUB_PID not running"
	events_end
	rm -f "$T/hub.pid"
}

# noinherit CMD ARGS...: execs CMD with only stdin, stdout and stderr open, so
# that no child holds another client's fifo open (that would hide its EOF).
noinherit() {
	local f
	for f in /proc/$BASHPID/fd/*; do
		f=${f##*/}
		[ "$f" -gt 2 ] && eval "exec $f>&-" 2>/dev/null
	done
	exec "$@"
}

# spawn NAME ARGS...: runs vdeclient ARGS in the background, its output on a
# fifo (NAME_fd) and its stdin on a fifo we hold open (released by "release
# NAME", which ends a client's "wait-stdin"). Sets NAME_pid.
spawn() {
	local name=$1 fd
	shift
	mkfifo "$T/$name.fifo" "$T/$name.in"
	exec {fd}<>"$T/$name.in"
	eval "${name}_in=$fd"
	noinherit "$VDECLIENT" "$@" <"$T/$name.in" >"$T/$name.fifo" &
	PIDS+=($!)
	eval "${name}_pid=$!"
	exec {fd}<"$T/$name.fifo"
	eval "${name}_fd=$fd"
}

# client NAME ARGS...: spawn, then wait (bounded) for the client's first line
# "ready": the hub has given it a port.
client() {
	local name=$1 fd line
	spawn "$@"
	eval "fd=\$${name}_fd"
	read -r -t 20 -u "$fd" line || fail "$name: no output"
	[ "$line" = ready ] || fail "$name: said '$line', not ready"
}

# client_nowait NAME ARGS...: spawn without waiting for "ready" (for
# transports that cannot tell, such as vde_plug: wait for its join event).
client_nowait() {
	spawn "$@"
}

# release NAME: closes the client's stdin.
release() {
	local fd
	eval "fd=\$${1}_in"
	exec {fd}>&-
}

# wait_line NAME PATTERN: reads the client's output (bounded) until a line
# matches PATTERN; lines read are kept in $T/NAME.out.
wait_line() {
	local fd line
	eval "fd=\$${1}_fd"
	while read -r -t 20 -u "$fd" line; do
		echo "$line" >>"$T/$1.out"
		case $line in $2) return 0 ;; esac
	done
	fail "$1: no line matching '$2'"
}

# drain NAME: copies the client's output to $T/NAME.out in the background, for
# clients that print more than a fifo holds before "finish".
drain() {
	local fd
	eval "fd=\$${1}_fd"
	# noinherit: a copy of another client's stdin fifo here would keep it open.
	noinherit cat <&"$fd" >>"$T/$1.out" &
	eval "${1}_drain=$!"
	exec {fd}<&-
}

# finish NAME: collects the client's remaining output into $T/NAME.out and
# waits for it; fails if it failed.
finish() {
	local name=$1 fd pid
	release "$name"
	eval "fd=\$${name}_fd pid=\$${name}_pid"
	if eval "[ -n \"\${${name}_drain:-}\" ]"; then
		eval "wait \$${name}_drain"
	else
		cat <&"$fd" >>"$T/$name.out"
	fi
	wait "$pid" || fail "$name exited with $?"
}

# events_start: subscribes to the hub's join/leave lines on fd EV.
events_start() {
	local f=$T/events.$RANDOM.fifo
	mkfifo "$f"
	noinherit "$HUB" --events "$D" </dev/null >"$f" &
	PIDS+=($!)
	exec {EV}<"$f"
	read -r -t 20 -u "$EV" line || fail "no events stream"
	[ "$line" = "ok events" ] || fail "events stream said '$line'"
}

# event_wait PATTERN: blocks (bounded) until an event line matches PATTERN.
event_wait() {
	local line
	while read -r -t 20 -u "$EV" line; do
		case $line in $1) return 0 ;; esac
	done
	fail "no event matching '$1'"
}

stats() {
	"$HUB" --stats "$D" || fail "hub --stats failed"
}

# measured NAME FIELD: a field of the "received ..." line of a client that
# ran "measure" (kept in $T/NAME.out by finish).
measured() {
	local v
	v=$(awk -v f="$2" '$1 == "received" { for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }' \
		"$T/$1.out")
	[ -n "$v" ] || fail "$1 measured no $2: $(cat "$T/$1.out")"
	echo "$v"
}

# transfer NAME SIZE N GAP_US [IDLE_MS]: client NAME measures N stamped frames
# that a second client sends every GAP_US; both finish before it returns.
# The sender stays connected until the receiver is done: the hub may drop
# frames of a client that leaves at once, before it reads them.
transfer() {
	local name=$1
	client "$name" -i 2 "vde:$D" ready measure "$3" "${5:-1000}"
	client "${name}_tx" -i 1 "vde:$D" ready stamp "$2" "$3" "$4" wait-stdin
	finish "$name"
	finish "${name}_tx"
}

# stats_until JQ: polls the hub's counters (bounded: 20 s) until the jq
# expression JQ holds, e.g. '.totals.link_drops_in == 50'.
stats_until() {
	local i
	for ((i = 0; i < 200; i++)); do
		stats | jq -e "$1" >/dev/null && return 0
		sleep 0.1
	done
	fail "the hub's counters never matched '$1': $(stats)"
}

# counter NAME: one of the hub's totals.
counter() {
	stats | jq -r ".totals.$1"
}
