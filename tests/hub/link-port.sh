#!/bin/bash
# A port's link down stops frames both ways, whether or not a client holds
# the port when it goes down. Frames towards it are dropped and counted
# (link_drops_out); frames from it are neither forwarded nor captured
# (link_drops_in). "up" restores both, and not one frame sent while the
# link was down arrives: each sender sends 50 stamped frames while the link
# is down and 50 more after "up", and the receiver must get exactly the last
# 50. Frames waiting for the port when it goes down are dropped too. Each
# change is an event line.
. "$(dirname "$0")/lib.sh"

port() {
	stats | jq -e ".ports[] | select(.port == $1) | $2" >/dev/null ||
		fail "port $1: not $2: $(stats)"
}

start_hub
events_start

# Towards a down port: port 2 goes down before a client holds it.
"$HUB" --command 'link port 2 down' "$D" >/dev/null || fail "link port 2 down"
event_wait "link port 2 down"
"$HUB" --command link "$D" | jq -e '.link == "up" and .ports_down == [2] and .partition == []' \
	>/dev/null || fail "link shows: $("$HUB" --command link "$D")"
client two -i 2 "vde:vde://$D[2]" ready measure 100 1000
client tx -i 1 "vde:vde://$D[1]" ready stamp 60 50 0 wait-line stamp 60 50 0 wait-stdin
stats_until '.ports[] | select(.port == 2) | .link_drops_out == 50'
port 2 '.link == "down" and .frames_out == 0'
port 1 '.link == "up" and .frames_in == 50'
"$HUB" --command 'link port 2 up' "$D" >/dev/null || fail "link port 2 up"
event_wait "link port 2 up"
echo go >&"$tx_in"
finish two
finish tx
[ "$(measured two received)" = 50 ] ||
	fail "port 2 received $(measured two received) frames, want the 50 sent after up"
stats | jq -e '.totals.link_drops_out == 50 and .totals.frames_out == 50' >/dev/null ||
	fail "totals: $(stats)"

# From a down port: port 2 goes down with nobody on it again; a capture
# must see only the frames sent after "up" (its pcap header comes when the
# hub has registered it).
"$HUB" --command 'link port 2 down' "$D" >/dev/null || fail "link port 2 down again"
event_wait "link port 2 down"
"$HUB" --capture "$D" -c 50 >"$T/cap.pcap" &
cap_pid=$!
PIDS+=("$cap_pid")
for ((i = 0; i < 200; i++)); do
	[ "$(stat -c %s "$T/cap.pcap")" -ge 24 ] && break
	sleep 0.1
done
[ "$(stat -c %s "$T/cap.pcap")" -ge 24 ] || fail "no capture stream"
client one -i 1 "vde:vde://$D[1]" ready measure 100 1000
client tx2 -i 2 "vde:vde://$D[2]" ready stamp 60 50 0 wait-line stamp 60 50 0 wait-stdin
stats_until '.ports[] | select(.port == 2) | .link_drops_in == 50'
port 2 '.link == "down" and .frames_in == 0'
port 1 '.frames_out == 0'
"$HUB" --command 'link port 2 up' "$D" >/dev/null || fail "link port 2 up again"
event_wait "link port 2 up"
echo go >&"$tx2_in"
finish one
finish tx2
[ "$(measured one received)" = 50 ] ||
	fail "port 1 received $(measured one received) frames, want the 50 sent after up"
wait "$cap_pid" || fail "capture failed"
# The first captured frame's sequence number (bytes 14-17 of the frame,
# after the 24-byte file header and the 16-byte record header): 50.
[ "$(od -An -tx1 -j54 -N4 "$T/cap.pcap" | tr -d ' ')" = 00000032 ] ||
	fail "the capture holds frames sent while the link was down"
stats | jq -e '.totals.link_drops_in == 50 and .totals.frames_in == 150' >/dev/null ||
	fail "totals: $(stats)"

# Frames waiting for a port when its link goes down are lost with it: 20
# frames held by a 5 s delay are dropped at once, and after "up" only the
# frames sent afterwards arrive.
"$HUB" --command 'impair port 2 delay=5s' "$D" >/dev/null || fail "impair port 2"
client three -i 2 "vde:vde://$D[2]" ready measure 40 1000
client tx3 -i 1 "vde:vde://$D[1]" ready stamp 60 20 0 wait-line stamp 60 20 0 wait-stdin
stats_until '.ports[] | select(.port == 2) | .impair_queued == 20'
"$HUB" --command 'link port 2 down' "$D" >/dev/null || fail "link port 2 down, delayed"
port 2 '.impair_queued == 0 and .link_drops_out == 20 and .frames_out == 0'
"$HUB" --command 'impair port 2 domain' "$D" >/dev/null || fail "impair port 2 domain"
"$HUB" --command 'link port 2 up' "$D" >/dev/null || fail "link port 2 up, delayed"
echo go >&"$tx3_in"
finish three
finish tx3
[ "$(measured three received)" = 20 ] ||
	fail "port 2 received $(measured three received) frames, want the 20 sent after up"
stop_hub
echo "ok: link-port"
