#!/bin/bash
# A partition forwards frames only within a group; the ports named in no
# group form one more group. Started with --partition and --port-down, the
# state is in force from the start; "partition none" heals it, and the
# ports of other groups then get exactly the frames sent after healing.
# Each change is an event line, the partition in its normal form.
. "$(dirname "$0")/lib.sh"

port() {
	stats | jq -e ".ports[] | select(.port == $1) | $2" >/dev/null ||
		fail "port $1: not $2: $(stats)"
}

start_hub --partition '3 2,1' --port-down 5
"$HUB" --command link "$D" | jq -e '.link == "up" and .ports_down == [5] and
	.partition == [[1, 2], [3]]' >/dev/null || fail "link shows: $("$HUB" --command link "$D")"
events_start
client two -i 2 "vde:vde://$D[2]" ready measure 100 1000
client three -i 3 "vde:vde://$D[3]" ready measure 100 1000
client four -i 4 "vde:vde://$D[4]" ready measure 100 1000
client tx -i 1 "vde:vde://$D[1]" ready stamp 60 50 0 wait-line stamp 60 50 0 wait-stdin
stats_until '.totals.partition_drops == 100'
port 2 '.frames_out == 50 and .partition_drops == 0'
port 3 '.frames_out == 0 and .partition_drops == 50'
port 4 '.frames_out == 0 and .partition_drops == 50'
"$HUB" --command 'partition none' "$D" >/dev/null || fail "partition none"
event_wait "partition none"
echo go >&"$tx_in"
finish two
finish three
finish four
finish tx
[ "$(measured two received)" = 100 ] || fail "port 2 received $(measured two received)"
[ "$(measured three received)" = 50 ] || fail "port 3 received $(measured three received)"
[ "$(measured four received)" = 50 ] || fail "port 4 received $(measured four received)"

# At run time, in any order: printed by lowest port.
"$HUB" --command 'partition 4,3   2,1' "$D" >/dev/null || fail "partition 4,3 2,1"
event_wait "partition 1,2 3,4"
"$HUB" --command link "$D" | jq -e '.partition == [[1, 2], [3, 4]]' >/dev/null ||
	fail "link shows: $("$HUB" --command link "$D")"
# Port 1 and the rest group (6) do not hear each other; 3 and 4 do.
client six -i 6 "vde:vde://$D[6]" ready wait-stdin
client four2 -i 4 "vde:vde://$D[4]" ready wait-stdin
client three2 -i 3 "vde:vde://$D[3]" ready send 60 10 wait-stdin
client one2 -i 1 "vde:vde://$D[1]" ready send 60 10 wait-stdin
stats_until '.ports[] | select(.port == 6) | .partition_drops == 20'
stats_until '.ports[] | select(.port == 4) | .frames_out == 10'
port 4 '.frames_out == 10 and .partition_drops == 10'
port 6 '.frames_out == 0'
finish six
finish four2
finish three2
finish one2
stop_hub
echo "ok: link-partition"
