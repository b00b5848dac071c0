#!/bin/bash
# A client killed with SIGKILL is noticed (its ctl stream ends), its port
# and socket are freed, and the next client gets the port back; the other
# client is not disturbed.
. "$(dirname "$0")/lib.sh"

start_hub
events_start
client victim -D victim "vde:$D" ready wait-stdin
client keeper -D keeper "vde:$D" ready wait-stdin
event_wait "join 2 keeper *"
sock=$(stats | jq -r '.ports[] | select(.port == 1) | .socket')
[ -S "$D/$sock" ] || fail "no port socket $D/$sock"
kill -KILL "$victim_pid"
wait "$victim_pid" 2>/dev/null
event_wait "leave 1 victim *"
[ ! -e "$D/$sock" ] || fail "port socket $sock left behind"
s=$(stats)
echo "$s" | jq -e '.clients == 1 and [.ports[].port] == [2]' >/dev/null || fail "ports: $s"
client newcomer -D newcomer "vde:$D" ready wait-stdin
s=$(stats)
echo "$s" | jq -e '[.ports[] | [.port, (.descr | split(" ")[0])]] == [[1, "newcomer"], [2, "keeper"]]' \
	>/dev/null || fail "port 1 not reused: $s"
finish newcomer
finish keeper
stop_hub
echo "ok: killed client"
