#!/bin/bash
# Lifecycle: --daemon returns once DIR/ctl accepts (a client connects at
# once); default modes are 0700 (dir) and 0600 (sockets) and --mode opens
# them to the group but never to the world; a second hub on the same DIR is
# refused; SIGTERM/SIGINT remove every socket, the directory and the pid
# file; a hub killed with SIGKILL leaves a stale DIR that the next hub takes
# over; --exit-when-idle exits after the last client leaves.
. "$(dirname "$0")/lib.sh"

mode() { stat -c %a "$1"; }

# Daemon readiness and default modes.
start_hub
client a -D first "vde:$D" ready wait-stdin
[ "$(mode "$D")" = 700 ] || fail "dir mode $(mode "$D")"
# (Port sockets are chmod'ed by libvdeplug to the client's own mode.)
for f in ctl mgmt; do
	[ "$(mode "$D/$f")" = 600 ] || fail "$f mode $(mode "$D/$f")"
done

# A second hub, daemon or not, is refused and leaves the first one alone.
out=$("$HUB" "$D" 2>&1) && fail "second hub started"
case $out in *"another hub"*) ;; *) fail "second hub said: $out" ;; esac
out=$("$HUB" -d --pidfile "$T/other.pid" "$D" 2>&1) && fail "second daemon started"
[ ! -e "$T/other.pid" ] || fail "refused hub wrote a pid file"
stats | jq -e '.clients == 1' >/dev/null || fail "first hub disturbed"

# SIGTERM removes everything, with a client still connected.
stop_hub TERM
[ ! -e "$D" ] || fail "SIGTERM left $(ls -A "$D")"
finish a

# A hub killed with SIGKILL leaves a stale ctl; the next hub takes over.
start_hub
events_start
kill -KILL "$HUB_PID"
events_end
[ -S "$D/ctl" ] || fail "no stale ctl to recover"
rm -f "$T/hub.pid"
start_hub -v
client b -D after-stale "vde:$D" ready
finish b
stop_hub INT
[ ! -e "$D" ] || fail "SIGINT left $(ls -A "$D")"

# Group mode; world-writable refused before anything is created.
"$HUB" --mode 0666 "$D" 2>/dev/null && fail "--mode 0666 accepted"
[ ! -e "$D" ] || fail "refused hub created $D"
start_hub --mode 0660
[ "$(mode "$D")" = 770 ] || fail "dir mode with --mode 0660: $(mode "$D")"
[ "$(mode "$D/ctl")" = 660 ] || fail "ctl mode with --mode 0660: $(mode "$D/ctl")"
stop_hub

# --exit-when-idle: the hub exits by itself after its only client leaves.
start_hub --exit-when-idle 0
events_start
client c -D only "vde:$D" ready
finish c
events_end
[ ! -e "$D" ] && [ ! -e "$T/hub.pid" ] || fail "idle exit left files"
echo "ok: lifecycle"
