#!/bin/bash
# Impairments per port and at run time: --impair-port replaces the domain's
# impairments for frames towards that port only; "impair" shows them, a
# change is announced on the events stream, a bad spec is refused with its
# reason and changes nothing, and "port N domain" goes back to the domain's.
. "$(dirname "$0")/lib.sh"

start_hub --impair delay=1ms --impair-port 3:loss=100%
"$HUB" --command impair "$D" | jq -e '.domain == "delay=1ms" and
	.ports == [{"port": 3, "impair": "loss=100%"}]' >/dev/null || fail "impair shows"
events_start
client two -i 2 "vde:vde://$D[2]" ready measure 50 500
client three -i 3 -t 2 "vde:vde://$D[3]" ready measure 50 500
client tx -i 1 "vde:vde://$D[1]" ready stamp 60 50 0 wait-stdin
stats | jq -e '.ports[] | select(.port == 3) | .impair == "loss=100%"' >/dev/null ||
	fail "port 3 shows: $(stats)"
finish two
finish three
finish tx
[ "$(measured two received)" = 50 ] || fail "port 2 received $(measured two received)"
[ "$(measured three received)" = 0 ] || fail "port 3 received $(measured three received)"
stats | jq -e '.totals.lost == 50' >/dev/null || fail "counters: $(stats)"

out=$("$HUB" --command 'impair domain delay=5s,bogus=1' "$D" 2>&1) && fail "bad spec accepted"
case $out in *"unknown key 'bogus'"*) ;; *) fail "bad spec said: $out" ;; esac
"$HUB" --command 'impair domain loss=2%,burst=3' "$D" 2>/dev/null && fail "burst without gilbert"
"$HUB" --command 'impair domain loss=1.5%,duplicate=0.25%' "$D" >/dev/null || fail "impair domain"
event_wait "impair domain loss=1.5%,duplicate=0.25%"
"$HUB" --command 'impair port 3 domain' "$D" >/dev/null || fail "impair port 3 domain"
event_wait "impair port 3 domain"
"$HUB" --command impair "$D" | jq -e '.domain == "loss=1.5%,duplicate=0.25%" and .ports == []' \
	>/dev/null || fail "impair after changes: $("$HUB" --command impair "$D")"
stop_hub
echo "ok: impair-control"
