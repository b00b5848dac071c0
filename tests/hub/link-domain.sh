#!/bin/bash
# A domain down forwards nothing: started with --domain-down, frames sent
# are dropped and counted (link_drops_in) until "link domain up", after
# which they flow, and not one frame sent while it was down arrives. Taken
# down again at run time, it stops again. Each change is an event line.
. "$(dirname "$0")/lib.sh"

start_hub --domain-down
stats | jq -e '.link == "down" and .ports_down == []' >/dev/null || fail "not down: $(stats)"
events_start
client one -i 1 "vde:vde://$D[1]" ready measure 100 1000
client tx -i 2 "vde:vde://$D[2]" ready stamp 60 50 0 wait-line stamp 60 50 0 wait-stdin
stats_until '.totals.link_drops_in == 50'
stats | jq -e '.totals.frames_in == 0 and .totals.frames_out == 0' >/dev/null ||
	fail "forwarded while down: $(stats)"
"$HUB" --command 'link domain up' "$D" >/dev/null || fail "link domain up"
event_wait "link domain up"
echo go >&"$tx_in"
finish one
finish tx
[ "$(measured one received)" = 50 ] ||
	fail "received $(measured one received) frames, want the 50 sent after up"

"$HUB" --command 'link domain down' "$D" >/dev/null || fail "link domain down"
event_wait "link domain down"
"$HUB" --command link "$D" | jq -e '.link == "down"' >/dev/null || fail "link shows up"
client two -i 1 "vde:vde://$D[1]" ready wait-stdin
client tx2 -i 2 "vde:vde://$D[2]" ready send 60 20 wait-stdin
stats_until '.totals.link_drops_in == 70'
stats | jq -e '.totals.frames_out == 50 and (.ports[] | select(.port == 1) | .frames_out == 0)' \
	>/dev/null || fail "forwarded while down again: $(stats)"
finish two
finish tx2
stop_hub
echo "ok: link-domain"
